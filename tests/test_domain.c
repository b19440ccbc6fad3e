/* test_domain: the domain without servers. Each case opens a fresh store in a
 * temporary directory, with a clerkd.conf whose [rules] directory is the
 * source tree's rules/, and hands messages to process_message() exactly as a
 * pass does (parsed, scanned, keyed, inside a transaction and a savepoint),
 * then reads the database: ledger, applications, documents, outbox, and the
 * replies as they would be sent (parsed back with message_parse). No Dovecot,
 * no SMTP. Today is CLERKD_NOW=2026-10-20.
 *
 * Decision goldens, one case per file with its whole expectation (as curl
 * keeps its tests): for tests/data/NAME.eml, tests/data/NAME.decision says
 * what process_message() does with it on a fresh store:
 *
 *     class:     the ledger's class of the message
 *     status:    the application's status (none: no application)
 *     missing:   the missing document kinds, in order, comma-separated
 *     reasons:   the ids of the rules that failed, in order, comma-separated
 *     documents: each attachment filed, "FILENAME = KIND", ;-separated (KIND
 *                "?" when none was found: the form's own carrier, or a file
 *                the student is asked to name; a state other than filed
 *                follows in parentheses)
 *     reply:     the outbox kind of the one reply to the sender, or none
 *     subject:   that reply's subject, as the student reads it
 *     notices:   the outbox kinds of any other mail queued (staff), or none
 *
 * An empty list is written "-". `tests/test_domain -k -p /decision` shows
 * every golden that differs, field by field. Every .eml of class application or
 * correspondence (first-contact) in its .facts must have a .decision. Lines
 * starting with '#' are comments and are kept.
 *
 * To write (or rewrite) the goldens from what the code does now:
 *
 *     CLERKD_UPDATE_GOLDENS=1 tests/test_domain -p /decision
 *
 * (from the build directory, with top_srcdir set if it is not the source
 * tree), then READ each changed file against rules/eligibility.ini,
 * documents.ini and policy.ini before committing it: a golden states what
 * the rules mean, it is not a snapshot. */
#include "config.h"
#include "docstore.h"
#include "message.h"
#include "process.h"
#include "store.h"
#include "util.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#define TODAY "2026-10-20"
#define REF1 "ECP-2026-00001"

static char *srcdir;
static GPtrArray *case_names;	/* the goldens' test data, freed after the run */

/* ---- the fixture: a config, a store, a process context ---- */

struct dom {
	char *dir;
	Config *cfg;
	Store *st;
	struct process_ctx pc;
	guint32 uid;
	GPtrArray *keep;	/* strings q() returned, freed with the fixture */
	gboolean unsynced;	/* documents left for the batch's sync by the last deliver() */
};

static void
rm_rf(const char *path)
{
	if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
		g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
		const char *n;
		while (d != NULL && (n = g_dir_read_name(d)) != NULL) {
			g_autofree char *p = g_build_filename(path, n, NULL);
			rm_rf(p);
		}
		g_rmdir(path);
	} else
		g_unlink(path);
}

static void
dom_setup(struct dom *d, gconstpointer unused)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *rules = g_build_filename(srcdir, "rules", NULL);
	g_autofree char *conf = NULL, *text = NULL;

	(void)unused;
	d->dir = g_dir_make_tmp("clerk-domain-XXXXXX", &err);
	g_assert_no_error(err);
	conf = g_build_filename(d->dir, "clerkd.conf", NULL);
	text = g_strdup_printf(
	    "[imap]\n"
	    "url = imaps://imap.example.edu\n"
	    "user = clerkship\n"
	    "[smtp]\n"
	    "url = smtp://127.0.0.1:2525\n"
	    "from = \"Exchange Clerkship Program\" <clerkship@example.edu>\n"
	    "[store]\n"
	    "database = store/clerkd.db\n"
	    "documents = store/documents\n"
	    "[rules]\n"
	    "directory = %s\n"
	    "[staff]\n"
	    "addresses = registrar@example.edu\n"
	    "trusted_authserv_id = mx.example.edu\n", rules);
	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	d->cfg = config_load(conf, &err);
	g_assert_no_error(err);
	g_assert_true(config_check_rules(d->cfg, &err));
	g_assert_no_error(err);
	g_assert_true(docstore_init(d->cfg->documents, &err));
	g_assert_no_error(err);
	d->st = store_open(d->cfg->database, 0, &err);
	g_assert_no_error(err);
	process_ctx_init(&d->pc, d->cfg, d->st);
	g_assert_cmpstr(d->pc.today, ==, TODAY);
	d->uid = 0;
	d->keep = g_ptr_array_new_with_free_func(g_free);
}

static void
dom_teardown(struct dom *d, gconstpointer unused)
{
	(void)unused;
	g_ptr_array_unref(d->keep);
	process_ctx_clear(&d->pc);
	store_close(d->st);
	config_free(d->cfg);
	if (g_getenv("CLERKD_TEST_KEEP") != NULL)	/* to look at the store afterwards */
		g_printerr("# store kept in %s\n", d->dir);
	else
		rm_rf(d->dir);
	g_free(d->dir);
}

/* One message, as a pass handles it: parsed, scanned, keyed by a new UID, and
 * processed in a transaction of its own. Returns the ledger id. */
static gint64
deliver(struct dom *d, const char *raw, gsize len)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(Facts) f = message_parse(raw, len, &err);
	g_autofree char *sha256 = NULL;
	struct rawscan rs;
	struct ledger_key k = { d->cfg->account, d->cfg->mailbox, 1, ++d->uid };
	gint64 id;

	g_assert_no_error(err);
	g_assert_nonnull(f);
	rawscan_init(&rs);
	rawscan_feed(&rs, raw, len);
	sha256 = rawscan_finish(&rs);
	g_assert_true(ledger_note_uidvalidity(d->st, k.account, k.mailbox, k.uidvalidity, &err));
	g_assert_true(store_begin(d->st, &err));
	g_assert_true(store_savepoint(d->st, &err));
	id = process_message(&d->pc, &k, f, &rs, sha256, raw, &err);
	g_assert_no_error(err);
	g_assert_cmpint(id, >, 0);
	g_assert_true(store_release(d->st, &err));
	d->unsynced = docstore_pending();
	g_assert_true(docstore_sync(d->cfg->documents, &err));
	g_assert_true(store_commit(d->st, &err));
	g_assert_no_error(err);
	return id;
}

static gint64
deliver_str(struct dom *d, const char *raw)
{
	return deliver(d, raw, strlen(raw));
}

/* ---- reading the store ---- */

/* The first column of the first row, as text (NULL for no row or NULL),
 * owned by the fixture; the SQL is formatted with sqlite3_vmprintf (%Q, %lld). */
static const char *
q(struct dom *d, const char *fmt, ...)
{
	va_list ap;
	char *sql, *out = NULL;
	sqlite3_stmt *s = NULL;
	int rc;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	rc = sqlite3_prepare_v2(store_db(d->st), sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		g_error("%s: %s", sql, sqlite3_errmsg(store_db(d->st)));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		out = g_strdup((const char *)sqlite3_column_text(s, 0));
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		g_error("%s: %s", sql, sqlite3_errmsg(store_db(d->st)));
	sqlite3_finalize(s);
	sqlite3_free(sql);
	if (out != NULL)
		g_ptr_array_add(d->keep, out);
	return out;
}

static gint64
qn(struct dom *d, const char *fmt, ...)
{
	va_list ap;
	char *sql;
	sqlite3_stmt *s = NULL;
	gint64 n = -1;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(store_db(d->st), sql, -1, &s, NULL) != SQLITE_OK)
		g_error("%s: %s", sql, sqlite3_errmsg(store_db(d->st)));
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_free(sql);
	return n;
}

/* The missing kinds and failed rules of an application, in order. */
static const char *
missing_of(struct dom *d, gint64 app)
{
	return q(d, "SELECT coalesce(group_concat(value, ','), '-') FROM (SELECT j.value FROM"
	    " applications a, json_each(a.missing) j WHERE a.id = %lld ORDER BY j.key)", (long long)app);
}

static const char *
reasons_of(struct dom *d, gint64 app)
{
	return q(d, "SELECT coalesce(group_concat(rule, ','), '-') FROM (SELECT json_extract(j.value,"
	    " '$.rule') AS rule FROM applications a, json_each(a.reasons) j WHERE a.id = %lld"
	    " ORDER BY j.key)", (long long)app);
}

/* The mail queued for message `ledger` to rcpt (kind given, or any but staff
 * notices when kind is NULL), parsed back as its recipient reads it; NULL if none. */
static Facts *
queued(struct dom *d, gint64 ledger, const char *rcpt, const char *kind)
{
	sqlite3_stmt *s = NULL;
	Facts *f = NULL;
	g_autoptr(GError) err = NULL;
	char *sql = sqlite3_mprintf("SELECT r.raw FROM outbox o JOIN outbox_raw r ON r.outbox_id = o.id"
	    " WHERE o.ledger_id = %lld AND o.rcpt = %Q AND (%Q IS NULL AND o.kind NOT LIKE"
	    " 'staff-notice:%%' OR o.kind = %Q) ORDER BY o.id", (long long)ledger, rcpt, kind, kind);

	g_assert_cmpint(sqlite3_prepare_v2(store_db(d->st), sql, -1, &s, NULL), ==, SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW) {
		f = message_parse(sqlite3_column_blob(s, 0), sqlite3_column_bytes(s, 0), &err);
		g_assert_no_error(err);
		g_assert_nonnull(f);
	}
	g_assert_cmpint(sqlite3_step(s), ==, SQLITE_DONE);	/* at most one */
	sqlite3_finalize(s);
	sqlite3_free(sql);
	return f;
}

static void
assert_contains(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		g_error("expected to find \"%s\" in:\n%s", want, text);
}

/* RFC 2047 as a student's mail client reads it: each encoded-word decoded on
 * its own, the white space between two adjacent ones dropped. (GMime 3.2.13,
 * and so message_parse, loses the second of two adjacent B-encoded words when
 * the first ends in padding: jstedfast/gmime#133; see test_subject_roundtrip.) */
static char *
decode_2047(const char *s)
{
	GString *out = g_string_new(NULL), *ws = g_string_new(NULL);
	gboolean after_word = FALSE;

	for (const char *p = s; *p != '\0';) {
		const char *q1, *end;
		if (g_str_has_prefix(p, "=?") && (q1 = strchr(p + 2, '?')) != NULL &&
		    (q1[1] == 'B' || q1[1] == 'b' || q1[1] == 'Q' || q1[1] == 'q') && q1[2] == '?' &&
		    (end = strstr(q1 + 3, "?=")) != NULL) {
			g_autofree char *charset = g_strndup(p + 2, q1 - (p + 2));
			g_autofree char *text = g_strndup(q1 + 3, end - (q1 + 3));
			g_autofree guchar *bytes = NULL;
			g_autofree char *utf8 = NULL;
			gsize n = 0;
			if (strchr(charset, '*') != NULL)
				*strchr(charset, '*') = '\0';	/* RFC 2231 language */
			if (q1[1] == 'B' || q1[1] == 'b')
				bytes = g_base64_decode(text, &n);
			else {
				GString *b = g_string_new(NULL);
				for (const char *t = text; *t != '\0'; t++) {
					if (*t == '_')
						g_string_append_c(b, ' ');
					else if (*t == '=' && g_ascii_isxdigit(t[1]) && g_ascii_isxdigit(t[2])) {
						g_string_append_c(b, g_ascii_xdigit_value(t[1]) * 16 +
						    g_ascii_xdigit_value(t[2]));
						t += 2;
					} else
						g_string_append_c(b, *t);
				}
				n = b->len;
				bytes = (guchar *)g_string_free(b, FALSE);
			}
			utf8 = g_convert((const char *)bytes, n, "UTF-8", charset, NULL, NULL, NULL);
			g_assert_nonnull(utf8);
			if (!after_word)
				g_string_append(out, ws->str);
			g_string_truncate(ws, 0);
			g_string_append(out, utf8);
			after_word = TRUE;
			p = end + 2;
		} else if (*p == ' ' || *p == '\t') {
			g_string_append_c(ws, *p++);
		} else {
			g_string_append(out, ws->str);
			g_string_truncate(ws, 0);
			g_string_append_c(out, *p++);
			after_word = FALSE;
		}
	}
	g_string_append(out, ws->str);
	g_string_free(ws, TRUE);
	return g_string_free(out, FALSE);
}

/* The Subject of a raw message, unfolded and decoded (decode_2047). */
static char *
raw_subject(const char *raw, gsize len)
{
	g_autofree char *head = NULL;
	g_auto(GStrv) lines = NULL;
	GString *subj = NULL;
	const char *end = g_strstr_len(raw, len, "\r\n\r\n");
	const char *end2 = g_strstr_len(raw, len, "\n\n");
	gsize hl = len;

	if (end != NULL)
		hl = end - raw;
	if (end2 != NULL && (gsize)(end2 - raw) < hl)
		hl = end2 - raw;
	head = g_strndup(raw, hl);
	lines = g_strsplit(head, "\n", -1);
	for (int i = 0; lines[i] != NULL; i++) {
		char *l = lines[i];
		if (*l != '\0' && l[strlen(l) - 1] == '\r')
			l[strlen(l) - 1] = '\0';
		if (subj != NULL && (*l == ' ' || *l == '\t'))
			g_string_append(subj, l);	/* unfolding keeps the white space */
		else if (subj != NULL)
			break;
		else if (g_ascii_strncasecmp(l, "Subject:", 8) == 0)
			subj = g_string_new(l + 8 + (l[8] == ' '));
	}
	g_assert_nonnull(subj);
	{
		char *out = decode_2047(subj->str);
		g_string_free(subj, TRUE);
		return out;
	}
}

/* The subject of the mail queued for message ledger to rcpt (not a staff
 * notice), as its recipient's client shows it; NULL if none. */
static char *
queued_subject(struct dom *d, gint64 ledger, const char *rcpt)
{
	sqlite3_stmt *s = NULL;
	char *subject = NULL;
	char *sql = sqlite3_mprintf("SELECT r.raw FROM outbox o JOIN outbox_raw r ON r.outbox_id = o.id"
	    " WHERE o.ledger_id = %lld AND o.rcpt = %Q AND o.kind NOT LIKE 'staff-notice:%%'",
	    (long long)ledger, rcpt);

	g_assert_cmpint(sqlite3_prepare_v2(store_db(d->st), sql, -1, &s, NULL), ==, SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		subject = raw_subject(sqlite3_column_blob(s, 0), sqlite3_column_bytes(s, 0));
	sqlite3_finalize(s);
	sqlite3_free(sql);
	return subject;
}

/* ---- messages ---- */

static GString *
mail_start(const char *from, const char *subject, const char *msgid, const char *extra)
{
	GString *m = g_string_new(NULL);

	g_string_append_printf(m, "From: %s\r\nTo: clerkship@example.edu\r\nSubject: %s\r\n"
	    "Message-ID: <%s>\r\nDate: Tue, 20 Oct 2026 10:00:00 +0000\r\n%sMIME-Version: 1.0\r\n",
	    from, subject, msgid, extra ? extra : "");
	return m;
}

/* A message with a text body and PDF attachments (names, NULL-terminated). */
static char *
mail(const char *from, const char *subject, const char *msgid, const char *extra,
    const char *body, ...)
{
	GString *m = mail_start(from, subject, msgid, extra);
	va_list ap;
	const char *a;

	g_string_append(m, "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
	    "--b0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	g_string_append(m, body);
	g_string_append(m, "\r\n");
	va_start(ap, body);
	while ((a = va_arg(ap, const char *)) != NULL) {
		g_autofree char *pdf = g_strdup_printf("%%PDF-1.4\n%% %s %s\n%%%%EOF\n", a, msgid);
		g_autofree char *b64 = g_base64_encode((const guchar *)pdf, strlen(pdf));
		g_string_append_printf(m, "--b0\r\nContent-Type: application/pdf\r\n"
		    "Content-Disposition: attachment; filename=\"%s\"\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n", a, b64);
	}
	va_end(ap);
	g_string_append(m, "--b0--\r\n");
	return g_string_free(m, FALSE);
}

/* The application form as tests/lib.sh writes it: eligible (an LCME school,
 * final year, graduating 2027-05, the four core clerkships, native English,
 * two choices of 2027-03), and no document yet. */
static const char FORM[] =
    "Dear coordinator,\r\n\r\nplease find my application below.\r\n\r\n"
    "Full name: Jane Doe\r\n"
    "Email: jane.doe@med.example.edu\r\n"
    "Medical school: Example University School of Medicine\r\n"
    "School country: United States\r\n"
    "Year of study: final\r\n"
    "Expected graduation: 2027-05\r\n"
    "Degree held: none\r\n"
    "Core clerkships completed: medicine, surgery, pediatrics, obstetrics-gynecology\r\n"
    "Request type: clerkship\r\n"
    "English proficiency: native\r\n"
    "Choice 1: MED-401 2027-03\r\n"
    "Choice 2: SUR-512 2027-03\r\n";

#define JANE "jane.doe@med.example.edu"
/* What the rules ask of every such applicant, in documents.ini's order. */
#define ALL_MISSING "tb-ppd,mmr,varicella,hepatitis-b,tdap,influenza,good-standing,transcript," \
    "health-insurance"

static gint64
apply_jane(struct dom *d, const char *doc)
{
	g_autofree char *m = mail("Jane Doe <" JANE ">", "Visiting clerkship application",
	    "apply-1@med.example.edu", NULL, FORM, doc, NULL);
	return deliver_str(d, m);
}

/* ---- the cases ---- */

static void
test_application(struct dom *d, gconstpointer unused)
{
	gint64 id = apply_jane(d, "Dean's letter.pdf");
	const char *app = q(d, "SELECT application_id FROM ledger WHERE id = %lld", (long long)id);
	const char *ref, *status, *missing, *reasons, *kind;
	g_autoptr(Facts) r = NULL;

	(void)unused;
	g_assert_cmpstr(q(d, "SELECT class FROM ledger WHERE id = %lld", (long long)id), ==, "application");
	g_assert_nonnull(app);
	ref = q(d, "SELECT reference FROM applications WHERE id = %s", app);
	status = q(d, "SELECT status FROM applications WHERE id = %s", app);
	missing = missing_of(d, atoll(app));
	reasons = reasons_of(d, atoll(app));
	g_assert_cmpstr(ref, ==, REF1);
	g_assert_cmpstr(status, ==, "incomplete");
	/* The dean's letter is the letter of good standing: everything else is missing. */
	g_assert_cmpstr(missing, ==, "tb-ppd,mmr,varicella,hepatitis-b,tdap,influenza,transcript,"
	    "health-insurance");
	g_assert_cmpstr(reasons, ==, "-");
	kind = q(d, "SELECT group_concat(kind) FROM documents WHERE application_id = %s", app);
	g_assert_cmpstr(kind, ==, "good-standing");
	g_assert_cmpstr(q(d, "SELECT group_concat(course || ' ' || block, ', ') FROM (SELECT * FROM"
	    " choices WHERE application_id = %s ORDER BY rank)", app), ==, "MED-401 2027-03, SUR-512 2027-03");
	g_assert_cmpint(qn(d, "SELECT count(*) FROM outbox"), ==, 1);
	g_assert_cmpstr(q(d, "SELECT kind || ' ' || rcpt || ' ' || state FROM outbox"), ==,
	    "receipt " JANE " queued");
	r = queued(d, id, JANE, "receipt");
	g_assert_nonnull(r);
	/* The subject says the outcome; the reply still threads. */
	g_assert_cmpstr(r->subject, ==, "Application received: 8 items missing [" REF1 "]");
	g_assert_cmpstr(r->in_reply_to, ==, "apply-1@med.example.edu");
	assert_contains(r->text, REF1);
	assert_contains(r->text, "Dean's letter.pdf");
	assert_contains(r->text, "Letter of good standing");
	assert_contains(r->text, "MED-401 in block 2027-03");
	assert_contains(r->text, "Transcript");
	assert_contains(r->text, "Proof of health insurance");
	g_assert_null(strstr(r->text, "{{"));
}

static void
test_first_contact(struct dom *d, gconstpointer unused)
{
	g_autofree char *m = mail("Curious Student <curious@example.org>", "Hello",
	    "hello-1@example.org", NULL, "How do I apply, and which documents do you need from me?",
	    NULL);
	gint64 id = deliver_str(d, m);
	g_autoptr(Facts) r = NULL;

	(void)unused;
	g_assert_cmpstr(q(d, "SELECT class FROM ledger WHERE id = %lld", (long long)id), ==,
	    "correspondence");
	g_assert_cmpint(qn(d, "SELECT count(*) FROM applications"), ==, 0);
	g_assert_null(q(d, "SELECT application_id FROM ledger WHERE id = %lld", (long long)id));
	/* No reference taken from the year's sequence. */
	g_assert_cmpint(qn(d, "SELECT count(*) FROM ref_counter"), ==, 0);
	g_assert_cmpint(qn(d, "SELECT count(*) FROM outbox"), ==, 1);
	g_assert_cmpstr(q(d, "SELECT kind FROM outbox WHERE rcpt = 'curious@example.org'"), ==,
	    "first-contact");
	r = queued(d, id, "curious@example.org", "first-contact");
	g_assert_nonnull(r);
	g_assert_cmpstr(r->subject, ==, "How to apply");
	g_assert_cmpstr(r->in_reply_to, ==, "hello-1@example.org");
	g_assert_null(strstr(r->subject, "ECP-"));
	g_assert_null(strstr(r->text, "ECP-2026-"));
	assert_contains(r->text, "Full name:");	/* the blank form */
	assert_contains(r->text, "Choice 1:");
}

static void
test_automatic(struct dom *d, gconstpointer unused)
{
	g_autofree char *ooo = mail("Jane Doe <" JANE ">", "Automatic reply: your application",
	    "ooo-1@med.example.edu", "Auto-Submitted: auto-replied\r\n",
	    "I am out of the office until Monday.", NULL);
	g_autofree char *form = mail("Jane Doe <" JANE ">", "Automatic reply: application",
	    "ooo-2@med.example.edu", "Auto-Submitted: auto-replied\r\n", FORM, NULL);
	gint64 a, b;

	(void)unused;
	a = deliver_str(d, ooo);
	g_assert_cmpstr(q(d, "SELECT class FROM ledger WHERE id = %lld", (long long)a), ==, "automatic");
	g_assert_cmpstr(q(d, "SELECT state FROM ledger WHERE id = %lld", (long long)a), ==, "handled");
	g_assert_nonnull(q(d, "SELECT reason FROM ledger WHERE id = %lld", (long long)a));
	g_assert_cmpint(qn(d, "SELECT count(*) FROM applications"), ==, 0);
	g_assert_cmpint(qn(d, "SELECT count(*) FROM outbox"), ==, 0);
	/* Automatic mail carrying a form: the application is created and flagged
	 * for staff, and still nobody is answered. */
	b = deliver_str(d, form);
	g_assert_cmpstr(q(d, "SELECT class FROM ledger WHERE id = %lld", (long long)b), ==, "automatic");
	g_assert_cmpint(qn(d, "SELECT count(*) FROM applications"), ==, 1);
	assert_contains(q(d, "SELECT flags FROM applications"), "automatic-mail");
	g_assert_cmpint(qn(d, "SELECT count(*) FROM outbox"), ==, 0);
}

static void
test_duplicate(struct dom *d, gconstpointer unused)
{
	g_autofree char *m = mail("Jane Doe <" JANE ">", "Visiting clerkship application",
	    "apply-1@med.example.edu", NULL, FORM, NULL);
	gint64 a, b;

	(void)unused;
	a = deliver_str(d, m);
	g_assert_cmpint(qn(d, "SELECT count(*) FROM outbox"), ==, 1);
	/* The same bytes under another UID (a mailbox migrated, a copy). */
	b = deliver_str(d, m);
	g_assert_cmpint(b, !=, a);
	g_assert_cmpstr(q(d, "SELECT class FROM ledger WHERE id = %lld", (long long)b), ==, "duplicate");
	g_assert_cmpint(qn(d, "SELECT duplicate_of FROM ledger WHERE id = %lld", (long long)b), ==, a);
	g_assert_cmpint(qn(d, "SELECT count(*) FROM applications"), ==, 1);
	g_assert_cmpint(qn(d, "SELECT count(*) FROM outbox"), ==, 1);
	g_assert_cmpint(qn(d, "SELECT count(*) FROM outbox WHERE ledger_id = %lld", (long long)b), ==, 0);
	/* Same Message-ID, other bytes: not a duplicate (the identity is both);
	 * a second form from the same address is handled as such. */
	{
		g_autofree char *other = mail("Jane Doe <" JANE ">", "Visiting clerkship application",
		    "apply-1@med.example.edu", NULL, FORM, "transcript.pdf", NULL);
		gint64 c = deliver_str(d, other);
		g_assert_cmpstr(q(d, "SELECT class FROM ledger WHERE id = %lld", (long long)c), !=,
		    "duplicate");
	}
}

static void
test_document(struct dom *d, gconstpointer unused)
{
	g_autofree char *m = mail("Jane Doe <" JANE ">", "My transcript", "doc-1@med.example.edu", NULL,
	    "Please find my transcript attached.", "Transcript.pdf", NULL);
	gint64 app_ledger, id;
	g_autoptr(Facts) r = NULL;
	const char *missing;

	(void)unused;
	app_ledger = apply_jane(d, NULL);
	g_assert_cmpint(app_ledger, >, 0);
	missing = missing_of(d, 1);
	g_assert_cmpstr(missing, ==, ALL_MISSING);
	id = deliver_str(d, m);
	g_assert_cmpstr(q(d, "SELECT class FROM ledger WHERE id = %lld", (long long)id), ==,
	    "correspondence");
	g_assert_cmpint(qn(d, "SELECT application_id FROM ledger WHERE id = %lld", (long long)id), ==, 1);
	g_assert_cmpint(qn(d, "SELECT count(*) FROM applications"), ==, 1);
	g_assert_cmpstr(q(d, "SELECT kind || ' ' || state FROM documents WHERE ledger_id = %lld",
	    (long long)id), ==, "transcript filed");
	/* Its file is made durable once for the whole batch (a syncfs waits for
	 * every write on the file system), not by the handling of each message. */
	g_assert_true(d->unsynced);
	/* Re-judged: the transcript is no longer missing, the rest still is. */
	missing = missing_of(d, 1);
	g_assert_cmpstr(missing, ==, "tb-ppd,mmr,varicella,hepatitis-b,tdap,influenza,good-standing,"
	    "health-insurance");
	g_assert_cmpstr(q(d, "SELECT status FROM applications WHERE id = 1"), ==, "incomplete");
	g_assert_cmpint(qn(d, "SELECT count(*) FROM decisions WHERE application_id = 1 AND ledger_id = %lld",
	    (long long)id), ==, 1);
	/* One reply, to the applicant, with the reference and the new standing. */
	g_assert_cmpint(qn(d, "SELECT count(*) FROM outbox WHERE ledger_id = %lld", (long long)id), ==, 1);
	r = queued(d, id, JANE, "acknowledgement");
	g_assert_nonnull(r);
	g_assert_cmpstr(r->subject, ==, "Documents received: 8 items missing [" REF1 "]");
	assert_contains(r->text, "Transcript.pdf");
	assert_contains(r->text, "Still missing:");
	assert_contains(r->text, "Letter of good standing");
	assert_contains(r->text, "filed as Transcript\n");
	/* The "Still missing" list no longer names the transcript; the undated
	 * one is flagged as such (the day received is its date until checked). */
	{
		const char *from = strstr(r->text, "Still missing:");
		const char *to = strstr(from, "These documents have no date");
		g_autofree char *list = g_strndup(from, to ? (gsize)(to - from) : strlen(from));
		g_assert_nonnull(to);
		assert_contains(list, "Insurance:\n  - Proof of health insurance\n");
		g_assert_null(strstr(list, "  - Transcript\n"));
		assert_contains(to, "  - Transcript\n");
		g_assert_null(strstr(r->text, "[transcript]"));
		g_assert_null(strstr(r->text, "[health-insurance]"));
	}
}

static void
test_held(struct dom *d, gconstpointer unused)
{
	g_autofree char *m = mail("Mal Lory <mallory@evil.example>", "Documents for " REF1,
	    "held-1@evil.example", NULL, "Here is the transcript for " REF1 ".", "Transcript.pdf",
	    NULL);
	const char *before, *after;
	gint64 id;
	g_autoptr(Facts) r = NULL, n = NULL;

	(void)unused;
	apply_jane(d, NULL);
	before = missing_of(d, 1);
	/* clerkd logs each staff notice as a warning. */
	g_test_expect_message(NULL, G_LOG_LEVEL_WARNING, "staff notice for " REF1 ": mail about " REF1
	    " from <mallory@evil.example>, not the applicant's address: held for staff*");
	id = deliver_str(d, m);
	g_test_assert_expected_messages();
	g_assert_cmpstr(q(d, "SELECT class FROM ledger WHERE id = %lld", (long long)id), ==,
	    "correspondence");
	/* Nothing credited: the document is kept, held; the standing is unchanged. */
	g_assert_cmpint(qn(d, "SELECT count(*) FROM applications"), ==, 1);
	g_assert_cmpstr(q(d, "SELECT state FROM documents WHERE ledger_id = %lld", (long long)id), ==,
	    "held");
	after = missing_of(d, 1);
	g_assert_cmpstr(after, ==, before);
	assert_contains(after, "transcript");
	g_assert_cmpstr(q(d, "SELECT email FROM applications WHERE id = 1"), ==, JANE);
	/* Staff are told; the sender gets one "held" reply; Jane nothing. */
	g_assert_cmpstr(q(d, "SELECT group_concat(kind || ' ' || rcpt, '; ') FROM (SELECT * FROM outbox"
	    " WHERE ledger_id = %lld ORDER BY kind)", (long long)id), ==,
	    "held mallory@evil.example; staff-notice:registrar@example.edu registrar@example.edu");
	n = queued(d, id, "registrar@example.edu", "staff-notice:registrar@example.edu");
	g_assert_nonnull(n);
	assert_contains(n->text, "mallory@evil.example");
	assert_contains(n->text, REF1);
	r = queued(d, id, "mallory@evil.example", "held");
	g_assert_nonnull(r);
	assert_contains(r->subject, REF1);
	assert_contains(r->text, "Transcript.pdf");
	g_assert_cmpint(qn(d, "SELECT count(*) FROM outbox WHERE rcpt = %Q", JANE), ==, 1);	/* the receipt */
}

#define FORGED_AR "Authentication-Results: mx.example.edu; spf=fail smtp.mailfrom=gmail.com;" \
    " dkim=none; dmarc=fail (p=REJECT sp=REJECT dis=NONE) header.from=gmail.com\r\n"

static void
test_forged(struct dom *d, gconstpointer unused)
{
	g_autofree char *forged = mail("Someone <victim@gmail.com>", "Application", "forged-1@gmail.com",
	    FORGED_AR, FORM, NULL);
	/* The same result under a policy of none is not forged, nor is one that a
	 * server other than the trusted one wrote. */
	g_autofree char *none = mail("Someone <victim2@gmail.com>", "A question", "forged-2@gmail.com",
	    "Authentication-Results: mx.example.edu; dmarc=fail (p=none) header.from=gmail.com\r\n",
	    "How do I apply?", NULL);
	g_autofree char *other = mail("Someone <victim3@gmail.com>", "A question", "forged-3@gmail.com",
	    "Authentication-Results: mx.elsewhere.example; dmarc=fail (p=REJECT) header.from=gmail.com\r\n",
	    "How do I apply?", NULL);
	gint64 id;

	(void)unused;
	id = deliver_str(d, forged);
	g_assert_cmpstr(q(d, "SELECT class FROM ledger WHERE id = %lld", (long long)id), ==, "forged");
	assert_contains(q(d, "SELECT reason FROM ledger WHERE id = %lld", (long long)id), "dmarc");
	g_assert_cmpint(qn(d, "SELECT count(*) FROM applications"), ==, 0);
	g_assert_cmpint(qn(d, "SELECT count(*) FROM documents"), ==, 0);
	g_assert_cmpint(qn(d, "SELECT count(*) FROM outbox"), ==, 0);
	g_assert_cmpint(qn(d, "SELECT count(*) FROM ref_counter"), ==, 0);

	id = deliver_str(d, none);
	g_assert_cmpstr(q(d, "SELECT class FROM ledger WHERE id = %lld", (long long)id), ==,
	    "correspondence");
	g_assert_cmpint(qn(d, "SELECT count(*) FROM outbox WHERE ledger_id = %lld", (long long)id), ==, 1);
	id = deliver_str(d, other);
	g_assert_cmpstr(q(d, "SELECT class FROM ledger WHERE id = %lld", (long long)id), ==,
	    "correspondence");
	g_assert_cmpint(qn(d, "SELECT count(*) FROM outbox WHERE ledger_id = %lld", (long long)id), ==, 1);
}

/* Over a mix of everything: each message gets at most one reply to its
 * sender; every one but automatic, forged and duplicate mail gets one. */
static void
test_one_reply_each(struct dom *d, gconstpointer unused)
{
	const char *mails[][5] = {
		/* from, subject, message-id, extra headers, body */
		{ "Jane Doe <" JANE ">", "Application", "mix-1@x", NULL, FORM },
		{ "Jane Doe <" JANE ">", "status", "mix-2@x", NULL, "What is my status?" },
		{ "Jane Doe <" JANE ">", "Out of office", "mix-3@x", "Auto-Submitted: auto-replied\r\n",
		  "Away." },
		{ "Someone <victim@gmail.com>", "Application", "mix-4@x", FORGED_AR, FORM },
		{ "Curious <curious@example.org>", "Hello", "mix-5@x", NULL, "Do you take students "
		  "from Brazil?" },
		{ "Jane Doe <" JANE ">", "Insurance card", "mix-6@x", NULL, "Attached." },
	};
	guint i;

	(void)unused;
	for (i = 0; i < G_N_ELEMENTS(mails); i++) {
		g_autofree char *m = mail(mails[i][0], mails[i][1], mails[i][2], mails[i][3], mails[i][4],
		    i == 5 ? "insurance card.pdf" : NULL, NULL);
		deliver_str(d, m);
		if (i == 0)
			deliver_str(d, m);	/* and once more: a duplicate */
	}
	g_assert_cmpint(qn(d, "SELECT count(*) FROM ledger"), ==, G_N_ELEMENTS(mails) + 1);
	g_assert_cmpint(qn(d, "SELECT count(*) FROM (SELECT o.ledger_id FROM outbox o JOIN ledger l"
	    " ON l.id = o.ledger_id WHERE o.rcpt = l.sender GROUP BY o.ledger_id HAVING count(*) > 1)"),
	    ==, 0);
	g_assert_cmpstr(q(d, "SELECT group_concat(what, ' ') FROM (SELECT l.class || '=' ||"
	    " coalesce(o.kind, 'none') AS what FROM ledger l LEFT JOIN outbox o ON o.ledger_id = l.id"
	    " AND o.rcpt = l.sender ORDER BY l.id)"), ==, "application=receipt duplicate=none correspondence=status"
	    " automatic=none forged=none correspondence=first-contact correspondence=acknowledgement");
	/* The insurance card counted; nothing else did. */
	g_assert_cmpstr(missing_of(d, 1), ==, "tb-ppd,mmr,varicella,hepatitis-b,tdap,influenza,"
	    "good-standing,transcript");
}

/* A reply to a subject in any script (adjacent B-encoded words, the first
 * padded: jstedfast/gmime#133) says the outcome in its own subject, with the
 * reference, and stays in the student's thread; read back by clerkd's own
 * parser it says the same. */
static void
test_subject_roundtrip(struct dom *d, gconstpointer unused)
{
	g_autofree char *eml = g_build_filename(srcdir, "tests", "data", "encoded-words.eml", NULL);
	g_autofree char *raw = NULL, *sent = NULL;
	g_autoptr(Facts) in = NULL, back = NULL;
	g_autoptr(GError) err = NULL;
	gsize len;
	gint64 id;

	(void)unused;
	g_assert_true(g_file_get_contents(eml, &raw, &len, NULL));
	in = message_parse(raw, len, &err);
	g_assert_no_error(err);
	g_assert_nonnull(strstr(in->subject, "άσκηση"));
	id = deliver(d, raw, len);
	sent = queued_subject(d, id, in->from_addr);
	g_assert_true(g_str_has_prefix(sent, "Application received: "));
	g_assert_true(g_str_has_suffix(sent, " [" REF1 "]"));
	back = queued(d, id, in->from_addr, "receipt");
	g_assert_nonnull(back);
	g_assert_cmpstr(back->subject, ==, sent);
	g_assert_cmpstr(back->in_reply_to, ==, in->message_id);
}

/* ---- decision goldens ---- */

static const char *const fields[] = {
	"class", "status", "missing", "reasons", "documents", "reply", "subject", "notices", NULL
};

/* What process_message did with NAME.eml on a fresh store, field by field. */
static GHashTable *
outcome(struct dom *d, const char *raw, gsize len)
{
	GHashTable *o = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	gint64 id = deliver(d, raw, len);
	const char *app = q(d, "SELECT application_id FROM ledger WHERE id = %lld", (long long)id);
	const char *sender = q(d, "SELECT sender FROM ledger WHERE id = %lld", (long long)id);
	char *subject;
	const char *reply;

	g_hash_table_insert(o, "class", g_strdup(q(d, "SELECT class FROM ledger WHERE id = %lld",
	    (long long)id)));
	if (app != NULL) {
		g_hash_table_insert(o, "status", g_strdup(q(d, "SELECT status FROM applications WHERE id = %s",
		    app)));
		g_hash_table_insert(o, "missing", g_strdup(missing_of(d, atoll(app))));
		g_hash_table_insert(o, "reasons", g_strdup(reasons_of(d, atoll(app))));
	} else {
		g_hash_table_insert(o, "status", g_strdup("none"));
		g_hash_table_insert(o, "missing", g_strdup("-"));
		g_hash_table_insert(o, "reasons", g_strdup("-"));
	}
	g_hash_table_insert(o, "documents", g_strdup(q(d, "SELECT coalesce(group_concat(filename || ' = ' ||"
	    " coalesce(kind, '?') || CASE state WHEN 'filed' THEN '' ELSE ' (' || state || ')' END,"
	    " '; '), '-') FROM (SELECT * FROM documents WHERE ledger_id = %lld ORDER BY id)",
	    (long long)id)));
	reply = q(d, "SELECT group_concat(kind, ', ') FROM outbox WHERE ledger_id = %lld AND rcpt = %Q",
	    (long long)id, sender);
	g_hash_table_insert(o, "reply", g_strdup(reply ? reply : "none"));
	subject = reply ? queued_subject(d, id, sender) : NULL;
	g_hash_table_insert(o, "subject", subject ? subject : g_strdup("-"));
	g_hash_table_insert(o, "notices", g_strdup(q(d, "SELECT coalesce(group_concat(kind, ', '), 'none')"
	    " FROM (SELECT kind FROM outbox WHERE ledger_id = %lld AND rcpt IS NOT %Q ORDER BY id)",
	    (long long)id, sender)));
	return o;
}

static gboolean
updating(void)
{
	const char *u = g_getenv("CLERKD_UPDATE_GOLDENS");
	return u != NULL && *u != '\0' && strcmp(u, "0") != 0;
}

static void
test_decision(struct dom *d, gconstpointer data)
{
	const char *name = data;
	g_autofree char *eml = g_strdup_printf("%s/tests/data/%s.eml", srcdir, name);
	g_autofree char *path = g_strdup_printf("%s/tests/data/%s.decision", srcdir, name);
	g_autofree char *raw = NULL, *old = NULL;
	g_autoptr(GHashTable) got = NULL;
	g_autoptr(GHashTable) want = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GString) comments = g_string_new(NULL);
	g_autoptr(GString) diff = g_string_new(NULL);
	g_auto(GStrv) lines = NULL;
	gsize len;

	g_assert_true(g_file_get_contents(eml, &raw, &len, NULL));
	got = outcome(d, raw, len);
	if (!g_file_get_contents(path, &old, NULL, NULL)) {
		if (!updating()) {
			g_test_message("%s: missing (CLERKD_UPDATE_GOLDENS=1 writes it: then read it)", path);
			g_test_fail();
			return;
		}
		old = g_strdup("");
	}
	lines = g_strsplit(old, "\n", -1);
	for (int i = 0; lines[i] != NULL; i++) {
		const char *line = lines[i], *colon;
		if (*line == '#') {
			g_string_append_printf(comments, "%s\n", line);
			continue;
		}
		if (*line == '\0')
			continue;
		if ((colon = strstr(line, ": ")) == NULL)
			g_error("%s:%d: not \"field: value\"", path, i + 1);
		{
			g_autofree char *key = g_strndup(line, colon - line);
			if (!g_strv_contains(fields, key))
				g_error("%s:%d: unknown field '%s'", path, i + 1, key);
			if (g_hash_table_contains(want, key))
				g_error("%s:%d: field '%s' given twice", path, i + 1, key);
			g_hash_table_insert(want, g_steal_pointer(&key), g_strdup(colon + 2));
		}
	}
	if (updating()) {
		g_autoptr(GString) out = g_string_new(comments->str);
		for (int i = 0; fields[i] != NULL; i++)
			g_string_append_printf(out, "%s: %s\n", fields[i],
			    (char *)g_hash_table_lookup(got, fields[i]));
		if (g_strcmp0(out->str, old) != 0) {
			g_assert_true(g_file_set_contents(path, out->str, -1, NULL));
			g_test_message("%s: written", path);
		}
		return;
	}
	for (int i = 0; fields[i] != NULL; i++) {
		const char *w = g_hash_table_lookup(want, fields[i]);
		const char *g = g_hash_table_lookup(got, fields[i]);
		if (w == NULL)
			g_string_append_printf(diff, "  %s: not in the golden (got \"%s\")\n", fields[i], g);
		else if (strcmp(w, g) != 0)
			g_string_append_printf(diff, "- %s: %s\n+ %s: %s\n", fields[i], w, fields[i], g);
	}
	if (diff->len > 0) {
		/* Said in full, then on to the next golden. */
		g_test_message("%s: the outcome differs (- expected, + got):\n%s"
		    "(if the change is meant: CLERKD_UPDATE_GOLDENS=1, then read the file)", path, diff->str);
		g_test_fail();
	}
}

/* The class a .facts file gives its message, or NULL. */
static char *
facts_class(const char *path)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i] != NULL; i++)
		if (g_str_has_prefix(lines[i], "class: "))
			return g_strstrip(g_strdup(lines[i] + 7));
	return NULL;
}

static int
by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
add_decisions(void)
{
	g_autofree char *dir = g_build_filename(srcdir, "tests", "data", NULL);
	g_autoptr(GDir) dd = g_dir_open(dir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const char *n;

	g_assert_nonnull(dd);
	while ((n = g_dir_read_name(dd)) != NULL)
		if (g_str_has_suffix(n, ".eml"))
			g_ptr_array_add(names, g_strndup(n, strlen(n) - 4));
	g_ptr_array_sort(names, by_name);
	for (guint i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		g_autofree char *facts = g_strdup_printf("%s/%s.facts", dir, name);
		g_autofree char *golden = g_strdup_printf("%s/%s.decision", dir, name);
		g_autofree char *class = facts_class(facts);
		g_autofree char *tname = g_strdup_printf("/decision/%s", name);
		gboolean wanted = class != NULL && (strcmp(class, "application") == 0 ||
		    strcmp(class, "correspondence") == 0 || strcmp(class, "first-contact") == 0);

		/* Every application and correspondence has its golden (a missing one
		 * fails, with what to do); any other .eml may have one. */
		if (wanted || g_file_test(golden, G_FILE_TEST_EXISTS)) {
			char *data = g_strdup(name);
			g_ptr_array_add(case_names, data);
			g_test_add(tname, struct dom, data, dom_setup, test_decision, dom_teardown);
		}
	}
}

/* The batch's syncfs only when a document was stored since the last one. */
static void
test_docstore_sync(void)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *dir = g_dir_make_tmp("docstore-XXXXXX", &err);
	g_autofree char *docs = g_build_filename(dir, "documents", NULL);
	g_autoptr(GBytes) data = g_bytes_new_static("%PDF-1.4\n", 9);
	const char *sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	g_autofree char *path = NULL, *rm = NULL;

	g_assert_no_error(err);
	g_assert_true(docstore_init(docs, &err));
	g_assert_true(docstore_sync(docs, &err));
	g_assert_false(docstore_pending());
	g_assert_true(docstore_put(docs, sha, data, &err));
	g_assert_true(docstore_pending());
	path = docstore_path(docs, sha);
	g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
	g_assert_true(docstore_sync(docs, &err));
	g_assert_false(docstore_pending());
	g_assert_true(docstore_sync(docs, &err));	/* nothing stored: nothing to wait for */
	g_assert_true(docstore_put(docs, sha, data, &err));	/* there already: synced again all the same */
	g_assert_true(docstore_pending());
	/* A sync that fails leaves the documents pending. */
	g_assert_false(docstore_sync("/nonexistent/documents", &err));
	g_assert_nonnull(err);
	g_assert_true(docstore_pending());
	g_clear_error(&err);
	g_assert_true(docstore_sync(docs, &err));
	g_assert_false(docstore_pending());
	rm = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_cmpint(system(rm), ==, 0);
}

int
main(int argc, char **argv)
{
	int rc;

	/* Before anything reads the date. */
	g_setenv("CLERKD_NOW", TODAY, TRUE);
	g_setenv("CLERKD_IMAP_PASSWORD", "unused", TRUE);
	g_setenv("TZ", "UTC", TRUE);
	g_test_init(&argc, &argv, NULL);
	srcdir = g_strdup(g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".");
	message_init();
	case_names = g_ptr_array_new_with_free_func(g_free);

#define ADD(path, fn) g_test_add(path, struct dom, NULL, dom_setup, fn, dom_teardown)
	ADD("/domain/application", test_application);
	ADD("/domain/first-contact", test_first_contact);
	ADD("/domain/automatic", test_automatic);
	ADD("/domain/duplicate", test_duplicate);
	ADD("/domain/document", test_document);
	ADD("/domain/held", test_held);
	ADD("/domain/forged", test_forged);
	ADD("/domain/one-reply-each", test_one_reply_each);
	ADD("/domain/subject-roundtrip", test_subject_roundtrip);
	g_test_add_func("/domain/docstore-sync", test_docstore_sync);
	add_decisions();
	rc = g_test_run();
	g_ptr_array_unref(case_names);
	g_free(srcdir);
	return rc;
}
