/* test_reply: the replies clerkd builds. */
#include "message.h"
#include "reply.h"
#include "effects.h"
#include "util.h"

#include <glib/gstdio.h>
#include <string.h>

static void
test_build(void)
{
	struct reply r = {
		.from = "Exchange Clerkship Program <clerkship@example.edu>",
		.to_addr = "eleni@med.example.org",
		.to_name = "Ελένη Παπαδοπούλου",
		.subject = "Re: Αίτηση [ECP-2027-00042]",
		.in_reply_to = "orig@example.org",
		.references = "<root@example.org> <orig@example.org>",
		.message_id = "clerkd.abc@example.edu",
		.body = "Dear Ελένη,\n\nthank you.\n.\nA line that starts with a dot, and a very long line "
		    "that goes on and on and on and on and on and on and on and on and on and on past 78.\n",
	};
	g_autoptr(GBytes) raw = reply_build(&r);
	gsize len;
	const char *s = g_bytes_get_data(raw, &len);
	g_autoptr(GError) err = NULL;
	g_autoptr(Facts) f = NULL;

	/* Every line ends in CRLF; no line is over 998 octets; all 7-bit. */
	for (gsize i = 0, col = 0; i < len; i++, col++) {
		g_assert_cmpuint((guchar)s[i], <, 128);
		if (s[i] == '\n') {
			g_assert_true(i > 0 && s[i - 1] == '\r');
			col = 0;
		}
		g_assert_cmpuint(col, <=, 998);
	}
	g_assert_nonnull(strstr(s, "\r\nAuto-Submitted: auto-replied\r\n"));
	g_assert_nonnull(strstr(s, "\r\nIn-Reply-To: <orig@example.org>\r\n"));
	g_assert_nonnull(strstr(s, "\r\nReferences: <root@example.org> <orig@example.org>\r\n"));
	g_assert_nonnull(strstr(s, "Message-Id: <clerkd.abc@example.edu>\r\n"));

	/* And it reads back as written. */
	f = message_parse(s, len, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(f->subject, ==, r.subject);
	g_assert_cmpstr(f->from_addr, ==, "clerkship@example.edu");
	g_assert_cmpstr(f->auto_submitted, ==, "auto-replied");
	g_assert_cmpstr(f->message_id, ==, "clerkd.abc@example.edu");
	g_assert_cmpstr(f->text, ==, r.body);
}

/* Nothing from a stranger's message reaches our headers as a line of its own. */
static void
test_injection(void)
{
	static const char hostile[] =
	    "From: =?utf-8?q?Eve=0D=0AX-Evil=3A_1?= <eve@example.org>\r\n"
	    "Subject: =?utf-8?q?Hi=0D=0ABcc:_victim@example.org=0AX-Evil:_1?=\r\n"
	    "Message-ID: <abc\r\n def@example.org>\r\n"
	    "References: <ok@example.org> <bad\r\nBcc: x@example.org>\r\n"
	    "\r\nhello\r\n";
	g_autoptr(GError) err = NULL;
	g_autoptr(Facts) f = message_parse(hostile, sizeof hostile - 1, &err);
	g_assert_no_error(err);
	g_autofree char *subject = reply_subject(f->subject, "ECP-2027-00001", "x");
	struct reply r = {
		.from = "Program <clerkship@example.edu>",
		.to_addr = f->from_addr ? f->from_addr : "eve@example.org",
		.to_name = f->from_name, .subject = subject, .in_reply_to = f->message_id,
		.references = f->references, .message_id = "clerkd.x@example.edu", .body = "hi\n",
	};
	g_autoptr(GBytes) raw = reply_build(&r);
	gsize len;
	const char *s = g_bytes_get_data(raw, &len);
	g_auto(GStrv) lines = g_strsplit(s, "\r\n", -1);

	for (int i = 0; lines[i] != NULL && *lines[i] != '\0'; i++) {
		g_assert_false(g_str_has_prefix(lines[i], "Bcc:"));
		g_assert_false(g_str_has_prefix(lines[i], "X-Evil:"));
		g_assert_null(strchr(lines[i], '\r'));
		g_assert_null(strchr(lines[i], '\n'));
	}
	g_assert_nonnull(f->message_id);
	g_assert_null(strchr(f->message_id, ' '));
}

static void
test_subject(void)
{
	struct { const char *in, *ref, *out; } cases[] = {
		{ "Application", "ECP-2027-00001", "Re: Application [ECP-2027-00001]" },
		{ "RE: AW: Re: Application", "ECP-2027-00001", "Re: Application [ECP-2027-00001]" },
		{ "[EXTERNAL] Re: docs [ECP-2027-00001]", "ECP-2027-00001", "Re: docs [ECP-2027-00001]" },
		{ "", "ECP-2027-00002", "Your message [ECP-2027-00002]" },
		{ "Hello", NULL, "Re: Hello" },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *s = reply_subject(cases[i].in, cases[i].ref, "Your message");
		g_assert_cmpstr(s, ==, cases[i].out);
	}
	g_autofree char *longs = g_strnfill(500, 'x');
	g_autofree char *cut = reply_subject(longs, "ECP-2027-00003", "Your message");
	g_assert_cmpuint(strlen(cut), <, 200);
}

static void
test_message_id(void)
{
	g_autofree char *a = reply_message_id("m1@x", "aa", "receipt", "clerkship@example.edu");
	g_autofree char *b = reply_message_id("m1@x", "aa", "receipt", "clerkship@example.edu");
	g_autofree char *c = reply_message_id("m1@x", "ab", "receipt", "clerkship@example.edu");
	g_autofree char *d = reply_message_id(NULL, "aa", "receipt", "clerkship@example.edu");

	g_assert_cmpstr(a, ==, b);	/* a resend carries the same Message-ID */
	g_assert_cmpstr(a, !=, c);
	g_assert_cmpstr(a, !=, d);
	g_assert_true(g_str_has_suffix(a, "@example.edu"));
}

static void
test_render(void)
{
	const char *text = "Dear {{name}}, ref {{ reference }}.\n{{oops}}";
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GError) err = NULL;
	g_autofree char *out = NULL, *bad = NULL;

	g_hash_table_insert(vars, "name", "Jane");
	g_hash_table_insert(vars, "reference", "ECP-2027-00001");
	bad = reply_render("t", text, vars, &err);
	g_assert_null(bad);
	g_assert_nonnull(strstr(err->message, "{{oops}}"));
	g_assert_nonnull(strstr(err->message, "t:"));
	g_clear_error(&err);
	g_hash_table_insert(vars, "oops", "");
	out = reply_render("t", text, vars, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(out, ==, "Dear Jane, ref ECP-2027-00001.\n");
}

/* At most one reply per incoming message: a list that asks for two is
 * refused before anything is written; notices do not count. */
static void
test_one_reply(void)
{
	struct process_ctx pc = { 0 };
	struct facts f = { 0 };
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GError) err = NULL;
	struct mail_out m = { .kind = "evaluation:a@example.edu:1", .template = "evaluation",
	    .to_addr = "a@example.edu" };

	f.from_addr = "jane@example.org";
	f.subject = "Application";
	f.message_id = "m1@example.org";
	g_hash_table_insert(vars, "name", "Jane");
	effect_reply(&pc, 1, 0, &f, "sha", "receipt", NULL, "receipt", vars);
	effect_mail(&pc, EFFECT_ROUTE, 1, 0, &m, vars);
	effect_reply(&pc, 2, 0, &f, "sha", "receipt", NULL, "receipt", vars);
	g_assert_true(effects_check(pc.effects, &err));
	g_assert_no_error(err);
	effect_reply(&pc, 1, 0, &f, "sha", "status", NULL, "status", vars);
	g_assert_false(effects_check(pc.effects, &err));
	g_assert_error(err, CLERK_ERROR, CLERK_ERROR_FINAL);
	g_assert_nonnull(strstr(err->message, "two replies to one message (receipt, then status)"));
	effects_discard(&pc);
	g_assert_null(pc.effects);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/reply/build", test_build);
	g_test_add_func("/reply/one-reply-per-message", test_one_reply);
	g_test_add_func("/reply/injection", test_injection);
	g_test_add_func("/reply/subject", test_subject);
	g_test_add_func("/reply/message-id", test_message_id);
	g_test_add_func("/reply/render", test_render);
	return g_test_run();
}
