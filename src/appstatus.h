/* appstatus.h: where an application stands, and the moves between statuses
 * that clerkd makes. Pure: no store, no mail. The strings are the contract
 * (the database, clerkctl's JSON, `list --status S`); C code uses the enum.
 * dossier_transition() (dossier.c) is the one place a status is written. */
#ifndef CLERK_APPSTATUS_H
#define CLERK_APPSTATUS_H

#include <glib.h>

typedef enum {
	APP_RECEIVED,		/* a form arrived; not judged yet */
	APP_EARLY,		/* kept until its application window opens, then judged */
	APP_INCOMPLETE,		/* documents or answers missing */
	APP_INELIGIBLE,		/* a rule of eligibility.ini says no */
	APP_COMPLETE,		/* all there: waits for the lottery, or a seat (rolling) */
	APP_SCHEDULED,		/* holds a seat */
	APP_WAITLISTED,		/* no seat in a draw: on the waitlists of its choices */
	APP_NOT_SCHEDULED,	/* the block started with no seat free for it */
	APP_CANCELLED,		/* by the student (confirmed) or by staff: final */
} AppStatus;

/* "received", ..., "not-scheduled", "cancelled"; "?" if out of range. */
const char *app_status_str(AppStatus s);
/* The status s names (exactly, lower case); FALSE for anything else, NULL included. */
gboolean app_status_parse(const char *s, AppStatus *out);
/* Does the string s name the status want (FALSE for NULL or an unknown string)? */
gboolean app_status_is(const char *s, AppStatus want);
/* A status the rules decide (received, early, incomplete, ineligible,
 * complete); the others belong to scheduling and cancellation, and
 * rules_eval() keeps them. */
gboolean app_status_judged(AppStatus s);
/* May an application move from one status to another? Staying is always
 * allowed (a judgement that changes only what is missing). The moves:
 *   received, early, incomplete, ineligible -> any of those, complete, cancelled
 *   complete      -> any judged status (rules or documents changed),
 *                    scheduled, waitlisted, not-scheduled (placement), cancelled
 *   waitlisted    -> scheduled (a seat freed or drawn), not-scheduled (block
 *                    started), complete (the blocks waited on given up: it
 *                    waits for its other blocks' placement), cancelled
 *   scheduled     -> waitlisted, complete, not-scheduled (the block of its
 *                    seats given up, a partial cancel: what it still holds
 *                    says), cancelled
 *   not-scheduled -> cancelled
 *   cancelled     -> nothing here (a coordinator may reinstate it:
 *                    app_status_reinstatable()). */
gboolean app_status_allowed(AppStatus from, AppStatus to);
/* The one way back out of cancelled: a coordinator's reinstatement (staff
 * command reinstate), from cancelled to a judged status, to be judged again.
 * Never on the student's path (app_status_allowed() stays closed). */
gboolean app_status_reinstatable(AppStatus from, AppStatus to);

#endif
