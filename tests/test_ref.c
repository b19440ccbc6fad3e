/* test_ref: reference numbering. */
#include "ref.h"
#include "util.h"

#include <string.h>

static void
test_format(void)
{
	g_autofree char *a = ref_format(2027, 42);
	g_autofree char *b = ref_format(2026, 99999);

	g_assert_cmpstr(a, ==, "ECP-2027-00042");
	g_assert_cmpstr(b, ==, "ECP-2026-99999");
	g_assert_null(ref_format(2026, 100000));
	g_assert_null(ref_format(2026, 0));
	g_assert_null(ref_format(99, 1));
}

static void
test_find(void)
{
	int y = 0, n = 0;

	g_assert_true(ref_find("Re: documents [ECP-2027-00042]", &y, &n));
	g_assert_cmpint(y, ==, 2027);
	g_assert_cmpint(n, ==, 42);
	g_assert_true(ref_find("ecp-2026-00007 status", &y, &n));
	g_assert_cmpint(n, ==, 7);
	g_assert_false(ref_find("XECP-2027-00042", &y, &n));
	g_assert_false(ref_find("ECP-2027-0004", &y, &n));
	g_assert_false(ref_find("ECP-2027-000421", &y, &n));
	g_assert_false(ref_find("ECP-2027-00000", &y, &n));
	g_assert_false(ref_find("", &y, &n));
	g_assert_true(ref_find("ECP-27 and then ECP-2027-00100", &y, &n));
	g_assert_cmpint(n, ==, 100);
	/* Round trip. */
	for (int i = 1; i <= REF_MAX_SEQ; i += 997) {
		g_autofree char *r = ref_format(2030, i);
		g_assert_true(ref_find(r, &y, &n));
		g_assert_cmpint(y, ==, 2030);
		g_assert_cmpint(n, ==, i);
	}
}

/* Confirmation tokens and lottery seeds do not come from GLib's Mersenne
 * Twister: seeding it the same way twice does not give the same tokens. */
static void
test_token_unpredictable(void)
{
	g_autofree char *a = NULL, *b = NULL;
	guint64 s1 = 0, s2 = 0;
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	g_random_set_seed(42);
	a = util_token_new(10);
	util_random_bytes(&s1, sizeof s1);
	g_random_set_seed(42);
	b = util_token_new(10);
	util_random_bytes(&s2, sizeof s2);
	g_assert_cmpstr(a, !=, b);
	g_assert_cmpuint(s1, !=, s2);
	g_assert_cmpuint(strlen(a), ==, 10);
	g_assert_cmpuint(strspn(a, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"), ==, 10);
	/* 50 bits each: no two alike in ten thousand. */
	for (int i = 0; i < 10000; i++)
		g_assert_true(g_hash_table_add(seen, util_token_new(10)));
	g_hash_table_destroy(seen);
}

static void
test_token_equal(void)
{
	g_assert_true(util_token_equal("K7QW2MZ9XP", "K7QW2MZ9XP"));
	g_assert_false(util_token_equal("K7QW2MZ9XP", "K7QW2MZ9XQ"));
	g_assert_false(util_token_equal("K7QW2MZ9XP", "L7QW2MZ9XP"));
	g_assert_false(util_token_equal("K7QW2MZ9XP", "K7QW2MZ9X"));
	g_assert_false(util_token_equal("", "K"));
	g_assert_true(util_token_equal("", ""));
}

/* util_csv_field: RFC 4180 quoting, and a formula shown as text. */
static void
test_csv_field(void)
{
	g_autoptr(GString) out = g_string_new(NULL);

	util_csv_field(out, "S\xc3\xb8rensen", FALSE);
	util_csv_field(out, "Pat \"PJ\" O'Brien, Jr.", FALSE);
	util_csv_field(out, "", FALSE);
	util_csv_field(out, "=HYPERLINK(\"x\")", FALSE);
	util_csv_field(out, "-1", FALSE);
	util_csv_field(out, "two\nlines", TRUE);
	g_assert_cmpstr(out->str, ==, "S\xc3\xb8rensen,\"Pat \"\"PJ\"\" O'Brien, Jr.\",,"
	    "\"'=HYPERLINK(\"\"x\"\")\",'-1,\"two\nlines\"\r\n");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ref/token-unpredictable", test_token_unpredictable);
	g_test_add_func("/ref/token-equal", test_token_equal);
	g_test_add_func("/ref/format", test_format);
	g_test_add_func("/ref/find", test_find);
	g_test_add_func("/util/csv-field", test_csv_field);
	return g_test_run();
}
