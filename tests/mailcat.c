/* mailcat: print a message as its reader would see it: the main headers decoded,
 * then the text. "mailcat -h NAME FILE" prints one header's decoded value;
 * "mailcat --check FILE..." only checks.
 *
 * Every run first checks the message as a strict mail client would: each
 * inline text part must be valid in the charset it declares (us-ascii when it
 * declares none), and each header must be valid too: every RFC 2047
 * encoded-word in its own charset, raw 8-bit only as UTF-8 (RFC 6532). A
 * message that fails is still printed, decoded by its declared charset with U+FFFD for what does not
 * decode (so a mislabelled reply looks broken, as it would to its reader);
 * the problem goes to standard error and to the file named by
 * $MAILCAT_ERRORS, and mailcat exits 65. Used by the end-to-end tests and the
 * demo to read what clerkd sent. */
#include "message.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>

struct check {
	const char *path;
	GString *problems;	/* one line each */
	GString *text;		/* the inline text parts, decoded leniently */
};

static void
problem(struct check *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
problem(struct check *c, const char *fmt, ...)
{
	va_list ap;

	g_string_append_printf(c->problems, "mailcat: %s: ", c->path);
	va_start(ap, fmt);
	g_string_append_vprintf(c->problems, fmt, ap);
	va_end(ap);
	g_string_append_c(c->problems, '\n');
}

/* Bytes in charset cs as UTF-8, strictly; NULL (and *why) if they are not
 * valid there. */
static char *
strict_utf8(const char *bytes, gsize len, const char *cs, char **why)
{
	GError *err = NULL;
	gsize r, w;
	char *out;

	if (!g_ascii_strcasecmp(cs, "us-ascii") || !g_ascii_strcasecmp(cs, "ascii")) {
		for (gsize i = 0; i < len; i++)
			if ((guchar)bytes[i] >= 0x80) {
				*why = g_strdup_printf("byte 0x%02x at offset %zu is not ASCII",
				    (guchar)bytes[i], i);
				return NULL;
			}
		return g_strndup(bytes, len);
	}
	if (!g_ascii_strcasecmp(cs, "utf-8") || !g_ascii_strcasecmp(cs, "utf8")) {
		const char *end;
		if (!g_utf8_validate_len(bytes, len, &end)) {
			*why = g_strdup_printf("byte 0x%02x at offset %zu is not valid UTF-8",
			    (guchar)*end, (gsize)(end - bytes));
			return NULL;
		}
		return g_strndup(bytes, len);
	}
	out = g_convert(bytes, len, "UTF-8", g_mime_charset_iconv_name(cs), &r, &w, &err);
	if (out == NULL) {
		*why = g_strdup_printf("not valid %s at offset %zu: %s", cs, r, err->message);
		g_error_free(err);
	}
	return out;
}

/* Undo an encoded-word's B or Q encoding; NULL if it is malformed. */
static GBytes *
ew_decode(char enc, const char *text, gsize len)
{
	if (enc == 'b' || enc == 'B') {
		g_autofree char *t = g_strndup(text, len);
		gsize n;
		guchar *raw;
		if (len % 4 != 0 || strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/=") != len)
			return NULL;
		raw = g_base64_decode(t, &n);
		return g_bytes_new_take(raw, n);
	}
	GString *out = g_string_new(NULL);
	for (gsize i = 0; i < len; i++) {
		if (text[i] == '_')
			g_string_append_c(out, ' ');
		else if (text[i] == '=') {
			if (i + 2 >= len || !g_ascii_isxdigit(text[i + 1]) ||
			    !g_ascii_isxdigit(text[i + 2])) {
				g_string_free(out, TRUE);
				return NULL;
			}
			g_string_append_c(out, (char)(g_ascii_xdigit_value(text[i + 1]) * 16 +
			    g_ascii_xdigit_value(text[i + 2])));
			i += 2;
		} else
			g_string_append_c(out, text[i]);
	}
	return g_string_free_to_bytes(out);
}

static void
check_header(struct check *c, const char *name, const char *raw)
{
	static GRegex *ew;
	GMatchInfo *mi;

	const char *end;

	/* 8-bit only as UTF-8 (RFC 6532: an internationalized address). */
	if (!g_utf8_validate(raw, -1, &end)) {
		problem(c, "header %s has bytes that are not UTF-8 (0x%02x at offset %zu)", name,
		    (guchar)*end, (gsize)(end - raw));
		return;
	}
	if (ew == NULL)
		ew = g_regex_new("=\\?([^?*]+)(\\*[^?]*)?\\?([bBqQ])\\?([^?]*)\\?=", 0, 0, NULL);
	g_regex_match(ew, raw, 0, &mi);
	for (; g_match_info_matches(mi); g_match_info_next(mi, NULL)) {
		g_autofree char *cs = g_match_info_fetch(mi, 1);
		g_autofree char *enc = g_match_info_fetch(mi, 3);
		g_autofree char *text = g_match_info_fetch(mi, 4);
		g_autoptr(GBytes) bytes = ew_decode(enc[0], text, strlen(text));
		g_autofree char *why = NULL, *u = NULL;
		gsize n;
		const char *b;

		if (bytes == NULL) {
			problem(c, "header %s: malformed encoded-word =?%s?%s?%s?=", name, cs, enc, text);
			continue;
		}
		b = g_bytes_get_data(bytes, &n);
		if ((u = strict_utf8(b, n, cs, &why)) == NULL)
			problem(c, "header %s: an encoded-word declares %s but its bytes are %s", name,
			    cs, why);
	}
	g_match_info_free(mi);
}

static void
check_headers(struct check *c, GMimeObject *obj)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);

	for (int i = 0; i < g_mime_header_list_get_count(hl); i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *raw = g_mime_header_get_raw_value(h);
		check_header(c, g_mime_header_get_name(h), raw ? raw : "");
	}
}

static void
visit(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct check *c = data;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(part);
	g_autoptr(GByteArray) buf = NULL;
	g_autofree char *why = NULL;
	const char *cs;
	char *u;
	GMimeStream *mem;

	(void)parent;
	check_headers(c, part);
	if (!GMIME_IS_PART(part) || !g_mime_content_type_is_type(ct, "text", "*"))
		return;
	if (cd != NULL && g_mime_content_disposition_is_attachment(cd))
		return;	/* a document passed on as it was: not our text */
	if (g_mime_part_get_content(GMIME_PART(part)) == NULL)
		return;
	cs = g_mime_content_type_get_parameter(ct, "charset");
	if (cs == NULL)
		cs = "us-ascii";
	buf = g_byte_array_new();
	mem = g_mime_stream_mem_new_with_byte_array(buf);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(GMIME_PART(part)), mem);
	g_object_unref(mem);
	if ((u = strict_utf8((const char *)buf->data, buf->len, cs, &why)) != NULL) {
		g_string_append(c->text, u);
		g_free(u);
		return;
	}
	problem(c, "a text/%s part declares charset=%s, but %s", g_mime_content_type_get_media_subtype(ct),
	    cs, why);
	/* As a mail client would show it: the declared charset, U+FFFD where it fails. */
	g_autofree char *shown = g_utf8_make_valid((const char *)buf->data, buf->len);
	g_string_append(c->text, shown);
}

/* Check msg; FALSE (and the problems reported) if any. */
static gboolean
check(struct check *c, GMimeMessage *msg)
{
	const char *log = g_getenv("MAILCAT_ERRORS");

	check_headers(c, GMIME_OBJECT(msg));
	g_mime_message_foreach(msg, visit, c);
	if (c->problems->len == 0)
		return TRUE;
	fputs(c->problems->str, stderr);
	if (log != NULL && *log != '\0') {
		FILE *fp = fopen(log, "a");
		if (fp != NULL) {
			fputs(c->problems->str, fp);
			fclose(fp);
		}
	}
	return FALSE;
}

static char *
decoded(GMimeObject *msg, const char *name)
{
	const char *raw = g_mime_object_get_header(msg, name);

	if (raw == NULL)
		return NULL;
	if (!g_ascii_strcasecmp(name, "From") || !g_ascii_strcasecmp(name, "To")) {
		InternetAddressList *l = internet_address_list_parse(NULL, raw);
		char *s = l ? internet_address_list_to_string(l, NULL, FALSE) : g_strdup(raw);
		if (l)
			g_object_unref(l);
		return s;
	}
	return g_mime_utils_header_decode_text(NULL, raw);
}

static GMimeMessage *
load(const char *path, char **data, gsize *len)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;

	if (!g_file_get_contents(path, data, len, NULL)) {
		fprintf(stderr, "mailcat: cannot read %s\n", path);
		return NULL;
	}
	stream = g_mime_stream_mem_new_with_buffer(*data, *len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (msg == NULL)
		fprintf(stderr, "mailcat: %s is not a MIME message\n", path);
	return msg;
}

int
main(int argc, char **argv)
{
	const char *only = NULL, *path;
	static const char *const shown[] = {
		"From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Auto-Submitted",
	};
	g_autofree char *data = NULL;
	struct check c = { 0 };
	gboolean good;
	gsize len;

	message_init();
	if (argc >= 2 && strcmp(argv[1], "--check") == 0) {
		int status = 0;
		for (int i = 2; i < argc; i++) {
			g_autofree char *d = NULL;
			GMimeMessage *msg = load(argv[i], &d, &len);
			struct check one = { argv[i], g_string_new(NULL), g_string_new(NULL) };
			if (msg == NULL || !check(&one, msg))
				status = 65;
			if (msg != NULL)
				g_object_unref(msg);
			g_string_free(one.problems, TRUE);
			g_string_free(one.text, TRUE);
		}
		return status;
	}
	if (argc == 4 && strcmp(argv[1], "-h") == 0)
		only = argv[2];
	else if (argc != 2) {
		fprintf(stderr, "usage: mailcat [-h HEADER] FILE | mailcat --check FILE...\n");
		return 64;
	}
	path = argv[argc - 1];
	GMimeMessage *msg = load(path, &data, &len);
	if (msg == NULL)
		return 65;
	c.path = path;
	c.problems = g_string_new(NULL);
	c.text = g_string_new(NULL);
	good = check(&c, msg);
	if (only != NULL) {
		g_autofree char *v = decoded(GMIME_OBJECT(msg), only);
		g_object_unref(msg);
		if (v != NULL)
			printf("%s\n", g_strstrip(v));
		g_string_free(c.problems, TRUE);
		g_string_free(c.text, TRUE);
		return !good ? 65 : v == NULL ? 1 : 0;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(shown); i++) {
		g_autofree char *v = decoded(GMIME_OBJECT(msg), shown[i]);
		if (v != NULL)
			printf("%s: %s\n", shown[i], g_strstrip(v));
	}
	g_object_unref(msg);
	if (good) {
		/* Valid as labelled: the text as clerkd's own parser reads it. */
		struct facts *f = message_parse(data, len, NULL);
		if (f != NULL) {
			printf("\n%s", f->text);
			facts_free(f);
		}
	} else
		printf("\n%s", c.text->str);
	g_string_free(c.problems, TRUE);
	g_string_free(c.text, TRUE);
	return good ? 0 : 65;
}
