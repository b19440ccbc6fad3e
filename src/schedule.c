/* schedule.c: serial dictatorship over a seeded random order. */
#include "schedule.h"

#include <stdlib.h>
#include <string.h>

/* splitmix64 (Steele, Lea, Flood 2014): small, fast, the same everywhere. */
static guint64
next(guint64 *state)
{
	guint64 z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n) without modulo bias (Lemire's multiply-shift with rejection). */
static guint32
below(guint64 *state, guint32 n)
{
	guint64 m = (guint64)(guint32)next(state) * n;
	guint32 low = (guint32)m;

	if (low < n) {
		guint32 t = -n % n;
		while (low < t) {
			m = (guint64)(guint32)next(state) * n;
			low = (guint32)m;
		}
	}
	return m >> 32;
}

static int
by_id(gconstpointer a, gconstpointer b)
{
	const struct sched_app *x = *(const struct sched_app *const *)a;
	const struct sched_app *y = *(const struct sched_app *const *)b;
	return (x->id > y->id) - (x->id < y->id);
}

void
schedule_order(const struct sched_app *apps, guint n, guint64 seed, GArray *order)
{
	g_autofree const struct sched_app **p = g_new(const struct sched_app *, n + 1);
	guint64 state = seed;
	guint first = 0;

	for (guint i = 0; i < n; i++)
		p[i] = &apps[i];
	qsort(p, n, sizeof *p, by_id);
	/* Fisher-Yates, then the priority group moved to the front, each group
	 * keeping its drawn order. */
	for (guint i = n; i > 1; i--) {
		guint j = below(&state, i);
		const struct sched_app *t = p[i - 1];
		p[i - 1] = p[j];
		p[j] = t;
	}
	for (guint pass = 0; pass < 2; pass++)
		for (guint i = 0; i < n; i++)
			if (p[i]->priority == (pass == 0)) {
				gint64 id = p[i]->id;
				g_array_append_val(order, id);
				first++;
			}
	g_assert(first == n);
}

void
schedule_result_init(struct sched_result *r)
{
	r->order = g_array_new(FALSE, FALSE, sizeof(gint64));
	r->seated = g_array_new(FALSE, TRUE, sizeof(struct sched_seat));
	r->waitlist = g_array_new(FALSE, TRUE, sizeof(struct sched_seat));
}

void
schedule_result_clear(struct sched_result *r)
{
	g_clear_pointer(&r->order, g_array_unref);
	g_clear_pointer(&r->seated, g_array_unref);
	g_clear_pointer(&r->waitlist, g_array_unref);
}

static int
by_course(gconstpointer a, gconstpointer b)
{
	const struct sched_seat *x = a, *y = b;
	int c = strcmp(x->course, y->course);
	return c ? c : x->position - y->position;
}

/* The priority group has had its turn: what it did not take of the held
 * seats stays out of reach of the others. */
static void
release_held(GHashTable *seats, GHashTable *held, GHashTable *taken)
{
	GHashTableIter it;
	gpointer code, n;

	g_hash_table_iter_init(&it, held);
	while (g_hash_table_iter_next(&it, &code, &n)) {
		gpointer key, value;
		int keep = GPOINTER_TO_INT(n) - GPOINTER_TO_INT(g_hash_table_lookup(taken, code));
		if (keep <= 0 || !g_hash_table_lookup_extended(seats, code, &key, &value))
			continue;
		g_hash_table_steal(seats, key);
		g_hash_table_insert(seats, key, GINT_TO_POINTER(MAX(GPOINTER_TO_INT(value) - keep, 0)));
	}
}

void
schedule_draw(const struct sched_app *apps, guint n, GHashTable *seats, GHashTable *held,
    guint64 seed, struct sched_result *out)
{
	g_autoptr(GHashTable) taken = g_hash_table_new(g_str_hash, g_str_equal);
	gboolean released = held == NULL;
	g_autoptr(GHashTable) by = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_autoptr(GHashTable) lengths = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; i < n; i++)
		g_hash_table_insert(by, (gpointer)&apps[i].id, (gpointer)&apps[i]);
	schedule_order(apps, n, seed, out->order);
	for (guint i = 0; i < out->order->len; i++) {
		const struct sched_app *a = g_hash_table_lookup(by, &g_array_index(out->order, gint64, i));
		gboolean seated = FALSE;

		if (!released && !a->priority) {
			release_held(seats, held, taken);
			released = TRUE;
		}

		for (guint c = 0; !a->full && c < a->ncourses && !seated; c++) {
			gpointer key, value;
			if (!g_hash_table_lookup_extended(seats, a->courses[c], &key, &value) ||
			    GPOINTER_TO_INT(value) <= 0)
				continue;
			/* Steal and put back: the table may own its keys. */
			g_hash_table_steal(seats, key);
			g_hash_table_insert(seats, key, GINT_TO_POINTER(GPOINTER_TO_INT(value) - 1));
			struct sched_seat s = { a->id, "", 0 };
			g_strlcpy(s.course, a->courses[c], sizeof s.course);
			g_array_append_val(out->seated, s);
			if (a->priority)
				g_hash_table_insert(taken, key, GINT_TO_POINTER(GPOINTER_TO_INT(
				    g_hash_table_lookup(taken, key)) + 1));
			seated = TRUE;
		}
		for (guint c = 0; !a->full && !seated && c < a->ncourses; c++) {
			/* Each course once, even if listed twice. */
			gboolean dup = FALSE;
			for (guint k = 0; k < c; k++)
				dup |= strcmp(a->courses[k], a->courses[c]) == 0;
			if (dup)
				continue;
			int pos = GPOINTER_TO_INT(g_hash_table_lookup(lengths, a->courses[c])) + 1;
			g_hash_table_insert(lengths, (gpointer)a->courses[c], GINT_TO_POINTER(pos));
			struct sched_seat s = { a->id, "", pos };
			g_strlcpy(s.course, a->courses[c], sizeof s.course);
			g_array_append_val(out->waitlist, s);
		}
	}
	g_array_sort(out->waitlist, by_course);
}
