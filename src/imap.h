/* imap.h: the mail source: an IMAP mailbox through libetpan. */
#ifndef CLERK_IMAP_H
#define CLERK_IMAP_H

#include "config.h"

typedef struct imap Imap;

struct imap_msg {
	guint32 uid;
	guint32 size;		/* RFC822.SIZE */
	gboolean copied;	/* flagged by imap_move as copied out (no MOVE, no UIDPLUS) */
};

/* Connect (TLS as the URL says; certificates verified), log in. */
Imap *imap_connect(const struct config *cfg, GError **err);
void imap_logout(Imap *im);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Imap, imap_logout)

/* Create a mailbox unless it exists. */
gboolean imap_ensure_mailbox(Imap *im, const char *name, GError **err);
/* Select; returns UIDVALIDITY through *uidvalidity. */
gboolean imap_select(Imap *im, const char *mailbox, guint32 *uidvalidity, GError **err);
/* UIDs, sizes and copied marks of every message in the selected mailbox, ascending. */
GArray *imap_list(Imap *im, GError **err);

/* Fetch these UIDs' whole messages (BODY.PEEK[]) in one command, streaming:
 * body() gets each message's bytes in pieces as they come off the network
 * (they belong to libetpan and are valid only during the call), then done()
 * its UID once the message is complete; a message whose body did not come
 * (BODY[] NIL, or body() said FALSE: the rest of it is read but not handed on)
 * gets abandon() instead. Nothing is held whole:
 * the caller decides where the bytes go. The callbacks must not use the
 * session. */
struct imap_stream_cb {
	gboolean (*body)(const char *data, gsize len, gpointer user);
	void (*done)(guint32 uid, gpointer user);
	void (*abandon)(gpointer user);
	gpointer user;
};
gboolean imap_fetch_stream(Imap *im, const guint32 *uids, guint n, const struct imap_stream_cb *cb,
    GError **err);
/* Fetch only the header of a message (for those over the size limit), whole. */
typedef void (*imap_msg_cb)(guint32 uid, const char *data, gsize len, gpointer user);
gboolean imap_fetch_header(Imap *im, guint32 uid, imap_msg_cb cb, gpointer user, GError **err);

/* Move messages: UID MOVE; where MOVE is missing, UID COPY, then the
 * originals flagged \Deleted and $ClerkdProcessed, then UID EXPUNGE of them
 * with UIDPLUS. Without UIDPLUS they are only copied, never expunged (a plain
 * EXPUNGE would take others' \Deleted mail too): they stay in the mailbox,
 * flagged, and imap_msg.copied says so when listed. */
gboolean imap_move(Imap *im, const guint32 *uids, guint n, const char *dest, GError **err);
/* TRUE if imap_move takes the messages out of the source (MOVE or UIDPLUS). */
gboolean imap_can_remove(Imap *im);
/* UID EXPUNGE of messages already copied out and flagged \Deleted (with
 * UIDPLUS; nothing without it). */
gboolean imap_expunge_copied(Imap *im, const guint32 *uids, guint n, GError **err);

/* Move one message and learn its UID in the destination (UIDPLUS; 0 if the
 * server does not say). */
gboolean imap_move_one(Imap *im, guint32 uid, const char *dest, guint32 *dest_uidvalidity,
    guint32 *dest_uid, GError **err);

/* IDLE (RFC 2177) on the selected mailbox. imap_idle_start() returns the
 * socket to watch for readability (new mail, or the server going away), or -1
 * with an error if the server does not offer IDLE. imap_idle_done() ends it
 * and reads what the server said meanwhile. */
int imap_idle_start(Imap *im, GError **err);
gboolean imap_idle_done(Imap *im, GError **err);
/* Whether a connection may be kept for another pass: logged in with a
 * password, or with an OAuth2 token not yet due for renewal (a server may
 * end a session whose token expired; a new login renews it). */
gboolean imap_fresh(Imap *im);
/* Messages in the selected mailbox now (a NOOP brings the count up to date). */
guint32 imap_exists(Imap *im, GError **err);
/* TRUE if the server's words are already buffered (they came with the IDLE
 * answer), so the socket may never become readable for them. */
gboolean imap_idle_pending(Imap *im);

#endif
