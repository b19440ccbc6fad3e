/* ctx.h: what every domain function is given: the configuration, the store
 * (inside the caller's transaction), today's date, and the list of effects
 * that the domain asks for (effects.h). The entry points (pipeline.c for
 * mail, daemon.c for due work, staffctl.c for staff) make one, let the domain
 * run, apply its effects (effects_apply) and commit. */
#ifndef CLERK_CTX_H
#define CLERK_CTX_H

#include "config.h"
#include "store.h"

struct process_ctx {
	const struct config *cfg;
	Store *st;
	int year;		/* for new references: the year of CLERKD_NOW or today */
	char *today;		/* YYYY-MM-DD, owned */
	char *program;		/* the program's display name, owned */
	GPtrArray *effects;	/* struct effect *: asked for, not yet applied */
	GArray *seat_changes;	/* seats given and freed (effects_seat_given/_freed) */
};

void process_ctx_init(struct process_ctx *pc, const struct config *cfg, Store *st);
void process_ctx_clear(struct process_ctx *pc);

#endif
