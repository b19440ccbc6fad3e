/* test_classify: which mail is never answered. */
#include "classify.h"

static struct facts
human(void)
{
	struct facts f = { 0 };
	f.from_addr = "jane@med.example.edu";
	f.subject = "Application";
	f.text = "";
	return f;
}

/* Which subjects ask for the acceptance letter. */
static void
test_letter(void)
{
	static const char *const yes[] = { "letter", "Letter", "Acceptance letter",
	    "Request letter", "Re: LETTER please", "Can I have my acceptance letter?",
	    "letters for my visa", "Letter [ECP-2027-00042]" };
	static const char *const no[] = { "Recommendation letter", "Letter of recommendation",
	    "motivation letter", "Cover letter", "Status", "Newsletter", "letterhead",
	    "Reference letter", "", "Re: Your acceptance letter [ECP-2027-00042]",
	    "AW: Acceptance letter: not yet [ECP-2027-00042]" };
	struct facts f = human();
	g_autoptr(GPtrArray) att = g_ptr_array_new();

	for (gsize i = 0; i < G_N_ELEMENTS(yes); i++) {
		f.subject = (char *)yes[i];
		g_assert_true(classify_letter_request(&f));
	}
	for (gsize i = 0; i < G_N_ELEMENTS(no); i++) {
		f.subject = (char *)no[i];
		g_assert_false(classify_letter_request(&f));
	}
	f.subject = NULL;
	g_assert_false(classify_letter_request(&f));
	/* A letter sent as a document (an attachment): not a request. */
	f.subject = "Letter";
	f.attachments = att;
	f.attachments_total = 1;
	g_assert_false(classify_letter_request(&f));
}

static MsgClass
cls(const struct facts *f, gboolean form)
{
	const char *why = NULL;
	MsgClass c = classify(f, "clerkship@example.edu", form, &why);
	g_assert_nonnull(why);
	return c;
}

static void
test_humans(void)
{
	struct facts f = human();

	g_assert_cmpint(cls(&f, TRUE), ==, CLASS_APPLICATION);
	g_assert_cmpint(cls(&f, FALSE), ==, CLASS_CORRESPONDENCE);
	f.auto_submitted = "no";
	g_assert_cmpint(cls(&f, TRUE), ==, CLASS_APPLICATION);
	f.precedence = "first-class";
	g_assert_cmpint(cls(&f, FALSE), ==, CLASS_CORRESPONDENCE);
	f.subject = "Question about automatic replies";
	g_assert_cmpint(cls(&f, FALSE), ==, CLASS_CORRESPONDENCE);
}

static void
test_automatic(void)
{
	struct facts f;

#define AUTO(stmt) do { f = human(); stmt; \
	g_assert_cmpint(cls(&f, FALSE), ==, CLASS_AUTOMATIC); \
	g_assert_cmpint(cls(&f, TRUE), ==, CLASS_AUTOMATIC); } while (0)
	AUTO(f.auto_submitted = "auto-replied");
	AUTO(f.auto_submitted = "auto-generated; foo=bar");
	AUTO(f.delivery_report = TRUE);
	AUTO(f.return_path = "<>");
	AUTO(f.precedence = "bulk");
	AUTO(f.precedence = "JUNK");
	AUTO(f.precedence = "list");
	AUTO(f.list_headers = TRUE);
	AUTO(f.auto_response_suppress = TRUE);
	AUTO(f.autoreply_header = TRUE);
	AUTO(f.from_addr = "clerkship@example.edu");
	AUTO(f.from_addr = "CLERKSHIP@example.edu");
	AUTO(f.from_addr = NULL);
	AUTO(f.from_addr = "MAILER-DAEMON@mx.example.org");
	AUTO(f.from_addr = "postmaster@example.org");
	AUTO(f.subject = "Automatic reply: Your application");
	AUTO(f.subject = "Out of Office: back Monday");
	AUTO(f.subject = "Undeliverable: Re: Application");
#undef AUTO
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/classify/letter", test_letter);
	g_test_add_func("/classify/humans", test_humans);
	g_test_add_func("/classify/automatic", test_automatic);
	return g_test_run();
}
