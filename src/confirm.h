/* confirm.h: the confirmations table: one-time tokens that a student's
 * cancel or change (and a seat offered from a waitlist) waits on (DESIGN,
 * "Confirmations"). Data only: requests.c decides what they mean. */
#ifndef CLERK_CONFIRM_H
#define CLERK_CONFIRM_H

#include "store.h"

/* Letters and digits of a token (util_token_new()): what a reply is searched for. */
#define CONFIRM_TOKEN_LEN 10

struct confirmation {
	char *token;		/* util_token_new(): a secret, compared in constant time */
	char *action;		/* "cancel", "change", "offer" */
	char *detail;		/* the action's argument ("COURSE BLOCK", a block, an
				 * offer's id), or NULL */
	char *expires;		/* YYYY-MM-DD, the last day it may be used */
	char *message_id;	/* of the mail that asked, so a threaded reply confirms */
};
void confirmation_free(struct confirmation *c);

/* Record an open confirmation of app_id. */
gboolean confirm_add(Store *st, gint64 app_id, const struct confirmation *c, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* The open (unused) confirmations of app_id, newest first: struct
 * confirmation *, owned by the array; NULL on error. */
GPtrArray *confirm_pending(Store *st, gint64 app_id, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The newest (at most 20) used confirmations of app_id for one action, newest
 * first, like confirm_pending(): a late answer to an offer is recognised. */
GPtrArray *confirm_spent(Store *st, gint64 app_id, const char *action, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* Mark a token used: it never confirms again. */
gboolean confirm_use(Store *st, const char *token, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
