/* test_appstatus: status names round trip, unknown ones are refused, and
 * the moves clerkd makes are allowed while the others are not. */
#include "appstatus.h"

static const char *const names[] = {
	"received", "early", "incomplete", "ineligible", "complete", "scheduled", "waitlisted",
	"not-scheduled", "cancelled",
};

static void
test_round_trip(void)
{
	AppStatus s;

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_assert_true(app_status_parse(names[i], &s));
		g_assert_cmpint(s, ==, (AppStatus)i);
		g_assert_cmpstr(app_status_str(s), ==, names[i]);
		g_assert_true(app_status_is(names[i], s));
	}
	for (AppStatus t = APP_RECEIVED; t <= APP_CANCELLED; t++) {
		g_assert_true(app_status_parse(app_status_str(t), &s));
		g_assert_cmpint(s, ==, t);
	}
	g_assert_cmpstr(app_status_str((AppStatus)99), ==, "?");
}

static void
test_unknown(void)
{
	const char *const bad[] = { "", "Complete", "COMPLETE", "complete ", " complete",
	    "not_scheduled", "notscheduled", "canceled", "waitlist", "?", "new" };
	AppStatus s = APP_COMPLETE;

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_false(app_status_parse(bad[i], &s));
		g_assert_false(app_status_is(bad[i], APP_COMPLETE));
	}
	g_assert_false(app_status_parse(NULL, &s));
	g_assert_false(app_status_is(NULL, APP_RECEIVED));
	g_assert_cmpint(s, ==, APP_COMPLETE);	/* untouched */
}

static void
test_judged(void)
{
	g_assert_true(app_status_judged(APP_RECEIVED));
	g_assert_true(app_status_judged(APP_EARLY));
	g_assert_true(app_status_judged(APP_INCOMPLETE));
	g_assert_true(app_status_judged(APP_INELIGIBLE));
	g_assert_true(app_status_judged(APP_COMPLETE));
	g_assert_false(app_status_judged(APP_SCHEDULED));
	g_assert_false(app_status_judged(APP_WAITLISTED));
	g_assert_false(app_status_judged(APP_NOT_SCHEDULED));
	g_assert_false(app_status_judged(APP_CANCELLED));
}

static void
test_moves(void)
{
	/* Staying is always allowed, cancelled included. */
	for (AppStatus s = APP_RECEIVED; s <= APP_CANCELLED; s++)
		g_assert_true(app_status_allowed(s, s));
	/* The rules move judged applications among the judged statuses. */
	g_assert_true(app_status_allowed(APP_RECEIVED, APP_INCOMPLETE));
	g_assert_true(app_status_allowed(APP_EARLY, APP_COMPLETE));
	g_assert_true(app_status_allowed(APP_INCOMPLETE, APP_COMPLETE));
	g_assert_true(app_status_allowed(APP_INELIGIBLE, APP_COMPLETE));
	g_assert_true(app_status_allowed(APP_COMPLETE, APP_INCOMPLETE));
	g_assert_true(app_status_allowed(APP_COMPLETE, APP_INELIGIBLE));
	/* Placement. */
	g_assert_true(app_status_allowed(APP_COMPLETE, APP_SCHEDULED));
	g_assert_true(app_status_allowed(APP_COMPLETE, APP_WAITLISTED));
	g_assert_true(app_status_allowed(APP_WAITLISTED, APP_SCHEDULED));
	g_assert_true(app_status_allowed(APP_WAITLISTED, APP_NOT_SCHEDULED));
	/* A block given up (partial cancel): what the application still holds decides. */
	g_assert_true(app_status_allowed(APP_SCHEDULED, APP_WAITLISTED));
	g_assert_true(app_status_allowed(APP_SCHEDULED, APP_COMPLETE));
	g_assert_true(app_status_allowed(APP_WAITLISTED, APP_COMPLETE));
	/* Anything may be cancelled. */
	for (AppStatus s = APP_RECEIVED; s <= APP_CANCELLED; s++)
		g_assert_true(app_status_allowed(s, APP_CANCELLED));

	/* Refused: nothing leaves cancelled. */
	for (AppStatus s = APP_RECEIVED; s < APP_CANCELLED; s++)
		g_assert_false(app_status_allowed(APP_CANCELLED, s));
	/* Only a complete application is placed. */
	g_assert_false(app_status_allowed(APP_RECEIVED, APP_SCHEDULED));
	g_assert_false(app_status_allowed(APP_INCOMPLETE, APP_WAITLISTED));
	g_assert_false(app_status_allowed(APP_INELIGIBLE, APP_NOT_SCHEDULED));
	/* The rules keep what scheduling decided. */
	g_assert_false(app_status_allowed(APP_SCHEDULED, APP_INCOMPLETE));
	g_assert_false(app_status_allowed(APP_WAITLISTED, APP_INCOMPLETE));
	g_assert_false(app_status_allowed(APP_SCHEDULED, APP_INELIGIBLE));
	g_assert_false(app_status_allowed(APP_NOT_SCHEDULED, APP_RECEIVED));
	/* A seat is not given back but by a lottery or a waitlist. */
	g_assert_false(app_status_allowed(APP_NOT_SCHEDULED, APP_SCHEDULED));
	/* Out of range. */
	g_assert_false(app_status_allowed((AppStatus)99, APP_CANCELLED));
	g_assert_false(app_status_allowed(APP_RECEIVED, (AppStatus)99));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/appstatus/round-trip", test_round_trip);
	g_test_add_func("/appstatus/unknown", test_unknown);
	g_test_add_func("/appstatus/judged", test_judged);
	g_test_add_func("/appstatus/moves", test_moves);
	return g_test_run();
}
