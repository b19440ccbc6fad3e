/* test_cmdparse: which lines of a staff message are commands (cmdparse.h). */
#include "cmdparse.h"

#include <string.h>

static GPtrArray *
parse(const char *text)
{
	gboolean too_many;
	GPtrArray *c = cmdparse_text(text, &too_many);

	g_assert_false(too_many);
	return c;
}

static const struct command *
nth(GPtrArray *c, guint i)
{
	g_assert_cmpuint(i, <, c->len);
	return g_ptr_array_index(c, i);
}

static void
test_line(void)
{
	struct command *c = cmdparse_line("  Accept ecp-2027-00042 3 tb-ppd 2026-10-12  ");

	g_assert_nonnull(c);
	g_assert_cmpint(c->verb, ==, CMD_ACCEPT);
	g_assert_cmpstr(c->ref, ==, "ECP-2027-00042");
	g_assert_cmpuint(g_strv_length(c->args), ==, 3);
	g_assert_cmpstr(c->args[0], ==, "3");
	g_assert_cmpstr(c->args[2], ==, "2026-10-12");
	g_assert_cmpstr(c->rest, ==, "3 tb-ppd 2026-10-12");
	g_assert_cmpstr(c->line, ==, "Accept ecp-2027-00042 3 tb-ppd 2026-10-12");
	command_free(c);

	/* A quoted file name stays one word; a bracketed reference counts. */
	c = cmdparse_line("reject [ECP-2027-00042] \"Chest X-ray.pdf\" it is not readable");
	g_assert_nonnull(c);
	g_assert_cmpint(c->verb, ==, CMD_REJECT);
	g_assert_cmpstr(c->ref, ==, "ECP-2027-00042");
	g_assert_cmpstr(c->args[0], ==, "Chest X-ray.pdf");
	g_assert_cmpstr(c->args[1], ==, "it");
	command_free(c);

	c = cmdparse_line("help");
	g_assert_nonnull(c);
	g_assert_cmpint(c->verb, ==, CMD_HELP);
	g_assert_null(c->ref);
	command_free(c);

	/* Not commands: a verb without a reference, a signature, prose. */
	g_assert_null(cmdparse_line("Kind regards,"));
	g_assert_null(cmdparse_line("kind regards ECP-2027-00042"));
	g_assert_null(cmdparse_line("Note: the student called"));
	g_assert_null(cmdparse_line("status"));
	g_assert_null(cmdparse_line("help me please"));
	g_assert_null(cmdparse_line("accept ECP-2027-0042 3"));
	g_assert_null(cmdparse_line("accept XECP-2027-00042 3"));
	g_assert_null(cmdparse_line("Please accept ECP-2027-00042 3"));
	g_assert_null(cmdparse_line(""));
}

static void
test_text(void)
{
	g_autoptr(GPtrArray) c = parse("Hello clerkd,\r\n\r\n"
	    "accept ECP-2027-00042 3\r\n"
	    "kind ECP-2027-00042 PPD_2.pdf tb-ppd 2026-10-12\r\n"
	    "Kind regards,\r\n"
	    "Jane Registrar\r\n");

	g_assert_cmpuint(c->len, ==, 2);
	g_assert_cmpint(nth(c, 0)->verb, ==, CMD_ACCEPT);
	g_assert_cmpint(nth(c, 1)->verb, ==, CMD_KIND);
	g_assert_cmpstr(nth(c, 1)->args[0], ==, "PPD_2.pdf");
}

static void
test_quoted(void)
{
	/* Below quoted text, a signature, or a forward: nothing counts. */
	g_autoptr(GPtrArray) a = parse("note ECP-2027-00001 first\n> accept ECP-2027-00001 3\n");
	g_autoptr(GPtrArray) b = parse("status ECP-2027-00001\n\nOn Mon, 19 Oct 2026, Jane wrote:\n"
	    "accept ECP-2027-00001 3\n");
	g_autoptr(GPtrArray) c = parse("-- \nassign ECP-2027-00001 MED-401 2027-03\n");
	g_autoptr(GPtrArray) d = parse("FYI\n---------- Forwarded message ---------\nFrom: x@y.org\n"
	    "\nassign ECP-2027-00001 MED-401 2027-03\n");
	g_autoptr(GPtrArray) e = parse("Hi,\n________________________________\nFrom: a\n"
	    "accept ECP-2027-00001 1\n");

	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpuint(b->len, ==, 1);
	g_assert_cmpint(nth(b, 0)->verb, ==, CMD_STATUS);
	g_assert_cmpuint(c->len, ==, 0);
	g_assert_cmpuint(d->len, ==, 0);
	g_assert_cmpuint(e->len, ==, 0);
}

static void
test_reply(void)
{
	/* reply takes the rest of the text, down to the quoted part, commands and all. */
	g_autoptr(GPtrArray) c = parse("accept ECP-2027-00042 3\n"
	    "reply ECP-2027-00042\n\nDear Jane,\n\nYour letter is fine.\n"
	    "note ECP-2027-00042 not a command here\n\nKind regards,\nThe office\n"
	    "> quoted\n");

	g_assert_cmpuint(c->len, ==, 2);
	g_assert_cmpint(nth(c, 1)->verb, ==, CMD_REPLY);
	g_assert_cmpstr(nth(c, 1)->body, ==, "Dear Jane,\n\nYour letter is fine.\n"
	    "note ECP-2027-00042 not a command here\n\nKind regards,\nThe office");
}

static void
test_many(void)
{
	g_autoptr(GString) s = g_string_new(NULL);
	gboolean too_many;

	for (int i = 0; i < CMDPARSE_MAX + 1; i++)
		g_string_append_printf(s, "status ECP-2027-%05d\n", i + 1);
	g_autoptr(GPtrArray) c = cmdparse_text(s->str, &too_many);
	g_assert_true(too_many);
	g_assert_cmpuint(c->len, ==, CMDPARSE_MAX);
}

static void
test_verbs(void)
{
	CmdVerb v;

	for (int i = 0; i < CMD_N_VERBS; i++) {
		g_assert_true(cmdparse_verb(cmdparse_verb_str(i), &v));
		g_assert_cmpint(v, ==, i);
		g_assert_true(g_str_has_prefix(cmdparse_usage(i), cmdparse_verb_str(i)));
	}
	g_assert_false(cmdparse_verb("regards", &v));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cmdparse/line", test_line);
	g_test_add_func("/cmdparse/text", test_text);
	g_test_add_func("/cmdparse/quoted", test_quoted);
	g_test_add_func("/cmdparse/reply", test_reply);
	g_test_add_func("/cmdparse/many", test_many);
	g_test_add_func("/cmdparse/verbs", test_verbs);
	return g_test_run();
}
