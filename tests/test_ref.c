/* test_ref: reference numbering. */
#include "ref.h"

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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ref/format", test_format);
	g_test_add_func("/ref/find", test_find);
	return g_test_run();
}
