/* doctext.c: see doctext.h. */
#include "doctext.h"
#include "pdftext.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#define DOCTEXT_ERROR g_quark_from_static_string("doctext")
#define MAX_DEPTH 256

DoctextKind
doctext_kind(const char *filename, const char *content_type)
{
	if (content_type != NULL) {
		if (g_ascii_strcasecmp(content_type, "application/vnd.openxmlformats-officedocument."
		    "wordprocessingml.document") == 0)
			return DOCTEXT_DOCX;
		if (g_ascii_strcasecmp(content_type, "application/vnd.oasis.opendocument.text") == 0)
			return DOCTEXT_ODT;
		if (g_ascii_strcasecmp(content_type, "application/pdf") == 0)
			return DOCTEXT_PDF;
	}
	if (filename != NULL) {
		gsize n = strlen(filename);
		if (n > 5 && g_ascii_strcasecmp(filename + n - 5, ".docx") == 0)
			return DOCTEXT_DOCX;
		if (n > 4 && g_ascii_strcasecmp(filename + n - 4, ".odt") == 0)
			return DOCTEXT_ODT;
		if (n > 4 && g_ascii_strcasecmp(filename + n - 4, ".pdf") == 0)
			return DOCTEXT_PDF;
	}
	return DOCTEXT_NONE;
}

/* The member named one of names, uncompressed, at most DOCTEXT_MAX_MEMBER bytes. */
static GByteArray *
zip_member(const void *data, gsize len, const char *const *names, const char **found,
    GError **err)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *e;
	GByteArray *out = NULL;
	int r, n = 0;

	archive_read_support_format_zip(ar);
	if (archive_read_open_memory(ar, data, len) != ARCHIVE_OK) {
		g_set_error(err, DOCTEXT_ERROR, 1, "not a zip package");
		archive_read_free(ar);
		return NULL;
	}
	while (out == NULL && n++ < DOCTEXT_MAX_ENTRIES &&
	    (r = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
		const char *path = archive_entry_pathname(e);
		gboolean want = FALSE;
		for (gsize i = 0; path != NULL && names[i] != NULL; i++)
			if (strcmp(path, names[i]) == 0) {
				want = TRUE;
				*found = names[i];
			}
		if (!want)
			continue;
		if (archive_entry_is_encrypted(e)) {
			g_set_error(err, DOCTEXT_ERROR, 2, "the file is encrypted");
			break;
		}
		if (archive_entry_size_is_set(e) && archive_entry_size(e) > DOCTEXT_MAX_MEMBER) {
			g_set_error(err, DOCTEXT_ERROR, 3, "the file is too large");
			break;
		}
		out = g_byte_array_new();
		for (;;) {
			char buf[16384];
			la_ssize_t m = archive_read_data(ar, buf, sizeof buf);
			if (m == 0)
				break;
			if (m < 0 || out->len + (gsize)m > DOCTEXT_MAX_MEMBER) {
				g_set_error(err, DOCTEXT_ERROR, m < 0 ? 4 : 3, m < 0 ?
				    "the file is damaged" : "the file is too large");
				g_byte_array_free(out, TRUE);
				out = NULL;
				goto done;
			}
			g_byte_array_append(out, (const guint8 *)buf, m);
		}
	}
	if (out == NULL && err != NULL && *err == NULL)
		g_set_error(err, DOCTEXT_ERROR, 5, "no document text in the package");
done:
	archive_read_free(ar);
	return out;
}

static gboolean
is(const xmlNode *n, const char *prefix_ns_suffix, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL && n->ns->href != NULL &&
	    g_str_has_suffix((const char *)n->ns->href, prefix_ns_suffix) &&
	    strcmp((const char *)n->name, name) == 0;
}

#define W_NS "/wordprocessingml/2006/main"
#define T_NS ":opendocument:xmlns:text:1.0"

static void
walk(const xmlNode *n, DoctextKind kind, GString *s, int depth)
{
	for (; n != NULL && s->len < DOCTEXT_MAX_TEXT; n = n->next) {
		gboolean para = FALSE;
		if (depth > MAX_DEPTH)
			return;
		if (kind == DOCTEXT_DOCX) {
			if (is(n, W_NS, "t")) {
				xmlChar *c = xmlNodeGetContent(n);
				if (c != NULL)
					g_string_append(s, (const char *)c);
				xmlFree(c);
				continue;
			}
			if (is(n, W_NS, "tab"))
				g_string_append_c(s, ' ');
			else if (is(n, W_NS, "br") || is(n, W_NS, "cr"))
				g_string_append_c(s, '\n');
			para = is(n, W_NS, "p");
		} else {
			if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
				if (n->content != NULL)
					g_string_append(s, (const char *)n->content);
				continue;
			}
			if (is(n, T_NS, "tab") || is(n, T_NS, "s"))
				g_string_append_c(s, ' ');
			else if (is(n, T_NS, "line-break"))
				g_string_append_c(s, '\n');
			para = is(n, T_NS, "p") || is(n, T_NS, "h");
		}
		if (n->type == XML_ELEMENT_NODE)
			walk(n->children, kind, s, depth + 1);
		if (para)
			g_string_append_c(s, '\n');
	}
}

char *
doctext_read(const void *data, gsize len, GError **err)
{
	static const char *const names[] = { "word/document.xml", "content.xml", NULL };
	const char *found = NULL;
	g_autoptr(GByteArray) xml = NULL;
	xmlDocPtr doc;
	GString *s;

	if (len > DOCTEXT_MAX_FILE) {
		g_set_error(err, DOCTEXT_ERROR, 3, "the file is too large");
		return NULL;
	}
	if (pdftext_is_pdf(data, len))
		return pdftext_read(data, len, NULL, err);
	if ((xml = zip_member(data, len, names, &found, err)) == NULL)
		return NULL;
	/* No network, no entity expansion, no DTD loading; libxml2's own limits
	 * on depth and sizes stay on (no XML_PARSE_HUGE). */
	doc = xmlReadMemory((const char *)xml->data, xml->len, found, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (doc == NULL) {
		g_set_error(err, DOCTEXT_ERROR, 4, "the file is damaged");
		return NULL;
	}
	s = g_string_new(NULL);
	walk(xmlDocGetRootElement(doc), strcmp(found, "content.xml") == 0 ? DOCTEXT_ODT :
	    DOCTEXT_DOCX, s, 0);
	xmlFreeDoc(doc);
	{
		char *clean = util_utf8_clean(s->str, s->len, DOCTEXT_MAX_TEXT);
		g_string_free(s, TRUE);
		return clean;
	}
}
