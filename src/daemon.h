/* daemon.h: clerkd running: passes over the inbox when mail arrives (IMAP
 * IDLE where the server offers it) or when the poll timer fires, with backoff
 * after failures, until SIGTERM or SIGINT; SIGHUP reloads. */
#ifndef CLERK_DAEMON_H
#define CLERK_DAEMON_H

#include "config.h"
#include "imap.h"
#include "outbox.h"
#include "store.h"

/* One pass and a log line about it; FALSE if it failed or replies wait. conn
 * (may be NULL) keeps the IMAP connection between passes (pipeline_pass);
 * *left (may be NULL) is what the pass left in the inbox. */
gboolean daemon_pass(const struct config *cfg, Store *st, Outbox *ob, Imap **conn, int *left);
/* `clerkd --once`: offers past their deadline lapse (no lottery is drawn,
 * no reminder sent: `clerkctl due` does those), then one pass. */
gboolean daemon_once(const struct config *cfg, Store *st, Outbox *ob);
/* Run until SIGTERM or SIGINT; SIGHUP reloads the configuration from path
 * (a broken one is refused and the running one kept). Takes cfg; returns the
 * exit code. */
int daemon_run(const char *path, struct config *cfg, Store *st, Outbox *ob);

#endif
