/* message.c: GMime -> facts. Everything that leaves here is UTF-8 and bounded. */
#include "message.h"
#include "base64.h"
#include "docstore.h"
#include "html.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <string.h>
#include <unistd.h>

/* GMime declares no autoptr cleanups of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeMessage, g_object_unref)

/* Attached messages (message/rfc822) are walked for their documents and text
 * this deep, and no deeper: one inside one inside one. */
#define MESSAGE_MAX_DEPTH 3
#define MESSAGE_MAX_AUTH_RESULTS 16
#define MESSAGE_MAX_AUTH_RESULT 4096
/* Attachments are decoded in pieces of this size. */
#define PART_CHUNK (64 * 1024)
#define MESSAGE_ATTACHED_MARKER "---------- Attached message ----------\n"

/* One message's walk: the message itself, or one attached to it. */
struct walk {
	struct facts *f;	/* documents of every level go here */
	const char *spool_dir;	/* decode attachments into files here, or NULL */
	int depth;		/* 0 for the message itself, 1 for one attached to it, ... */
	GString *plain;		/* inline text/plain parts, UTF-8 */
	GString *html;		/* first inline text/html part, UTF-8 */
	GString *attached;	/* texts of attached messages, each after MESSAGE_ATTACHED_MARKER */
	struct forward *fw;	/* depth 0: the first attached message's headers */
};

static void walk_attached(struct walk *w, GMimeObject *parent, GMimeMessage *inner);

void
message_init(void)
{
	static gsize once;

	if (g_once_init_enter(&once)) {
		g_mime_init();
		html_init();	/* messages are parsed on a thread of their own */
		g_once_init_leave(&once, 1);
	}
}

void
facts_free(struct facts *f)
{
	if (f == NULL)
		return;
	g_free(f->message_id);
	g_free(f->from_addr);
	g_free(f->from_name);
	g_free(f->subject);
	g_free(f->in_reply_to);
	g_free(f->references);
	g_free(f->text);
	if (f->attachments != NULL)
		g_ptr_array_free(f->attachments, TRUE);
	g_free(f->auto_submitted);
	g_free(f->return_path);
	g_free(f->precedence);
	g_strfreev(f->auth_results);
	forward_free(f->forward);
	g_free(f);
}

static void
attachment_free(gpointer p)
{
	struct attachment *a = p;

	g_free(a->filename);
	g_free(a->content_type);
	g_free(a->sha256);
	if (a->data != NULL)
		g_bytes_unref(a->data);
	if (a->path != NULL) {
		unlink(a->path);
		g_free(a->path);
	}
	g_free(a);
}

/* Append at most what keeps s within MESSAGE_MAX_TEXT, cut on a character boundary. */
static void
text_append(GString *s, const char *t)
{
	gsize room = s->len < MESSAGE_MAX_TEXT ? MESSAGE_MAX_TEXT - s->len : 0;
	gsize n = strlen(t);

	if (n > room) {
		n = room;
		while (n > 0 && ((guchar)t[n] & 0xc0) == 0x80)
			n--;
	}
	g_string_append_len(s, t, n);
}

/* Tabs and line breaks as spaces: the value goes on one line. */
static char *
one_line(char *s)
{
	for (char *p = s; p != NULL && *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return s != NULL ? g_strstrip(s) : NULL;
}

/* A header's value as it was sent: unfolded, never RFC 2047 decoded (an
 * encoded-word is text, not structure: "=?utf-8?q?dkim=3Dpass?=" must stay
 * what it is). Longer than max: cut if cut_ok, else NULL (where a cut value
 * could end in anything that decides, it is no value at all). */
static char *
raw_value(GMimeHeader *h, gsize max, gboolean cut_ok)
{
	const char *v = g_mime_header_get_raw_value(h);
	GString *out;

	if (v == NULL)
		v = "";
	out = g_string_sized_new(MIN(strlen(v), max) + 1);
	for (; *v != '\0'; v++) {
		if (*v == '\r' || *v == '\n')
			continue;	/* unfold: CRLF WSP is WSP */
		if (out->len >= max) {
			if (cut_ok)
				break;
			g_string_free(out, TRUE);
			return NULL;
		}
		g_string_append_c(out, *v);
	}
	g_autofree char *u = util_utf8_clean(out->str, out->len, max + 6);
	g_string_free(out, TRUE);
	return g_strstrip(g_steal_pointer(&u));
}

/* The first header of that name, raw (raw_value); NULL if none or too long. */
static char *
header(GMimeObject *obj, const char *name, gsize max)
{
	GMimeHeader *h = g_mime_header_list_get_header(g_mime_object_get_header_list(obj), name);

	return h != NULL ? raw_value(h, max, FALSE) : NULL;
}

/* Why the From of this message cannot name one person for certain, or NULL:
 * the staff check trusts only one From header holding one address, written
 * out in it (not produced by decoding an encoded-word), and, when a Sender
 * is given (a list), the same address as the Sender. */
static const char *
from_doubt(GMimeMessage *msg, const struct facts *f, guint from_headers)
{
	GMimeObject *top = GMIME_OBJECT(msg);
	InternetAddressList *from = g_mime_message_get_from(msg);
	g_autofree char *raw = header(top, "From", 998);
	g_autofree char *sender = header(top, "Sender", 998);

	if (from_headers != 1)
		return from_headers == 0 ? "no From header" : "more than one From header";
	if (from == NULL || internet_address_list_length(from) != 1 ||
	    !INTERNET_ADDRESS_IS_MAILBOX(internet_address_list_get_address(from, 0)))
		return "not exactly one From address";
	if (f->from_addr == NULL || raw == NULL)
		return "no usable From address";
	g_autofree char *lower = g_ascii_strdown(raw, -1);
	if (strstr(lower, f->from_addr) == NULL)
		return "the From address is not written out in the header";
	if (sender != NULL) {
		InternetAddressList *l = internet_address_list_parse(NULL, sender);
		g_autofree char *s = NULL;
		if (l != NULL && internet_address_list_length(l) == 1 &&
		    INTERNET_ADDRESS_IS_MAILBOX(internet_address_list_get_address(l, 0)))
			s = util_addr_normalize(internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(l, 0))));
		if (l != NULL)
			g_object_unref(l);
		if (s == NULL || strcmp(s, f->from_addr) != 0)
			return "the From address differs from the Sender";
	}
	return NULL;
}

/* Decoded bytes of a leaf part (transfer encoding undone, charset untouched). */
static GBytes *
part_bytes(GMimePart *part, gsize max)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	g_autoptr(GMimeStream) mem = NULL;
	GByteArray *ba;

	if (dw == NULL)
		return g_bytes_new(NULL, 0);
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);	/* the bytes are ours now */
	if (ba->len > max)
		g_byte_array_set_size(ba, max);
	return g_byte_array_free_to_bytes(ba);
}

/* A password-protected PDF: it starts %PDF and its trailer names an /Encrypt
 * dictionary. Fed the decoded bytes in pieces. */
#define ENCRYPT_MARK "/Encrypt"
struct pdf_scan {
	gsize seen;
	gboolean pdf, encrypted;
	char carry[sizeof ENCRYPT_MARK - 1];	/* the last bytes of the previous piece */
	gsize ncarry;
};

static void
pdf_scan_feed(struct pdf_scan *ps, const char *d, gsize len)
{
	const gsize m = sizeof ENCRYPT_MARK - 1;

	if (ps->seen == 0)
		ps->pdf = len >= 4 && memcmp(d, "%PDF", 4) == 0;
	ps->seen += len;
	if (!ps->pdf || ps->encrypted || len == 0)
		return;
	if (ps->ncarry > 0) {	/* a mark split across pieces */
		char join[2 * sizeof ENCRYPT_MARK];
		gsize k = MIN(len, m - 1);
		memcpy(join, ps->carry, ps->ncarry);
		memcpy(join + ps->ncarry, d, k);
		if (memmem(join, ps->ncarry + k, ENCRYPT_MARK, m) != NULL)
			ps->encrypted = TRUE;
	}
	if (memmem(d, len, ENCRYPT_MARK, m) != NULL)
		ps->encrypted = TRUE;
	ps->ncarry = MIN(len, m - 1);
	memcpy(ps->carry, d + len - ps->ncarry, ps->ncarry);
}

/* Decode a leaf part into a new file in dir, hashing and looking at it as it
 * goes: one pass over the bytes, in large pieces, never whole in memory. */
static gboolean
part_spool(GMimePart *part, const char *dir, struct attachment *a)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	g_autoptr(GMimeStream) filtered = NULL;
	g_autofree char *in = NULL, *out = NULL;
	GMimeStream *src = dw != NULL ? g_mime_data_wrapper_get_stream(dw) : NULL;
	GMimeContentEncoding enc = dw != NULL ? g_mime_data_wrapper_get_encoding(dw) :
	    GMIME_CONTENT_ENCODING_DEFAULT;
	gboolean b64 = enc == GMIME_CONTENT_ENCODING_BASE64;
	gboolean step = enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
	int b64_state = 0;
	guint32 b64_save = 0;
	struct pdf_scan ps = { 0 };
	DocstoreFile *file;
	UtilSha256 *sha;
	GMimeEncoding state;
	gboolean ok = TRUE;
	ssize_t n = 0;

	if ((file = docstore_file_new(dir, NULL)) == NULL)
		return FALSE;
	sha = util_sha256_new();
	a->size = 0;
	if (enc == GMIME_CONTENT_ENCODING_UUENCODE && src != NULL) {
		/* Rare enough for GMime's filter, which finds the begin line itself. */
		GMimeFilter *f = g_mime_filter_basic_new(enc, FALSE);
		filtered = g_mime_stream_filter_new(src);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), f);
		g_object_unref(f);
		src = filtered;
	} else if (step)
		g_mime_encoding_init_decode(&state, enc);
	in = g_malloc(PART_CHUNK);
	if (step)
		out = g_malloc(g_mime_encoding_outlen(&state, PART_CHUNK));
	else if (b64)
		out = g_malloc(PART_CHUNK / 4 * 3 + 3);
	if (src != NULL && g_mime_stream_reset(src) == -1)
		ok = FALSE;
	/* GMime's bounded streams say -1 when read at their end: ask first. */
	while (ok && src != NULL && !g_mime_stream_eos(src) &&
	    (n = g_mime_stream_read(src, in, PART_CHUNK)) >= 0) {
		const char *d = in;
		gsize m = n;
		if (n == 0)
			break;
		if (b64) {
			m = base64_decode_step((const guchar *)in, n, (guchar *)out, &b64_state, &b64_save);
			d = out;
		} else if (step) {
			m = g_mime_encoding_step(&state, in, n, out);
			d = out;
		}
		util_sha256_update(sha, d, m);
		pdf_scan_feed(&ps, d, m);
		a->size += m;
		ok = docstore_file_write(file, d, m, NULL);
	}
	if (ok && n == -1)
		ok = FALSE;
	if (ok && step) {
		gsize m = g_mime_encoding_flush(&state, NULL, 0, out);
		util_sha256_update(sha, out, m);
		pdf_scan_feed(&ps, out, m);
		a->size += m;
		ok = docstore_file_write(file, out, m, NULL);
	}
	if (!ok || (a->path = docstore_file_close(g_steal_pointer(&file), NULL)) == NULL) {
		docstore_file_abandon(file);
		g_free(util_sha256_finish(sha));
		return FALSE;
	}
	a->sha256 = util_sha256_finish(sha);
	a->encrypted_pdf = ps.encrypted;
	return TRUE;
}

/* A text part as UTF-8: its declared charset, else UTF-8, else Windows-1252,
 * which is what unlabelled 8-bit mail nearly always is. */
static char *
part_text(GMimePart *part)
{
	g_autoptr(GBytes) b = part_bytes(part, MESSAGE_MAX_TEXT * 2);
	gsize len;
	const char *data = g_bytes_get_data(b, &len);
	const char *cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	char *utf8 = NULL;

	if (len == 0)
		return g_strdup("");
	if (cs != NULL && g_ascii_strcasecmp(cs, "utf-8") != 0 &&
	    g_ascii_strcasecmp(cs, "us-ascii") != 0) {
		const char *iconv_name = g_mime_charset_iconv_name(cs);
		utf8 = g_convert(data, len, "UTF-8", iconv_name, NULL, NULL, NULL);
		if (utf8 == NULL && g_ascii_strcasecmp(iconv_name, "iso-8859-1") == 0)
			utf8 = g_convert(data, len, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
	}
	if (utf8 == NULL && g_utf8_validate(data, len, NULL))
		utf8 = g_strndup(data, len);
	if (utf8 == NULL)
		utf8 = g_convert(data, len, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
	if (utf8 == NULL)
		utf8 = g_convert(data, len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
	g_autofree char *raw = utf8;
	return util_utf8_clean(raw, -1, MESSAGE_MAX_TEXT);
}

static gboolean
is_type(GMimeContentType *ct, const char *type, const char *subtype)
{
	return ct != NULL && g_mime_content_type_is_type(ct, type, subtype);
}

/* Parts that are neither the body nor a document. */
static gboolean
not_a_document(GMimeObject *parent, GMimeObject *part, GMimeContentType *ct)
{
	if (is_type(ct, "application", "pkcs7-signature") ||
	    is_type(ct, "application", "x-pkcs7-signature") ||
	    is_type(ct, "application", "pgp-signature") ||
	    is_type(ct, "application", "pgp-encrypted") ||
	    is_type(ct, "application", "ms-tnef") ||
	    is_type(ct, "text", "rfc822-headers") ||
	    is_type(ct, "message", "delivery-status") ||
	    is_type(ct, "message", "disposition-notification") ||
	    is_type(ct, "message", "feedback-report"))
		return TRUE;
	/* Outlook's signature images: inline, with a Content-ID, in multipart/related. */
	if (is_type(ct, "image", "*") && g_mime_object_get_content_id(part) != NULL) {
		GMimeContentDisposition *cd = g_mime_object_get_content_disposition(part);
		gboolean attached = cd != NULL && g_mime_content_disposition_is_attachment(cd);
		if (!attached && parent != NULL && GMIME_IS_MULTIPART(parent) &&
		    is_type(g_mime_object_get_content_type(parent), "multipart", "related"))
			return TRUE;
	}
	return FALSE;
}

static void
add_attachment(struct facts *f, GMimePart *part, GMimeContentType *ct, const char *spool_dir)
{
	struct attachment *a;
	const char *fn = g_mime_part_get_filename(part);
	gsize len;

	if (f->attachments_total++ >= MESSAGE_MAX_ATTACHMENTS)
		return;
	a = g_new0(struct attachment, 1);
	if (fn != NULL) {
		g_autofree char *clean = util_utf8_clean(fn, -1, 255);
		char *slash = strrchr(clean, '/');
		a->filename = g_strdup(g_strstrip(slash ? slash + 1 : clean));
	}
	g_autofree char *mime = g_mime_content_type_get_mime_type(ct);
	a->content_type = g_ascii_strdown(mime ? mime : "application/octet-stream", -1);
	if (spool_dir != NULL && part_spool(part, spool_dir, a)) {
		/* A small text attachment may carry the form: keep a copy at hand. */
		if (is_type(ct, "text", "plain") && a->size <= 65536)
			a->data = part_bytes(part, 65536);
		g_ptr_array_add(f->attachments, a);
		return;
	}
	a->data = part_bytes(part, G_MAXSIZE);
	const void *d = g_bytes_get_data(a->data, &len);
	struct pdf_scan ps = { 0 };
	pdf_scan_feed(&ps, d, len);
	a->size = len;
	a->sha256 = util_sha256_hex(d, len);
	a->encrypted_pdf = ps.encrypted;
	g_ptr_array_add(f->attachments, a);
}

static void
visit(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct walk *w = data;
	GMimeContentType *ct = g_mime_object_get_content_type(part);

	if (w->depth == 0 &&
	    (is_type(ct, "message", "delivery-status") || is_type(ct, "message", "disposition-notification")))
		w->f->delivery_report = TRUE;
	if (GMIME_IS_MULTIPART(part))
		return;
	if (GMIME_IS_MESSAGE_PART(part)) {
		/* An attached message: its documents become ours, its text follows ours. */
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
		if (inner != NULL && w->depth < MESSAGE_MAX_DEPTH)
			walk_attached(w, parent, inner);
		return;
	}
	if (!GMIME_IS_PART(part) || not_a_document(parent, part, ct))
		return;

	GMimePart *leaf = GMIME_PART(part);
	GMimeContentDisposition *cd = g_mime_object_get_content_disposition(part);
	gboolean attached = (cd != NULL && g_mime_content_disposition_is_attachment(cd)) ||
	    g_mime_part_get_filename(leaf) != NULL;

	if (!attached && is_type(ct, "text", "plain")) {
		g_autofree char *t = part_text(leaf);
		if (w->plain->len > 0)
			text_append(w->plain, "\n");
		text_append(w->plain, t);
	} else if (!attached && is_type(ct, "text", "html")) {
		if (w->html->len == 0) {
			g_autofree char *t = part_text(leaf);
			g_string_append(w->html, t);
		}
	} else if (!attached && is_type(ct, "text", "*"))
		; /* text/calendar, text/enriched alternatives: not documents */
	else
		add_attachment(w->f, leaf, ct, w->spool_dir);
}

static void
read_from(struct facts *f, GMimeMessage *msg)
{
	InternetAddressList *from = g_mime_message_get_from(msg);

	for (int i = 0; from != NULL && i < internet_address_list_length(from); i++) {
		InternetAddress *ia = internet_address_list_get_address(from, i);
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		f->from_addr = util_addr_normalize(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia)));
		const char *name = internet_address_get_name(ia);
		if (name != NULL && *name != '\0') {
			g_autofree char *n = util_utf8_clean(name, -1, 256);
			for (char *c = n; *c; c++)
				if (*c == '\n' || *c == '\t')
					*c = ' ';	/* a name is one line: it goes into our To: */
			if (*g_strstrip(n) != '\0')
				f->from_name = g_strdup(n);
		}
		break;
	}
}

static gboolean
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (!g_ascii_isspace(*s))
			return FALSE;
	return TRUE;
}

static char *
subject_of(GMimeMessage *msg, gsize max)
{
	const char *s = g_mime_message_get_subject(msg);
	g_autofree char *subj = util_utf8_clean(s ? s : "", -1, max);

	return g_strdup(one_line(subj));
}

static void
walk_init(struct walk *w, struct facts *f, const char *spool_dir, int depth)
{
	memset(w, 0, sizeof *w);
	w->f = f;
	w->spool_dir = spool_dir;
	w->depth = depth;
	w->plain = g_string_new(NULL);
	w->html = g_string_new(NULL);
	w->attached = g_string_new(NULL);
}

static void
walk_message(struct walk *w, GMimeMessage *msg)
{
	GMimeObject *body = g_mime_message_get_mime_part(msg);

	if (body == NULL)
		return;
	if (GMIME_IS_MULTIPART(body))
		g_mime_multipart_foreach(GMIME_MULTIPART(body), visit, w);
	else
		visit(GMIME_OBJECT(msg), body, w);
}

/* The walked message's own text (its plain parts, else its HTML as text);
 * frees plain and html. */
static char *
walk_text(struct walk *w, gboolean *from_html)
{
	char *t;

	if (!blank(w->plain->str)) {
		t = g_string_free(w->plain, FALSE);
		*from_html = FALSE;
	} else {
		g_string_free(w->plain, TRUE);
		t = html_to_text(w->html->str, w->html->len);
		*from_html = w->html->len > 0;
	}
	g_string_free(w->html, TRUE);
	w->plain = w->html = NULL;
	return t;
}

/* What an attached message says of itself, for f->forward (note left NULL). */
static struct forward *
forward_of(GMimeMessage *msg)
{
	struct forward *fw = g_new0(struct forward, 1);
	struct facts tmp = { 0 };

	read_from(&tmp, msg);
	fw->from_addr = tmp.from_addr;
	fw->from_name = tmp.from_name;
	fw->subject = subject_of(msg, FORWARD_MAX_VALUE);
	if (*fw->subject == '\0')
		g_clear_pointer(&fw->subject, g_free);
	fw->date = one_line(header(GMIME_OBJECT(msg), "Date", FORWARD_MAX_VALUE));
	return fw;
}

static void
walk_attached(struct walk *w, GMimeObject *parent, GMimeMessage *inner)
{
	struct walk sub;
	gboolean from_html;

	walk_init(&sub, w->f, w->spool_dir, w->depth + 1);
	walk_message(&sub, inner);
	g_autofree char *t = walk_text(&sub, &from_html);

	text_append(w->attached, MESSAGE_ATTACHED_MARKER);
	text_append(w->attached, t);
	if (w->attached->len > 0 && w->attached->str[w->attached->len - 1] != '\n')
		text_append(w->attached, "\n");
	text_append(w->attached, sub.attached->str);
	g_string_free(sub.attached, TRUE);
	/* The returned message of a delivery report is no forward. */
	if (w->depth == 0 && w->fw == NULL && !(parent != NULL && GMIME_IS_MULTIPART(parent) &&
	    is_type(g_mime_object_get_content_type(parent), "multipart", "report")))
		w->fw = forward_of(inner);
}

static char *
first_msgid(const char *v)
{
	GMimeReferences *refs;
	char *id = NULL;

	if (v == NULL)
		return NULL;
	refs = g_mime_references_parse(NULL, v);
	if (refs != NULL && g_mime_references_length(refs) > 0)
		id = util_msgid_clean(g_mime_references_get_message_id(refs, 0));
	if (refs != NULL)
		g_mime_references_free(refs);
	return id;
}

static struct facts *
parse_stream(GMimeStream *stream, const char *spool_dir, GError **err)
{
	g_autoptr(GMimeParser) parser = NULL;
	g_autoptr(GMimeMessage) msg = NULL;
	g_autoptr(Facts) f = g_new0(struct facts, 1);
	GMimeObject *top;
	g_autofree char *in_reply_to = NULL;
	guint from_headers = 0;
	GMimeHeader *refs;
	struct walk w;
	GPtrArray *ar;

	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg == NULL) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "not a MIME message");
		return NULL;
	}
	top = GMIME_OBJECT(msg);
	f->attachments = g_ptr_array_new_with_free_func(attachment_free);

	f->message_id = util_msgid_clean(g_mime_message_get_message_id(msg));
	read_from(f, msg);
	f->subject = subject_of(msg, 998);
	in_reply_to = header(top, "In-Reply-To", 998);
	f->in_reply_to = first_msgid(in_reply_to);
	if ((refs = g_mime_header_list_get_header(g_mime_object_get_header_list(top), "References")) != NULL)
		f->references = raw_value(refs, 4000, TRUE);	/* a thread's root is first */
	f->auto_submitted = header(top, "Auto-Submitted", 200);
	f->return_path = header(top, "Return-Path", 998);
	f->precedence = header(top, "Precedence", 200);

	GMimeHeaderList *hl = g_mime_object_get_header_list(top);
	ar = g_ptr_array_new();
	for (int i = 0; i < g_mime_header_list_get_count(hl); i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h);
		if (!g_ascii_strcasecmp(name, "Authentication-Results")) {
			/* In order, topmost first: only the topmost of the trusted server
			 * counts. Read raw; one too long, or one too many, and no
			 * header of this message proves anything. */
			char *v = raw_value(h, MESSAGE_MAX_AUTH_RESULT, FALSE);
			if (v == NULL || ar->len >= MESSAGE_MAX_AUTH_RESULTS) {
				f->auth_results_unusable = TRUE;
				g_free(v);
			} else
				g_ptr_array_add(ar, v);
		} else if (!g_ascii_strcasecmp(name, "From"))
			from_headers++;
		else if (g_ascii_strncasecmp(name, "List-", 5) == 0)
			f->list_headers = TRUE;
		else if (!g_ascii_strcasecmp(name, "X-Auto-Response-Suppress"))
			f->auto_response_suppress = TRUE;
		else if (!g_ascii_strcasecmp(name, "X-Autoreply") ||
		    !g_ascii_strcasecmp(name, "X-Autorespond") ||
		    !g_ascii_strcasecmp(name, "X-Autoreply-From"))
			f->autoreply_header = TRUE;
	}
	g_ptr_array_add(ar, NULL);
	f->auth_results = (char **)g_ptr_array_free(ar, FALSE);
	f->from_doubt = from_doubt(msg, f, from_headers);
	if (is_type(g_mime_object_get_content_type(g_mime_message_get_mime_part(msg)), "multipart", "report"))
		f->delivery_report = TRUE;

	walk_init(&w, f, spool_dir, 0);
	walk_message(&w, msg);
	f->text = walk_text(&w, &f->text_from_html);

	/* A forward: inline in our own text first, else the first attached message. */
	f->forward = forward_find(f->text);
	if (f->forward == NULL && w.fw != NULL) {
		g_autofree char *note = util_utf8_clean(f->text, -1, FORWARD_MAX_NOTE);
		f->forward = g_steal_pointer(&w.fw);
		f->forward->note = g_strdup(g_strchomp(note));
	}
	forward_free(w.fw);

	/* Then the attached messages' texts, after a marker line each. */
	if (w.attached->len > 0) {
		GString *t = g_string_new(f->text);
		if (t->len > 0 && t->str[t->len - 1] != '\n')
			text_append(t, "\n");
		text_append(t, w.attached->str);
		g_free(f->text);
		f->text = g_string_free(t, FALSE);
	}
	g_string_free(w.attached, TRUE);
	return g_steal_pointer(&f);
}

struct facts *
message_parse(const char *data, gsize len, GError **err)
{
	g_autoptr(GMimeStream) stream = NULL;

	message_init();
	stream = g_mime_stream_mem_new_with_buffer(data, len);
	return parse_stream(stream, NULL, err);
}

struct facts *
message_parse_array(GByteArray *raw, const char *spool_dir, GError **err)
{
	g_autoptr(GMimeStream) stream = NULL;

	message_init();
	stream = g_mime_stream_mem_new_with_byte_array(raw);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);	/* read in place */
	return parse_stream(stream, spool_dir, err);
}

struct facts *
message_parse_fd(int fd, const char *spool_dir, GError **err)
{
	g_autoptr(GMimeStream) stream = NULL;

	message_init();
	if (lseek(fd, 0, SEEK_SET) == -1) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "spool: %s", g_strerror(errno));
		return NULL;
	}
	stream = g_mime_stream_fs_new(fd);
	g_mime_stream_fs_set_owner(GMIME_STREAM_FS(stream), FALSE);
	return parse_stream(stream, spool_dir, err);
}

void
rawscan_init(struct rawscan *rs)
{
	memset(rs, 0, sizeof *rs);
	rs->sha = util_sha256_new();
}

void
rawscan_feed(struct rawscan *rs, const char *data, gsize len)
{
	util_sha256_update(rs->sha, data, len);
	for (const char *p = data, *end = data + len; p < end;) {
		const char *eol = memchr(p, '\n', end - p);
		gsize l = (eol ? eol : end) - p;

		if (rs->line == 0 && l > 0)
			rs->first = *p;
		rs->line += l;
		if (eol == NULL)
			break;
		/* A line of nothing (or a lone CR) ends the header. */
		if (!rs->header_done && (rs->line == 0 || (rs->line == 1 && rs->first == '\r'))) {
			rs->header_done = TRUE;
			rs->header_len = rs->size + (p - data);
		}
		rs->longest_line = MAX(rs->longest_line, rs->line);
		rs->line = 0;
		p = eol + 1;
	}
	rs->size += len;
	rs->longest_line = MAX(rs->longest_line, rs->line);
}

char *
rawscan_finish(struct rawscan *rs)
{
	char *hex = util_sha256_finish(rs->sha);

	if (!rs->header_done)
		rs->header_len = rs->size;
	rs->sha = NULL;
	return hex;
}
