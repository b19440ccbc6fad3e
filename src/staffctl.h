/* staffctl.h: the clerkctl commands that judge and change applications:
 * rules check|diff|apply, doc list|get|accept|reject, and schedule|cancel|due. */
#ifndef CLERK_STAFFCTL_H
#define CLERK_STAFFCTL_H

#include "config.h"
#include "store.h"

struct staffctl_opts {
	gboolean json;
	const char *date;	/* doc accept: the document's date (YYYY-MM-DD) */
	const char *reason;	/* doc reject: why, for the student */
	const char *output;	/* doc get: a file instead of stdout */
	const char *seed;	/* schedule: the lottery's seed */
	gboolean dry_run;	/* schedule: draw, print, change nothing */
};

/* rules check [DIR] | rules diff DIR | rules apply: exit status as clerkctl returns it. */
int staffctl_rules(struct config *cfg, Store *st, int argc, char **argv,
    const struct staffctl_opts *o);
/* doc list REF | get REF ID | accept REF ID|KIND | reject REF ID|KIND. */
int staffctl_doc(struct config *cfg, Store *st, int argc, char **argv,
    const struct staffctl_opts *o);

/* schedule BLOCK [--seed N] [--dry-run] | cancel REF | due: the lottery, a
 * staff cancellation (no confirmation), what is due today. */
int staffctl_schedule(struct config *cfg, Store *st, int argc, char **argv,
    const struct staffctl_opts *o);

/* A staff command, the same words as by mail: accept, reject, kind, positive,
 * negative, pending, address, assign, unassign, override, reinstate, merge,
 * note, reply (the text on standard input), status, help (commands.h). */
int staffctl_command(struct config *cfg, Store *st, int argc, char **argv);

#endif
