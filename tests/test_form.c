/* test_form: finding and reading the application form. */
#include "form.h"

#include <string.h>

static const char full[] =
    "Hello,\n\nplease find my application below.\n\n"
    "Full name: Jane Doe\n"
    "EMAIL: jane.doe@med.example.edu\n"
    "Medical school:   Example University School of Medicine  \n"
    "School-Country: United States\n"
    "year of study: final\n"
    "Choice 2: sur-512 2027-3\n"
    "Choice 1: MED-401 2027-03\n"
    "Choice 3: whatever\n"
    "Faculty contact:\n"
    "Favourite colour: green\n"
    "\n-- \nJane\n";

static void
test_full(void)
{
	g_autoptr(Form) f = form_parse(full);
	int bad = 0;

	g_assert_nonnull(f);
	g_assert_cmpstr(form_get(f, "full_name"), ==, "Jane Doe");
	g_assert_cmpstr(form_get(f, "email"), ==, "jane.doe@med.example.edu");
	g_assert_cmpstr(form_get(f, "medical_school"), ==, "Example University School of Medicine");
	g_assert_cmpstr(form_get(f, "school_country"), ==, "United States");
	g_assert_cmpstr(form_get(f, "faculty_contact"), ==, "");
	g_assert_cmpstr(form_get(f, "favourite_colour"), ==, "green");	/* unknown fields kept */
	g_assert_null(form_get(f, "degree_held"));

	g_autoptr(GArray) c = form_choices(f, &bad);
	g_assert_cmpint(bad, ==, 1);
	g_assert_cmpuint(c->len, ==, 2);
	g_assert_cmpint(g_array_index(c, struct form_choice, 0).rank, ==, 1);
	g_assert_cmpstr(g_array_index(c, struct form_choice, 0).course, ==, "MED-401");
	g_assert_cmpstr(g_array_index(c, struct form_choice, 1).course, ==, "SUR-512");
	g_assert_cmpstr(g_array_index(c, struct form_choice, 1).block, ==, "2027-03");
}

static void
test_not_a_form(void)
{
	g_assert_null(form_parse("Hello, how do I apply?\nFull name: is that needed?\n"));
	g_assert_null(form_parse(""));
	/* Quoted from an earlier message: not this message's form. */
	g_assert_null(form_parse("> Full name: Jane\n> Medical school: X\n> Choice 1: MED-401 2027-03\n"));
	/* The blank form itself, sent back unfilled. */
	g_assert_null(form_parse(form_blank()));
}

static void
test_first_value_wins_and_hints(void)
{
	g_autoptr(Form) f = form_parse(
	    "*Full name:* Ana  Lima\nFull name: Someone Else\n"
	    "Medical school: Universidade Exemplo\n"
	    "English proficiency:         (native, or: TOEFL score)\n"
	    "Year of study: final\n");

	g_assert_nonnull(f);
	g_assert_cmpstr(form_get(f, "full_name"), ==, "Ana  Lima");
	g_assert_cmpstr(form_get(f, "english_proficiency"), ==, "");
}

static void
test_aliases(void)
{
	g_autoptr(Form) f = form_parse("Name: Li Wei\nE-mail: li.wei@example.org\nSchool: Peking Example\n"
	    "Country: China\nChoice 1: MED-401 2027-03\n");

	g_assert_nonnull(f);
	g_assert_cmpstr(form_get(f, "full_name"), ==, "Li Wei");
	g_assert_cmpstr(form_get(f, "email"), ==, "li.wei@example.org");
	g_assert_cmpstr(form_get(f, "medical_school"), ==, "Peking Example");
	g_assert_cmpstr(form_get(f, "school_country"), ==, "China");
}

static void
test_bounds(void)
{
	GString *s = g_string_new("Full name: X\nMedical school: Y\nYear of study: final\n");
	for (int i = 0; i < 1000; i++)
		g_string_append_printf(s, "Field %d: value\n", i);
	g_string_append(s, "Late field: z\n");
	g_string_append(s, "Long: ");
	for (int i = 0; i < 10000; i++)
		g_string_append_c(s, 'a');
	g_autoptr(Form) f = form_parse(s->str);
	g_assert_nonnull(f);
	g_assert_cmpuint(form_size(f), <=, FORM_MAX_FIELDS);
	g_assert_null(form_get(f, "late_field"));
	g_string_free(s, TRUE);

	g_autofree char *big = g_strnfill(100000, 'x');
	g_autofree char *t = g_strdup_printf("Full name: %s\nMedical school: Y\nYear of study: final\n", big);
	g_autoptr(Form) g = form_parse(t);
	g_assert_nonnull(g);
	g_assert_cmpuint(strlen(form_get(g, "full_name")), <=, FORM_MAX_VALUE);
}

/* "Documents:" lines: file = kind [date] [pending|positive]; a staff "Document:" line. */
static void
test_documents(void)
{
	g_autoptr(GPtrArray) d = form_documents(
	    "Hello,\n"
	    "Documents: PPD_1.pdf = tb-ppd 2026-09-01; PPD 2.pdf = TB-PPD 2026-09-09 positive\n"
	    "HepB titer.pdf = hepatitis-b pending\n"
	    "  - scan.pdf = transcript 2026-01-01 2026-02-02\n"
	    "> old.pdf = mmr 2020-01-01\n"
	    "a = b = c\n"
	    "Document: evaluation-form 2026-10-10\n"
	    "x.pdf = not a kind!\n");
	const struct form_doc *e;

	g_assert_cmpuint(d->len, ==, 7);
	e = g_ptr_array_index(d, 0);
	g_assert_cmpstr(e->filename, ==, "PPD_1.pdf");
	g_assert_cmpstr(e->kind, ==, "tb-ppd");
	g_assert_cmpstr(e->date, ==, "2026-09-01");
	e = g_ptr_array_index(d, 1);
	g_assert_cmpstr(e->filename, ==, "PPD 2.pdf");
	g_assert_cmpstr(e->kind, ==, "tb-ppd");
	g_assert_true(e->positive);
	e = g_ptr_array_index(d, 2);
	g_assert_true(e->pending);
	g_assert_null(e->date);
	e = g_ptr_array_index(d, 3);
	g_assert_cmpstr(e->filename, ==, "scan.pdf");
	g_assert_cmpstr(e->date, ==, "2026-02-02");	/* the last date given */
	e = g_ptr_array_index(d, 4);
	g_assert_cmpstr(e->filename, ==, "a = b");
	g_assert_cmpstr(e->kind, ==, "c");
	e = g_ptr_array_index(d, 5);
	g_assert_null(e->filename);
	g_assert_cmpstr(e->kind, ==, "evaluation-form");
	g_assert_cmpstr(e->date, ==, "2026-10-10");
	e = g_ptr_array_index(d, 6);
	g_assert_cmpstr(e->kind, ==, "not");	/* unchecked here: the rules know the kinds */
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/form/full", test_full);
	g_test_add_func("/form/not-a-form", test_not_a_form);
	g_test_add_func("/form/first-value-and-hints", test_first_value_wins_and_hints);
	g_test_add_func("/form/aliases", test_aliases);
	g_test_add_func("/form/bounds", test_bounds);
	g_test_add_func("/form/documents-lines", test_documents);
	return g_test_run();
}
