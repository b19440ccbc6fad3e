/* test_doctext.c: the text of a .docx and an .odt built here (zip packages
 * written with libarchive), parsed as a form; damaged, encrypted and huge
 * packages are refused with an error. */
#include "doctext.h"
#include "form.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

/* A zip package in memory holding name/content pairs (NULL-terminated). */
static GBytes *
zip(const char *const *members, const char *passphrase)
{
	struct archive *a = archive_write_new();
	gsize cap = 8 * 1024 * 1024, used = 0;
	char *buf = g_malloc(cap);

	g_assert_cmpint(archive_write_set_format_zip(a), ==, ARCHIVE_OK);
	if (passphrase != NULL) {
		g_assert_cmpint(archive_write_set_options(a, "zip:encryption=zipcrypt"), ==, ARCHIVE_OK);
		g_assert_cmpint(archive_write_set_passphrase(a, passphrase), ==, ARCHIVE_OK);
	}
	g_assert_cmpint(archive_write_open_memory(a, buf, cap, &used), ==, ARCHIVE_OK);
	for (gsize i = 0; members[i] != NULL; i += 2) {
		struct archive_entry *e = archive_entry_new();
		gsize n = strlen(members[i + 1]);
		archive_entry_set_pathname(e, members[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, n);
		g_assert_cmpint(archive_write_header(a, e), ==, ARCHIVE_OK);
		g_assert_cmpint(archive_write_data(a, members[i + 1], n), ==, (la_ssize_t)n);
		archive_entry_free(e);
	}
	g_assert_cmpint(archive_write_close(a), ==, ARCHIVE_OK);
	archive_write_free(a);
	return g_bytes_new_take(g_realloc(buf, used), used);
}

#define W "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
static const char docx_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
    "<w:document " W "><w:body>"
    "<w:p><w:r><w:t>Full name:</w:t></w:r><w:r><w:tab/><w:t xml:space=\"preserve\">Åsa Sørensen</w:t></w:r></w:p>"
    "<w:p><w:r><w:t>Email: asa@example.dk</w:t></w:r></w:p>"
    "<w:p><w:r><w:t>Medical school: </w:t></w:r><w:r><w:t>Aarhus University</w:t></w:r></w:p>"
    "<w:p><w:r><w:t>Choice 1: MED-401 2027-03</w:t><w:br/><w:t>Choice 2: PED-330 2027-04</w:t></w:r></w:p>"
    "</w:body></w:document>";

static const char odt_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
    " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:text>"
    "<text:h>Application form</text:h>"
    "<text:p>Full name:<text:tab/>José Martínez</text:p>"
    "<text:p>Email: jose@example.es</text:p>"
    "<text:p>Medical school: <text:span>Universidad de Sevilla</text:span></text:p>"
    "<text:p>Choice 1: MED-401 2027-03</text:p>"
    "</office:text></office:body></office:document-content>";

static void
test_kind(void)
{
	g_assert_cmpint(doctext_kind("Application.DOCX", NULL), ==, DOCTEXT_DOCX);
	g_assert_cmpint(doctext_kind("form.odt", "application/octet-stream"), ==, DOCTEXT_ODT);
	g_assert_cmpint(doctext_kind(NULL, "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document"), ==, DOCTEXT_DOCX);
	g_assert_cmpint(doctext_kind("form.pdf", "application/pdf"), ==, DOCTEXT_PDF);
	g_assert_cmpint(doctext_kind("photo.jpg", "image/jpeg"), ==, DOCTEXT_NONE);
	g_assert_cmpint(doctext_kind(".docx", NULL), ==, DOCTEXT_NONE);
}

static void
test_docx(void)
{
	const char *m[] = { "[Content_Types].xml", "<Types/>", "word/document.xml", docx_xml, NULL };
	g_autoptr(GBytes) b = zip(m, NULL);
	g_autoptr(GError) err = NULL;
	g_autofree char *t = doctext_read(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &err);
	g_autoptr(Form) form = NULL;
	g_autoptr(GArray) ch = NULL;
	int bad = 0;

	g_assert_no_error(err);
	g_assert_cmpstr(t, ==, "Full name: Åsa Sørensen\nEmail: asa@example.dk\n"
	    "Medical school: Aarhus University\nChoice 1: MED-401 2027-03\nChoice 2: PED-330 2027-04\n");
	form = form_parse(t);
	g_assert_nonnull(form);
	g_assert_cmpstr(form_get(form, "full_name"), ==, "Åsa Sørensen");
	ch = form_choices(form, &bad);
	g_assert_cmpint(ch->len, ==, 2);
	g_assert_cmpint(bad, ==, 0);
}

static void
test_odt(void)
{
	const char *m[] = { "mimetype", "application/vnd.oasis.opendocument.text",
		"content.xml", odt_xml, NULL };
	g_autoptr(GBytes) b = zip(m, NULL);
	g_autoptr(GError) err = NULL;
	g_autofree char *t = doctext_read(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &err);
	g_autoptr(Form) form = NULL;

	g_assert_no_error(err);
	g_assert_cmpstr(t, ==, "Application form\nFull name: José Martínez\nEmail: jose@example.es\n"
	    "Medical school: Universidad de Sevilla\nChoice 1: MED-401 2027-03\n");
	form = form_parse(t);
	g_assert_nonnull(form);
	g_assert_cmpstr(form_get(form, "medical_school"), ==, "Universidad de Sevilla");
}

static void
refused(const void *d, gsize len)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *t = doctext_read(d, len, &err);

	g_assert_null(t);
	g_assert_nonnull(err);
	g_assert_cmpstr(err->message, !=, "");
}

static void
test_damaged(void)
{
	const char *m[] = { "word/document.xml", docx_xml, NULL };
	g_autoptr(GBytes) b = zip(m, NULL);
	gsize len;
	const guint8 *d = g_bytes_get_data(b, &len);
	g_autofree guint8 *bent = g_memdup2(d, len);
	const char *bad_xml[] = { "word/document.xml", "<w:document " W "><w:p><w:t>x</w:p>", NULL };
	g_autoptr(GBytes) bx = zip(bad_xml, NULL);
	const char *none[] = { "readme.txt", "hello", NULL };
	g_autoptr(GBytes) bn = zip(none, NULL);

	refused("", 0);
	refused("PK\003\004 not really a zip at all", 30);
	refused(d, len / 2);			/* cut short */
	for (gsize i = 30; i < len - 30; i++)	/* the compressed text garbled */
		bent[i] ^= 0x5a;
	refused(bent, len);
	refused(g_bytes_get_data(bx, NULL), g_bytes_get_size(bx));	/* bad XML */
	refused(g_bytes_get_data(bn, NULL), g_bytes_get_size(bn));	/* no document */
}

static void
test_huge(void)
{
	/* 5 MB of text that compresses to a few kB: refused, not read. */
	gsize n = 5 * 1024 * 1024;
	g_autofree char *big = g_malloc(n + 1);
	const char *m[] = { "word/document.xml", big, NULL };
	g_autoptr(GBytes) b = NULL;

	memset(big, 'a', n);
	big[n] = '\0';
	memcpy(big, "<w:document " W "><w:p><w:t>", strlen("<w:document " W "><w:p><w:t>"));
	b = zip(m, NULL);
	g_assert_cmpuint(g_bytes_get_size(b), <, 64 * 1024);
	refused(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
	/* And the package itself over its cap. */
	refused(big, DOCTEXT_MAX_FILE + 1 <= n ? n : DOCTEXT_MAX_FILE + 1);
}

static void
test_entities(void)
{
	/* An external entity is neither fetched nor expanded; a billion laughs
	 * is refused or left unexpanded, never blown up. */
	const char *ext[] = { "word/document.xml", "<?xml version=\"1.0\"?>"
		"<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		"<w:document " W "><w:p><w:t>a&x;b</w:t></w:p></w:document>", NULL };
	const char *laughs[] = { "word/document.xml", "<?xml version=\"1.0\"?>"
		"<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
		"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
		"<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
		"<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\"><!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">]>"
		"<w:document " W "><w:p><w:t>&h;</w:t></w:p></w:document>", NULL };
	g_autoptr(GBytes) b = zip(ext, NULL);
	g_autoptr(GBytes) l = zip(laughs, NULL);
	g_autoptr(GError) err = NULL;
	g_autofree char *t = doctext_read(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &err);
	g_autofree char *u = NULL;

	if (t != NULL)
		g_assert_null(strstr(t, "root:"));
	g_clear_error(&err);
	u = doctext_read(g_bytes_get_data(l, NULL), g_bytes_get_size(l), &err);
	g_assert_true(u == NULL || strlen(u) <= DOCTEXT_MAX_TEXT);
}

static void
test_encrypted(void)
{
	const char *m[] = { "word/document.xml", docx_xml, NULL };
	g_autoptr(GBytes) b = zip(m, "secret");
	g_autoptr(GError) err = NULL;
	g_autofree char *t = doctext_read(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &err);

	g_assert_null(t);
	g_assert_nonnull(err);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/doctext/kind", test_kind);
	g_test_add_func("/doctext/docx", test_docx);
	g_test_add_func("/doctext/odt", test_odt);
	g_test_add_func("/doctext/damaged", test_damaged);
	g_test_add_func("/doctext/huge", test_huge);
	g_test_add_func("/doctext/entities", test_entities);
	g_test_add_func("/doctext/encrypted", test_encrypted);
	return g_test_run();
}
