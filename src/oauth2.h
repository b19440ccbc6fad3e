/* oauth2.h: access tokens for SASL XOAUTH2 (IMAP and SMTP), fetched from the
 * [oauth2] token endpoint with libcurl, cached, and renewed before they expire.
 * One cache for the process: the IMAP connections and the outbox share it. */
#ifndef CLERK_OAUTH2_H
#define CLERK_OAUTH2_H

#include "config.h"

/* The replies of a token endpoint are capped at this size. */
#define OAUTH2_MAX_REPLY (64 * 1024)

/* The current access token for cfg's [oauth2] (a new string: the caller frees
 * it with oauth2_token_free), fetched first if there is none, or renewed when
 * fewer than renew_before seconds remain. If a renewal fails while the current
 * token is still valid, a warning is logged and that token returned.
 * Errors: CLERK_ERROR_TEMP for the network, 5xx and malformed replies,
 * CLERK_ERROR_FINAL for a refusal (4xx: invalid_client, invalid_grant...),
 * with the server's error and error_description; never a secret or a token. */
char *oauth2_token(const struct config *cfg, GError **err);
/* When (monotonic time) the token oauth2_token() gives now is due to be
 * renewed; 0 if there is none. */
gint64 oauth2_renew_at(const struct config *cfg);
/* Wipe and free a token from oauth2_token(). */
void oauth2_token_free(char *token);
/* The server refused the token: fetch a new one next time. */
void oauth2_invalidate(void);
/* Tokens fetched since the process started (for logs and tests). */
guint oauth2_fetches(void);

#endif
