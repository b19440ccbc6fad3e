/* fetch.h: a batch of messages off the IMAP server and parsed, on threads of
 * their own, handed over one at a time, so that handling one overlaps parsing
 * the next and fetching the one after. Memory is bounded: a message is held in memory
 * up to FETCH_SPOOL_MIN bytes and spooled to a file beyond that, and the
 * thread waits while more than FETCH_AHEAD bytes wait to be handled. */
#ifndef CLERK_FETCH_H
#define CLERK_FETCH_H

#include "imap.h"
#include "message.h"

#define FETCH_SPOOL_MIN (16 * 1024 * 1024)
/* 8 MB: the 200 x 1.4 MB backlog peaked at 49-55 MB against 57-72 MB with
 * 16 MB, for 2-3 % more wall time (four alternating runs each, bench/run.sh's
 * big backlog): the memory target (< 64 MB) is met every time. */
#define FETCH_AHEAD (8 * 1024 * 1024)

struct arrival {
	guint32 uid;
	GByteArray *raw;	/* the message in memory, or NULL if spooled (or parsed,
				 * unless a delivery report, which is read again) */
	gsize held;		/* bytes it counts against FETCH_AHEAD */
	int spool_fd;		/* else a private file holding it (-1 if none) */
	struct rawscan scan;	/* finished: size, header length, longest line */
	char *sha256;		/* of the raw message */
	struct facts *facts;	/* parsed, or NULL with error */
	GError *error;		/* it could not be kept (the spool failed: temporary) or
				 * is not a message (final) */
};

typedef struct fetch Fetch;

/* Start fetching uids (the session is the thread's until fetch_finish);
 * spool_all: messages known to be large go to a spool file from their first
 * byte, never into memory. */
Fetch *fetch_start(Imap *im, const guint32 *uids, guint n, const char *spool_dir,
    gboolean spool_all);
/* The next message, waiting for it; NULL once the fetch is over. */
struct arrival *fetch_next(Fetch *f);
/* Done with a message: its memory goes back to the budget. */
void fetch_release(Fetch *f, struct arrival *a);
/* Keep nothing more: the rest of the response is read and dropped. */
void fetch_abort(Fetch *f);
/* Wait for the thread; FALSE with the IMAP error if the fetch failed. Any
 * message not taken with fetch_next() is dropped. Frees f. */
gboolean fetch_finish(Fetch *f, GError **err);

#endif
