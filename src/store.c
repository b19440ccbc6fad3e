/* store.c: the SQLite store: the connection, transactions and savepoints,
 * durability, the schema and its migrations, statements prepared once and
 * cached, named parameters, backup and restore, the passes table and the
 * purge. Each table's own SQL is in the module that owns it. */
#include "store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct store {
	sqlite3 *db;
	GHashTable *stmts;	/* SQL text (static) -> sqlite3_stmt */
	char *path;
};


static const char schema[] =
    "CREATE TABLE IF NOT EXISTS mailboxes ("
    "  account TEXT NOT NULL, mailbox TEXT NOT NULL, uidvalidity INTEGER NOT NULL,"
    "  first_seen TEXT NOT NULL DEFAULT (datetime('now')),"
    "  PRIMARY KEY (account, mailbox, uidvalidity));"
    "CREATE TABLE IF NOT EXISTS ledger ("
    "  id INTEGER PRIMARY KEY,"
    "  account TEXT NOT NULL, mailbox TEXT NOT NULL,"
    "  uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,"
    "  message_id TEXT, sha256 TEXT, size INTEGER,"
    "  state TEXT NOT NULL, class TEXT, reason TEXT, sender TEXT, subject TEXT,"
    "  attempts INTEGER NOT NULL DEFAULT 0, error TEXT,"
    "  application_id INTEGER, duplicate_of INTEGER,"
    "  q_uidvalidity INTEGER, q_uid INTEGER,"
    "  received_at TEXT NOT NULL DEFAULT (datetime('now')),"
    "  updated_at TEXT NOT NULL DEFAULT (datetime('now')),"
    "  UNIQUE (account, mailbox, uidvalidity, uid));"
    "CREATE INDEX IF NOT EXISTS ledger_identity ON ledger (sha256, message_id);"
    "CREATE TABLE IF NOT EXISTS ref_counter (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS reserved_refs ("
    "  email TEXT PRIMARY KEY, reference TEXT NOT NULL UNIQUE,"
    "  created_at TEXT NOT NULL DEFAULT (datetime('now')));"
    "CREATE TABLE IF NOT EXISTS applications ("
    "  id INTEGER PRIMARY KEY, reference TEXT NOT NULL UNIQUE,"
    "  email TEXT NOT NULL, name TEXT NOT NULL, school TEXT, country TEXT,"
    "  status TEXT NOT NULL DEFAULT 'received', flags TEXT, form TEXT,"
    "  ledger_id INTEGER,"
    "  created_at TEXT NOT NULL DEFAULT (datetime('now')),"
    "  updated_at TEXT NOT NULL DEFAULT (datetime('now')));"
    "CREATE INDEX IF NOT EXISTS applications_email ON applications (email);"
    "CREATE TABLE IF NOT EXISTS choices ("
    "  application_id INTEGER NOT NULL REFERENCES applications(id),"
    "  rank INTEGER NOT NULL, course TEXT NOT NULL, block TEXT NOT NULL,"
    "  PRIMARY KEY (application_id, rank));"
    "CREATE TABLE IF NOT EXISTS documents ("
    "  id INTEGER PRIMARY KEY,"
    "  application_id INTEGER NOT NULL REFERENCES applications(id),"
    "  ledger_id INTEGER, sha256 TEXT NOT NULL, filename TEXT, content_type TEXT,"
    "  size INTEGER NOT NULL, kind TEXT, doc_date TEXT, received TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS documents_app ON documents (application_id);"
    "CREATE TABLE IF NOT EXISTS events ("
    "  id INTEGER PRIMARY KEY, application_id INTEGER, ledger_id INTEGER,"
    "  at TEXT NOT NULL DEFAULT (datetime('now')), what TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS outbox ("
    "  id INTEGER PRIMARY KEY, ledger_id INTEGER, application_id INTEGER,"
    "  kind TEXT NOT NULL, rcpt TEXT NOT NULL, message_id TEXT NOT NULL UNIQUE,"
    "  state TEXT NOT NULL DEFAULT 'queued',"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  created_at TEXT NOT NULL DEFAULT (datetime('now')), sent_at TEXT);"
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt);"
    /* The message itself apart, so that recording a send rewrites one small row. */
    "CREATE TABLE IF NOT EXISTS outbox_raw ("
    "  outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id), raw BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS outbox_rcpt ON outbox (rcpt, created_at);"
    "CREATE INDEX IF NOT EXISTS outbox_sent ON outbox (sent_at);"
    "CREATE TABLE IF NOT EXISTS bounces ("
    "  id INTEGER PRIMARY KEY, outbox_id INTEGER NOT NULL REFERENCES outbox(id),"
    "  address TEXT NOT NULL, status TEXT, ledger_id INTEGER,"
    "  at TEXT NOT NULL DEFAULT (datetime('now')));"
    "CREATE INDEX IF NOT EXISTS bounces_address ON bounces (address);"
    "CREATE TABLE IF NOT EXISTS passes ("
    "  id INTEGER PRIMARY KEY, at TEXT NOT NULL DEFAULT (datetime('now')),"
    "  seen INTEGER, handled INTEGER, moved INTEGER, failed INTEGER, quarantined INTEGER,"
    "  sent INTEGER, deferred INTEGER, replies_failed INTEGER, ok INTEGER);";

/* Migrations by PRAGMA user_version: migrations[n] takes a database from
 * version n to n + 1; those a store still needs are taken in one
 * transaction. A new version is a new entry at the end; entries are never
 * changed once released. */
/* 1 -> 2: decisions (status with its reasons and missing items, and their
 * audit trail), and what became of each document. */
static const char v2[] =
    "ALTER TABLE applications ADD COLUMN missing TEXT NOT NULL DEFAULT '[]';"
    "ALTER TABLE applications ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';"
    "ALTER TABLE documents ADD COLUMN state TEXT NOT NULL DEFAULT 'filed';"
    "ALTER TABLE documents ADD COLUMN dated INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE documents ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE documents ADD COLUMN positive INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE documents ADD COLUMN source TEXT;"
    "ALTER TABLE documents ADD COLUMN note TEXT;"
    "CREATE TABLE decisions ("
    "  id INTEGER PRIMARY KEY, application_id INTEGER NOT NULL REFERENCES applications(id),"
    "  ledger_id INTEGER, at TEXT NOT NULL DEFAULT (datetime('now')),"
    "  previous TEXT, status TEXT NOT NULL, missing TEXT NOT NULL, reasons TEXT NOT NULL,"
    "  cause TEXT NOT NULL);"
    "CREATE INDEX decisions_app ON decisions (application_id);"
    "CREATE INDEX applications_person ON applications (name, school);";

/* 2 -> 3: scheduling: lotteries drawn, seats given, waitlists, and the
 * confirmations students give for a cancellation or a change. */
static const char v3[] =
    "CREATE TABLE lotteries ("
    "  block TEXT PRIMARY KEY, seed INTEGER NOT NULL, policy TEXT NOT NULL,"
    "  draw TEXT NOT NULL, at TEXT NOT NULL DEFAULT (datetime('now')),"
    "  closed INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE assignments ("
    "  id INTEGER PRIMARY KEY, application_id INTEGER NOT NULL REFERENCES applications(id),"
    "  course TEXT NOT NULL, block TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'active',"
    "  how TEXT NOT NULL, at TEXT NOT NULL DEFAULT (datetime('now')));"
    "CREATE INDEX assignments_slot ON assignments (block, course, state);"
    "CREATE INDEX assignments_app ON assignments (application_id);"
    "CREATE TABLE waitlist ("
    "  id INTEGER PRIMARY KEY, application_id INTEGER NOT NULL REFERENCES applications(id),"
    "  course TEXT NOT NULL, block TEXT NOT NULL, position INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'waiting', at TEXT NOT NULL DEFAULT (datetime('now')));"
    "CREATE INDEX waitlist_slot ON waitlist (block, course, state, position);"
    "CREATE INDEX waitlist_app ON waitlist (application_id);"
    "CREATE TABLE confirmations ("
    "  token TEXT PRIMARY KEY, application_id INTEGER NOT NULL REFERENCES applications(id),"
    "  action TEXT NOT NULL, detail TEXT, message_id TEXT, expires TEXT NOT NULL,"
    "  used_at TEXT, created_at TEXT NOT NULL DEFAULT (datetime('now')));"
    "CREATE INDEX confirmations_msgid ON confirmations (message_id);";

/* 3 -> 4: reminders sent, each once. */
static const char v4[] =
    "CREATE TABLE reminders ("
    "  id INTEGER PRIMARY KEY, application_id INTEGER NOT NULL REFERENCES applications(id),"
    "  kind TEXT NOT NULL, key TEXT NOT NULL, at TEXT NOT NULL DEFAULT (datetime('now')),"
    "  UNIQUE (application_id, kind, key));";

/* 4 -> 5: the lookups by name and school (another application from the same
 * person) and by reference compare without case; their indexes must too, or
 * each new application reads the whole table. */
static const char v5[] =
    "DROP INDEX applications_person;"
    "CREATE INDEX applications_person ON applications (name COLLATE NOCASE, school COLLATE NOCASE);"
    "CREATE INDEX applications_reference ON applications (reference COLLATE NOCASE);";

/* 5 -> 6: documents sent with a first contact (no application yet), kept for
 * the sender's address and credited to the application when it arrives from
 * that address (application_id and document_id are set then). */
static const char v6[] =
    "CREATE TABLE kept_documents ("
    "  id INTEGER PRIMARY KEY, email TEXT NOT NULL, ledger_id INTEGER,"
    "  sha256 TEXT NOT NULL, filename TEXT, content_type TEXT, size INTEGER NOT NULL,"
    "  received TEXT NOT NULL, kind TEXT, doc_date TEXT, dated INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL DEFAULT 'filed', pending INTEGER NOT NULL DEFAULT 0,"
    "  positive INTEGER NOT NULL DEFAULT 0, source TEXT, note TEXT,"
    "  application_id INTEGER REFERENCES applications(id), document_id INTEGER);"
    "CREATE INDEX kept_documents_email ON kept_documents (email, application_id);";

/* 6 -> 7: seats offered from a waitlist, each waiting for its student's
 * answer (a confirmation token) until its deadline: open, then accepted,
 * declined, lapsed, withdrawn (the application or block cancelled) or closed
 * (the block started). An open offer holds its seat. And the confirmations
 * of an application (each message from it reads them) by an index. */
static const char v7[] =
    "CREATE TABLE offers ("
    "  id INTEGER PRIMARY KEY, application_id INTEGER NOT NULL REFERENCES applications(id),"
    "  waitlist_id INTEGER NOT NULL REFERENCES waitlist(id),"
    "  course TEXT NOT NULL, block TEXT NOT NULL, token TEXT NOT NULL, expires TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'open', at TEXT NOT NULL DEFAULT (datetime('now')),"
    "  answered_at TEXT);"
    "CREATE INDEX offers_slot ON offers (block, course, state);"
    "CREATE INDEX offers_app ON offers (application_id, state);"
    "CREATE INDEX offers_due ON offers (state, expires);"
    "CREATE INDEX confirmations_app ON confirmations (application_id, used_at);";

/* 7 -> 8: the day an application last became complete (CLERKD_NOW or today),
 * for the documents deadline of each block (policy documents_due_days);
 * NULL while it is not complete. Applications complete already take the day
 * of the decision that made them so. */
static const char v8[] =
    "ALTER TABLE applications ADD COLUMN complete_on TEXT;"
    "UPDATE applications SET complete_on = (SELECT date(max(d.at)) FROM decisions d"
    "  WHERE d.application_id = applications.id AND d.status = 'complete'"
    "  AND d.previous IN ('received', 'early', 'incomplete', 'ineligible'))"
    " WHERE status IN ('complete', 'scheduled', 'waitlisted', 'not-scheduled');";

/* 8 -> 9: a coordinator's exceptions (staff command override): the rule of
 * eligibility.ini, or the document kind, that no longer counts against one
 * application, with the reason, who made it and when. */
static const char v9[] =
    "CREATE TABLE overrides ("
    "  id INTEGER PRIMARY KEY, application_id INTEGER NOT NULL REFERENCES applications(id),"
    "  rule TEXT NOT NULL, reason TEXT NOT NULL, actor TEXT NOT NULL,"
    "  at TEXT NOT NULL DEFAULT (datetime('now')), UNIQUE (application_id, rule));";
/* 9 -> 10: the notice to staff before a block's lottery (lottery_notice_days),
 * sent once per block: the day it was sent. */
static const char v10[] =
    "CREATE TABLE lottery_notices ("
    "  block TEXT PRIMARY KEY, at TEXT NOT NULL DEFAULT (datetime('now')));";

/* 10 -> 11: 50 years of the program (issue #19): what reads one application's
 * history (clerkctl show, every message from it) and what the daily digest
 * counts by an index, never by reading all the years: messages, replies and
 * events of an application, applications by status and by day, replies by
 * kind (the digests sent, questions), decisions by day, documents waiting,
 * messages in quarantine, bounces by day, the choices of a block. */
static const char v11[] =
    "CREATE INDEX ledger_app ON ledger (application_id);"
    "CREATE INDEX ledger_quarantined ON ledger (id) WHERE state = 'quarantined';"
    "CREATE INDEX outbox_app ON outbox (application_id, kind);"
    "CREATE INDEX outbox_kind ON outbox (kind, created_at);"
    "CREATE INDEX events_app ON events (application_id);"
    "CREATE INDEX applications_status ON applications (status);"
    "CREATE INDEX applications_created ON applications (created_at);"
    "CREATE INDEX decisions_at ON decisions (at);"
    "CREATE INDEX documents_state ON documents (state, kind);"
    "CREATE INDEX documents_undated ON documents (application_id) WHERE dated = 0;"
    "CREATE INDEX bounces_at ON bounces (at);"
    "CREATE INDEX choices_block ON choices (block, course);";
/* 11 -> 12: the files clerkd mailed to an applicant (acceptance letters,
 * calendar entries), kept in the document store as sent documents: once a
 * content (a resend of the same bytes is the same row). Never documents
 * received: the rules never count them. */
static const char v12[] =
    "CREATE TABLE sent_documents ("
    "  id INTEGER PRIMARY KEY, application_id INTEGER NOT NULL REFERENCES applications(id),"
    "  sha256 TEXT NOT NULL, filename TEXT NOT NULL, content_type TEXT NOT NULL,"
    "  size INTEGER NOT NULL, mail TEXT NOT NULL, sent TEXT NOT NULL, last_sent TEXT NOT NULL,"
    "  UNIQUE (application_id, sha256));";

static const char *const migrations[] = {
	schema,		/* 0 -> 1: the first schema */
	v2,		/* 1 -> 2: decisions and document states */
	v3,		/* 2 -> 3: scheduling and confirmations */
	v4,		/* 3 -> 4: reminders */
	v5,		/* 4 -> 5: indexes that compare without case */
	v6,		/* 5 -> 6: first-contact documents kept for their sender */
	v7,		/* 6 -> 7: seats offered from a waitlist */
	v8,		/* 7 -> 8: the day an application became complete */
	v9,		/* 8 -> 9: a coordinator's exceptions (overrides) */
	v10,		/* 9 -> 10: the notices before each lottery, once per block */
	v11,		/* 10 -> 11: indexes for 50 years of history (#19) */
	v12,		/* 11 -> 12: files mailed to applicants, kept as sent documents */
};
#define SCHEMA_VERSION ((int)G_N_ELEMENTS(migrations))

static gboolean
db_fail(Store *st, int rc, GError **err, const char *what)
{
	int code = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_FULL ||
	    rc == SQLITE_IOERR || rc == SQLITE_NOMEM) ? CLERK_ERROR_TEMP : CLERK_ERROR_FINAL;

	g_set_error(err, CLERK_ERROR, code, "database: %s: %s", what,
	    st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
	return FALSE;
}

static gboolean
exec(Store *st, const char *sql, GError **err)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? TRUE : db_fail(st, rc, err, sql);
}

/* A cached statement, reset and with bindings cleared. */
static sqlite3_stmt *
stmt(Store *st, const char *sql, GError **err)
{
	sqlite3_stmt *s = g_hash_table_lookup(st->stmts, sql);
	int rc;

	if (s != NULL) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK) {
		db_fail(st, rc, err, "prepare");
		return NULL;
	}
	g_hash_table_insert(st->stmts, (gpointer)sql, s);
	return s;
}

/* Run a statement that returns no rows. */
static gboolean
done(Store *st, sqlite3_stmt *s, GError **err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? TRUE : db_fail(st, rc, err, "step");
}

sqlite3_stmt *
store_stmt(Store *st, const char *sql, GError **err)
{
	return stmt(st, sql, err);
}

gboolean
store_done(Store *st, sqlite3_stmt *s, GError **err)
{
	return done(st, s, err);
}

gboolean
store_fail(Store *st, int rc, const char *what, GError **err)
{
	return db_fail(st, rc, err, what);
}

static int
param(sqlite3_stmt *s, const char *name)
{
	int i = sqlite3_bind_parameter_index(s, name);

	if (i == 0)
		g_critical("no parameter %s in: %s", name, sqlite3_sql(s));
	return i;
}

void
store_bind_text(sqlite3_stmt *s, const char *name, const char *v)
{
	int i = param(s, name);

	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

void
store_bind_int64(sqlite3_stmt *s, const char *name, gint64 v)
{
	sqlite3_bind_int64(s, param(s, name), v);
}

void
store_bind_blob(sqlite3_stmt *s, const char *name, const void *data, gsize len)
{
	sqlite3_bind_blob64(s, param(s, name), data, len, SQLITE_STATIC);
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

char *
store_col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? g_strdup((const char *)t) : NULL;
}

static gboolean
make_private(const char *path, GError **err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd == -1 || fchmod(fd, 0600) == -1) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: %s", path, g_strerror(errno));
		if (fd != -1)
			close(fd);
		return FALSE;
	}
	close(fd);
	return TRUE;
}

static void
finalize(gpointer s)
{
	sqlite3_finalize(s);
}

static Store *
open_db(const char *path, gsize max_size, GError **err)
{
	g_autoptr(Store) st = g_new0(Store, 1);
	g_autofree char *dir = g_path_get_dirname(path);
	int rc, version = 0;

	st->path = g_strdup(path);
	st->stmts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, finalize);
	if (g_mkdir_with_parents(dir, 0700) == -1) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: %s", dir, g_strerror(errno));
		return NULL;
	}
	if (!make_private(path, err))
		return NULL;
	if ((rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL)) != SQLITE_OK) {
		db_fail(st, rc, err, path);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 0);
	/* Temporary data (the statement journal of each message's savepoint above
	 * all) in memory: it is bounded by one message's changes, and students'
	 * data then never lands in /var/tmp. */
	if (!exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
	    " PRAGMA temp_store=MEMORY;", err))
		return NULL;
	{
		sqlite3_stmt *s = stmt(st, "PRAGMA user_version", err);
		if (s == NULL)
			return NULL;
		if (sqlite3_step(s) == SQLITE_ROW)
			version = sqlite3_column_int(s, 0);
		sqlite3_reset(s);
	}
	if (max_size > 0) {
		g_autofree char *sql = g_strdup_printf("PRAGMA max_page_count = %" G_GSIZE_FORMAT,
		    MAX(max_size / 4096, 16));
		if (!exec(st, "PRAGMA page_size = 4096", err) || !exec(st, sql, err))
			return NULL;
	}
	if (version > SCHEMA_VERSION) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG,
		    "%s: schema version %d is newer than this clerkd (%d)", path, version, SCHEMA_VERSION);
		return NULL;
	}
	/* Every step still to take, in one transaction: a new store is made in
	 * one commit (one fdatasync) rather than one per version. */
	if (version < SCHEMA_VERSION) {
		g_autoptr(GString) sql = g_string_new("BEGIN IMMEDIATE;");
		for (int v = version; v < SCHEMA_VERSION; v++)
			g_string_append(sql, migrations[v]);
		g_string_append_printf(sql, " PRAGMA user_version=%d; COMMIT;", SCHEMA_VERSION);
		if (!exec(st, sql->str, err)) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return NULL;
		}
		if (version > 0)
			g_message("%s: schema migrated from version %d to %d", path, version,
			    SCHEMA_VERSION);
	}
	return g_steal_pointer(&st);
}

void
store_process_init(void)
{
	/* No memory statistics: they take a global mutex on every allocation
	 * SQLite makes (no figure of clerkd reads them). */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

Store *
store_open(const char *path, gsize max_size, GError **err)
{
	GError *lerr = NULL;
	Store *st = open_db(path, max_size, &lerr);

	/* A database that cannot be opened, read or migrated, and not merely
	 * busy, is a matter for whoever configured it (exit 78). */
	if (st == NULL && lerr->domain == CLERK_ERROR && lerr->code == CLERK_ERROR_FINAL)
		lerr->code = CLERK_ERROR_CONFIG;
	if (st == NULL)
		g_propagate_error(err, lerr);
	return st;
}

void
store_close(Store *st)
{
	if (st == NULL)
		return;
	g_hash_table_destroy(st->stmts);
	if (st->db != NULL)
		sqlite3_close(st->db);
	g_free(st->path);
	g_free(st);
}

sqlite3 *
store_db(Store *st)
{
	return st->db;
}

gboolean
store_set_durable(Store *st, gboolean full, GError **err)
{
	return exec(st, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", err);
}

gboolean
store_begin(Store *st, GError **err)
{
	return exec(st, "BEGIN IMMEDIATE", err);
}

gboolean
store_commit(Store *st, GError **err)
{
	if (exec(st, "COMMIT", err))
		return TRUE;
	store_rollback(st);
	return FALSE;
}

void
store_rollback(Store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean
store_savepoint(Store *st, GError **err)
{
	return exec(st, "SAVEPOINT msg", err);
}

gboolean
store_release(Store *st, GError **err)
{
	return exec(st, "RELEASE msg", err);
}

void
store_rollback_savepoint(Store *st)
{
	sqlite3_exec(st->db, "ROLLBACK TO msg; RELEASE msg", NULL, NULL, NULL);
}

gboolean
store_note_pass(Store *st, const int figures[8], gboolean ok, GError **err)
{
	sqlite3_stmt *s = stmt(st, "INSERT INTO passes (seen, handled, moved, failed, quarantined,"
	    " sent, deferred, replies_failed, ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", err);

	if (s == NULL)
		return FALSE;
	for (int i = 0; i < 8; i++)
		sqlite3_bind_int(s, i + 1, figures[i]);
	sqlite3_bind_int(s, 9, ok);
	if (!done(st, s, err))
		return FALSE;
	/* A day of passes at one a second is plenty of history. */
	return exec(st, "DELETE FROM passes WHERE id <= (SELECT max(id) FROM passes) - 100000", err);
}

/* Copy database `from` into `to` with SQLite's online backup. */
static gboolean
copy_db(sqlite3 *to, sqlite3 *from, const char *what, GError **err)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	int rc;

	if (b == NULL) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s", what, sqlite3_errmsg(to));
		return FALSE;
	}
	while ((rc = sqlite3_backup_step(b, 1024)) == SQLITE_OK || rc == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED)
		sqlite3_sleep(50);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s", what, sqlite3_errstr(rc));
		return FALSE;
	}
	return TRUE;
}

gboolean
store_backup(Store *st, const char *path, GError **err)
{
	sqlite3 *dst = NULL;
	gboolean ok;

	if (!make_private(path, err))
		return FALSE;
	if (sqlite3_open(path, &dst) != SQLITE_OK) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s", path, sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return FALSE;
	}
	ok = copy_db(dst, st->db, path, err);
	return sqlite3_close(dst) == SQLITE_OK && ok;
}

gboolean
store_restore(Store *st, const char *path, GError **err)
{
	sqlite3 *src = NULL;
	gboolean ok;

	if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "%s: %s", path, sqlite3_errmsg(src));
		sqlite3_close(src);
		return FALSE;
	}
	ok = copy_db(st->db, src, path, err);
	sqlite3_close(src);
	return ok;
}

/* Step s with text parameters 1..binds set to value, adding each row's first
 * column to out. */
static gboolean
collect(Store *st, sqlite3_stmt *s, const char *value, int binds, GPtrArray *out, GError **err)
{
	int rc;

	for (int i = 1; i <= binds; i++)
		bind_text(s, i, value);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		g_ptr_array_add(out, store_col_text(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, rc, err, "purge");
	return TRUE;
}

int
store_purge(Store *st, int days, gboolean apply, GPtrArray *refs, GPtrArray *files, GError **err)
{
	static const char *const erase[] = {
		"DELETE FROM sent_documents WHERE application_id IN"
		" (SELECT id FROM applications WHERE reference IN (SELECT value FROM json_each(?)))",
		"DELETE FROM outbox_raw WHERE outbox_id IN (SELECT o.id FROM outbox o JOIN applications a"
		" ON a.id = o.application_id WHERE a.reference IN (SELECT value FROM json_each(?)))",
		"UPDATE outbox SET rcpt = '', last_error = NULL WHERE application_id IN"
		" (SELECT id FROM applications WHERE reference IN (SELECT value FROM json_each(?)))",
		"UPDATE ledger SET sender = NULL, subject = NULL WHERE application_id IN"
		" (SELECT id FROM applications WHERE reference IN (SELECT value FROM json_each(?)))",
		"DELETE FROM documents WHERE application_id IN"
		" (SELECT id FROM applications WHERE reference IN (SELECT value FROM json_each(?)))",
		"DELETE FROM kept_documents WHERE application_id IN"
		" (SELECT id FROM applications WHERE reference IN (SELECT value FROM json_each(?)))",
		"UPDATE applications SET name = '(purged)', email = '', school = NULL, country = NULL,"
		" form = NULL, flags = trim(coalesce(flags, '') || ',purged', ','),"
		" updated_at = datetime('now') WHERE reference IN (SELECT value FROM json_each(?))",
	};
	g_autofree char *window = g_strdup_printf("-%d days", days);
	g_autoptr(GString) json = g_string_new("[");
	sqlite3_stmt *s;

	if (apply && !store_begin(st, err))
		return -1;
	if ((s = stmt(st, "SELECT reference FROM applications WHERE status IN"
	    " ('cancelled', 'ineligible', 'not-scheduled') AND updated_at < datetime('now', ?)"
	    " AND coalesce(flags, '') NOT LIKE '%purged%' ORDER BY id", err)) == NULL ||
	    !collect(st, s, window, 1, refs, err))
		goto fail;
	if (!apply || refs->len == 0) {
		if (apply)
			store_rollback(st);
		return (int)refs->len;
	}
	for (guint i = 0; i < refs->len; i++)
		g_string_append_printf(json, "%s\"%s\"", i ? "," : "", (char *)refs->pdata[i]);
	g_string_append_c(json, ']');
	/* Files only these applications hold, before their rows go; then the
	 * files mailed to them (letters and calendar entries name them). */
	if ((s = stmt(st, "SELECT DISTINCT d.sha256 FROM documents d JOIN applications a"
	    " ON a.id = d.application_id WHERE a.reference IN (SELECT value FROM json_each(?))"
	    " AND NOT EXISTS (SELECT 1 FROM documents o JOIN applications b ON b.id = o.application_id"
	    "   WHERE o.sha256 = d.sha256 AND b.reference NOT IN (SELECT value FROM json_each(?)))"
	    " AND NOT EXISTS (SELECT 1 FROM kept_documents k WHERE k.sha256 = d.sha256"
	    "   AND k.application_id IS NULL)", err)) == NULL ||
	    !collect(st, s, json->str, 2, files, err) ||
	    (s = stmt(st, "SELECT DISTINCT d.sha256 FROM sent_documents d JOIN applications a"
	    " ON a.id = d.application_id WHERE a.reference IN (SELECT value FROM json_each(?))"
	    " AND NOT EXISTS (SELECT 1 FROM documents o WHERE o.sha256 = d.sha256)", err)) == NULL ||
	    !collect(st, s, json->str, 1, files, err))
		goto fail;
	for (gsize i = 0; i < G_N_ELEMENTS(erase); i++) {
		if ((s = stmt(st, erase[i], err)) == NULL)
			goto fail;
		bind_text(s, 1, json->str);
		if (!done(st, s, err))
			goto fail;
	}
	if (!store_commit(st, err))
		return -1;
	g_message("purged %u closed application%s", refs->len, refs->len == 1 ? "" : "s");
	return (int)refs->len;
fail:
	if (apply)
		store_rollback(st);
	return -1;
}
