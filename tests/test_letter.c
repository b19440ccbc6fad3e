/* test_letter.c: the acceptance letter for names in Latin, Nordic, Spanish
 * and CJK scripts: a PDF whose page is not blank (pdftoppm), whose text
 * layer (pdftotext) holds the name, course and dates, the same bytes twice,
 * on A4 or Letter. */
#include "letter.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

static const char *const names[] = {
	"Anna Schmidt", "Søren Sørensen", "José Martínez", "山田 太郎",
};

static char *
text_for(const char *name)
{
	return g_strdup_printf("Office of Visiting Students\nExample School of Medicine\n"
	    "1 Main Street, Springfield\n\n"
	    "Dear %s,\n\nThis letter confirms that %s (Universität Example, reference "
	    "ECP-2027-00042) is accepted for PED-330 Pediatrics at Hôpital Sainte-Justine, "
	    "Department of Pediatrics, from 1 March 2027 to 26 March 2027.\n\n"
	    "Dr. Jane Roe\nDirector, Visiting Students\n", name, name);
}

static char *
run(const char *const *argv)
{
	g_autoptr(GError) err = NULL;
	char *out = NULL;
	int status = 0;

	g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
	    G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, &err));
	g_assert_no_error(err);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	return out;
}

/* Non-white pixels of page 1 in a greyscale PGM from pdftoppm. */
static gsize
ink(const char *pdf, const char *dir)
{
	g_autofree char *root = g_build_filename(dir, "page", NULL);
	g_autofree char *pgm = g_strdup_printf("%s-1.pgm", root);
	g_autofree char *data = NULL, *junk = NULL;
	const char *argv[] = { "pdftoppm", "-gray", "-r", "50", "-f", "1", "-l", "1", pdf, root,
	    NULL };
	gsize len, dark = 0, off = 0;
	int fields = 0;

	junk = run(argv);
	g_assert_true(g_file_get_contents(pgm, &data, &len, NULL));
	g_assert_true(len > 2 && data[0] == 'P' && data[1] == '5');
	/* Header: P5, width, height, maxval, each after white space. */
	while (fields < 4 && off < len) {
		while (off < len && g_ascii_isspace(data[off]))
			off++;
		while (off < len && !g_ascii_isspace(data[off]))
			off++;
		fields++;
	}
	off++;
	for (; off < len; off++)
		if ((guchar)data[off] < 200)
			dark++;
	g_unlink(pgm);
	return dark;
}

static void
test_names(void)
{
	g_autofree char *dir = g_dir_make_tmp("letter-XXXXXX", NULL);
	gsize blank;

	g_assert_nonnull(dir);
	{
		/* An empty letter has only its letterhead: the floor to beat. */
		struct letter_data l = { .program = "", .date = "2027-01-15", .text = "" };
		g_autoptr(GError) err = NULL;
		g_autoptr(GBytes) pdf = letter_pdf(&l, &err);
		g_autofree char *path = g_build_filename(dir, "empty.pdf", NULL);
		g_assert_no_error(err);
		g_assert_true(g_file_set_contents(path, g_bytes_get_data(pdf, NULL),
		    (gssize)g_bytes_get_size(pdf), NULL));
		blank = ink(path, dir);
		g_unlink(path);
	}
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *text = text_for(names[i]);
		struct letter_data l = { .program = "Example Clerkship Program",
		    .date = "2027-01-15", .text = text, .paper = i % 2 ? "letter" : "a4",
		    .title = "Acceptance letter" };
		g_autoptr(GError) err = NULL;
		g_autoptr(GBytes) pdf = NULL, again = NULL, kept = NULL;
		guint hits;

		letter_cache_clear();
		pdf = letter_pdf(&l, &err);
		hits = letter_cache_hits();
		kept = letter_pdf(&l, &err);	/* the same data: the letter kept, not rendered again */
		g_assert_cmpuint(letter_cache_hits(), ==, hits + 1);
		g_assert_true(kept == pdf);
		letter_cache_clear();
		again = letter_pdf(&l, &err);	/* rendered again */
		g_assert_cmpuint(letter_cache_hits(), ==, hits + 1);
		g_autofree char *path = g_strdup_printf("%s/letter-%u.pdf", dir, i);
		g_autofree char *words = NULL, *info = NULL;
		const char *totext[] = { "pdftotext", "-enc", "UTF-8", path, "-", NULL };
		const char *pdfinfo[] = { "pdfinfo", path, NULL };
		gsize dark;

		g_assert_no_error(err);
		g_assert_nonnull(pdf);
		g_assert_true(g_bytes_equal(pdf, again));	/* a resend is byte-identical */
		g_assert_true(g_str_has_prefix(g_bytes_get_data(pdf, NULL), "%PDF-"));
		g_assert_true(g_file_set_contents(path, g_bytes_get_data(pdf, NULL),
		    (gssize)g_bytes_get_size(pdf), NULL));
		dark = ink(path, dir);
		g_test_message("%s: %" G_GSIZE_FORMAT " dark pixels (empty letter %" G_GSIZE_FORMAT ")",
		    names[i], dark, blank);
		g_assert_cmpuint(dark, >, blank + 2000);
		words = run(totext);
		g_assert_nonnull(strstr(words, names[i]));
		g_assert_nonnull(strstr(words, "PED-330"));
		g_assert_nonnull(strstr(words, "1 March 2027"));
		g_assert_nonnull(strstr(words, "26 March 2027"));
		g_assert_nonnull(strstr(words, "15 January 2027"));	/* the letter's date */
		g_assert_nonnull(strstr(words, "Example Clerkship Program"));
		{
			/* Real glyphs, not boxes: the CJK name is set in a CJK font. */
			const char *pdffonts[] = { "pdffonts", path, NULL };
			g_autofree char *fonts = run(pdffonts);
			g_assert_nonnull(strstr(fonts, "DejaVu"));
			if (i == 3)
				g_assert_nonnull(strstr(fonts, "CJK"));
		}
		info = run(pdfinfo);
		g_assert_nonnull(strstr(info, i % 2 ? "612 x 792 pts" : "595.276 x 841.89 pts"));
		g_unlink(path);
	}
	g_rmdir(dir);
}

static void
test_bad(void)
{
	struct letter_data l = { .program = "P", .date = "2027-13-40", .text = "x" };
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) pdf = letter_pdf(&l, &err);

	g_assert_null(pdf);
	g_assert_nonnull(err);
	g_clear_error(&err);
	l.date = "2027-01-15";
	l.paper = "legal";
	g_assert_null(letter_pdf(&l, &err));
	g_assert_nonnull(err);
	g_clear_error(&err);
	l.paper = NULL;
	l.text = "\xff\xfe";
	g_assert_null(letter_pdf(&l, &err));
	g_assert_nonnull(err);
}

/* A PNG made with cairo: w x h, a dark red box. */
static char *
make_png(const char *dir, const char *name, int w, int h)
{
	char *path = g_build_filename(dir, name, NULL);
	cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cairo_t *cr = cairo_create(img);

	cairo_set_source_rgb(cr, 0.5, 0, 0);
	cairo_paint(cr);
	cairo_destroy(cr);
	g_assert_cmpint(cairo_surface_write_to_png(img, path), ==, CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(img);
	return path;
}

/* Images in a PDF, as pdfimages -list counts them. */
static int
images(const char *pdf)
{
	const char *argv[] = { "pdfimages", "-list", pdf, NULL };
	g_autofree char *out = run(argv);
	int lines = 0;

	for (const char *p = out; *p; p++)
		lines += *p == '\n';
	return lines - 2;	/* two lines of header */
}

static void
test_logo(void)
{
	g_autofree char *dir = g_dir_make_tmp("letter-XXXXXX", NULL);
	g_autofree char *png = make_png(dir, "logo.png", 300, 100);
	g_autofree char *wide = make_png(dir, "wide.png", 4097, 2);
	g_autofree char *text = text_for("Anna Schmidt");
	g_autofree char *pdfpath = g_build_filename(dir, "l.pdf", NULL);
	g_autofree char *junkpath = g_build_filename(dir, "junk.png", NULL);
	g_autofree char *bigpath = g_build_filename(dir, "big.png", NULL);
	g_autofree char *nopath = g_build_filename(dir, "none.png", NULL);
	struct letter_data l = { .program = "Example School of Medicine", .date = "2027-01-15",
	    .text = text };
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) logo = NULL, with = NULL, again = NULL, without = NULL, bad = NULL;
	g_autoptr(GBytes) junk = g_bytes_new_static("not a PNG at all, just text", 27);
	gsize plain_ink, logo_ink;
	g_autofree char *big = g_malloc0(LETTER_LOGO_MAX_BYTES + 1);

	logo = letter_logo_load(png, &err);
	g_assert_no_error(err);
	g_assert_nonnull(logo);
	without = letter_pdf(&l, &err);
	g_assert_no_error(err);
	l.logo = logo;
	with = letter_pdf(&l, &err);
	g_assert_no_error(err);
	again = letter_pdf(&l, &err);
	g_assert_no_error(err);
	g_assert_true(g_bytes_equal(with, again));	/* still the same bytes twice */
	g_assert_true(g_file_set_contents(pdfpath, g_bytes_get_data(without, NULL),
	    (gssize)g_bytes_get_size(without), NULL));
	g_assert_cmpint(images(pdfpath), ==, 0);
	plain_ink = ink(pdfpath, dir);
	g_assert_true(g_file_set_contents(pdfpath, g_bytes_get_data(with, NULL),
	    (gssize)g_bytes_get_size(with), NULL));
	g_assert_cmpint(images(pdfpath), ==, 1);	/* the logo, once */
	logo_ink = ink(pdfpath, dir);
	/* 18 mm high, 54 mm wide at 50 dpi: about 35 x 106 dark pixels more. */
	g_assert_cmpuint(logo_ink, >, plain_ink + 2500);

	/* A logo cairo cannot draw: the letter without it. */
	l.logo = junk;
	bad = letter_pdf(&l, &err);
	g_assert_no_error(err);
	g_assert_true(g_bytes_equal(bad, without));

	/* letter_logo_load says what is wrong. */
	g_assert_null(letter_logo_load(nopath, &err));
	g_assert_nonnull(strstr(err->message, "no such file"));
	g_clear_error(&err);
	g_assert_true(g_file_set_contents(junkpath, "GIF89a not a png", -1, NULL));
	g_assert_null(letter_logo_load(junkpath, &err));
	g_assert_nonnull(strstr(err->message, "not a PNG"));
	g_clear_error(&err);
	g_assert_null(letter_logo_load(wide, &err));
	g_assert_nonnull(strstr(err->message, "4097x2 pixels"));
	g_clear_error(&err);
	g_assert_true(g_file_set_contents(bigpath, big, LETTER_LOGO_MAX_BYTES + 1, NULL));
	g_assert_null(letter_logo_load(bigpath, &err));
	g_assert_nonnull(strstr(err->message, "more than"));
	g_clear_error(&err);

	g_unlink(png), g_unlink(wide), g_unlink(pdfpath), g_unlink(junkpath), g_unlink(bigpath);
	g_rmdir(dir);
}

static void
test_long(void)
{
	/* A long text flows onto a second page, nothing cut. */
	GString *t = g_string_new(NULL);
	struct letter_data l = { .program = "P", .date = "2027-01-15" };
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) pdf = NULL;
	g_autofree char *dir = g_dir_make_tmp("letter-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "long.pdf", NULL);
	g_autofree char *words = NULL;
	const char *totext[] = { "pdftotext", "-enc", "UTF-8", path, "-", NULL };

	for (int i = 0; i < 120; i++)
		g_string_append_printf(t, "Line %d of the letter.\n", i);
	l.text = t->str;
	pdf = letter_pdf(&l, &err);
	g_assert_no_error(err);
	g_assert_true(g_file_set_contents(path, g_bytes_get_data(pdf, NULL),
	    (gssize)g_bytes_get_size(pdf), NULL));
	words = run(totext);
	g_assert_nonnull(strstr(words, "Line 0 of"));
	g_assert_nonnull(strstr(words, "Line 119 of"));
	g_assert_nonnull(strchr(words, '\f'));	/* a page break */
	g_unlink(path);
	g_rmdir(dir);
	g_string_free(t, TRUE);
}

static void
test_filename(void)
{
	g_autofree char *f = letter_filename("MED-401", "2027-03");
	g_autofree char *g = letter_filename("MED 4/01", "../2027");

	g_assert_cmpstr(f, ==, "acceptance-letter-MED-401-2027-03.pdf");
	g_assert_cmpstr(g, ==, "acceptance-letter-MED401-2027.pdf");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/letter/names", test_names);
	g_test_add_func("/letter/bad", test_bad);
	g_test_add_func("/letter/long", test_long);
	g_test_add_func("/letter/logo", test_logo);
	g_test_add_func("/letter/filename", test_filename);
	return g_test_run();
}
