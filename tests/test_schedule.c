/* test_schedule: the lottery as a pure function: a permutation fixed by the
 * seed, priority first, serial dictatorship (each gets the best course still
 * free at their turn), waitlists in draw order, and a fair draw. */
#include "schedule.h"

#include <string.h>

static const char codes[][SCHEDULE_CODE] = { "A-1", "B-2", "C-3", "D-4" };

static struct sched_app *
make_apps(guint n)
{
	struct sched_app *apps = g_new0(struct sched_app, n);

	for (guint i = 0; i < n; i++) {
		apps[i].id = 100 + i * 7;
		apps[i].ncourses = 1 + i % 4;
		apps[i].courses = &codes[i % 2];	/* A-1 first or B-2 first, then the rest */
		if (apps[i].ncourses > 4 - i % 2)
			apps[i].ncourses = 4 - i % 2;
	}
	return apps;
}

static GHashTable *
make_seats(int a, int b, int c, int d)
{
	GHashTable *seats = g_hash_table_new(g_str_hash, g_str_equal);
	int n[] = { a, b, c, d };

	for (int i = 0; i < 4; i++)
		g_hash_table_insert(seats, (gpointer)codes[i], GINT_TO_POINTER(n[i]));
	return seats;
}

static void
test_order(void)
{
	g_autofree struct sched_app *apps = make_apps(30);
	g_autoptr(GArray) o1 = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GArray) o2 = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GArray) o3 = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash, g_int64_equal);

	schedule_order(apps, 30, 42, o1);
	/* The input order does not matter: only the set and the seed. */
	for (guint i = 0; i < 15; i++) {
		struct sched_app t = apps[i];
		apps[i] = apps[29 - i];
		apps[29 - i] = t;
	}
	schedule_order(apps, 30, 42, o2);
	schedule_order(apps, 30, 43, o3);
	g_assert_cmpuint(o1->len, ==, 30);
	g_assert_cmpmem(o1->data, 30 * sizeof(gint64), o2->data, 30 * sizeof(gint64));
	g_assert_true(memcmp(o1->data, o3->data, 30 * sizeof(gint64)) != 0);
	for (guint i = 0; i < 30; i++)
		g_hash_table_add(seen, &g_array_index(o1, gint64, i));
	g_assert_cmpuint(g_hash_table_size(seen), ==, 30);
	/* A known answer, so that a change of generator (which would change every
	 * recorded lottery's replay) cannot pass unnoticed. */
	static const gint64 known[] = { 233, 254, 219, 226, 261 };
	for (guint i = 0; i < G_N_ELEMENTS(known); i++)
		g_assert_cmpint(g_array_index(o1, gint64, i), ==, known[i]);
}

static void
test_priority(void)
{
	g_autofree struct sched_app *apps = make_apps(20);
	g_autoptr(GArray) o = g_array_new(FALSE, FALSE, sizeof(gint64));

	apps[3].priority = apps[11].priority = apps[17].priority = TRUE;
	schedule_order(apps, 20, 7, o);
	for (guint i = 0; i < 3; i++) {
		gint64 id = g_array_index(o, gint64, i);
		g_assert_true(id == apps[3].id || id == apps[11].id || id == apps[17].id);
	}
}

static const struct sched_app *
app_of(const struct sched_app *apps, guint n, gint64 id)
{
	for (guint i = 0; i < n; i++)
		if (apps[i].id == id)
			return &apps[i];
	g_assert_not_reached();
}

static void
test_serial_dictatorship(void)
{
	for (guint64 seed = 1; seed <= 200; seed++) {
		g_autofree struct sched_app *apps = make_apps(25);
		g_autoptr(GHashTable) seats = make_seats(3, 2, 4, 1);
		g_autoptr(GHashTable) left = make_seats(3, 2, 4, 1);
		struct sched_result r;
		guint si = 0;
		int pos[4] = { 0 };

		apps[5].full = TRUE;
		schedule_result_init(&r);
		schedule_draw(apps, 25, seats, NULL, seed, &r);
		g_assert_cmpuint(r.seated->len, ==, 10);	/* every seat, since demand exceeds it */
		/* Replay the draw: each gets the first of its courses still free. */
		for (guint i = 0; i < r.order->len; i++) {
			const struct sched_app *a = app_of(apps, 25, g_array_index(r.order, gint64, i));
			const char *want = NULL;
			for (guint c = 0; !a->full && c < a->ncourses && want == NULL; c++)
				if (GPOINTER_TO_INT(g_hash_table_lookup(left, a->courses[c])) > 0)
					want = a->courses[c];
			if (want == NULL)
				continue;
			g_hash_table_insert(left, (gpointer)want,
			    GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(left, want)) - 1));
			const struct sched_seat *s = &g_array_index(r.seated, struct sched_seat, si++);
			g_assert_cmpint(s->app, ==, a->id);
			g_assert_cmpstr(s->course, ==, want);
		}
		g_assert_cmpuint(si, ==, r.seated->len);
		/* Waitlists: 1, 2, ... per course, in draw order, none for the seated or the full. */
		for (guint i = 0; i < r.waitlist->len; i++) {
			const struct sched_seat *w = &g_array_index(r.waitlist, struct sched_seat, i);
			int c = w->course[0] - 'A';
			g_assert_cmpint(w->position, ==, ++pos[c]);
			g_assert_cmpint(w->app, !=, apps[5].id);
			for (guint k = 0; k < r.seated->len; k++)
				g_assert_cmpint(g_array_index(r.seated, struct sched_seat, k).app, !=, w->app);
			if (i > 0 && strcmp(w[-1].course, w->course) == 0) {
				guint a = 0, b = 0;
				for (guint k = 0; k < r.order->len; k++) {
					if (g_array_index(r.order, gint64, k) == w[-1].app)
						a = k;
					if (g_array_index(r.order, gint64, k) == w->app)
						b = k;
				}
				g_assert_cmpuint(a, <, b);
			}
		}
		g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(seats, "A-1")), ==, 0);
		schedule_result_clear(&r);
	}
}

/* Seats held for the priority group: the others cannot take them, even when
 * the priority group leaves them free. */
static void
test_held(void)
{
	g_autofree struct sched_app *apps = make_apps(12);
	g_autoptr(GHashTable) seats = make_seats(3, 3, 0, 0);
	g_autoptr(GHashTable) held = g_hash_table_new(g_str_hash, g_str_equal);
	struct sched_result r;
	int home_a = 0, other_a = 0;

	for (guint i = 0; i < 12; i++) {
		apps[i].courses = &codes[0];	/* everyone wants A-1 first, then B-2 */
		apps[i].ncourses = 2;
	}
	apps[4].priority = TRUE;		/* one home student */
	g_hash_table_insert(held, (gpointer)codes[0], GINT_TO_POINTER(2));
	schedule_result_init(&r);
	schedule_draw(apps, 12, seats, held, 99, &r);
	for (guint i = 0; i < r.seated->len; i++) {
		const struct sched_seat *s = &g_array_index(r.seated, struct sched_seat, i);
		if (strcmp(s->course, "A-1") == 0)
			s->app == apps[4].id ? home_a++ : other_a++;
	}
	g_assert_cmpint(g_array_index(r.order, gint64, 0), ==, apps[4].id);
	g_assert_cmpint(home_a, ==, 1);
	g_assert_cmpint(other_a, ==, 1);	/* 3 seats, 2 held, 1 taken by the home student */
	g_assert_cmpuint(r.seated->len, ==, 5);	/* 2 (one held seat unused), B-2: 3 */
	schedule_result_clear(&r);
}

/* Over many seeds, each of 4 applicants is drawn first about a quarter of the time. */
static void
test_fair(void)
{
	g_autofree struct sched_app *apps = make_apps(4);
	int first[4] = { 0 };

	for (guint64 seed = 0; seed < 40000; seed++) {
		g_autoptr(GArray) o = g_array_new(FALSE, FALSE, sizeof(gint64));
		schedule_order(apps, 4, seed, o);
		for (int i = 0; i < 4; i++)
			first[i] += g_array_index(o, gint64, 0) == apps[i].id;
	}
	for (int i = 0; i < 4; i++)
		g_assert_cmpint(ABS(first[i] - 10000), <, 400);	/* 4 sigma is about 350 */
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/schedule/order", test_order);
	g_test_add_func("/schedule/priority", test_priority);
	g_test_add_func("/schedule/serial-dictatorship", test_serial_dictatorship);
	g_test_add_func("/schedule/held-seats", test_held);
	g_test_add_func("/schedule/fair", test_fair);
	return g_test_run();
}
