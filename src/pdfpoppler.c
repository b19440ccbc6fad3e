/* pdfpoppler.c: pdftext_read_here(), poppler's part of pdftext.h. Linked
 * into the reader clerkd runs for each PDF (src/pdfread.c) and into the
 * fuzzers, never into clerkd itself: poppler and the fifty libraries it
 * brings are loaded only where a PDF is read. */
#include "pdftext.h"
#include "util.h"

#include <poppler.h>
#include <string.h>

#define MAX_NAME 100

/* The form's name for a field's fully qualified name: its last part without
 * an array index ("topmostSubform[0].Page1[0].FullName[0]" -> "Full Name"),
 * "choice.1" -> "choice 1", words of a CamelCase name split. NULL if
 * nothing is left. */
static char *
field_label(const char *qualified)
{
	g_auto(GStrv) parts = NULL;
	GString *s = g_string_new(NULL);
	guint n;
	const char *last, *prev = NULL;

	if (qualified == NULL || !g_utf8_validate(qualified, -1, NULL)) {
		g_string_free(s, TRUE);
		return NULL;
	}
	parts = g_strsplit(qualified, ".", 32);
	for (guint i = 0; parts[i] != NULL; i++) {
		char *br = strchr(parts[i], '[');
		if (br != NULL)
			*br = '\0';
	}
	n = g_strv_length(parts);
	while (n > 0 && *parts[n - 1] == '\0')
		n--;
	if (n == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	last = parts[n - 1];
	if (strspn(last, "0123456789") == strlen(last) && n > 1)
		prev = parts[n - 2];
	if (prev != NULL)
		g_string_append_printf(s, "%s ", prev);
	for (const char *p = last; *p; p++) {
		if (s->len > 0 && g_ascii_isupper(*p) && g_ascii_islower(s->str[s->len - 1]))
			g_string_append_c(s, ' ');
		else if (s->len > 0 && g_ascii_isdigit(*p) && g_ascii_isalpha(s->str[s->len - 1]))
			g_string_append_c(s, ' ');
		g_string_append_c(s, *p == ':' || *p == '\n' || *p == '\r' ? ' ' : *p);
	}
	g_strstrip(s->str);
	if (*s->str == '\0' || strlen(s->str) > MAX_NAME) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

/* A field's value on one line: its lines joined with ", ", control
 * characters dropped. NULL if empty. */
static char *
one_line(const char *v)
{
	g_auto(GStrv) lines = NULL;
	GString *s = g_string_new(NULL);

	if (v == NULL) {
		g_string_free(s, TRUE);
		return NULL;
	}
	lines = g_strsplit_set(v, "\r\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_strstrip(lines[i]);
		if (*lines[i] == '\0')
			continue;
		if (s->len > 0)	/* "a,\nb" -> "a, b"; "a\nb" -> "a, b" */
			g_string_append(s, s->str[s->len - 1] == ',' || s->str[s->len - 1] == ';' ?
			    " " : ", ");
		g_string_append(s, lines[i]);
	}
	if (s->len == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	{
		char *clean = util_utf8_clean(s->str, s->len, PDFTEXT_MAX_VALUE + 8);
		g_string_free(s, TRUE);
		for (char *p = clean; *p; p++)
			if (*p == '\t')
				*p = ' ';
		return clean;
	}
}

/* The value of a field, as written in the form; NULL if empty or not a
 * field that holds a value. *bad: it has a value that could not be read. */
static char *
field_value(PopplerFormField *ff, gboolean *bad)
{
	g_autofree char *raw = NULL;

	*bad = FALSE;
	switch (poppler_form_field_get_field_type(ff)) {
	case POPPLER_FORM_FIELD_TEXT:
		raw = poppler_form_field_text_get_text(ff);
		break;
	case POPPLER_FORM_FIELD_CHOICE: {
		GString *s = g_string_new(NULL);
		gint n = poppler_form_field_choice_get_n_items(ff);
		if (poppler_form_field_choice_is_editable(ff))
			raw = poppler_form_field_choice_get_text(ff);
		for (gint i = 0; raw == NULL && i < n && i < PDFTEXT_MAX_FIELDS; i++) {
			if (!poppler_form_field_choice_is_item_selected(ff, i))
				continue;
			g_autofree char *item = poppler_form_field_choice_get_item(ff, i);
			if (item == NULL)
				continue;
			if (s->len > 0)
				g_string_append(s, ", ");
			g_string_append(s, item);
		}
		if (raw == NULL && s->len > 0)
			raw = g_string_free(s, FALSE);
		else
			g_string_free(s, TRUE);
		break;
	}
	case POPPLER_FORM_FIELD_BUTTON:
		if (poppler_form_field_button_get_button_type(ff) == POPPLER_FORM_BUTTON_CHECK &&
		    poppler_form_field_button_get_state(ff))
			raw = g_strdup("yes");
		break;
	default:
		break;
	}
	if (raw == NULL)
		return NULL;
	if (!g_utf8_validate(raw, -1, NULL) || strlen(raw) > PDFTEXT_MAX_VALUE) {
		*bad = TRUE;
		return NULL;
	}
	return one_line(raw);
}

/* "Name: value" lines of the filled fields of the first pages. */
static void
read_fields(PopplerDocument *doc, int pages, GString *out, GPtrArray *unread)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guint fields = 0;

	for (int p = 0; p < pages && fields < PDFTEXT_MAX_FIELDS; p++) {
		PopplerPage *page = poppler_document_get_page(doc, p);
		GList *map;
		if (page == NULL)
			continue;
		map = poppler_page_get_form_field_mapping(page);
		for (GList *l = map; l != NULL && fields < PDFTEXT_MAX_FIELDS; l = l->next) {
			PopplerFormFieldMapping *m = l->data;
			g_autofree char *qualified = NULL, *label = NULL, *value = NULL;
			gboolean bad;
			if (m->field == NULL)
				continue;
			fields++;
			/* The field's own name; a widget of a field (one of its /Kids)
			 * has none: then the qualified name. That one walks /Parent
			 * links and loops forever on a cycle (poppler 22.12): the
			 * daemon reads PDFs in a child process that is killed then;
			 * the fuzzer (in process) does without it. */
			qualified = poppler_form_field_get_partial_name(m->field);
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
			if (qualified == NULL)
				qualified = poppler_form_field_get_name(m->field);
#endif
			if ((label = field_label(qualified)) == NULL)
				continue;
			value = field_value(m->field, &bad);
			if (bad && unread != NULL && !g_hash_table_contains(seen, label))
				g_ptr_array_add(unread, g_strdup(label));
			/* One line per field: a field's other widgets (its /Kids) say the same. */
			if (value == NULL || g_hash_table_contains(seen, label))
				continue;
			g_hash_table_add(seen, g_strdup(label));
			if (out->len + strlen(label) + strlen(value) + 3 > PDFTEXT_MAX_TEXT)
				break;
			g_string_append_printf(out, "%s: %s\n", label, value);
		}
		poppler_page_free_form_field_mapping(map);
		g_object_unref(page);
	}
}

static void
read_pages(PopplerDocument *doc, int pages, GString *out)
{
	for (int p = 0; p < pages && out->len < PDFTEXT_MAX_TEXT; p++) {
		PopplerPage *page = poppler_document_get_page(doc, p);
		g_autofree char *t = page ? poppler_page_get_text(page) : NULL;
		if (page != NULL)
			g_object_unref(page);
		if (t == NULL)
			continue;
		g_string_append_len(out, t, MIN(strlen(t), PDFTEXT_MAX_TEXT - out->len));
		g_string_append_c(out, '\n');
	}
}

char *
pdftext_read_here(const void *data, gsize len, GPtrArray *unread, GError **err)
{
	g_autoptr(GBytes) bytes = NULL;
	PopplerDocument *doc;
	g_autoptr(GError) perr = NULL;
	GString *s;
	int pages;

	if (len > PDFTEXT_MAX_FILE) {
		g_set_error(err, PDFTEXT_ERROR, 3, "the file is too large");
		return NULL;
	}
	if (!pdftext_is_pdf(data, len)) {
		g_set_error(err, PDFTEXT_ERROR, 4, "the file is damaged or not a PDF");
		return NULL;
	}
	bytes = g_bytes_new_static(data, len);
	if ((doc = poppler_document_new_from_bytes(bytes, NULL, &perr)) == NULL) {
		if (g_error_matches(perr, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
			g_set_error(err, PDFTEXT_ERROR, 2, "the file is protected by a password");
		else
			g_set_error(err, PDFTEXT_ERROR, 4, "the file is damaged or not a PDF");
		return NULL;
	}
	pages = MIN(poppler_document_get_n_pages(doc), PDFTEXT_MAX_PAGES);
	s = g_string_new(NULL);
	read_fields(doc, pages, s, unread);
	if (s->len == 0)
		read_pages(doc, pages, s);
	g_object_unref(doc);
	{
		char *clean = util_utf8_clean(s->str, s->len, PDFTEXT_MAX_TEXT);
		g_string_free(s, TRUE);
		return clean;
	}
}
