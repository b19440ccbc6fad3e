/* test_pdftext.c: the application form read from PDFs: the shipped
 * rules/application-form.pdf filled in with poppler; the same form filled by
 * a different writer (contrib/formpdf.py: /V on the field, fields under a
 * parent with /Kids widgets, PDFDocEncoding and UTF-16BE values); PDFs with
 * only a text layer (formpdf.py, cairo); encrypted, truncated, garbage,
 * huge and long PDFs refused or bounded, never a crash. */
#include "doctext.h"
#include "form.h"
#include "pdftext.h"

#include <cairo.h>
#include <cairo-pdf.h>
#include <glib/gstdio.h>
#include <poppler.h>
#include <string.h>

static char *tmpdir;

static const char *const names[] = {
	"Full name", "Email", "Medical school", "School country", "Year of study",
	"Expected graduation", "Degree held", "Core clerkships completed", "Request type",
	"English proficiency", "Choice 1", "Choice 2", "Choice 3", "Choice 4", "Choice 5",
	"Choice 6", "Faculty contact", NULL
};

static GBytes *
slurp(const char *path)
{
	char *d = NULL;
	gsize n = 0;

	g_assert_true(g_file_get_contents(path, &d, &n, NULL));
	return g_bytes_new_take(d, n);
}

static char *
read_pdf(GBytes *b, GPtrArray *unread, GError **err)
{
	return pdftext_read(g_bytes_get_data(b, NULL), g_bytes_get_size(b), unread, err);
}

/* contrib/formpdf.py COMMAND OUT ARGS... (input: its stdin, or NULL); the PDF it wrote. */
static GBytes *
formpdf(const char *input, const char *command, ...)
{
	g_autofree char *out = g_build_filename(tmpdir, "out.pdf", NULL);
	g_autofree char *in = g_build_filename(tmpdir, "in.txt", NULL);
	g_autofree char *script = g_build_filename(g_getenv("top_srcdir") ? g_getenv("top_srcdir") :
	    ".", "contrib", "formpdf.py", NULL);
	g_autoptr(GString) cmd = g_string_new(NULL);
	const char *a;
	va_list ap;
	int status;

	g_assert_true(g_file_set_contents(in, input ? input : "", -1, NULL));
	g_string_printf(cmd, "python3 '%s' %s '%s'", script, command, out);
	va_start(ap, command);
	while ((a = va_arg(ap, const char *)) != NULL) {
		g_autofree char *q = g_shell_quote(a);
		g_string_append_printf(cmd, " %s", q);
	}
	va_end(ap);
	g_string_append_printf(cmd, " < '%s'", in);
	{
		const char *sh[] = { "/bin/sh", "-c", cmd->str, NULL };
		g_assert_true(g_spawn_sync(NULL, (char **)sh, NULL, 0, NULL, NULL, NULL, NULL, &status,
		    NULL));
	}
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	return slurp(out);
}

static void
test_kind(void)
{
	g_assert_cmpint(doctext_kind("application.PDF", NULL), ==, DOCTEXT_PDF);
	g_assert_cmpint(doctext_kind("scan", "application/pdf"), ==, DOCTEXT_PDF);
	g_assert_cmpint(doctext_kind("form.docx", NULL), ==, DOCTEXT_DOCX);
	g_assert_true(pdftext_is_pdf("%PDF-1.7\n", 9));
	g_assert_true(pdftext_is_pdf("\xef\xbb\xbfjunk%PDF-1.4\n", 16));
	g_assert_false(pdftext_is_pdf("PK\003\004", 4));
	g_assert_false(pdftext_is_pdf("", 0));
}

/* The shipped form: poppler lists its fields, named as the form's fields. */
static void
test_shipped_fields(void)
{
	g_autofree char *path = g_build_filename(SRC_RULESDIR, "application-form.pdf", NULL);
	g_autoptr(GBytes) b = slurp(path);
	g_autoptr(GError) err = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(b, NULL, &err);
	PopplerPage *page;
	GList *map;
	guint n = 0;
	g_autofree char *text = NULL;
	g_autoptr(Form) form = NULL;

	g_assert_no_error(err);
	g_assert_cmpint(poppler_document_get_n_pages(doc), ==, 1);
	page = poppler_document_get_page(doc, 0);
	map = poppler_page_get_form_field_mapping(page);
	for (GList *l = map; l != NULL; l = l->next, n++) {
		PopplerFormFieldMapping *m = l->data;
		g_autofree char *name = poppler_form_field_get_name(m->field);
		g_assert_true(g_strv_contains(names, name));
		g_assert_cmpint(poppler_form_field_get_field_type(m->field), ==, POPPLER_FORM_FIELD_TEXT);
	}
	g_assert_cmpuint(n, ==, g_strv_length((char **)names));
	poppler_page_free_form_field_mapping(map);
	g_object_unref(page);
	g_object_unref(doc);
	/* Blank: only the preset "Request type: clerkship", no form. */
	text = read_pdf(b, NULL, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(text, ==, "Request type: clerkship\n");
	form = form_parse(text);
	g_assert_null(form);
}

/* The shipped form filled in with poppler and saved, read back. */
static void
test_shipped_filled(void)
{
	g_autofree char *path = g_build_filename(SRC_RULESDIR, "application-form.pdf", NULL);
	g_autofree char *out = g_build_filename(tmpdir, "filled.pdf", NULL);
	g_autoptr(GBytes) b = slurp(path), saved = NULL;
	g_autoptr(GError) err = NULL;
	PopplerDocument *doc = poppler_document_new_from_bytes(b, NULL, &err);
	PopplerPage *page = poppler_document_get_page(doc, 0);
	GList *map = poppler_page_get_form_field_mapping(page);
	g_autofree char *text = NULL;
	g_autoptr(Form) form = NULL;
	g_autoptr(GArray) choices = NULL;
	int bad = 0;
	static const char *const values[][2] = {
		{ "Full name", "Søren Sørensen" }, { "Email", "soren@example.dk" },
		{ "Medical school", "Aarhus Universitet" }, { "School country", "Denmark" },
		{ "Year of study", "final" }, { "Expected graduation", "2027-06" },
		{ "Core clerkships completed", "medicine,\nsurgery, pediatrics" },
		{ "Choice 1", "MED-401 2027-03" }, { "Choice 2", "SUR-512 2027-04" },
	};

	for (GList *l = map; l != NULL; l = l->next) {
		PopplerFormFieldMapping *m = l->data;
		g_autofree char *name = poppler_form_field_get_name(m->field);
		for (gsize i = 0; i < G_N_ELEMENTS(values); i++)
			if (strcmp(name, values[i][0]) == 0)
				poppler_form_field_text_set_text(m->field, values[i][1]);
	}
	poppler_page_free_form_field_mapping(map);
	g_object_unref(page);
	{
		g_autofree char *uri = g_filename_to_uri(out, NULL, NULL);
		g_assert_true(poppler_document_save(doc, uri, &err));
		g_assert_no_error(err);
	}
	g_object_unref(doc);
	saved = slurp(out);
	text = read_pdf(saved, NULL, &err);
	g_assert_no_error(err);
	form = form_parse(text);
	g_assert_nonnull(form);
	g_assert_cmpstr(form_get(form, "full_name"), ==, "Søren Sørensen");
	g_assert_cmpstr(form_get(form, "email"), ==, "soren@example.dk");
	g_assert_cmpstr(form_get(form, "request_type"), ==, "clerkship");
	g_assert_cmpstr(form_get(form, "core_clerkships_completed"), ==, "medicine, surgery, pediatrics");
	choices = form_choices(form, &bad);
	g_assert_cmpint(bad, ==, 0);
	g_assert_cmpuint(choices->len, ==, 2);
	g_assert_cmpstr(g_array_index(choices, struct form_choice, 1).course, ==, "SUR-512");
	/* The same through doctext_read (the one entry point). */
	{
		g_autofree char *t2 = doctext_read(g_bytes_get_data(saved, NULL),
		    g_bytes_get_size(saved), &err);
		g_assert_cmpstr(t2, ==, text);
	}
}

/* Filled by another writer: /V on the field, PDFDocEncoding. */
static void
test_other_flat(void)
{
	g_autoptr(GBytes) b = formpdf(NULL, "filled", "Full name=Åsa Lindström",
	    "Email=asa@example.se", "Medical school=Karolinska Institutet", "Choice 1=MED-401 2027-03",
	    NULL);
	g_autoptr(GError) err = NULL;
	g_autofree char *text = read_pdf(b, NULL, &err);
	g_autoptr(Form) form = form_parse(text);

	g_assert_no_error(err);
	g_assert_nonnull(form);
	g_assert_cmpstr(form_get(form, "full_name"), ==, "Åsa Lindström");
	g_assert_cmpstr(form_get(form, "medical_school"), ==, "Karolinska Institutet");
	g_assert_null(form_get(form, "request_type"));	/* not filled in: no line */
}

/* Fields under a parent ("application.Full name"), widgets as /Kids, UTF-16BE. */
static void
test_other_tree(void)
{
	g_autoptr(GBytes) b = formpdf(NULL, "filled", "--tree", "--utf16",
	    "Full name=山田 太郎", "Email=yamada@example.jp", "Medical school=Kyoto University",
	    "Choice 1=PED-330 2027-04", NULL);
	g_autoptr(GError) err = NULL;
	g_autofree char *text = read_pdf(b, NULL, &err);
	g_autoptr(Form) form = form_parse(text);

	g_assert_no_error(err);
	g_assert_nonnull(form);
	g_assert_cmpstr(form_get(form, "full_name"), ==, "山田 太郎");
	g_assert_cmpstr(form_get(form, "choice_1"), ==, "PED-330 2027-04");
	g_assert_null(strstr(text, "application."));
}

static const char typed[] =
    "Application form\n"
    "Full name: José Martínez\n"
    "Email: jose@example.es\n"
    "Medical school: Universidad de Sevilla\n"
    "School country: Spain\n"
    "Choice 1: MED-401 2027-03\n";

/* No fields: the text layer, as written by formpdf.py and by cairo. */
static void
test_text_layer(void)
{
	g_autoptr(GBytes) b = formpdf(typed, "text", NULL);
	g_autofree char *out = g_build_filename(tmpdir, "cairo.pdf", NULL);
	g_autoptr(GError) err = NULL;
	g_autofree char *text = read_pdf(b, NULL, &err), *text2 = NULL;
	g_autoptr(Form) form = form_parse(text), form2 = NULL;
	g_auto(GStrv) lines = g_strsplit(typed, "\n", -1);
	g_autoptr(GBytes) c = NULL;
	cairo_surface_t *s = cairo_pdf_surface_create(out, 595, 842);
	cairo_t *cr = cairo_create(s);

	g_assert_no_error(err);
	g_assert_nonnull(form);
	g_assert_cmpstr(form_get(form, "full_name"), ==, "José Martínez");
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 11);
	for (guint i = 0; lines[i] != NULL; i++) {
		cairo_move_to(cr, 50, 60 + 16 * i);
		cairo_show_text(cr, lines[i]);
	}
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	c = slurp(out);
	text2 = read_pdf(c, NULL, &err);
	g_assert_no_error(err);
	form2 = form_parse(text2);
	g_assert_nonnull(form2);
	g_assert_cmpstr(form_get(form2, "full_name"), ==, "José Martínez");
	g_assert_cmpstr(form_get(form2, "choice_1"), ==, "MED-401 2027-03");
}

/* More pages than read: only the first PDFTEXT_MAX_PAGES. */
static void
test_pages(void)
{
	g_autofree char *out = g_build_filename(tmpdir, "long.pdf", NULL);
	cairo_surface_t *s = cairo_pdf_surface_create(out, 200, 200);
	cairo_t *cr = cairo_create(s);
	g_autoptr(GBytes) b = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL;

	for (int i = 1; i <= PDFTEXT_MAX_PAGES + 20; i++) {
		char line[32];
		g_snprintf(line, sizeof line, "page-%d-end", i);
		cairo_move_to(cr, 20, 50);
		cairo_show_text(cr, line);
		cairo_show_page(cr);
	}
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	b = slurp(out);
	text = read_pdf(b, NULL, &err);
	g_assert_no_error(err);
	g_assert_nonnull(strstr(text, "page-50-end"));
	g_assert_null(strstr(text, "page-51-end"));
}

static void
test_refused(void)
{
	g_autoptr(GBytes) enc = formpdf(NULL, "filled", "--password", "secret",
	    "Full name=Ana Lima", "Email=ana@example.org", "Medical school=X", NULL);
	g_autoptr(GBytes) good = formpdf(NULL, "filled", "Full name=Ana Lima",
	    "Email=ana@example.org", "Medical school=X", NULL);
	g_autoptr(GError) err = NULL;
	g_autofree char *t = NULL, *huge = NULL;
	gsize n = g_bytes_get_size(good);
	const char *d = g_bytes_get_data(good, NULL);
	static const char garbage[] = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n"
	    "xref\n0 1\ntrailer << /Root 1 0 R /Size 999999999 >>\n%%EOF\n";

	/* Encrypted with a user password: refused, and the error says so. */
	t = read_pdf(enc, NULL, &err);
	g_assert_null(t);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(err->message, "password"));
	g_clear_error(&err);
	/* Truncated anywhere: an error or some text, never a crash. */
	for (gsize cut = 0; cut < n; cut += MAX(n / 40, 1)) {
		g_autofree char *u = pdftext_read(d, cut, NULL, &err);
		g_assert_true((u == NULL) != (err == NULL));
		g_clear_error(&err);
	}
	/* Garbage: not a PDF, or a PDF whose objects are nonsense. */
	t = pdftext_read("this is not a PDF at all", 24, NULL, &err);
	g_assert_null(t);
	g_assert_nonnull(err);
	g_clear_error(&err);
	{
		g_autofree char *u = pdftext_read(garbage, sizeof garbage - 1, NULL, &err);
		g_assert_true(u == NULL || strlen(u) <= PDFTEXT_MAX_TEXT);
		g_clear_error(&err);
	}
	/* A field whose /Parent chain is a cycle (found by fuzz_pdf): poppler's
	 * qualified name loops forever; the child reading it is stopped in time. */
	{
		g_autofree char *cyc = g_build_filename(g_getenv("top_srcdir") ? g_getenv("top_srcdir") :
		    ".", "tests", "data", "pdf", "parent-cycle.pdf", NULL);
		g_autoptr(GBytes) c = slurp(cyc);
		gint64 t0 = g_get_monotonic_time();
		g_autofree char *u = read_pdf(c, NULL, &err);
		g_assert_null(u);
		g_assert_nonnull(strstr(err->message, "too complex"));
		g_assert_cmpint(g_get_monotonic_time() - t0, <, (PDFTEXT_MAX_SECONDS * 2 + 2) * G_USEC_PER_SEC);
		g_clear_error(&err);
	}
	/* Too large: refused before poppler sees it. */
	huge = g_malloc0(PDFTEXT_MAX_FILE + 1);
	memcpy(huge, "%PDF-1.4\n", 9);
	t = pdftext_read(huge, PDFTEXT_MAX_FILE + 1, NULL, &err);
	g_assert_null(t);
	g_assert_nonnull(strstr(err->message, "too large"));
}

/* The reader missing (a broken install): an error saying the file could
 * not be read, in a process of its own (the reader's path is found once). */
static void
test_no_reader(void)
{
	if (g_test_subprocess()) {
		g_autoptr(GError) err = NULL;
		g_autofree char *path = g_build_filename(g_getenv("top_srcdir") ?
		    g_getenv("top_srcdir") : ".", "rules", "application-form.pdf", NULL);
		g_autoptr(GBytes) b = slurp(path);
		g_autofree char *t = NULL;
		g_log_set_always_fatal(G_LOG_FATAL_MASK);	/* the warning is expected */
		g_setenv("CLERKD_PDFREAD", "/nonexistent/clerkd-pdfread", TRUE);
		t = pdftext_read(g_bytes_get_data(b, NULL), g_bytes_get_size(b), NULL, &err);
		g_assert_null(t);
		g_assert_nonnull(err);
		g_assert_nonnull(strstr(err->message, "could not be read"));
		return;
	}
	g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
	g_test_trap_assert_passed();
	g_test_trap_assert_stderr("*PDF reader /nonexistent/clerkd-pdfread*");
}

int
main(int argc, char **argv)
{
	int r;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("test_pdftext-XXXXXX", NULL);
	g_assert_nonnull(tmpdir);
	g_test_add_func("/pdftext/kind", test_kind);
	g_test_add_func("/pdftext/shipped-fields", test_shipped_fields);
	g_test_add_func("/pdftext/shipped-filled", test_shipped_filled);
	g_test_add_func("/pdftext/other-flat", test_other_flat);
	g_test_add_func("/pdftext/other-tree", test_other_tree);
	g_test_add_func("/pdftext/text-layer", test_text_layer);
	g_test_add_func("/pdftext/pages", test_pages);
	g_test_add_func("/pdftext/refused", test_refused);
	g_test_add_func("/pdftext/no-reader", test_no_reader);
	r = g_test_run();
	{
		const char *const files[] = { "out.pdf", "in.txt", "filled.pdf", "cairo.pdf", "long.pdf", NULL };
		for (gsize i = 0; files[i] != NULL; i++) {
			g_autofree char *p = g_build_filename(tmpdir, files[i], NULL);
			g_unlink(p);
		}
		g_rmdir(tmpdir);
	}
	return r;
}
