/* test_calendar.c: the .ics for a seat parses back with libical, says the
 * right course, place and dates, is the same bytes twice, keeps UTF-8, and
 * its CANCEL carries the same UID. */
#include "calendar.h"

#include <libical/ical.h>
#include <string.h>

static const struct calendar_seat seat = {
	.reference = "ECP-2027-00042", .program = "Example Clerkship Program",
	.domain = "example.edu", .course = "PED-330", .title = "Pédiatrie générale",
	.hospital = "Hôpital Sainte-Justine", .department = "Pédiatrie", .block = "2027-03",
	.start = "2027-03-01", .end = "2027-03-26", .stamp = "2027-03-01",
};

static icalcomponent *
parse(GBytes *b)
{
	g_autofree char *text = g_strndup(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
	icalcomponent *cal = icalparser_parse_string(text);

	g_assert_nonnull(cal);
	g_assert_cmpint(icalcomponent_isa(cal), ==, ICAL_VCALENDAR_COMPONENT);
	return cal;
}

static void
test_publish(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) b = calendar_ics(&seat, FALSE, &err);
	g_autoptr(GBytes) again = calendar_ics(&seat, FALSE, &err);
	g_autofree char *uid = calendar_uid(&seat);
	icalcomponent *cal, *ev;
	struct icaltimetype t;

	g_assert_no_error(err);
	g_assert_true(g_bytes_equal(b, again));		/* a resend is byte-identical */
	g_assert_true(g_utf8_validate(g_bytes_get_data(b, NULL), (gssize)g_bytes_get_size(b), NULL));
	cal = parse(b);
	g_assert_cmpint(icalcomponent_get_method(cal), ==, ICAL_METHOD_PUBLISH);
	g_assert_cmpint(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), ==, 1);
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	g_assert_cmpstr(icalcomponent_get_uid(ev), ==, uid);
	g_assert_true(g_str_has_suffix(uid, "@example.edu"));
	g_assert_cmpstr(icalcomponent_get_summary(ev), ==, "PED-330: Pédiatrie générale");
	g_assert_cmpstr(icalcomponent_get_location(ev), ==, "Hôpital Sainte-Justine, Pédiatrie");
	g_assert_nonnull(strstr(icalcomponent_get_description(ev), "ECP-2027-00042"));
	t = icalcomponent_get_dtstart(ev);
	g_assert_true(t.is_date);
	g_assert_cmpint(t.year, ==, 2027); g_assert_cmpint(t.month, ==, 3); g_assert_cmpint(t.day, ==, 1);
	t = icalcomponent_get_dtend(ev);
	g_assert_true(t.is_date);
	g_assert_cmpint(t.month, ==, 3); g_assert_cmpint(t.day, ==, 27);	/* exclusive */
	g_assert_cmpint(icalcomponent_get_sequence(ev), ==, 0);
	g_assert_cmpint(icalcomponent_get_status(ev), ==, ICAL_STATUS_CONFIRMED);
	t = icalcomponent_get_dtstamp(ev);
	g_assert_cmpint(t.year, ==, 2027);
	g_assert_nonnull(strstr(g_bytes_get_data(b, NULL), "DTSTART;VALUE=DATE:20270301\r\n"));
	g_assert_nonnull(strstr(g_bytes_get_data(b, NULL), "DTEND;VALUE=DATE:20270327\r\n"));
	icalcomponent_free(cal);
}

static void
test_cancel(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) pub = calendar_ics(&seat, FALSE, &err);
	g_autoptr(GBytes) can = calendar_ics(&seat, TRUE, &err);
	icalcomponent *a, *b, *ea, *eb;

	g_assert_no_error(err);
	g_assert_false(g_bytes_equal(pub, can));
	a = parse(pub);
	b = parse(can);
	g_assert_cmpint(icalcomponent_get_method(b), ==, ICAL_METHOD_CANCEL);
	ea = icalcomponent_get_first_component(a, ICAL_VEVENT_COMPONENT);
	eb = icalcomponent_get_first_component(b, ICAL_VEVENT_COMPONENT);
	g_assert_cmpstr(icalcomponent_get_uid(ea), ==, icalcomponent_get_uid(eb));
	g_assert_cmpint(icalcomponent_get_status(eb), ==, ICAL_STATUS_CANCELLED);
	g_assert_cmpint(icalcomponent_get_sequence(eb), ==, 1);
	icalcomponent_free(a);
	icalcomponent_free(b);
}

static void
test_uid_and_name(void)
{
	struct calendar_seat other = seat;
	g_autofree char *u1 = calendar_uid(&seat), *u2 = NULL, *name = NULL, *evil = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(GBytes) bad = NULL;

	other.block = "2027-04";
	u2 = calendar_uid(&other);
	g_assert_cmpstr(u1, !=, u2);			/* another block, another event */
	name = calendar_filename(&seat);
	g_assert_cmpstr(name, ==, "clerkship-PED-330-2027-03.ics");
	other.course = "../x\r\n";
	evil = calendar_filename(&other);
	g_assert_cmpstr(evil, ==, "clerkship-x-2027-04.ics");
	other.start = "2027-03-40";
	bad = calendar_ics(&other, FALSE, &err);
	g_assert_null(bad);
	g_assert_nonnull(err);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/calendar/publish", test_publish);
	g_test_add_func("/calendar/cancel", test_cancel);
	g_test_add_func("/calendar/uid-and-name", test_uid_and_name);
	return g_test_run();
}
