/* html.c: HTML to text. */
#include "html.h"

#include <libxml/HTMLparser.h>
#include <string.h>

void
html_init(void)
{
	xmlInitParser();
}

static const char *const skipped[] = { "head", "style", "script", "title", "xml", "template" };
static const char *const blocks[] = {
	"p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote",
	"pre", "ul", "ol", "dl", "dt", "dd", "hr", "center", "address", "section",
	"article", "header", "footer", "form", "fieldset", "body",
};

static gboolean
in_list(const char *name, const char *const *list, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if (g_ascii_strcasecmp(name, list[i]) == 0)
			return TRUE;
	return FALSE;
}

static void
newline(GString *out)
{
	while (out->len > 0 && out->str[out->len - 1] == ' ')
		g_string_truncate(out, out->len - 1);
	if (out->len > 0 && out->str[out->len - 1] != '\n')
		g_string_append_c(out, '\n');
}

static void
append_text(GString *out, const char *s)
{
	for (const char *p = s; *p != '\0' && out->len < HTML_MAX_TEXT; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		gboolean at_start = out->len == 0 || out->str[out->len - 1] == '\n' ||
		    out->str[out->len - 1] == ' ';

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xa0 ||
		    g_unichar_isspace(c)) {
			if (!at_start)
				g_string_append_c(out, ' ');
			continue;
		}
		g_string_append_unichar(out, c);
	}
}

static void
walk(xmlNode *node, GString *out, int depth)
{
	for (xmlNode *n = node; n != NULL && out->len < HTML_MAX_TEXT; n = n->next) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				append_text(out, (const char *)n->content);
			continue;
		}
		if (n->type != XML_ELEMENT_NODE || n->name == NULL)
			continue;
		const char *name = (const char *)n->name;
		if (in_list(name, skipped, G_N_ELEMENTS(skipped)))
			continue;
		if (g_ascii_strcasecmp(name, "br") == 0) {
			while (out->len > 0 && out->str[out->len - 1] == ' ')
				g_string_truncate(out, out->len - 1);
			g_string_append_c(out, '\n');
			continue;
		}
		gboolean block = in_list(name, blocks, G_N_ELEMENTS(blocks));
		if (block)
			newline(out);
		else if ((g_ascii_strcasecmp(name, "td") == 0 || g_ascii_strcasecmp(name, "th") == 0) &&
		    out->len > 0 && out->str[out->len - 1] != '\n' && out->str[out->len - 1] != ' ')
			g_string_append_c(out, ' ');
		if (depth < 200)
			walk(n->children, out, depth + 1);
		if (block)
			newline(out);
	}
}

char *
html_to_text(const char *html, gsize len)
{
	GString *out = g_string_new(NULL);
	htmlDocPtr doc;

	len = MIN(len, HTML_MAX_INPUT);
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (doc != NULL) {
		walk(xmlDocGetRootElement(doc), out, 0);
		xmlFreeDoc(doc);
	}
	newline(out);
	/* At most one blank line in a row. */
	GString *squeezed = g_string_sized_new(out->len);
	int nl = 0;
	for (gsize i = 0; i < out->len; i++) {
		nl = out->str[i] == '\n' ? nl + 1 : 0;
		if (nl <= 2)
			g_string_append_c(squeezed, out->str[i]);
	}
	g_string_free(out, TRUE);
	return g_string_free(squeezed, FALSE);
}
