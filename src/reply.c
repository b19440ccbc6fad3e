/* reply.c: building replies.
 *
 * One charset rule: everything clerkd writes is UTF-8. The text part's bytes
 * are the UTF-8 string itself, set as the part's content and labelled
 * charset=utf-8 (never through g_mime_text_part_set_text(), which converts
 * to the smallest charset that fits, ISO-8859-1 for "José", and would then be
 * mislabelled). Display names and the subject are RFC 2047 encoded-words in
 * UTF-8. Text that is not valid UTF-8 is cleaned before it is written. */
#include "reply.h"
#include "message.h"
#include "util.h"

#include <gmime/gmime.h>
#include <string.h>

#define REPLY_MAX_REFERENCES 20
#define REPLY_MAX_SUBJECT 150

/* The text as the part's content, byte for byte, labelled UTF-8. */
static void
set_utf8_text(GMimeTextPart *body, const char *text)
{
	g_autofree char *fixed = g_utf8_validate(text, -1, NULL) ? NULL : g_utf8_make_valid(text, -1);
	const char *utf8 = fixed != NULL ? fixed : text;
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(utf8, strlen(utf8));
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(stream,
	    GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(GMIME_PART(body), content);
	g_mime_text_part_set_charset(body, "utf-8");
	g_mime_part_set_content_encoding(GMIME_PART(body), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
	g_object_unref(content);
	g_object_unref(stream);
}

/* To: with the display name encoded as UTF-8 (GMime would otherwise pick the
 * smallest charset that holds it: correct, but not our one rule). */
static void
add_to(GMimeMessage *m, const char *name, const char *addr)
{
	g_autofree char *clean = util_utf8_clean(name ? name : "", -1, 256);
	InternetAddress *ia = internet_address_mailbox_new(clean, addr);

	internet_address_set_charset(ia, "utf-8");
	internet_address_list_add(g_mime_message_get_addresses(m, GMIME_ADDRESS_TYPE_TO), ia);
	g_object_unref(ia);
}

/* The local zone, looked up once: g_date_time_new_now_local() looked it up
 * for every reply (1 % of a backlog). */
static GDateTime *
now_local(void)
{
	static GTimeZone *tz;

	if (g_once_init_enter(&tz))
		g_once_init_leave(&tz, g_time_zone_new_local());
	return g_date_time_new_now(tz);
}

GBytes *
reply_build(const struct reply *r)
{
	g_autoptr(GDateTime) now = now_local();
	GMimeMessage *m;
	GMimeTextPart *body;
	InternetAddressList *from;
	GMimeFormatOptions *fo;
	char *s;
	gsize len;

	message_init();
	m = g_mime_message_new(TRUE);
	body = g_mime_text_part_new_with_subtype("plain");
	from = internet_address_list_parse(NULL, r->from);
	fo = g_mime_format_options_clone(NULL);
	if (from != NULL) {
		for (int i = 0; i < internet_address_list_length(from); i++)
			internet_address_set_charset(internet_address_list_get_address(from, i), "utf-8");
		internet_address_list_append(g_mime_message_get_from(m), from);
		g_object_unref(from);
	}
	add_to(m, r->to_name, r->to_addr);
	g_mime_message_set_subject(m, r->subject, "utf-8");
	g_mime_message_set_date(m, now);
	g_mime_message_set_message_id(m, r->message_id);
	if (r->in_reply_to != NULL) {
		g_autofree char *irt = g_strdup_printf("<%s>", r->in_reply_to);
		GString *refs = g_string_new(NULL);
		GMimeReferences *old = r->references ? g_mime_references_parse(NULL, r->references) : NULL;
		int n = old ? g_mime_references_length(old) : 0;

		/* Keep the thread's root and its most recent ancestors. */
		for (int i = 0; i < n; i++) {
			if (i > 0 && i < n - REPLY_MAX_REFERENCES + 1)
				continue;
			g_autofree char *id = util_msgid_clean(g_mime_references_get_message_id(old, i));
			if (id != NULL && strcmp(id, r->in_reply_to) != 0)
				g_string_append_printf(refs, "%s<%s>", refs->len ? " " : "", id);
		}
		if (old != NULL)
			g_mime_references_free(old);
		g_string_append_printf(refs, "%s%s", refs->len ? " " : "", irt);
		g_mime_object_set_header(GMIME_OBJECT(m), "In-Reply-To", irt, NULL);
		g_mime_object_set_header(GMIME_OBJECT(m), "References", refs->str, NULL);
		g_string_free(refs, TRUE);
	}
	/* RFC 3834; and ask Exchange not to answer us in turn. */
	g_mime_object_set_header(GMIME_OBJECT(m), "Auto-Submitted", "auto-replied", NULL);
	g_mime_object_set_header(GMIME_OBJECT(m), "X-Auto-Response-Suppress", "All", NULL);

	set_utf8_text(body, r->body);
	if (r->html != NULL) {
		/* The staff digest: the text, and the same in HTML (its charts). */
		GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
		GMimeTextPart *html = g_mime_text_part_new_with_subtype("html");
		set_utf8_text(html, r->html);
		g_mime_multipart_add(alt, GMIME_OBJECT(body));
		g_mime_multipart_add(alt, GMIME_OBJECT(html));
		g_mime_message_set_mime_part(m, GMIME_OBJECT(alt));
		g_object_unref(html);
		g_object_unref(alt);
	} else if (r->attachments == NULL || r->attachments->len == 0)
		g_mime_message_set_mime_part(m, GMIME_OBJECT(body));
	else {
		/* A document routed on (an evaluation form to its coordinator). */
		GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
		g_mime_multipart_add(mixed, GMIME_OBJECT(body));
		for (guint i = 0; i < r->attachments->len; i++) {
			const struct reply_attachment *a = g_ptr_array_index(r->attachments, i);
			g_autofree char *type = g_strdup(a->content_type ? a->content_type :
			    "application/octet-stream");
			/* "text/csv; charset=utf-8": a file we wrote says its charset
			 * (the one clerkd writes in; any other parameter is dropped). */
			char *semi = strchr(type, ';'), *slash;
			const char *cs = semi && strstr(semi + 1, "charset=utf-8") ? "utf-8" : NULL;
			/* "text/calendar; method=CANCEL": an .ics says its method too. */
			const char *method = semi == NULL ? NULL :
			    strstr(semi + 1, "method=PUBLISH") ? "PUBLISH" :
			    strstr(semi + 1, "method=CANCEL") ? "CANCEL" : NULL;
			if (semi != NULL)
				*semi = '\0';
			slash = strchr(type, '/');
			g_autofree char *name = util_utf8_clean(a->filename ? a->filename : "document", -1, 200);
			GMimePart *part;
			GMimeStream *stream;
			GMimeDataWrapper *content;
			if (slash == NULL)
				continue;
			*slash = '\0';
			for (char *c = name; *c; c++)
				if (*c == '\n' || *c == '\t' || *c == '/' || *c == '\\')
					*c = '_';
			part = g_mime_part_new_with_type(type, slash + 1);
			if (cs != NULL)
				g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", cs);
			if (method != NULL)
				g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "method", method);
			stream = g_mime_stream_mem_new_with_buffer(g_bytes_get_data(a->data, NULL),
			    g_bytes_get_size(a->data));
			content = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
			g_mime_part_set_content(part, content);
			g_mime_part_set_filename(part, name);
			g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
			g_mime_multipart_add(mixed, GMIME_OBJECT(part));
			g_object_unref(content);
			g_object_unref(stream);
			g_object_unref(part);
		}
		g_mime_message_set_mime_part(m, GMIME_OBJECT(mixed));
		g_object_unref(mixed);
	}
	g_object_unref(body);

	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	s = g_mime_object_to_string(GMIME_OBJECT(m), fo);
	g_mime_format_options_free(fo);
	g_object_unref(m);
	len = strlen(s);
	return g_bytes_new_take(s, len);
}

char *
reply_message_id(const char *in_message_id, const char *in_sha256, const char *kind,
    const char *from_addr)
{
	g_autofree char *seed = g_strdup_printf("%s\n%s\n%s", in_message_id ? in_message_id : "",
	    in_sha256, kind);
	g_autofree char *hex = util_sha256_hex(seed, strlen(seed));
	const char *at = strrchr(from_addr, '@');

	return g_strdup_printf("clerkd.%.32s@%s", hex, at ? at + 1 : "localhost");
}

static const char *
skip_prefixes(const char *s)
{
	static const char *const prefixes[] = { "re:", "aw:", "sv:", "fw:", "fwd:", "tr:", "wg:", "[external]" };
	gboolean again = TRUE;

	while (again) {
		again = FALSE;
		while (*s == ' ')
			s++;
		for (gsize i = 0; i < G_N_ELEMENTS(prefixes); i++)
			if (g_ascii_strncasecmp(s, prefixes[i], strlen(prefixes[i])) == 0) {
				s += strlen(prefixes[i]);
				again = TRUE;
			}
	}
	return s;
}

char *
reply_subject(const char *original, const char *reference, const char *fallback)
{
	const char *core = skip_prefixes(original ? original : "");
	g_autofree char *cut = NULL;
	GString *out = g_string_new(NULL);
	gboolean theirs = *core != '\0';

	if (!theirs)
		core = fallback;
	if (g_utf8_strlen(core, -1) > REPLY_MAX_SUBJECT) {
		cut = g_utf8_substring(core, 0, REPLY_MAX_SUBJECT);
		core = cut;
	}
	g_string_append_printf(out, "%s%s", theirs ? "Re: " : "", core);
	if (reference != NULL) {
		g_autofree char *tag = g_strdup_printf("[%s]", reference);
		if (strstr(out->str, tag) == NULL)
			g_string_append_printf(out, " %s", tag);
	}
	return g_string_free(out, FALSE);
}

char *
reply_render(const char *name, const char *text, GHashTable *vars, GError **err)
{
	GString *out = g_string_sized_new(strlen(text) + 256);

	for (const char *p = text; *p != '\0';) {
		const char *open = strstr(p, "{{");
		const char *close = open ? strstr(open, "}}") : NULL;
		if (close == NULL) {
			g_string_append(out, p);
			break;
		}
		g_string_append_len(out, p, open - p);
		g_autofree char *var = g_strstrip(g_strndup(open + 2, close - open - 2));
		const char *value = g_hash_table_lookup(vars, var);
		if (value == NULL) {
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: unknown variable {{%s}}",
			    name, var);
			g_string_free(out, TRUE);
			return NULL;
		}
		g_string_append(out, value);
		p = close + 2;
	}
	return g_string_free(out, FALSE);
}
