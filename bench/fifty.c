/* bench/fifty: 50 years of the program in the store. Two stores, the same
 * current term in each (TERM applications delivered as mail through
 * process_message, as a pass does); the big one holds before it 50 years
 * of history: 100,000 applications with their choices, 6 documents, 3
 * decisions, 5 events and 10 messages each (1,000,000 ledger rows), one
 * reply per message (1,000,000 outbox rows), seats, waitlists and lotteries.
 * Then each operation, on both stores, the median of RUNS runs:
 *   message  one new application handled (parse, process, commit)
 *   list     clerkctl list --status complete (the JSON built and printed)
 *   show     clerkctl show REF
 *   status   a "status" request answered (its reply queued)
 *   digest   the daily digest rendered (text and HTML)
 * and prints each ratio big/empty against the target 1.2:
 *   fifty: <op> empty <s> s, 50 years <s> s, ratio <r> (target <= 1.2) <ok|OVER>
 *   bench/fifty [HISTORY_APPLICATIONS]       (default 100000) */
#include "config.h"
#include "digest.h"
#include "docstore.h"
#include "ledger.h"
#include "message.h"
#include "process.h"
#include "report.h"
#include "store.h"
#include "util.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TERM 40
#define RUNS 11
#define TODAY "2026-10-20"

enum op { OP_MESSAGE, OP_LIST, OP_SHOW, OP_STATUS, OP_DIGEST, OP_N };
static const char *const op_name[OP_N] = { "message", "list", "show", "status", "digest" };

struct bench {
	char *dir;
	Config *cfg;
	Store *st;
	struct process_ctx pc;
	guint32 uid;
	int sent;
};

static double
now(void)
{
	return g_get_monotonic_time() / 1e6;
}

static double
cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) err = NULL;

	if (!g_file_set_contents(path, text, -1, &err))
		g_error("%s", err->message);
}

static void
sql(struct bench *b, const char *text)
{
	char *msg = NULL;

	if (sqlite3_exec(store_db(b->st), text, NULL, NULL, &msg) != SQLITE_OK)
		g_error("%s: %s", text, msg);
}

static void
open_bench(struct bench *b, const char *top, const char *name)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *conf = NULL, *text = NULL, *cmd = NULL;

	b->dir = g_build_filename(g_get_tmp_dir(), name, NULL);
	cmd = g_strdup_printf("rm -rf '%s' && mkdir -p '%s' && cp -r '%s/rules' '%s'", b->dir,
	    b->dir, top, b->dir);
	if (system(cmd) != 0)
		g_error("cannot make %s", b->dir);
	text = g_strdup_printf("[imap]\nurl = imap://127.0.0.1:1\nuser = clerk\npassword_file = pass\n"
	    "[smtp]\nurl = smtp://127.0.0.1:2\nfrom = Exchange Clerkship Program <clerkship@example.edu>\n"
	    "max_per_recipient_hour = 1000000\n[store]\ndatabase = %s/clerkd.db\ndocuments = %s/documents\n"
	    "[rules]\ndirectory = %s/rules\n[staff]\naddresses = registrar@example.edu\n",
	    b->dir, b->dir, b->dir);
	write_file(b->dir, "clerkd.conf", text);
	write_file(b->dir, "pass", "x\n");
	{
		g_autofree char *pass = g_build_filename(b->dir, "pass", NULL);
		g_chmod(pass, 0600);
	}
	conf = g_build_filename(b->dir, "clerkd.conf", NULL);
	if ((b->cfg = config_load(conf, &err)) == NULL || !config_check_rules(b->cfg, &err) ||
	    !docstore_init(b->cfg->documents, &err) ||
	    (b->st = store_open(b->cfg->database, 0, &err)) == NULL)
		g_error("%s", err->message);
	process_ctx_init(&b->pc, b->cfg, b->st);
}

static void
close_bench(struct bench *b)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", b->dir);

	process_ctx_clear(&b->pc);
	store_close(b->st);
	config_free(b->cfg);
	if (g_getenv("FIFTY_KEEP") != NULL)	/* to look at the store afterwards */
		fprintf(stderr, "fifty: store kept in %s\n", b->dir);
	else if (system(cmd) != 0)
		g_warning("cannot remove %s", b->dir);
	g_free(b->dir);
}

/* 50 years before this term: HIST applications, 2,000 a year. */
static void
history(struct bench *b, int hist)
{
	g_autofree char *apps = g_strdup_printf(
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
	    " INSERT INTO applications (id, reference, email, name, school, country, status, flags,"
	    " form, created_at, updated_at, complete_on)"
	    " SELECT i, printf('ECP-%%d-%%05d', 1975 + (i - 1) / 2000, (i - 1) %% 2000 + 1),"
	    " 's' || i || '@old.example.org', 'Old Student ' || i, 'School ' || (i %% 400),"
	    " CASE i %% 5 WHEN 0 THEN 'Germany' WHEN 1 THEN 'Japan' ELSE 'United States' END,"
	    " CASE i %% 20 WHEN 0 THEN 'cancelled' WHEN 1 THEN 'cancelled' WHEN 2 THEN 'ineligible'"
	    "  WHEN 3 THEN 'incomplete' WHEN 4 THEN 'incomplete' WHEN 5 THEN 'incomplete'"
	    "  WHEN 6 THEN 'not-scheduled' WHEN 7 THEN 'not-scheduled' WHEN 8 THEN 'waitlisted'"
	    "  ELSE 'scheduled' END, '', '{}',"
	    " printf('%%d-%%02d-%%02d 10:00:00', 1975 + (i - 1) / 2000, 1 + i %% 12, 1 + i %% 28),"
	    " printf('%%d-%%02d-%%02d 11:00:00', 1975 + (i - 1) / 2000, 1 + i %% 12, 1 + i %% 28),"
	    " printf('%%d-%%02d-%%02d', 1975 + (i - 1) / 2000, 1 + i %% 12, 1 + i %% 28) FROM n", hist);

	g_autoptr(GPtrArray) indexes = g_ptr_array_new_with_free_func(g_free);
	sqlite3_stmt *s;

	/* The store's indexes made again after the rows (sorted once), not kept
	 * up to date row by row: the same store, in a third of the time. */
	sqlite3_prepare_v2(store_db(b->st), "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
	    " AND sql IS NOT NULL", -1, &s, NULL);
	while (sqlite3_step(s) == SQLITE_ROW) {
		g_autofree char *drop = g_strdup_printf("DROP INDEX %s", sqlite3_column_text(s, 0));
		g_ptr_array_add(indexes, g_strdup((const char *)sqlite3_column_text(s, 1)));
		g_ptr_array_add(indexes, g_steal_pointer(&drop));
	}
	sqlite3_finalize(s);
	sql(b, "PRAGMA cache_size = -200000");	/* 200 MB: the rows written once, not spilled */
	sql(b, "BEGIN");
	for (guint i = 1; i < indexes->len; i += 2)
		sql(b, g_ptr_array_index(indexes, i));
	sql(b, apps);
	sql(b, "CREATE TEMP TABLE k(j INTEGER PRIMARY KEY);"
	    "WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < 9)"
	    " INSERT INTO k SELECT j FROM n");
	sql(b, "INSERT INTO choices SELECT a.id, k.j + 1, CASE k.j WHEN 0 THEN 'MED-401'"
	    " WHEN 1 THEN 'SUR-512' ELSE 'NEU-301' END, printf('%d-%02d', 1976 + (a.id - 1) / 2000,"
	    " 1 + (a.id + k.j) % 12) FROM applications a, k WHERE k.j < 3");
	sql(b, "INSERT INTO ledger (id, account, mailbox, uidvalidity, uid, message_id, sha256, size,"
	    " state, class, sender, subject, application_id, received_at, updated_at)"
	    " SELECT a.id * 10 + k.j, 'clerk@127.0.0.1', 'INBOX', 7, a.id * 10 + k.j,"
	    " 'm' || (a.id * 10 + k.j) || '@old.example.org', printf('%064x', a.id * 10 + k.j), 4000,"
	    " 'moved', CASE k.j WHEN 0 THEN 'application' ELSE 'correspondence' END, a.email,"
	    " CASE k.j WHEN 0 THEN 'Application' ELSE 'Re: your application' END, a.id,"
	    " datetime(a.created_at, '+' || (k.j * 9) || ' days'),"
	    " datetime(a.created_at, '+' || (k.j * 9) || ' days') FROM applications a, k");
	sql(b, "UPDATE applications SET ledger_id = id * 10");
	sql(b, "INSERT INTO outbox (id, ledger_id, application_id, kind, rcpt, message_id, state,"
	    " attempts, next_attempt, created_at, sent_at)"
	    " SELECT l.id, l.id, l.application_id, CASE WHEN l.id % 10 = 0 THEN 'receipt' ELSE 'reply'"
	    " END, l.sender, '<r' || l.id || '@example.edu>', 'sent', 1, 0, l.received_at,"
	    " l.received_at FROM ledger l WHERE l.uidvalidity = 7");
	sql(b, "INSERT INTO documents (application_id, ledger_id, sha256, filename, content_type,"
	    " size, kind, doc_date, received, state, dated)"
	    " SELECT a.id, a.ledger_id, printf('%064x', a.id * 10 + k.j), 'document-' || k.j || '.pdf',"
	    " 'application/pdf', 90000, CASE k.j WHEN 0 THEN 'dean-letter' WHEN 1 THEN 'transcript'"
	    " WHEN 2 THEN 'immunization' WHEN 3 THEN 'titers' WHEN 4 THEN 'tb-ppd' ELSE 'insurance'"
	    " END, date(a.created_at), a.created_at, 'filed', 1 FROM applications a, k WHERE k.j < 6");
	sql(b, "INSERT INTO decisions (application_id, ledger_id, at, previous, status, missing,"
	    " reasons, cause) SELECT a.id, a.ledger_id + k.j, datetime(a.created_at, '+' || (k.j * 30)"
	    " || ' days'), CASE k.j WHEN 0 THEN NULL WHEN 1 THEN 'incomplete' ELSE 'complete' END,"
	    " CASE k.j WHEN 0 THEN 'incomplete' WHEN 1 THEN 'complete' ELSE a.status END, '[]', '[]',"
	    " 'message' FROM applications a, k WHERE k.j < 3");
	sql(b, "INSERT INTO events (application_id, ledger_id, at, what) SELECT a.id, a.ledger_id,"
	    " datetime(a.created_at, '+' || (k.j * 10) || ' days'), 'event ' || k.j"
	    " FROM applications a, k WHERE k.j < 5");
	sql(b, "INSERT INTO assignments (application_id, course, block, state, how, at)"
	    " SELECT a.id, c.course, c.block, 'active', 'lottery', a.updated_at FROM applications a"
	    " JOIN choices c ON c.application_id = a.id AND c.rank = 1 WHERE a.status = 'scheduled'");
	sql(b, "INSERT INTO waitlist (application_id, course, block, position, state, at)"
	    " SELECT a.id, c.course, c.block, a.id % 7 + 1, 'waiting', a.updated_at FROM applications a"
	    " JOIN choices c ON c.application_id = a.id AND c.rank = 1"
	    " WHERE a.status IN ('waitlisted', 'not-scheduled')");
	sql(b, "INSERT OR IGNORE INTO lotteries (block, seed, policy, draw, at, closed)"
	    " SELECT DISTINCT block, 1, 'lottery', '[]', block || '-01 00:00:00', 1 FROM choices");
	sql(b, "INSERT INTO outbox (kind, rcpt, message_id, state, created_at, sent_at)"
	    " SELECT 'digest:' || d, 'registrar@example.edu', '<digest-' || d || '@example.edu>', 'sent',"
	    " d || ' 08:00:00', d || ' 08:00:01' FROM (WITH RECURSIVE n(d) AS (SELECT date('"
	    TODAY "', '-3650 days') UNION ALL SELECT date(d, '+1 day') FROM n WHERE d < date('"
	    TODAY "', '-1 day')) SELECT d FROM n)");
	for (guint i = 0; i < indexes->len; i += 2)
		sql(b, g_ptr_array_index(indexes, i));
	sql(b, "COMMIT");
	sql(b, "PRAGMA cache_size = -2000");
	sql(b, "ANALYZE");
}

/* One message, as a pass handles it, in a transaction of its own. */
static void
deliver(struct bench *b, const char *raw)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(Facts) f = message_parse(raw, strlen(raw), &err);
	g_autofree char *sha256 = NULL;
	struct rawscan rs;
	struct ledger_key k = { b->cfg->account, b->cfg->mailbox, 1, ++b->uid };

	if (f == NULL)
		g_error("%s", err->message);
	rawscan_init(&rs);
	rawscan_feed(&rs, raw, strlen(raw));
	sha256 = rawscan_finish(&rs);
	if (!ledger_note_uidvalidity(b->st, k.account, k.mailbox, k.uidvalidity, &err) ||
	    !store_begin(b->st, &err) || !store_savepoint(b->st, &err) ||
	    process_message(&b->pc, &k, f, &rs, sha256, raw, &err) <= 0 ||
	    !store_release(b->st, &err) || !docstore_sync(b->cfg->documents, &err) ||
	    !store_commit(b->st, &err))
		g_error("deliver: %s", err ? err->message : "?");
}

static char *
application(int i)
{
	return g_strdup_printf("From: Student %d <new%d@med.example.edu>\r\nTo: clerkship@example.edu\r\n"
	    "Subject: Visiting clerkship application\r\nMessage-ID: <new-%d@med.example.edu>\r\n"
	    "Date: Tue, 20 Oct 2026 09:00:00 +0000\r\n\r\nFull name: Student %d\r\n"
	    "Email: new%d@med.example.edu\r\nMedical school: Example University School of Medicine\r\n"
	    "School country: United States\r\nYear of study: final\r\nExpected graduation: 2027-05\r\n"
	    "Degree held: none\r\nCore clerkships completed: medicine, surgery, pediatrics,"
	    " obstetrics-gynecology\r\nRequest type: clerkship\r\nEnglish proficiency: native\r\n"
	    "Choice 1: MED-401 2027-03\r\nChoice 2: SUR-512 2027-03\r\n", i, i, i, i, i);
}

static char *
ref_of(struct bench *b, int i)
{
	g_autofree char *q = g_strdup_printf("SELECT reference FROM applications WHERE email ="
	    " 'new%d@med.example.edu'", i);
	sqlite3_stmt *s;
	char *ref = NULL;

	sqlite3_prepare_v2(store_db(b->st), q, -1, &s, NULL);
	if (sqlite3_step(s) == SQLITE_ROW)
		ref = g_strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (ref == NULL)
		g_error("no application from new%d", i);
	return ref;
}

static void
emit(JsonNode *node)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree char *text = NULL;

	if (node == NULL)
		g_error("report failed");
	json_generator_set_root(gen, node);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, NULL);
	json_node_unref(node);
	if (strlen(text) < 2)
		g_error("empty report");
}

static void
quiet(const char *domain, GLogLevelFlags level, const char *msg, gpointer data)
{
	(void)domain;
	(void)data;
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
		fprintf(stderr, "fifty: %s\n", msg);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of RUNS runs of one operation. */
static void
measure(struct bench *b, enum op op, int *next, double *wall, double *cpus)
{
	double t[RUNS], c[RUNS];
	g_autofree char *ref = ref_of(b, 1);

	for (int r = 0; r < RUNS; r++) {
		g_autofree char *raw = NULL;
		g_autoptr(GError) err = NULL;
		double t0, c0;
		if (op == OP_MESSAGE)
			raw = application((*next)++);
		else if (op == OP_STATUS)
			raw = g_strdup_printf("From: Student 1 <new1@med.example.edu>\r\n"
			    "To: clerkship@example.edu\r\nSubject: status\r\n"
			    "Message-ID: <status-%d@med.example.edu>\r\n\r\nWhat is the status of %s?\r\n",
			    (*next)++, ref);
		c0 = cpu();
		t0 = now();
		switch (op) {
		case OP_MESSAGE:
		case OP_STATUS:
			deliver(b, raw);
			break;
		case OP_LIST:
			emit(report_list(b->st, "complete", &err));
			break;
		case OP_SHOW:
			emit(report_show(b->st, ref, &err));
			break;
		case OP_DIGEST: {
			g_autofree char *text = NULL, *html = NULL;
			gboolean news;
			if (!digest_render(b->cfg, b->st, TODAY, &text, &html, &news, &err))
				g_error("digest: %s", err->message);
			break;
		}
		default:
			break;
		}
		t[r] = now() - t0;
		c[r] = cpu() - c0;
	}
	qsort(t, RUNS, sizeof t[0], cmp_double);
	qsort(c, RUNS, sizeof c[0], cmp_double);
	*wall = t[RUNS / 2];
	*cpus = c[RUNS / 2];
}

/* FIFTY_TRACE: print each statement that took over 0.5 ms, or scanned. */
static int
trace(unsigned type, void *ctx, void *p, void *x)
{
	(void)ctx;
	int scan = type == SQLITE_TRACE_PROFILE ?
	    sqlite3_stmt_status(p, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1) : 0;
	int steps = type == SQLITE_TRACE_PROFILE ? sqlite3_stmt_status(p, SQLITE_STMTSTATUS_VM_STEP, 1) : 0;

	if (type == SQLITE_TRACE_PROFILE && (*(sqlite3_int64 *)x > 500000 || scan > 100 || steps > 5000)) {
		char *text = sqlite3_expanded_sql(p);
		fprintf(stderr, "fifty: %.2f ms, %d scan steps, %d steps: %.300s\n",
		    *(sqlite3_int64 *)x / 1e6, scan, steps, text);
		sqlite3_free(text);
	}
	return 0;
}

static void
run(struct bench *b, double cost[OP_N], double cpus[OP_N])
{
	if (g_getenv("FIFTY_CACHE") != NULL) {	/* an experiment: PRAGMA cache_size (KB) */
		g_autofree char *c = g_strdup_printf("PRAGMA cache_size = -%s", g_getenv("FIFTY_CACHE"));
		sql(b, c);
	}
	if (g_getenv("FIFTY_MMAP") != NULL) {	/* an experiment: PRAGMA mmap_size (bytes) */
		g_autofree char *c = g_strdup_printf("PRAGMA mmap_size = %s", g_getenv("FIFTY_MMAP"));
		sql(b, c);
	}
	if (g_getenv("FIFTY_TRACE") != NULL)
		sqlite3_trace_v2(store_db(b->st), SQLITE_TRACE_PROFILE, trace, NULL);
	int next = 1;

	for (int i = 0; i < TERM; i++) {	/* the current term */
		g_autofree char *raw = application(next++);
		deliver(b, raw);
	}
	/* half of them complete, in both stores alike: what list --status complete lists */
	sql(b, "UPDATE applications SET status = 'complete', complete_on = '" TODAY "'"
	    " WHERE email LIKE 'new%' AND id % 2 = 0");
	for (int op = 0; op < OP_N; op++)
		measure(b, op, &next, &cost[op], &cpus[op]);
}

int
main(int argc, char **argv)
{
	int hist = argc > 1 ? atoi(argv[1]) : 100000;
	const char *top = g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".";
	g_autofree char *small = g_strdup_printf("clerkd-fifty-empty-%d", (int)getpid());
	g_autofree char *big = g_strdup_printf("clerkd-fifty-big-%d", (int)getpid());
	struct bench e = { 0 }, h = { 0 };
	double ce[OP_N], ch[OP_N], ue[OP_N], uh[OP_N], t0;
	int over = 0;

	g_setenv("CLERKD_NOW", TODAY, TRUE);
	util_log_init("fifty", FALSE);
	g_log_set_default_handler(quiet, NULL);	/* notices are not what is measured */
	open_bench(&e, top, small);
	open_bench(&h, top, big);
	t0 = now();
	history(&h, hist);
	printf("fifty: history of %d applications, %d messages generated in %.1f s\n", hist,
	    hist * 10, now() - t0);
	run(&e, ce, ue);
	run(&h, ch, uh);
	for (int op = 0; op < OP_N; op++) {
		double r = uh[op] / ue[op];
		over += r > 1.2;
		printf("fifty: %-7s empty %.4f s, 50 years %.4f s, ratio %.2f (target <= 1.2) %s;"
		    " wall %.4f s, %.4f s, ratio %.2f\n", op_name[op], ue[op], uh[op], r,
		    r > 1.2 ? "OVER" : "ok", ce[op], ch[op], ch[op] / ce[op]);
	}
	close_bench(&e);
	close_bench(&h);
	return over > 0 ? 2 : 0;
}
