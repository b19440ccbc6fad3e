/* process.h: one message, from raw bytes to stored effects and a queued reply.
 * Runs inside the caller's transaction; touches neither IMAP nor SMTP. */
#ifndef CLERK_PROCESS_H
#define CLERK_PROCESS_H

#include "ctx.h"
#include "ledger.h"

/* Record, classify and handle one message, parsed into f and scanned as it
 * came (raw: its bytes if held in memory, else NULL); queue at most one reply
 * to its sender: the effects the domain asks for are applied (effects.h)
 * before it returns. Returns the ledger id, or 0 with an error (the
 * transaction, or the message's savepoint, is then the caller's to roll back). */
struct rawscan;
struct facts;
gint64 process_message(struct process_ctx *pc, const struct ledger_key *k, struct facts *f,
    const struct rawscan *rs, const char *sha256, const char *raw, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* A message over the size limit, known by its header and size alone: recorded,
 * and answered with a polite note naming the limit unless it is automatic mail. */
gint64 process_oversize(struct process_ctx *pc, const struct ledger_key *k, const char *header,
    gsize len, gsize size, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
