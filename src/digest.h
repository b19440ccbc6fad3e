/* digest.h: the staff's daily digest: what is new since the last one
 * (applications, applications complete, bounces), what waits on staff (held
 * messages, questions, documents to check, quarantine), the lotteries to
 * come, and charts of seats and applications. One mail per staff address, a
 * plain-text part and an HTML part with inline SVG charts (charts.h), the
 * same figures in both. The figures are digestdb.h's. */
#ifndef CLERK_DIGEST_H
#define CLERK_DIGEST_H

#include "config.h"
#include "store.h"

/* The digest of day `today` (YYYY-MM-DD), covering what happened since the
 * last digest of an earlier day: text and HTML (new strings; html may be
 * NULL if not wanted), and whether it has anything to say (*news). */
gboolean digest_render(const struct config *cfg, Store *st, const char *today, char **text,
    char **html, gboolean *news, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* Queue today's digest (util_today) for every staff address when its hour
 * ([digest] hour, in [program] timezone) has come, none was queued for today
 * and it has something to say; in a transaction of its own. The number of
 * mails queued, or -1 on error. */
int digest_due(const struct config *cfg, Store *st, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
