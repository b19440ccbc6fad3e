/* authres.h: reading Authentication-Results (RFC 8601) for the staff check and
 * the forged-sender check. Pure. The values are raw: never RFC 2047 decoded. */
#ifndef CLERK_AUTHRES_H
#define CLERK_AUTHRES_H

#include <glib.h>

/* TRUE if the topmost Authentication-Results value whose authserv-id is
 * authserv_id (case-insensitive) shows dmarc=pass with a header.from that is
 * the From domain (a dmarc=pass that does not say which domain it judged
 * counts for nothing), or a dkim=pass whose
 * header.d (or header.i=@domain) aligns (relaxed) with the domain of
 * from_addr. Every other value, above or below, is ignored: only the
 * receiving server's own header can be trusted, and only if it strips
 * inbound ones that claim its authserv-id. auth_results is NULL-terminated,
 * topmost first. *why (if why is not NULL) gets a static string. */
gboolean authres_verified(char *const *auth_results, const char *authserv_id,
    const char *from_addr, const char **why);

/* TRUE if that same header says the sender is forged: dmarc=fail under a
 * reject or quarantine policy (in its comment, "(p=REJECT ...)", or as
 * policy.dmarc=), or spf=fail with no aligned dkim=pass. FALSE when the
 * trusted server said nothing. *why (if not NULL) gets a static string. */
gboolean authres_forged(char *const *auth_results, const char *authserv_id,
    const char *from_addr, const char **why);

/* Relaxed alignment: equal, or one a subdomain of the other (never a mere
 * suffix: evilexample.edu does not align with example.edu). */
gboolean authres_aligned(const char *d1, const char *d2);

#endif
