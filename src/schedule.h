/* schedule.h: the block lottery, as a pure function of the applicants, the
 * seats and a seed (serial dictatorship in an order drawn from the seed).
 * No I/O: placement.c feeds it from the store and records what it decides. */
#ifndef CLERK_SCHEDULE_H
#define CLERK_SCHEDULE_H

#include <glib.h>

#define SCHEDULE_CODE 16

struct sched_app {
	gint64 id;		/* application id; the draw sorts by it before shuffling */
	gboolean priority;	/* drawn before all others (home students, while held) */
	gboolean full;		/* already holds the most blocks allowed: drawn, never seated */
	guint ncourses;
	const char (*courses)[SCHEDULE_CODE];	/* ranked, for this block, prerequisites met */
};

struct sched_seat {
	gint64 app;
	char course[SCHEDULE_CODE];
	int position;		/* waitlist only: 1, 2, ... per course */
};

struct sched_result {
	GArray *order;		/* gint64: application ids in draw order */
	GArray *seated;		/* struct sched_seat, in draw order */
	GArray *waitlist;	/* struct sched_seat, by course then position */
};

/* The draw order of n applicants for a seed: deterministic across machines
 * (a splitmix64 generator of our own, not the C library's). */
void schedule_order(const struct sched_app *apps, guint n, guint64 seed, GArray *order);

/* Seat apps in draw order: each gets its highest-ranked course with a free
 * seat (seats: course code -> GINT_TO_POINTER(free seats), updated); those
 * left without one are waitlisted on each of their courses, in draw order.
 * held (may be NULL): course -> seats kept for the priority group (home
 * students while seats are held): the others may not take them. */
void schedule_draw(const struct sched_app *apps, guint n, GHashTable *seats, GHashTable *held,
    guint64 seed, struct sched_result *out);

void schedule_result_init(struct sched_result *r);
void schedule_result_clear(struct sched_result *r);

#endif
