/* pipeline.h: one pass over the inbox: fetch what is new, handle it in batches
 * (one durable commit each), send the replies, and move it. */
#ifndef CLERK_PIPELINE_H
#define CLERK_PIPELINE_H

#include "config.h"
#include "imap.h"
#include "outbox.h"
#include "store.h"

struct pass_stats {
	int seen;		/* messages in the inbox */
	int handled;		/* newly handled this pass */
	int moved;
	int failed;		/* failed this pass, left in the inbox */
	int quarantined;
	int kept;		/* copied out (now or before), left in the inbox: no MOVE, no UIDPLUS */
	int left;		/* messages the pass leaves in the inbox, as far as it knows */
	struct outbox_result out;
};

/* Run one pass. FALSE with an error if the pass could not finish (the server
 * went away, the database is busy): nothing is lost, the next pass resumes.
 * conn (may be NULL) keeps the IMAP connection from one pass to the next:
 * *conn NULL, the pass logs in and leaves its connection there, INBOX
 * selected; a kept connection the server has closed meanwhile is replaced
 * once; after a failed pass *conn is NULL. */
gboolean pipeline_pass(const struct config *cfg, Store *st, Outbox *ob, Imap **conn,
    struct pass_stats *ps, GError **err);

#endif
