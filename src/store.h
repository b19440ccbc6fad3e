/* store.h: the SQLite store: the connection, transactions, the schema and its
 * migrations, and the statement helpers the data modules (ledger.c,
 * outboxdb.c, dossier.c, ...) run their own tables' SQL with. One transaction
 * per batch. All memory returned belongs to the caller. */
#ifndef CLERK_STORE_H
#define CLERK_STORE_H

#include <glib.h>
#include <sqlite3.h>

#include "facts.h"

typedef struct store Store;

/* Once, at the start of a program, before any database is opened. */
void store_process_init(void);

/* Open (creating or migrating the schema); the file is made 0600. With
 * max_size > 0 the database may not grow past it: writes then fail as they
 * would on a full disk (temporary errors). A failure to open is
 * CLERK_ERROR_TEMP if the database is busy, else CLERK_ERROR_CONFIG. */
Store *store_open(const char *path, gsize max_size, GError **err);
void store_close(Store *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Store, store_close)
/* The handle: for read-only reports (report.c), and sqlite3_changes() after a write. */
sqlite3 *store_db(Store *st);
/* For the modules that own the tables: a cached statement
 * (reset, bindings cleared), a step that returns no row, and SQLite's codes
 * mapped to temporary or final errors as everywhere in the store. */
sqlite3_stmt *store_stmt(Store *st, const char *sql, GError **err);
gboolean store_done(Store *st, sqlite3_stmt *s, GError **err);
gboolean store_fail(Store *st, int rc, const char *what, GError **err);
/* Named parameters (":email"), bound by name: text (copied; NULL binds NULL),
 * an integer, a blob (not copied: it must outlive the step). A name the
 * statement does not have is a programming error. */
void store_bind_text(sqlite3_stmt *s, const char *name, const char *v);
void store_bind_int64(sqlite3_stmt *s, const char *name, gint64 v);
void store_bind_blob(sqlite3_stmt *s, const char *name, const void *data, gsize len);
/* A column's text, copied (NULL for NULL). */
char *store_col_text(sqlite3_stmt *s, int i);

/* Commits wait for the disk (FULL, the default: before any external effect)
 * or only for the OS (NORMAL: safe against a crash of clerkd, not of the
 * machine; for recording what was already done, such as a reply sent). */
gboolean store_set_durable(Store *st, gboolean full, GError **err);
gboolean store_begin(Store *st, GError **err);
gboolean store_commit(Store *st, GError **err);
void store_rollback(Store *st);
/* Nested savepoint around one message inside a batch. */
gboolean store_savepoint(Store *st, GError **err);
gboolean store_release(Store *st, GError **err);
void store_rollback_savepoint(Store *st);

/* What a pass saw and did (seen, handled, moved, failed, quarantined, sent,
 * deferred, replies failed), for clerkctl stats. */
gboolean store_note_pass(Store *st, const int figures[8], gboolean ok, GError **err);

/* An online copy of the database into path (SQLite's backup API): consistent
 * while clerkd runs. store_restore() copies one back over the live database. */
gboolean store_backup(Store *st, const char *path, GError **err);
gboolean store_restore(Store *st, const char *path, GError **err);

/* Closed applications (cancelled, ineligible, not-scheduled) untouched for
 * `days`: their references into refs. With apply, their documents, and the
 * personal data of the application, its messages and its replies, are erased
 * in one transaction (the reference and the bare facts remain), and files
 * gets the digests of the document files no other application holds, for the
 * caller to remove after the commit. Returns the count, -1 on error. */
int store_purge(Store *st, int days, gboolean apply, GPtrArray *refs, GPtrArray *files,
    GError **err);

#endif
