/* test_forward: inline forwards as Gmail, Outlook and Apple Mail write them. */
#include "forward.h"

#include <string.h>

static void
test_gmail(void)
{
	g_autoptr(Forward) fw = forward_find(
	    "Please file the attached for her application.\n"
	    "\n"
	    "Thanks,\n"
	    "Registrar's Office\n"
	    "\n"
	    "---------- Forwarded message ---------\n"
	    "From: Priya Raman <Priya.Raman@med.example.edu>\n"
	    "Date: Mon, Oct 12, 2026 at 9:14 AM\n"
	    "Subject: Re: PPD results\n"
	    "To: Registrar <registrar@example.edu>\n"
	    "\n"
	    "\n"
	    "Dear registrar, my PPD result is attached.\n"
	    "Date: 2026-10-12\n");

	g_assert_nonnull(fw);
	g_assert_cmpstr(fw->from_addr, ==, "priya.raman@med.example.edu");
	g_assert_cmpstr(fw->from_name, ==, "Priya Raman");
	g_assert_cmpstr(fw->subject, ==, "Re: PPD results");
	g_assert_cmpstr(fw->date, ==, "Mon, Oct 12, 2026 at 9:14 AM");
	g_assert_cmpstr(fw->note, ==, "Please file the attached for her application.\n\nThanks,\nRegistrar's Office");
}

static void
test_gmail_html(void)
{
	/* Gmail's HTML part through html_to_text: name in bold, CRLF kept by some. */
	g_autoptr(Forward) fw = forward_find(
	    "FYI\r\n---------- Forwarded message ---------\r\n"
	    "From: *Kwame Asante* <kwame.asante@students.example.org>\r\n"
	    "Date: Tue, 13 Oct 2026 at 10:02\r\n"
	    "Subject: Transcript\r\n"
	    "To: <registrar@example.edu>\r\n\r\nHello\r\n");

	g_assert_nonnull(fw);
	g_assert_cmpstr(fw->from_addr, ==, "kwame.asante@students.example.org");
	g_assert_cmpstr(fw->from_name, ==, "Kwame Asante");
	g_assert_cmpstr(fw->subject, ==, "Transcript");
	g_assert_cmpstr(fw->note, ==, "FYI");
}

static void
test_outlook_original(void)
{
	g_autoptr(Forward) fw = forward_find(
	    "Forwarding for the file.\n\n"
	    "-----Original Message-----\n"
	    "From: Okonkwo, Chiamaka [mailto:C.Okonkwo@med.example.ac.uk] \n"
	    "Sent: Monday, October 12, 2026 9:14 AM\n"
	    "To: Registrar <registrar@example.edu>\n"
	    "Subject: Immunization form\n\n"
	    "Please see attached.\n");

	g_assert_nonnull(fw);
	g_assert_cmpstr(fw->from_addr, ==, "c.okonkwo@med.example.ac.uk");
	g_assert_cmpstr(fw->from_name, ==, "Okonkwo, Chiamaka");
	g_assert_cmpstr(fw->date, ==, "Monday, October 12, 2026 9:14 AM");
	g_assert_cmpstr(fw->subject, ==, "Immunization form");
	g_assert_cmpstr(fw->note, ==, "Forwarding for the file.");
}

static void
test_outlook_underscores(void)
{
	g_autoptr(Forward) fw = forward_find(
	    "See below.\n\n"
	    "Jane Smith | Visiting Student Office\n\n"
	    "________________________________\n"
	    "From: José Müller-Ibáñez <jmuller@estudiantes.example.com>\n"
	    "Sent: Tuesday, October 13, 2026 10:02:11 AM\n"
	    "To: Visiting Students <visiting@example.edu>\n"
	    "Subject: Seguro médico / health insurance\n\n"
	    "Adjunto el certificado.\n");

	g_assert_nonnull(fw);
	g_assert_cmpstr(fw->from_addr, ==, "jmuller@estudiantes.example.com");
	g_assert_cmpstr(fw->from_name, ==, "José Müller-Ibáñez");
	g_assert_cmpstr(fw->subject, ==, "Seguro médico / health insurance");
	g_assert_cmpstr(fw->date, ==, "Tuesday, October 13, 2026 10:02:11 AM");
	g_assert_cmpstr(fw->note, ==, "See below.\n\nJane Smith | Visiting Student Office");
}

static void
test_outlook_html_bold_blank_lines(void)
{
	/* Outlook's HTML through a converter: bold labels, a blank line after each. */
	g_autoptr(Forward) fw = forward_find(
	    "________________________________\n\n"
	    "*From:* Ana Lima <mailto:ana.lima@med.example.br>\n\n"
	    "*Sent:* Wednesday, October 14, 2026 8:00 AM\n\n"
	    "*To:* registrar@example.edu\n\n"
	    "*Subject:* *Documents*\n\n"
	    "Olá!\n");

	g_assert_nonnull(fw);
	g_assert_cmpstr(fw->from_addr, ==, "ana.lima@med.example.br");
	g_assert_cmpstr(fw->from_name, ==, "Ana Lima");
	g_assert_cmpstr(fw->date, ==, "Wednesday, October 14, 2026 8:00 AM");
	g_assert_cmpstr(fw->note, ==, "");
}

static void
test_outlook_localized(void)
{
	g_autoptr(Forward) de = forward_find(
	    "Zur Kenntnis.\n"
	    "________________________________\n"
	    "Von: Lukas Becker <lukas.becker@uni.example.de>\n"
	    "Gesendet: Montag, 12. Oktober 2026 09:14\n"
	    "An: registrar@example.edu\n"
	    "Betreff: Impfnachweis\n");
	g_autoptr(Forward) fr = forward_find(
	    "-----Message d'origine-----\n"
	    "De : Camille Martin <camille.martin@etu.example.fr>\n"
	    "Envoyé : lundi 12 octobre 2026 09:14\n"
	    "À : registrar@example.edu\n"
	    "Objet : Attestation\n");

	g_assert_nonnull(de);
	g_assert_cmpstr(de->from_addr, ==, "lukas.becker@uni.example.de");
	g_assert_cmpstr(de->subject, ==, "Impfnachweis");
	g_assert_cmpstr(de->date, ==, "Montag, 12. Oktober 2026 09:14");
	g_assert_nonnull(fr);
	g_assert_cmpstr(fr->from_addr, ==, "camille.martin@etu.example.fr");
	g_assert_cmpstr(fr->from_name, ==, "Camille Martin");
	g_assert_cmpstr(fr->subject, ==, "Attestation");
	g_assert_cmpstr(fr->date, ==, "lundi 12 octobre 2026 09:14");
}

static void
test_apple(void)
{
	g_autoptr(Forward) fw = forward_find(
	    "Sent from my iPhone\n\n"
	    "Begin forwarded message:\n\n"
	    "From: \"Eleni Papadopoulou\" <eleni.papadopoulou@med.example.org>\n"
	    "Subject: TB test\n"
	    "Date: 12 October 2026 at 09:14:00 EEST\n"
	    "To: registrar@example.edu\n\n"
	    "Attached.\n");

	g_assert_nonnull(fw);
	g_assert_cmpstr(fw->from_addr, ==, "eleni.papadopoulou@med.example.org");
	g_assert_cmpstr(fw->from_name, ==, "Eleni Papadopoulou");
	g_assert_cmpstr(fw->subject, ==, "TB test");
	g_assert_cmpstr(fw->date, ==, "12 October 2026 at 09:14:00 EEST");
	g_assert_cmpstr(fw->note, ==, "Sent from my iPhone");
}

static void
test_from_forms(void)
{
	static const struct {
		const char *value, *addr, *name;
	} cases[] = {
		{ "Name <a@example.edu>", "a@example.edu", "Name" },
		{ "\"Doe, Jane\" <a@example.edu>", "a@example.edu", "Doe, Jane" },
		{ "a@example.edu", "a@example.edu", NULL },
		{ "<a@example.edu>", "a@example.edu", NULL },
		{ "Jane Doe [mailto:A@Example.edu]", "a@example.edu", "Jane Doe" },
		{ "Jane Doe <mailto:a@example.edu>", "a@example.edu", "Jane Doe" },
		{ "Jane Doe <a@example.edu <mailto:a@example.edu>>", "a@example.edu", "Jane Doe" },
		{ "\"Jane <x>\" <a@example.edu>", "a@example.edu", "Jane <x>" },
		{ "a@example.edu (Jane)", "a@example.edu", NULL },
		{ "Doe, Jane", NULL, "Doe, Jane" },	/* Exchange, no address */
		{ "Jane <not an address>", NULL, "Jane" },
		{ "", NULL, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(Forward) fw = g_new0(struct forward, 1);
		forward_set_from(fw, cases[i].value);
		g_assert_cmpstr(fw->from_addr, ==, cases[i].addr);
		g_assert_cmpstr(fw->from_name, ==, cases[i].name);
	}
}

static void
test_first_block_counts(void)
{
	g_autoptr(Forward) fw = forward_find(
	    "---------- Forwarded message ---------\n"
	    "From: First <first@example.org>\n"
	    "Subject: one\n\n"
	    "---------- Forwarded message ---------\n"
	    "From: Second <second@example.org>\n"
	    "Subject: two\n");

	g_assert_nonnull(fw);
	g_assert_cmpstr(fw->from_addr, ==, "first@example.org");
	g_assert_cmpstr(fw->subject, ==, "one");
}

static void
test_not_a_forward(void)
{
	/* A reply quoting headers without a marker. */
	g_assert_null(forward_find(
	    "Thanks, that helps.\n\n"
	    "From: Registrar <registrar@example.edu>\n"
	    "Sent: Monday, October 12, 2026 9:14 AM\n"
	    "To: Priya Raman <priya.raman@med.example.edu>\n"
	    "Subject: RE: PPD results\n\n"
	    "> Please send the second reading.\n"));
	g_assert_null(forward_find(
	    "On Mon, Oct 12, 2026 at 9:14 AM Registrar <registrar@example.edu> wrote:\n"
	    "> From: someone <x@example.org>\n"));
	/* Merely mentioning a forwarded message. */
	g_assert_null(forward_find("I forwarded message from my dean to you yesterday.\n"
	    "Did you get the forwarded message?\nFrom: me\n"));
	g_assert_null(forward_find("Begin forwarded message: it is below, I hope.\nFrom: x@example.org\n"));
	/* A marker with no From: line after it (a signature rule, a typed line). */
	g_assert_null(forward_find("Best,\nJane\n________________________________\n"
	    "This e-mail is confidential.\nFrom: the legal department\n"));
	g_assert_null(forward_find("---------- Forwarded message ---------\n\nno headers here\n"));
	/* Quoted marker: part of an earlier message, not this one's forward. */
	g_assert_null(forward_find("> ---------- Forwarded message ---------\n> From: a <a@example.org>\n"));
	g_assert_null(forward_find(""));
	g_assert_null(forward_find(NULL));
	g_assert_null(forward_find("-----\n--\n----------\n_____\n"));
}

static void
test_caps(void)
{
	g_autofree char *longsub = g_strnfill(5000, 'x');
	g_autofree char *text = g_strdup_printf("---------- Forwarded message ---------\n"
	    "From: A <a@example.org>\nSubject: %s\n", longsub);
	g_autoptr(Forward) fw = forward_find(text);
	g_autofree char *bignote = g_strnfill(200000, 'n');
	g_autofree char *text2 = g_strdup_printf("%s\n-----Original Message-----\nFrom: a@example.org\n", bignote);
	g_autoptr(Forward) fw2 = forward_find(text2);

	/* A line too long for a header line ends the block: no subject. */
	g_assert_nonnull(fw);
	g_assert_null(fw->subject);
	g_assert_nonnull(fw2);
	g_assert_cmpuint(strlen(fw2->note), <=, FORWARD_MAX_NOTE);
	g_assert_cmpstr(fw2->from_addr, ==, "a@example.org");

	/* Invalid UTF-8 and control characters come out clean. */
	g_autoptr(Forward) fw3 = forward_find("---------- Forwarded message ---------\n"
	    "From: \xff\x01 Bad <b@example.org>\nSubject: s\xc3\n");
	g_assert_nonnull(fw3);
	g_assert_true(g_utf8_validate(fw3->from_name, -1, NULL));
	g_assert_true(g_utf8_validate(fw3->subject, -1, NULL));
	g_assert_cmpstr(fw3->from_addr, ==, "b@example.org");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/forward/gmail", test_gmail);
	g_test_add_func("/forward/gmail-html", test_gmail_html);
	g_test_add_func("/forward/outlook-original", test_outlook_original);
	g_test_add_func("/forward/outlook-underscores", test_outlook_underscores);
	g_test_add_func("/forward/outlook-html-bold-blank-lines", test_outlook_html_bold_blank_lines);
	g_test_add_func("/forward/outlook-localized", test_outlook_localized);
	g_test_add_func("/forward/apple", test_apple);
	g_test_add_func("/forward/from-forms", test_from_forms);
	g_test_add_func("/forward/first-block-counts", test_first_block_counts);
	g_test_add_func("/forward/not-a-forward", test_not_a_forward);
	g_test_add_func("/forward/caps", test_caps);
	return g_test_run();
}
