/* letter.c: the acceptance letter as PDF, with cairo and pango. See letter.h. */
#include "letter.h"
#include "util.h"
#include "words.h"

#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#define MM (72.0 / 25.4)
#define MARGIN (25.0 * MM)
#define LOGO_HEIGHT (18.0 * MM)
#define FONT "DejaVu Serif, Noto Serif CJK JP, Noto Sans CJK JP"

char *
letter_filename(const char *course, const char *block)
{
	g_autofree char *raw = g_strdup_printf("acceptance-letter-%s-%s", course ? course : "",
	    block ? block : "");
	GString *name = g_string_new(NULL);

	for (const char *p = raw; *p != '\0'; p++)
		if (g_ascii_isalnum(*p) || *p == '-')
			g_string_append_c(name, *p);
	g_string_append(name, ".pdf");
	return g_string_free(name, FALSE);
}

static cairo_status_t
collect(void *closure, const unsigned char *data, unsigned int len)
{
	g_byte_array_append(closure, data, len);
	return CAIRO_STATUS_SUCCESS;
}

/* ---- the logo ---- */

struct png_reader {
	const guchar *p;
	gsize left;
};

static cairo_status_t
png_read(void *closure, unsigned char *data, unsigned int len)
{
	struct png_reader *r = closure;

	if (len > r->left)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, r->p, len);
	r->p += len;
	r->left -= len;
	return CAIRO_STATUS_SUCCESS;
}

/* The PNG as a cairo image, or NULL with err. */
static cairo_surface_t *
logo_surface(GBytes *png, GError **err)
{
	static const guchar magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	gsize len;
	const guchar *p = g_bytes_get_data(png, &len);
	struct png_reader r = { p, len };
	cairo_surface_t *img;
	guint32 w, h;

	if (len > LETTER_LOGO_MAX_BYTES) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "the logo has %zu bytes, more than "
		    "%d", len, LETTER_LOGO_MAX_BYTES);
		return NULL;
	}
	if (len < 24 || memcmp(p, magic, 8) != 0 || memcmp(p + 12, "IHDR", 4) != 0) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "the logo is not a PNG file");
		return NULL;
	}
	/* Its size from the header, before cairo allocates pixels for it. */
	w = (guint32)p[16] << 24 | (guint32)p[17] << 16 | (guint32)p[18] << 8 | p[19];
	h = (guint32)p[20] << 24 | (guint32)p[21] << 16 | (guint32)p[22] << 8 | p[23];
	if (w == 0 || h == 0 || w > LETTER_LOGO_MAX_SIDE || h > LETTER_LOGO_MAX_SIDE) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "the logo is %ux%u pixels; at most "
		    "%d a side", w, h, LETTER_LOGO_MAX_SIDE);
		return NULL;
	}
	img = cairo_image_surface_create_from_png_stream(png_read, &r);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "the logo cannot be read: %s",
		    cairo_status_to_string(cairo_surface_status(img)));
		cairo_surface_destroy(img);
		return NULL;
	}
	return img;
}

GBytes *
letter_logo_load(const char *path, GError **err)
{
	g_autofree char *data = NULL;
	GStatBuf sb;
	gsize len;
	GBytes *png;
	cairo_surface_t *img;

	if (g_stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: no such file", path);
		return NULL;
	}
	if (sb.st_size > LETTER_LOGO_MAX_BYTES) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: %lld bytes, more than %d", path,
		    (long long)sb.st_size, LETTER_LOGO_MAX_BYTES);
		return NULL;
	}
	if (!g_file_get_contents(path, &data, &len, err))
		return NULL;
	png = g_bytes_new_take(g_steal_pointer(&data), len);
	if ((img = logo_surface(png, err)) == NULL) {
		g_prefix_error(err, "%s: ", path);
		g_bytes_unref(png);
		return NULL;
	}
	cairo_surface_destroy(img);
	return png;
}

static PangoLayout *
layout_new(cairo_t *cr, double width, const char *font)
{
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(font);

	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	return l;
}

static GBytes *
render(const struct letter_data *l, GError **err)
{
	GDate d;
	double w, h, y, bottom;
	cairo_surface_t *s;
	cairo_t *cr;
	cairo_status_t status;
	g_autoptr(GByteArray) out = g_byte_array_new();
	g_autofree char *stamp = NULL, *when = NULL;
	PangoLayout *head, *body;
	PangoLayoutIter *it;

	g_date_clear(&d, 1);
	if (l->date != NULL)
		g_date_set_parse(&d, l->date);
	if (l->date == NULL || strlen(l->date) != 10 || !g_date_valid(&d)) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "letter: '%s' is not a date",
		    l->date ? l->date : "");
		return NULL;
	}
	if (l->paper == NULL || g_ascii_strcasecmp(l->paper, "a4") == 0)
		w = 210 * MM, h = 297 * MM;
	else if (g_ascii_strcasecmp(l->paper, "letter") == 0)
		w = 8.5 * 72, h = 11 * 72;
	else {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "letter_paper: '%s' is "
		    "neither a4 nor letter", l->paper);
		return NULL;
	}
	if (l->text == NULL || !g_utf8_validate(l->text, -1, NULL) ||
	    (l->program != NULL && !g_utf8_validate(l->program, -1, NULL))) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "letter: text is not UTF-8");
		return NULL;
	}
	s = cairo_pdf_surface_create_for_stream(collect, out, w, h);
	/* Dates from the data: without them cairo writes the clock's. */
	stamp = g_strdup_printf("%sT00:00:00Z", l->date);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, stamp);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, stamp);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "clerkd");
	if (l->title != NULL && g_utf8_validate(l->title, -1, NULL))
		cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, l->title);
	cr = cairo_create(s);
	bottom = h - MARGIN;

	/* Letterhead: the logo (if any), the program's name, a rule under them,
	 * the date at the right. */
	double lw = 0, lhgt = 0;
	cairo_surface_t *logo = l->logo != NULL ? logo_surface(l->logo, NULL) : NULL;
	if (logo != NULL) {
		double iw = cairo_image_surface_get_width(logo), ih = cairo_image_surface_get_height(logo);
		double sc;
		lhgt = LOGO_HEIGHT;
		lw = lhgt * iw / ih;
		if (lw > (w - 2 * MARGIN) / 2) {	/* a very wide one: as wide as half the text */
			lw = (w - 2 * MARGIN) / 2;
			lhgt = lw * ih / iw;
		}
		sc = lw / iw;
		cairo_save(cr);
		cairo_translate(cr, MARGIN, MARGIN);
		cairo_scale(cr, sc, sc);
		cairo_set_source_surface(cr, logo, 0, 0);
		cairo_paint(cr);
		cairo_restore(cr);
		cairo_surface_destroy(logo);
		lw += 4 * MM;
	}
	head = layout_new(cr, w - 2 * MARGIN - lw, "DejaVu Sans, Noto Sans CJK JP Bold 16");
	pango_layout_set_text(head, l->program ? l->program : "", -1);
	cairo_set_source_rgb(cr, 0.1, 0.2, 0.4);
	{
		int lh;
		pango_layout_get_pixel_size(head, NULL, &lh);
		/* The name beside the logo, centred on its height. */
		cairo_move_to(cr, MARGIN + lw, MARGIN + (lhgt > lh ? (lhgt - lh) / 2 : 0));
		pango_cairo_show_layout(cr, head);
		y = MARGIN + MAX((double)lh, lhgt) + 4;
	}
	cairo_set_line_width(cr, 0.8);
	cairo_move_to(cr, MARGIN, y);
	cairo_line_to(cr, w - MARGIN, y);
	cairo_stroke(cr);
	g_object_unref(head);

	y += 18;
	when = words_gdate(&d);
	head = layout_new(cr, w - 2 * MARGIN, FONT " 11");
	pango_layout_set_alignment(head, PANGO_ALIGN_RIGHT);
	pango_layout_set_text(head, when, -1);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_move_to(cr, MARGIN, y);
	pango_cairo_show_layout(cr, head);
	{
		int lh;
		pango_layout_get_pixel_size(head, NULL, &lh);
		y += lh + 18;
	}
	g_object_unref(head);

	/* The body, line by line, onto a new page where one is full. */
	body = layout_new(cr, w - 2 * MARGIN, FONT " 11");
	pango_layout_set_spacing(body, 2 * PANGO_SCALE);
	pango_layout_set_text(body, l->text, -1);
	it = pango_layout_get_iter(body);
	{
		double shift = y;	/* page y of the layout's top */
		do {
			PangoRectangle r;
			PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
			int base = pango_layout_iter_get_baseline(it);
			pango_layout_iter_get_line_extents(it, NULL, &r);
			if (shift + (double)(r.y + r.height) / PANGO_SCALE > bottom) {
				cairo_show_page(cr);
				shift = MARGIN - (double)r.y / PANGO_SCALE;
			}
			cairo_move_to(cr, MARGIN + (double)r.x / PANGO_SCALE,
			    shift + (double)base / PANGO_SCALE);
			pango_cairo_show_layout_line(cr, line);
		} while (pango_layout_iter_next_line(it));
	}
	pango_layout_iter_free(it);
	g_object_unref(body);

	cairo_destroy(cr);
	cairo_surface_finish(s);
	status = cairo_surface_status(s);
	cairo_surface_destroy(s);
	if (status != CAIRO_STATUS_SUCCESS) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "letter: cairo: %s",
		    cairo_status_to_string(status));
		return NULL;
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

/* Letters already rendered in this process, by a digest of all their data:
 * a placement notice carries a letter for every seat held, so each draw of a
 * term renders again, byte for byte, the letters of the seats held before
 * (about 4 ms each, most of it cairo's font subsetting and deflate). The
 * bytes depend only on the data (letter.h), so a copy is the same letter.
 * Bounded: emptied when it holds LETTER_CACHE letters. */
#define LETTER_CACHE 4096
G_LOCK_DEFINE_STATIC(cache);
static GHashTable *cache;	/* digest -> GBytes */
static guint cache_hits;

static char *
cache_key(const struct letter_data *l)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	const char *parts[] = { l->program, l->date, l->text, l->paper, l->title };

	for (guint i = 0; i < G_N_ELEMENTS(parts); i++) {
		/* "\1" for NULL, then a NUL after each: no two data give one key */
		g_checksum_update(sum, (const guchar *)(parts[i] ? parts[i] : "\1"),
		    (gssize)strlen(parts[i] ? parts[i] : "\1") + 1);
	}
	if (l->logo != NULL) {	/* the logo's bytes too: a new logo is a new letter */
		gsize n;
		const guchar *data = g_bytes_get_data(l->logo, &n);
		g_checksum_update(sum, (const guchar *)"logo", 5);
		g_checksum_update(sum, data, (gssize)n);
	}
	return g_strdup(g_checksum_get_string(sum));
}

GBytes *
letter_pdf(const struct letter_data *l, GError **err)
{
	g_autofree char *key = cache_key(l);
	GBytes *pdf;

	G_LOCK(cache);
	pdf = cache != NULL ? g_hash_table_lookup(cache, key) : NULL;
	if (pdf != NULL) {
		cache_hits++;
		g_bytes_ref(pdf);
	}
	G_UNLOCK(cache);
	if (pdf != NULL || (pdf = render(l, err)) == NULL)
		return pdf;
	G_LOCK(cache);
	if (cache == NULL)
		cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    (GDestroyNotify)g_bytes_unref);
	if (g_hash_table_size(cache) >= LETTER_CACHE)
		g_hash_table_remove_all(cache);
	g_hash_table_replace(cache, g_steal_pointer(&key), g_bytes_ref(pdf));
	G_UNLOCK(cache);
	return pdf;
}

guint
letter_cache_hits(void)
{
	guint n;

	G_LOCK(cache);
	n = cache_hits;
	G_UNLOCK(cache);
	return n;
}

void
letter_cache_clear(void)
{
	G_LOCK(cache);
	if (cache != NULL)
		g_hash_table_remove_all(cache);
	G_UNLOCK(cache);
}
