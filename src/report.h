/* report.h: read-only views of the store for staff, as JSON (json-glib). */
#ifndef CLERK_REPORT_H
#define CLERK_REPORT_H

#include <json-glib/json-glib.h>

#include "store.h"

/* Every application (status NULL) or those with one status: an array of objects
 * with reference, email, name, school, country, status, flags, missing,
 * assignments, waitlist, choices, created. */
JsonNode *report_list(Store *st, const char *status, GError **err);
/* One application with its documents, messages and replies; NULL if unknown
 * (and no error). */
JsonNode *report_show(Store *st, const char *reference, GError **err);

/* Lotteries drawn (block NULL: all), with their seeds and draw orders, for audit. */
JsonNode *report_lotteries(Store *st, const char *block, GError **err);

/* Quarantined messages (and those waiting to be retried), with their errors. */
JsonNode *report_quarantine(Store *st, GError **err);
/* Replies with a state (queued, sent, failed), or all; newest first. */
JsonNode *report_replies(Store *st, const char *state, GError **err);

/* Figures for monitoring: messages by class and state, replies by state,
 * applications by status, quarantined, loops suppressed, bounces, the last
 * pass (inbox backlog, when) and the oldest message not yet done. */
JsonNode *report_stats(Store *st, GError **err);
/* The same figures in the Prometheus text format. */
char *report_stats_prometheus(JsonNode *stats);

/* CSV for the registrar's spreadsheets: "applications" (one row each, choices
 * joined), "documents" (one row each, with the application's reference),
 * "assignments" (seats by block and course) or "waitlist" (in order).
 * NULL with an error for another name (G_OPTION_ERROR: a usage error). */
char *report_csv(Store *st, const char *what, GError **err);

#endif
