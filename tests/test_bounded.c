/* test_bounded: what one message costs grows with its size, no faster.
 *
 * Each case runs a per-message path (request detection, the form, the
 * forward finder, HTML to text, the MIME parser, the FAQ, phrase matching)
 * on a hostile input of 64 KB and of 1 MB and compares the CPU time of the
 * two: 16 times the input should cost about 16 times as much (linear code),
 * not 256 times (quadratic). A case fails if the ratio exceeds MAX_RATIO, or
 * if the 1 MB run is still going when it has used MAX_RATIO times the 64 KB
 * time (a CPU-time watchdog stops the test there instead of letting it hang).
 * CPU time, not wall time, and a floor below which any time passes, so a busy
 * machine does not make it flaky. The figures are printed as TAP comments. */
#include "facts.h"
#include "form.h"
#include "forward.h"
#include "html.h"
#include "message.h"
#include "process.h"
#include "requests.h"
#include "config.h"
#include "rules.h"
#include "rules_p.h"
#include "classify.h"

#include <malloc.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SMALL (64 * 1024)
#define BIG (1024 * 1024)
#define MAX_RATIO 40.0
#define FLOOR 0.25		/* seconds: a 1 MB run faster than this always passes */

static Rules *rules;
static const char *running;

typedef char *(*gen_fn)(gsize n);
typedef void (*work_fn)(const char *s, gsize len);

static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
watchdog(int sig)
{
	static const char msg[] = "Bail out! not linear: the 1 MB run went on well past "
	    "MAX_RATIO times the 64 KB run: ";

	(void)sig;
	if (write(2, msg, sizeof msg - 1) < 0 || write(2, running, strlen(running)) < 0 ||
	    write(2, "\n", 1) < 0)
		_exit(2);
	_exit(1);
}

static void
arm(double seconds)
{
	struct itimerval it = { { 0, 0 }, { (time_t)seconds, (suseconds_t)((seconds - (time_t)seconds) * 1e6) } };

	setitimer(ITIMER_PROF, &it, NULL);
}

/* Time work on gen(SMALL) and gen(BIG); fail unless the ratio is linear. */
static void
linear(const char *what, gen_fn gen, work_fn work)
{
	g_autofree char *small = gen(SMALL);
	g_autofree char *big = gen(BIG);
	gsize ls = strlen(small), lb = strlen(big);
	double t0, ts, tb, limit;
	int reps = 0;

	running = what;
	work(small, ls);	/* warm up: first-use allocations, caches */
	t0 = cpu_seconds();
	do {
		work(small, ls);
		reps++;
	} while (cpu_seconds() - t0 < 0.05 && reps < 1000);
	ts = (cpu_seconds() - t0) / reps;
	limit = MAX(MAX_RATIO * ts, FLOOR);
	signal(SIGPROF, watchdog);
	arm(4 * limit + 0.01);	/* looser: the first run finds the heap small and cold */
	work(big, lb);		/* warm up too: the heap grown, its pages touched */
	arm(limit + 0.01);
	t0 = cpu_seconds();
	work(big, lb);
	tb = cpu_seconds() - t0;
	arm(0);
	g_test_message("%s: 64 KB %.3f ms, 1 MB %.3f ms, ratio %.1f (limit %.0f)", what, ts * 1e3,
	    tb * 1e3, tb / ts, MAX_RATIO);
	if (tb > FLOOR)
		g_assert_cmpfloat(tb / ts, <, MAX_RATIO);
}

/* ---- inputs ---- */

static char *
repeat(const char *unit, gsize n)
{
	gsize u = strlen(unit);
	GString *s = g_string_sized_new(n + u);

	while (s->len + u <= n)
		g_string_append_len(s, unit, u);
	return g_string_free(s, FALSE);
}

static char *
digits(gsize n)
{
	return repeat("1234567890", n);
}

static char *
digit_lines(gsize n)
{
	return repeat("2027-0\n", n);
}

static char *
field_lines(gsize n)
{
	return repeat("Full name: Jane Doe (optional)  (hint)\n", n);
}

static char *
document_lines(gsize n)
{
	return repeat("Documents: a.pdf = tb-ppd 2026-10-12; b.pdf = mmr; c = d = e\n", n);
}

static char *
marker_lines(gsize n)
{
	return repeat("-----Original Message-----\nTo: x\nCc: y\nSent: z\nSubject: s\n", n);
}

static char *
question_words(gsize n)
{
	return repeat("is the MED 401 open in 2027 ? ", n);
}

static char *
nested_html(gsize n)
{
	return repeat("<div><b><p>a ", n);
}

static char *
html_breaks(gsize n)
{
	return repeat("<br>  \n<td> x", n);
}

/* A text/plain message whose body is n digits. */
static char *
digit_mail(gsize n)
{
	g_autofree char *body = digits(n);
	return g_strdup_printf("From: Jane <jane@example.edu>\r\nTo: p@example.edu\r\nSubject: x\r\n"
	    "Content-Type: text/plain\r\n\r\n%s\r\n", body);
}

/* A multipart message of n bytes of tiny text/plain parts. */
static char *
many_parts_mail(gsize n)
{
	g_autofree char *parts = repeat("--b\r\nContent-Type: text/plain\r\n\r\nChoice 1: x\r\n", n);
	return g_strdup_printf("From: Jane <jane@example.edu>\r\nTo: p@example.edu\r\nSubject: x\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n%s--b--\r\n",
	    parts);
}

/* Words "ab ab ab ...": "ab ab ... ab a" occurs at every word of it, never
 * as whole words. */
static char *
phrase_case(gsize n)
{
	return repeat("ab ", n);
}

/* ---- work ---- */

static void
work_block_named(const char *s, gsize len)
{
	(void)len;
	g_free(requests_block_named(rules, s));
}

static void
work_answer(const char *s, gsize len)
{
	struct config cfg = { 0 };
	struct process_ctx pc = { 0 };
	struct facts f = { 0 };
	g_autoptr(GError) err = NULL;

	(void)len;
	cfg.rules = rules;
	pc.cfg = &cfg;
	pc.today = "2026-10-20";
	f.subject = "a question?";
	f.text = (char *)s;
	g_free(requests_answer(&pc, &f, &err));
	g_assert_no_error(err);
}

static void
work_form(const char *s, gsize len)
{
	(void)len;
	form_free(form_parse(s));
	g_ptr_array_unref(form_documents(s));
}

static void
work_forward(const char *s, gsize len)
{
	(void)len;
	forward_free(forward_find(s));
}

static void
work_html(const char *s, gsize len)
{
	g_free(html_to_text(s, len));
}

static void
work_message(const char *s, gsize len)
{
	g_autoptr(GError) err = NULL;
	struct facts *f = message_parse(s, len, &err);
	const char *why;

	g_assert_nonnull(f);
	(void)classify(f, "p@example.edu", FALSE, &why);
	form_free(form_parse(f->text));
	g_ptr_array_unref(form_documents(f->text));
	forward_free(forward_find(f->text));
	facts_free(f);
}

static void
work_faq(const char *s, gsize len)
{
	const char *q;
	(void)len;
	(void)rules_faq(rules, s, &q);
}

static void
work_phrase(const char *s, gsize len)
{
	/* The phrase: half as many words, with "a" for its last one. */
	g_autofree char *phrase = phrase_case(len / 2);
	phrase[strlen(phrase) - 2] = '\0';	/* "ab ab ... ab a" */
	(void)s;
	g_assert_false(words_has_phrase(s, phrase));
}

/* ---- cases ---- */

static void
test_requests(void)
{
	linear("requests: block named in digits", digits, work_block_named);
	linear("requests: block named in 2027-0 lines", digit_lines, work_block_named);
	linear("requests: question in digits", digits, work_answer);
	linear("requests: question of many words", question_words, work_answer);
}

static void
test_form(void)
{
	linear("form: digits", digits, work_form);
	linear("form: field lines", field_lines, work_form);
	linear("form: Documents: lines", document_lines, work_form);
}

static void
test_forward(void)
{
	linear("forward: marker lines", marker_lines, work_forward);
	linear("forward: digits", digits, work_forward);
}

static void
test_html(void)
{
	linear("html: nested unclosed elements", nested_html, work_html);
	linear("html: breaks and cells", html_breaks, work_html);
}

static void
test_message(void)
{
	linear("message: body of digits", digit_mail, work_message);
	linear("message: many text parts", many_parts_mail, work_message);
}

static void
test_faq(void)
{
	linear("faq: question in digits", digits, work_faq);
	linear("faq: question of many words", question_words, work_faq);
}

static void
test_phrase(void)
{
	linear("rules: a phrase that almost matches everywhere", phrase_case, work_phrase);
}

int
main(int argc, char **argv)
{
	const char *top = g_getenv("top_srcdir");
	g_autofree char *dir = g_build_filename(top ? top : ".", "rules", NULL);
	g_autoptr(GError) err = NULL;

	g_test_init(&argc, &argv, NULL);
	/* Freed memory stays in the heap for the next run: what is measured is
	 * the code's work, not the kernel's for fresh 1 MB mappings (64 KB
	 * blocks never get those). */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
	message_init();
	html_init();
	rules = rules_load(dir, &err);
	g_assert_no_error(err);
	g_test_add_func("/bounded/requests", test_requests);
	g_test_add_func("/bounded/form", test_form);
	g_test_add_func("/bounded/forward", test_forward);
	g_test_add_func("/bounded/html", test_html);
	g_test_add_func("/bounded/message", test_message);
	g_test_add_func("/bounded/faq", test_faq);
	g_test_add_func("/bounded/phrase", test_phrase);
	int rc = g_test_run();
	rules_free(rules);
	return rc;
}
