/* test_rules: the shipped rules/ judged on dossiers built here (no store, no
 * servers): document kinds from real-world file names, school lists, every
 * eligibility rule, TB's two-step and IGRA alternative, pending results, and
 * rules_check() naming file and line. */
#include "dossier.h"
#include "form.h"
#include "guide.h"
#include "rules.h"
#include "rules_p.h"
#include "util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static Rules *rules;
static char *srcrules;

static void
test_file_kinds(void)
{
	static const struct {
		const char *file, *kind;
	} cases[] = {
		{ "PPD_1.pdf", "tb-ppd" }, { "ppd2.PDF", "tb-ppd" }, { "TB skin test results.pdf", "tb-ppd" },
		{ "Dean's letter.pdf", "good-standing" }, { "GoodStanding.pdf", "good-standing" },
		{ "Letter of Good Standing - Jane Doe.pdf", "good-standing" }, { "MSPE.pdf", "good-standing" },
		{ "MMR titer results.jpg", "mmr" }, { "measles_mumps_rubella.png", "mmr" },
		{ "QuantiFERON-TB Gold.pdf", "tb-igra" }, { "T-SPOT.pdf", "tb-igra" },
		{ "Hep B titer.pdf", "hepatitis-b-titer" }, { "HBsAb.pdf", "hepatitis-b-titer" },
		{ "Anti-HBs result.pdf", "hepatitis-b-titer" }, { "HepB dose 2.pdf", "hepatitis-b" },
		{ "Hepatitis B vaccine.pdf", "hepatitis-b" },
		{ "varicella_titer.png", "varicella" }, { "Tdap 2024.pdf", "tdap" },
		{ "flu_shot_2026.pdf", "influenza" }, { "Influenza vaccine.pdf", "influenza" },
		{ "Immunization record.pdf", "immunization-form" }, { "vaccination card.heic", "immunization-form" },
		{ "Chest X-ray report.pdf", "chest-xray" }, { "CXR.pdf", "chest-xray" },
		{ "Malpractice insurance.pdf", "malpractice" }, { "Liability coverage.pdf", "malpractice" },
		{ "Health Insurance.pdf", "health-insurance" }, { "insurance card.jpg", "health-insurance" },
		{ "TranscriptOfRecords.pdf", "transcript" }, { "Official transcript.pdf", "transcript" },
		{ "TOEFL score report.pdf", "toefl" }, { "evaluation form.docx", "evaluation-form" },
		{ "IMG_2041.HEIC", NULL }, { "scan0001.pdf", NULL }, { "document.pdf", NULL }, { NULL, NULL },
		{ "deflate.pdf", NULL },	/* "flu" only as a whole word */
		{ "Doe_Jane_LOGS.pdf", "good-standing" }, { "Certificate of enrollment.pdf", "good-standing" },
		{ "Grade report 2026.pdf", "transcript" }, { "Health clearance form.pdf", "immunization-form" },
		{ "TB_PPD_step2.jpg", "tb-ppd" }, { "QuantiFERON-TB Gold Plus.pdf", "tb-igra" },
		/* A titer report is not the immunization record (it never stands for Tdap or
		 * influenza); one that names its serology is that kind. */
		{ "titers.pdf", "titer-report" }, { "Titer report 2026.pdf", "titer-report" },
		{ "serology_results.pdf", "titer-report" }, { "Varicella titre.pdf", "varicella" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
		g_assert_cmpstr(rules_classify_file(rules, cases[i].file), ==, cases[i].kind);
}

static void
test_schools(void)
{
	g_assert_cmpstr(rules_school_list(rules, "Example University School of Medicine"), ==, "lcme");
	g_assert_cmpstr(rules_school_list(rules, "  THE example university, school of medicine."), ==, "lcme");
	g_assert_cmpstr(rules_school_list(rules, "Universite Claude Bernard Lyon 1 - Faculte de Medecine Lyon Est"),
	    ==, "international");
	g_assert_cmpstr(rules_school_list(rules, "Royal College of Surgeons in Ireland"), ==, "international");
	g_assert_null(rules_school_list(rules, "Example University"));
	g_assert_null(rules_school_list(rules, NULL));
	g_assert_true(rules_course_exists(rules, "MED-401"));
	g_assert_true(rules_course_exists(rules, "med-401"));
	g_assert_false(rules_course_exists(rules, "CAR-420"));
	g_assert_cmpstr(rules_block_start(rules, "2027-03"), ==, "2027-03-01");
	g_assert_null(rules_block_start(rules, "2027-13"));
}

/* What replies tell students: groups, notes, dates, nearest codes. */
static void
test_guide(void)
{
	g_autoptr(GArray) choices = g_array_new(FALSE, TRUE, sizeof(struct form_choice));
	struct form_choice c = { 0 };
	g_autofree char *range1 = words_date_range("2027-03-01", "2027-03-26");
	g_autofree char *range2 = words_date_range("2026-12-07", "2027-01-01");
	g_autofree char *range3 = words_date_range("2027-06-07", "2027-07-02");
	g_autofree char *near1 = guide_nearest_courses(rules, "MED-410", 3);
	g_autofree char *near2 = guide_nearest_courses(rules, "med401", 3);
	g_autofree char *near3 = guide_nearest_courses(rules, "MED-999", 3);
	g_autofree char *near4 = guide_nearest_courses(rules, "XYZ", 3);
	g_autofree char *wrong = NULL, *none = NULL, *lday = NULL, *dday = NULL;
	const char *by = NULL;
	GDate lottery, due;

	g_assert_cmpstr(rules_kind_group(rules, "transcript"), ==, "Identity and school");
	g_assert_cmpstr(rules_kind_group(rules, "tb-ppd"), ==, "Health");
	g_assert_cmpstr(rules_kind_group(rules, "health-insurance"), ==, "Insurance");
	g_assert_nonnull(rules_kind_note(rules, "tdap", &by));
	g_assert_cmpstr(by, ==, "immunization-form");
	g_assert_null(rules_kind_note(rules, "transcript", NULL));
	g_assert_cmpstr(range1, ==, "1-26 March 2027");
	g_assert_cmpstr(range2, ==, "7 December 2026 to 1 January 2027");
	g_assert_cmpstr(range3, ==, "7 June to 2 July 2027");
	/* lead_days = 45: the lottery 45 days before the start; documents_due_days = 60:
	 * documents due 60 days before it (#16; before: the day before the lottery). */
	g_assert_true(guide_block_dates(rules, "2027-03", &lottery, &due));
	lday = g_strdup_printf("%04d-%02d-%02d", g_date_get_year(&lottery), g_date_get_month(&lottery),
	    g_date_get_day(&lottery));
	dday = g_strdup_printf("%04d-%02d-%02d", g_date_get_year(&due), g_date_get_month(&due),
	    g_date_get_day(&due));
	g_assert_cmpstr(lday, ==, "2027-01-15");
	g_assert_cmpstr(dday, ==, "2026-12-31");
	g_assert_false(guide_block_dates(rules, "2027-13", NULL, NULL));
	g_assert_cmpstr(near1, ==, "MED-401 or MED-420");
	g_assert_cmpstr(near2, ==, "MED-401");
	g_assert_cmpstr(near3, ==, "MED-401, MED-420 or MED-435");
	g_assert_null(near4);
	/* Choices: only the wrong ones are named; the catalog follows. */
	c.rank = 1;
	g_strlcpy(c.course, "MED-401", sizeof c.course);
	g_strlcpy(c.block, "2027-03", sizeof c.block);
	g_array_append_val(choices, c);
	none = guide_choices(rules, choices, "2026-10-20");
	g_assert_cmpstr(none, ==, "");
	c.rank = 2;
	g_strlcpy(c.course, "SUR-521", sizeof c.course);
	g_strlcpy(c.block, "2026-10", sizeof c.block);
	g_array_append_val(choices, c);
	wrong = guide_choices(rules, choices, "2026-10-20");
	g_assert_nonnull(strstr(wrong, "Choice 2 (SUR-521 2026-10): SUR-521 is not a course we offer."
	    " Did you mean SUR-512? Block 2026-10 started on 5 October 2026"));
	g_assert_null(strstr(wrong, "Choice 1"));
	g_assert_nonnull(strstr(wrong, "\n  2026-11  2-27 November 2026\n"));
	g_assert_null(strstr(wrong, "\n  2026-10  "));
}

static GArray *
choices_of(const char *const (*list)[2], gsize n)
{
	GArray *a = g_array_new(FALSE, TRUE, sizeof(struct form_choice));

	for (gsize i = 0; i < n; i++) {
		struct form_choice c = { 0 };
		c.rank = i + 1;
		g_strlcpy(c.course, list[i][0], sizeof c.course);
		g_strlcpy(c.block, list[i][1], sizeof c.block);
		g_array_append_val(a, c);
	}
	return a;
}

/* #16: documents are due documents_due_days (60) before a block; complete
 * after that, no seat in it, and the reply says which blocks remain. */
static void
test_deadline(void)
{
	static const char *const three[][2] = {
		{ "MED-401", "2027-01" }, { "SUR-512", "2027-03" }, { "PED-430", "2027-04" },
	};
	static const struct {
		const char *complete_on, *today, *want;
	} cases[] = {
		/* complete 3 days before 2027-01 (starts 4 January 2027): too late for it */
		{ "2027-01-01", "2027-01-01", "Your documents arrived after the deadline for blocks"
		  " 2027-01 (5 November 2026) and 2027-03 (31 December 2026), so we cannot place you in"
		  " those blocks. You can still get a seat in 2027-04.\n" },
		{ "2026-11-10", "2026-11-10", "Your documents arrived after the deadline for block"
		  " 2027-01 (5 November 2026), so we cannot place you in that block. You can still get"
		  " a seat in 2027-03 and 2027-04.\n" },
		/* complete on the due day itself: in time; later mail changes nothing */
		{ "2026-11-05", "2026-12-20", "" },
		{ "2026-10-20", "2026-10-20", "" },
		/* not complete yet: judged by today */
		{ NULL, "2027-01-02", "The deadline for documents has passed for blocks 2027-01"
		  " (5 November 2026) and 2027-03 (31 December 2026), so we cannot place you in those"
		  " blocks, even if you send the missing documents now. You can still get a seat in"
		  " 2027-04 if your application is complete in time.\n" },
		{ NULL, "2026-11-05", "" },
		/* none left (2027-01 has started: not said here): what to do */
		{ "2027-02-10", "2027-02-10", "Your documents arrived after the deadline for blocks"
		  " 2027-03 (31 December 2026) and 2027-04 (4 February 2027), so we cannot place you in"
		  " those blocks. You cannot get a seat in any of the blocks you chose. If you want a"
		  " place in a later block, send the application form again with new choices. The"
		  " first block you can still choose is 2027-05 (3-28 May 2027).\n" },
		{ NULL, "2027-02-10", "The deadline for documents has passed for blocks 2027-03"
		  " (31 December 2026) and 2027-04 (4 February 2027), so we cannot place you in those"
		  " blocks, even if you send the missing documents now. You cannot get a seat in any of"
		  " the blocks you chose. If you want a place in a later block, send the application"
		  " form again with new choices. The first block you can still choose is 2027-05 (3-28"
		  " May 2027). For it, your application must be complete by 4 March 2027.\n" },
	};
	g_autoptr(GArray) choices = choices_of(three, G_N_ELEMENTS(three));
	GDate due;

	g_assert_true(guide_block_due(rules, "2027-01", &due));
	g_assert_cmpint(g_date_get_day(&due), ==, 5);
	g_assert_cmpint(g_date_get_month(&due), ==, G_DATE_NOVEMBER);
	g_assert_false(guide_block_due(rules, "2027-13", &due));
	g_assert_false(guide_too_late(rules, "2027-03", "2026-12-31"));
	g_assert_true(guide_too_late(rules, "2027-03", "2027-01-01"));
	g_assert_true(guide_too_late(rules, "2027-03", "2027-02-26"));	/* 3 days before */
	g_assert_false(guide_too_late(rules, "2027-03", NULL));
	g_assert_false(guide_too_late(rules, "2027-13", "2027-01-01"));
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = guide_deadlines(rules, choices, cases[i].complete_on,
		    cases[i].today, FALSE);
		g_assert_cmpstr(text, ==, cases[i].want);
	}
	/* Seated in another block: which block was missed, and nothing more. */
	{
		g_autofree char *text = guide_deadlines(rules, choices, "2026-11-10", "2026-11-10",
		    TRUE);
		g_assert_cmpstr(text, ==, "Your documents arrived after the deadline for block 2027-01"
		    " (5 November 2026), so we cannot place you in that block.\n");
	}
}

/* #16: a chosen course whose prerequisite the form does not list is named at once. */
static void
test_prerequisites(void)
{
	static const char *const chosen[][2] = {
		{ "MED-420", "2027-03" }, { "NEU-320", "2027-03" }, { "NEU-320", "2027-04" },
		{ "EMR-450", "2027-04" }, { "RAD-410", "2027-04" }, { "XYZ-100", "2027-04" },
	};
	static const struct {
		const char *completed, *want;
	} cases[] = {
		{ "medicine, surgery, pediatrics, obstetrics-gynecology", "Choices we cannot place you"
		  " in:\n  - NEU-320 (Neurocritical Care) needs a finished clerkship in neurology. Your"
		  " form does not list neurology in \"Core clerkships completed\", so we cannot place you"
		  " in NEU-320. If you have finished it, send the form again with it listed.\n" },
		{ "surgery, pediatrics, neurology", "Choices we cannot place you in:\n  - MED-420"
		  " (Cardiology Consult Service) needs a finished clerkship in medicine. Your form does"
		  " not list medicine in \"Core clerkships completed\", so we cannot place you in"
		  " MED-420. If you have finished it, send the form again with it listed.\n  - EMR-450"
		  " (Emergency Medicine) needs finished clerkships in medicine and surgery. Your form"
		  " does not list medicine in \"Core clerkships completed\", so we cannot place you in"
		  " EMR-450. If you have finished it, send the form again with it listed.\n" },
		{ "pediatrics", NULL },	/* checked below */
		{ "all of them", "" },
		{ "internal medicine, general surgery, neurology", "" },
	};
	g_autoptr(GArray) choices = choices_of(chosen, G_N_ELEMENTS(chosen));
	g_autoptr(GPtrArray) miss = rules_prerequisites_missing(rules, "EMR-450", NULL);

	g_assert_cmpuint(miss->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(miss, 0), ==, "medicine");
	g_assert_cmpstr(g_ptr_array_index(miss, 1), ==, "surgery");
	g_clear_pointer(&miss, g_ptr_array_unref);
	miss = rules_prerequisites_missing(rules, "NOPE-1", NULL);
	g_assert_cmpuint(miss->len, ==, 0);
	g_assert_false(rules_prerequisites_met(rules, "NOPE-1", "all"));
	g_assert_true(rules_prerequisites_met(rules, "NEU-301", NULL));
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *text = guide_prerequisites(rules, choices, cases[i].completed);
		if (cases[i].want != NULL)
			g_assert_cmpstr(text, ==, cases[i].want);
		else
			g_assert_nonnull(strstr(text, "  - EMR-450 (Emergency Medicine) needs finished"
			    " clerkships in medicine and surgery. Your form does not list medicine and"
			    " surgery in \"Core clerkships completed\", so we cannot place you in EMR-450."
			    " If you have finished them, send the form again with them listed.\n"));
	}
}

/* A complete domestic application; tests take things away. */
static struct dossier *
complete(void)
{
	static const char *const fields[][2] = {
		{ "full_name", "Jane Doe" }, { "medical_school", "Example University School of Medicine" },
		{ "school_country", "United States" }, { "year_of_study", "final" },
		{ "expected_graduation", "2027-05" }, { "degree_held", "none" },
		{ "core_clerkships_completed", "medicine, surgery, pediatrics, obstetrics-gynecology" },
		{ "request_type", "clerkship" }, { "english_proficiency", "native" },
	};
	static const char *const kinds[] = { "good-standing", "transcript", "immunization-form",
		"health-insurance", "titer-report" };
	struct dossier *d = dossier_new();
	struct form_choice c = { 1, "MED-401", "2027-03" };

	for (gsize i = 0; i < G_N_ELEMENTS(fields); i++)
		g_hash_table_insert(d->form, g_strdup(fields[i][0]), g_strdup(fields[i][1]));
	g_array_append_val(d->choices, c);
	for (gsize i = 0; i < G_N_ELEMENTS(kinds); i++) {
		struct dossier_doc *doc = g_new0(struct dossier_doc, 1);
		doc->kind = g_strdup(kinds[i]);
		doc->date = g_strdup("2026-10-01");
		g_ptr_array_add(d->docs, doc);
	}
	d->status = g_strdup("received");
	return d;
}

static struct dossier_doc *
add_doc(struct dossier *d, const char *kind, const char *date)
{
	struct dossier_doc *doc = g_new0(struct dossier_doc, 1);

	doc->kind = g_strdup(kind);
	doc->date = g_strdup(date);
	doc->dated = TRUE;
	g_ptr_array_add(d->docs, doc);
	return doc;
}

static void
set(struct dossier *d, const char *field, const char *value)
{
	g_hash_table_insert(d->form, g_strdup(field), g_strdup(value));
}

/* Judge d on today: "status missing,ids reason,ids" for comparison; the
 * explanations (documents.ini explain-*), "KIND\tTEXT" a line, in *said if
 * not NULL. */
static char *
judge_on(struct dossier *d, const char *today, char **said)
{
	struct decision dc;
	g_autoptr(GError) err = NULL;
	GString *s = g_string_new(NULL);

	decision_init(&dc);
	g_assert_true(rules_eval(rules, d, today, &dc, &err));
	if (said != NULL) {
		g_ptr_array_add(dc.explained, NULL);
		*said = g_strjoinv("\n", (char **)dc.explained->pdata);
	}
	g_assert_no_error(err);
	g_string_append(s, dc.status);
	for (guint i = 0; i < dc.missing->len; i++)
		g_string_append_printf(s, "%s%s", i ? "," : " missing:", (char *)g_ptr_array_index(dc.missing, i));
	for (guint i = 0; i < dc.reasons->len; i++) {
		struct decision_reason *why = g_ptr_array_index(dc.reasons, i);
		g_string_append_printf(s, "%s%s%s", i ? "," : " reasons:", why->rule, why->unknown ? "?" : "");
	}
	for (guint i = 0; i < dc.pending->len; i++)
		g_string_append_printf(s, "%s%s", i ? "," : " pending:", (char *)g_ptr_array_index(dc.pending, i));
	decision_clear(&dc);
	dossier_free(d);
	return g_string_free(s, FALSE);
}

/* Judge d on 2026-10-20. */
static char *
judge(struct dossier *d)
{
	return judge_on(d, "2026-10-20", NULL);
}

#define JUDGE(d, expect) do { g_autofree char *got = judge(d); g_assert_cmpstr(got, ==, expect); } while (0)

static void
test_documents(void)
{
	struct dossier *d;

	JUDGE(complete(), "incomplete missing:tb-ppd");
	d = complete();
	add_doc(d, "tb-ppd", "2026-09-01");
	add_doc(d, "tb-ppd", "2026-09-09");
	JUDGE(d, "complete");
	/* The second reading less than 7 days after the first. */
	d = complete();
	add_doc(d, "tb-ppd", "2026-09-01");
	add_doc(d, "tb-ppd", "2026-09-04");
	JUDGE(d, "incomplete missing:tb-ppd");
	/* Older than 12 months. */
	d = complete();
	add_doc(d, "tb-ppd", "2025-06-01");
	add_doc(d, "tb-ppd", "2025-06-09");
	JUDGE(d, "incomplete missing:tb-ppd");
	/* One result only. */
	d = complete();
	add_doc(d, "tb-ppd", "2026-09-01");
	JUDGE(d, "incomplete missing:tb-ppd");
	/* Or one IGRA. */
	d = complete();
	add_doc(d, "tb-igra", "2026-10-02");
	JUDGE(d, "complete");
	/* A positive result asks for a chest X-ray. */
	d = complete();
	add_doc(d, "tb-igra", "2026-10-02")->positive = TRUE;
	JUDGE(d, "incomplete missing:chest-xray");
	d = complete();
	add_doc(d, "tb-igra", "2026-10-02")->positive = TRUE;
	add_doc(d, "chest-xray", "2026-10-10");
	JUDGE(d, "complete");
	/* A booster whose serology is pending: pending, not met. */
	d = complete();
	add_doc(d, "tb-igra", "2026-10-02");
	add_doc(d, "hepatitis-b", "2026-10-05")->pending = TRUE;
	JUDGE(d, "incomplete missing:hepatitis-b pending:hepatitis-b");
	/* Rejected and held documents do not count. */
	d = complete();
	add_doc(d, "tb-igra", "2026-10-02")->state = DOC_REJECTED;
	JUDGE(d, "incomplete missing:tb-ppd");
	d = complete();
	add_doc(d, "tb-igra", "2026-10-02")->state = DOC_HELD;
	JUDGE(d, "incomplete missing:tb-ppd");
	/* Without the immunization record, each dose is its own item. */
	d = complete();
	add_doc(d, "tb-igra", "2026-10-02");
	g_ptr_array_remove_index(d->docs, 4);	/* the titer report */
	g_ptr_array_remove_index(d->docs, 2);
	add_doc(d, "mmr", "2020-01-01");
	JUDGE(d, "incomplete missing:varicella,hepatitis-b,tdap,influenza");
	/* International, not native: the TOEFL report is required too. */
	d = complete();
	add_doc(d, "tb-igra", "2026-10-02");
	set(d, "medical_school", "University of Tokyo Faculty of Medicine");
	set(d, "school_country", "Japan");
	set(d, "year_of_study", "6th");
	set(d, "english_proficiency", "TOEFL 105");
	JUDGE(d, "incomplete missing:toefl");
}

static struct dossier *
eligible(void)
{
	struct dossier *d = complete();

	add_doc(d, "tb-igra", "2026-10-02");
	return d;
}

/* An eligible student of an approved international school (6th of 6),
 * with a TOEFL report on file and this English line on the form. */
static struct dossier *
international(const char *english)
{
	struct dossier *d = eligible();

	set(d, "medical_school", "Karolinska Institutet");
	set(d, "school_country", "Sweden");
	set(d, "year_of_study", "6th of 6");
	add_doc(d, "toefl", "2026-01-01");
	set(d, "english_proficiency", english);
	return d;
}

/* Health documents (issue 16): one row a case. docs: "KIND DATE [pending|positive|undated];
 * ...", added to an eligible application without its immunization record and
 * titer report (a row that names tb-ppd or tb-igra replaces its IGRA of
 * 2026-10-02; "undated": the date received stood in); form: "field=value;
 * ..."; today: NULL for 2026-10-20; expect: judge()'s "status missing:...
 * pending:..."; say: NULL, or what the reply says under the first missing
 * kind (documents.ini explain-*), in full. The block is 2027-03 (1 to 26
 * March 2027). */
#define HBT "; hepatitis-b-titer 2026-10-01"
static void
test_health(void)
{
	static const struct {
		const char *docs, *form, *expect, *today, *say;
	} rows[] = {
		/* A titer report covers the serologies (MMR, varicella, hepatitis B), never
		 * Tdap or influenza, nor the hepatitis B doses. */
		{ "titer-report 2026-10-01", "", "incomplete missing:hepatitis-b,tdap,influenza", NULL, NULL },
		{ "titer-report 2026-10-01; tdap 2024-01-01; influenza 2026-10-01", "",
		  "incomplete missing:hepatitis-b", NULL, "hepatitis-b\tWe need two things: a record of your "
		  "three hepatitis B vaccine doses (your immunization record, or a document for each dose), "
		  "and your hepatitis B titer (the result of the anti-HBs blood test, with a number)." },
		{ "titer-report 2026-10-01 pending; tdap 2024-01-01; influenza 2026-10-01", "",
		  "incomplete missing:mmr,varicella,hepatitis-b pending:mmr,varicella,hepatitis-b", NULL, "" },
		/* Pending is not met, for every kind: a serology marked pending plus a record
		 * that would cover it. */
		{ "immunization-form 2026-10-01; mmr 2026-10-05 pending" HBT, "",
		  "incomplete missing:mmr pending:mmr", NULL, NULL },
		{ "immunization-form 2026-10-01; varicella 2026-10-05 pending" HBT, "",
		  "incomplete missing:varicella pending:varicella", NULL, NULL },
		{ "immunization-form 2026-10-01; hepatitis-b 2026-10-05 pending" HBT, "",
		  "incomplete missing:hepatitis-b pending:hepatitis-b", NULL, NULL },
		{ "titer-report 2026-10-01; tdap 2024-01-01; influenza 2026-10-01; mmr 2026-10-05 pending; "
		  "hepatitis-b 2026-01-05; hepatitis-b 2026-02-05; hepatitis-b 2026-07-05", "",
		  "incomplete missing:mmr pending:mmr", NULL, NULL },
		{ "immunization-form 2026-10-01; titer-report 2026-10-05 pending", "",
		  "incomplete missing:mmr,varicella,hepatitis-b pending:mmr,varicella,hepatitis-b", NULL, NULL },
		{ "immunization-form 2026-10-01; tdap 2026-10-05 pending" HBT, "",
		  "incomplete missing:tdap pending:tdap", NULL, NULL },
		/* The result itself, once it arrives, counts. */
		{ "immunization-form 2026-10-01; mmr 2026-10-05 pending; mmr 2026-10-12" HBT, "", "complete",
		  NULL, NULL },
		/* Hepatitis B: three doses (the record, or three documents) AND a titer (its
		 * own document or a titer report); a pending titer keeps it pending. */
		{ "immunization-form 2026-10-01", "", "incomplete missing:hepatitis-b", NULL,
		  "hepatitis-b\tWe have the record of your doses. We also need your hepatitis B titer: the "
		  "result of the anti-HBs blood test, with a number." },
		{ "immunization-form 2026-10-01" HBT, "", "complete", NULL, NULL },
		{ "immunization-form 2026-10-01; titer-report 2026-10-01", "", "complete", NULL, NULL },
		{ "immunization-form 2026-10-01; hepatitis-b-titer 2026-10-05 pending", "",
		  "incomplete missing:hepatitis-b pending:hepatitis-b", NULL, "" },
		{ "titer-report 2026-10-01; tdap 2024-01-01; influenza 2026-10-01; hepatitis-b 2026-01-05; "
		  "hepatitis-b 2026-02-05; hepatitis-b 2026-07-05", "", "complete", NULL, NULL },
		{ "titer-report 2026-10-01; tdap 2024-01-01; influenza 2026-10-01; hepatitis-b 2026-01-05; "
		  "hepatitis-b 2026-02-05", "", "incomplete missing:hepatitis-b", NULL, NULL },
		/* Influenza: a dose in this flu season (from 1 August, flu_season_start_month);
		 * the immunization record counts only if dated in it too. */
		{ "immunization-form 2026-07-31" HBT, "", "incomplete missing:influenza", NULL,
		  "influenza\tWe need a flu vaccine dose from this flu season: given on 1 August 2026 or "
		  "later." },
		{ "immunization-form 2026-07-31; influenza 2026-08-01" HBT, "", "complete", NULL, NULL },
		{ "immunization-form 2026-07-31; influenza 2026-07-31" HBT, "", "incomplete missing:influenza",
		  NULL, NULL },
		{ "immunization-form 2026-08-01" HBT, "", "complete", NULL, NULL },
		/* In January, the season began last August. */
		{ "immunization-form 2026-08-01" HBT, "", "complete", "2027-01-15", NULL },
		{ "immunization-form 2026-07-31" HBT, "", "incomplete missing:influenza", "2027-01-15",
		  "influenza\tWe need a flu vaccine dose from this flu season: given on 1 August 2026 or "
		  "later." },
		/* TB: two PPD results 7 to 21 days apart, or an IGRA, valid (12 months) to the
		 * end of the last chosen block, 26 March 2027. */
		{ "immunization-form 2026-10-01; tb-ppd 2026-09-01; tb-ppd 2026-09-08" HBT, "", "complete",
		  NULL, NULL },
		{ "immunization-form 2026-10-01; tb-ppd 2026-09-01; tb-ppd 2026-09-22" HBT, "", "complete",
		  NULL, NULL },
		{ "immunization-form 2026-10-01; tb-ppd 2026-09-01; tb-ppd 2026-09-07" HBT, "",
		  "incomplete missing:tb-ppd", NULL, "tb-ppd\tYour two TB skin tests are 6 days apart. The "
		  "second test must be 7 to 21 days after the first." },
		{ "immunization-form 2026-10-01; tb-ppd 2026-09-01; tb-ppd 2026-09-23" HBT, "",
		  "incomplete missing:tb-ppd", NULL, "tb-ppd\tYour two TB skin tests are 22 days apart. The "
		  "second test must be 7 to 21 days after the first." },
		{ "immunization-form 2026-10-01; tb-ppd 2026-03-02; tb-ppd 2026-03-10" HBT, "",
		  "incomplete missing:tb-ppd", NULL, "tb-ppd\tYour TB test of 10 March 2026 is valid until "
		  "10 March 2027, but your block 2027-03 ends on 26 March 2027. Please send a TB test result "
		  "dated 26 March 2026 or later." },
		{ "immunization-form 2026-10-01; tb-ppd 2026-03-18; tb-ppd 2026-03-26" HBT, "", "complete",
		  NULL, NULL },
		{ "immunization-form 2026-10-01; tb-igra 2026-03-25" HBT, "", "incomplete missing:tb-ppd",
		  NULL, "tb-ppd\tYour TB test of 25 March 2026 is valid until 25 March 2027, but your block "
		  "2027-03 ends on 26 March 2027. Please send a TB test result dated 26 March 2026 or later." },
		{ "immunization-form 2026-10-01; tb-igra 2026-03-26" HBT, "", "complete", NULL, NULL },
		{ "immunization-form 2026-10-01; tb-ppd 2026-09-01" HBT, "", "incomplete missing:tb-ppd",
		  NULL, "tb-ppd\tWe have one TB skin test result. A two-step test has two results: please "
		  "send the second one too." },
		/* Two results whose dates stood in cannot show the 7 to 21 days. */
		{ "immunization-form 2026-10-01; tb-ppd 2026-10-01 undated; tb-ppd 2026-10-12 undated" HBT,
		  "", "incomplete missing:tb-ppd", NULL, "tb-ppd\tYour TB skin test results have no dates, "
		  "so we cannot check that the second test was 7 to 21 days after the first. Please reply "
		  "with a line for each result: the file name, \"= tb-ppd\" and the date of the result, for "
		  "example: PPD_1.pdf = tb-ppd 2026-10-01. If you do not, a coordinator will check the "
		  "dates on your documents." },
		{ "immunization-form 2026-10-01; tb-ppd 2026-10-01; tb-ppd 2026-10-12 undated" HBT, "",
		  "incomplete missing:tb-ppd", NULL, NULL },
		/* A chest X-ray after a positive TB result or a BCG vaccination. */
		{ "immunization-form 2026-10-01; tb-igra 2026-10-02; tb-ppd 2026-09-01 positive" HBT, "",
		  "incomplete missing:chest-xray", NULL, NULL },
		{ "immunization-form 2026-10-01" HBT, "bcg=yes", "incomplete missing:chest-xray", NULL, NULL },
		{ "immunization-form 2026-10-01" HBT, "bcg=Yes, as a child", "incomplete missing:chest-xray",
		  NULL, NULL },
		{ "immunization-form 2026-10-01" HBT, "bcg_vaccination=yes", "incomplete missing:chest-xray",
		  NULL, NULL },
		{ "immunization-form 2026-10-01; chest-xray 2026-10-10" HBT, "bcg=yes", "complete", NULL, NULL },
		{ "immunization-form 2026-10-01" HBT, "bcg=no", "complete", NULL, NULL },
		{ "immunization-form 2026-10-01" HBT, "bcg=", "complete", NULL, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct dossier *d = eligible();
		g_auto(GStrv) docs = g_strsplit(rows[i].docs, ";", -1);
		g_auto(GStrv) form = g_strsplit(rows[i].form, ";", -1);
		g_autofree char *got = NULL, *said = NULL;

		g_ptr_array_remove_index(d->docs, 5);	/* eligible()'s IGRA */
		g_ptr_array_remove_index(d->docs, 4);	/* complete()'s titer report */
		g_ptr_array_remove_index(d->docs, 2);	/* complete()'s immunization-form */
		if (strstr(rows[i].docs, "tb-") == NULL)
			add_doc(d, "tb-igra", "2026-10-02");
		for (int j = 0; docs[j] != NULL; j++) {
			g_auto(GStrv) w = g_strsplit(g_strstrip(docs[j]), " ", 3);
			struct dossier_doc *doc = add_doc(d, w[0], w[1]);
			doc->pending = w[2] != NULL && strcmp(w[2], "pending") == 0;
			doc->positive = w[2] != NULL && strcmp(w[2], "positive") == 0;
			doc->dated = w[2] == NULL || strcmp(w[2], "undated") != 0;
		}
		for (int j = 0; form[j] != NULL; j++) {
			char *eq = strchr(form[j], '=');
			if (eq == NULL)
				continue;
			*eq = '\0';
			set(d, g_strstrip(form[j]), eq + 1);
		}
		got = judge_on(d, rows[i].today ? rows[i].today : "2026-10-20", &said);
		if (g_strcmp0(got, rows[i].expect) != 0 ||
		    (rows[i].say != NULL && g_strcmp0(said, rows[i].say) != 0))
			g_printerr("# row %" G_GSIZE_FORMAT ": %s | %s\n", i, rows[i].docs, rows[i].form);
		g_assert_cmpstr(got, ==, rows[i].expect);
		if (rows[i].say != NULL)
			g_assert_cmpstr(said, ==, rows[i].say);
	}
}

static void
test_eligibility(void)
{
	struct dossier *d;

	d = eligible();
	set(d, "year_of_study", "3rd");
	JUDGE(d, "ineligible reasons:final-year");
	d = eligible();
	set(d, "year_of_study", "fourth year");
	JUDGE(d, "complete");
	d = eligible();
	set(d, "request_type", "Observership");
	JUDGE(d, "ineligible reasons:request-type");
	d = eligible();
	set(d, "request_type", "research elective");
	JUDGE(d, "ineligible reasons:request-type");
	d = eligible();
	set(d, "degree_held", "MBBS (2019)");
	JUDGE(d, "ineligible reasons:no-medical-degree");
	d = eligible();
	set(d, "degree_held", "BSc (intercalated)");
	JUDGE(d, "complete");
	d = eligible();
	set(d, "expected_graduation", "2028-06");
	JUDGE(d, "ineligible reasons:graduation");
	d = eligible();
	set(d, "expected_graduation", "May 2027");
	JUDGE(d, "complete");
	d = eligible();
	set(d, "expected_graduation", "2027");
	JUDGE(d, "complete");
	d = eligible();
	set(d, "year_of_study", "MS4");
	JUDGE(d, "complete");
	/* Not written: the form cannot say, so incomplete, never ineligible. */
	d = eligible();
	g_hash_table_remove(d->form, "expected_graduation");
	JUDGE(d, "incomplete reasons:graduation?");
	d = eligible();
	set(d, "medical_school", "Unlisted College of Medicine");
	JUDGE(d, "ineligible reasons:approved-school");
	d = eligible();
	set(d, "core_clerkships_completed", "medicine, surgery");
	JUDGE(d, "ineligible reasons:core-clerkships");
	d = international("TOEFL 95");
	JUDGE(d, "ineligible reasons:english");
	d = eligible();
	set(d, "medical_school", "Karolinska Institutet");
	set(d, "school_country", "Sweden");
	set(d, "year_of_study", "5th of 6");
	set(d, "english_proficiency", "native");
	JUDGE(d, "ineligible reasons:final-year");
	/* Choices: too early, unknown, past, none. */
	d = eligible();
	set(d, "expected_graduation", "2027-09");
	g_array_index(d->choices, struct form_choice, 0) = (struct form_choice){ 1, "MED-401", "2027-08" };
	JUDGE(d, "early reasons:application-window");
	d = eligible();
	g_array_index(d->choices, struct form_choice, 0) = (struct form_choice){ 1, "CAR-420", "2027-03" };
	JUDGE(d, "incomplete reasons:known-courses");
	d = eligible();
	g_array_index(d->choices, struct form_choice, 0) = (struct form_choice){ 1, "MED-401", "2026-09" };
	JUDGE(d, "incomplete reasons:known-blocks");
	d = eligible();
	g_array_set_size(d->choices, 0);
	JUDGE(d, "incomplete reasons:choices");
	d = eligible();
	for (int i = 0; i < 4; i++) {
		struct form_choice c = { i + 2, "MED-401", "" };
		g_snprintf(c.block, sizeof c.block, "2026-%02d", 11 + i % 2);
		if (i >= 2)
			g_snprintf(c.block, sizeof c.block, "2027-0%d", i - 1);
		g_array_append_val(d->choices, c);
	}
	JUDGE(d, "incomplete reasons:choice-limits");
	/* The scheduler's statuses are kept. */
	d = eligible();
	g_free(d->status);
	d->status = g_strdup("scheduled");
	JUDGE(d, "scheduled missing:malpractice");
}

/* Issue 16, eligibility: each case a row (form fields, documents, today ->
 * the decision as judge() writes it, and words its reasons must say). */
static void
test_eligibility_issue16(void)
{
	static const struct {
		const char *today;
		const char *fields[4][2];	/* set on eligible() */
		const char *block;		/* the one choice's block (MED-401), NULL: 2027-03 */
		const char *docs[2][2];	/* extra documents: kind, date */
		const char *expect, *says, *says2;
	} cases[] = {
		/* A degree field that says none, not yet or expected is no degree. */
		{ "2026-10-20", { { "degree_held", "I do not hold a medical degree" } }, NULL, { { NULL } },
		  "complete", NULL, NULL },
		{ "2026-10-20", { { "degree_held", "none yet (MBBS expected 2027)" } }, NULL, { { NULL } },
		  "complete", NULL, NULL },
		{ "2026-10-20", { { "degree_held", "No" } }, NULL, { { NULL } }, "complete", NULL, NULL },
		{ "2026-10-20", { { "degree_held", "not yet" } }, NULL, { { NULL } }, "complete", NULL, NULL },
		{ "2026-10-20", { { "degree_held", "MD expected 2027" } }, NULL, { { NULL } }, "complete",
		  NULL, NULL },
		{ "2026-10-20", { { "degree_held", "MD" } }, NULL, { { NULL } },
		  "ineligible reasons:no-medical-degree", "already have an MD", NULL },
		{ "2026-10-20", { { "degree_held", "MBBS (2024)" } }, NULL, { { NULL } },
		  "ineligible reasons:no-medical-degree", NULL, NULL },
		{ "2026-10-20", { { "degree_held", "I hold an MBChB" } }, NULL, { { NULL } },
		  "ineligible reasons:no-medical-degree", NULL, NULL },
		/* Graduation against the block: a month means its last day. */
		{ "2027-01-10", { { "expected_graduation", "2027-05" } }, "2027-06", { { NULL } },
		  "ineligible reasons:graduation-after-block", "graduate by 31 May 2027",
		  "your block 2027-06 (7 June to 2 July 2027) ends after that" },
		{ "2027-01-10", { { "expected_graduation", "May 2027" } }, "2027-05", { { NULL } },
		  "complete", NULL, NULL },
		{ "2027-01-10", { { "expected_graduation", "2027-05-14" } }, "2027-05", { { NULL } },
		  "ineligible reasons:graduation-after-block", "graduate by 14 May 2027",
		  "2027-05 (3-28 May 2027)" },
		{ "2027-01-10", { { "expected_graduation", "2027-07" } }, "2027-06", { { NULL } },
		  "complete", NULL, NULL },
		/* Still within graduation_within_months as well. */
		{ "2026-10-20", { { "expected_graduation", "2028-06" } }, NULL, { { NULL } },
		  "ineligible reasons:graduation", "within 12 months", NULL },
		/* English: IELTS against ielts_minimum, as TOEFL against toefl_minimum. */
		{ "2026-10-20", { { "english_proficiency", "IELTS 7.5" } }, NULL, { { "toefl", "2026-01-01" } },
		  "complete", NULL, NULL },
		{ "2026-10-20", { { "english_proficiency", "IELTS Academic (2025-06): overall band 7,0" } },
		  NULL, { { "toefl", "2026-01-01" } }, "complete", NULL, NULL },
		{ "2026-10-20", { { "english_proficiency", "IELTS 6.5" } }, NULL, { { "toefl", "2026-01-01" } },
		  "ineligible reasons:english", "TOEFL iBT score of at least 100,",
		  "IELTS score of at least 7.0," },
		{ "2026-10-20", { { "english_proficiency", "TOEFL 105" } }, NULL, { { "toefl", "2026-01-01" } },
		  "complete", NULL, NULL },
		/* A score report older than english_test_valid_years (2) is not met. */
		{ "2026-10-20", { { "english_proficiency", "IELTS 7.5" } }, NULL, { { "toefl", "2024-09-01" } },
		  "incomplete missing:toefl", NULL, NULL },
		{ "2026-10-20", { { "english_proficiency", "TOEFL 110" } }, NULL, { { "toefl", "2024-10-21" } },
		  "complete", NULL, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct dossier *d = eligible();
		struct decision dc;
		g_autoptr(GError) err = NULL;
		g_autoptr(GString) got = g_string_new(NULL), said = g_string_new(NULL);

		if (g_str_has_prefix(cases[i].fields[0][0], "english")) {
			set(d, "medical_school", "Karolinska Institutet");
			set(d, "school_country", "Sweden");
			set(d, "year_of_study", "6th of 6");
		}
		for (int f = 0; f < 4 && cases[i].fields[f][0] != NULL; f++)
			set(d, cases[i].fields[f][0], cases[i].fields[f][1]);
		if (cases[i].block != NULL)
			g_strlcpy(g_array_index(d->choices, struct form_choice, 0).block, cases[i].block,
			    sizeof g_array_index(d->choices, struct form_choice, 0).block);
		for (int k = 0; k < 2 && cases[i].docs[k][0] != NULL; k++)
			add_doc(d, cases[i].docs[k][0], cases[i].docs[k][1]);
		decision_init(&dc);
		g_assert_true(rules_eval(rules, d, cases[i].today, &dc, &err));
		g_assert_no_error(err);
		g_string_append(got, dc.status);
		for (guint j = 0; j < dc.missing->len; j++)
			g_string_append_printf(got, "%s%s", j ? "," : " missing:",
			    (char *)g_ptr_array_index(dc.missing, j));
		for (guint j = 0; j < dc.reasons->len; j++) {
			struct decision_reason *why = g_ptr_array_index(dc.reasons, j);
			g_string_append_printf(got, "%s%s%s", j ? "," : " reasons:", why->rule,
			    why->unknown ? "?" : "");
			g_string_append(said, why->text);
		}
		decision_clear(&dc);
		dossier_free(d);
		if (g_strcmp0(got->str, cases[i].expect) != 0)
			g_printerr("# case %zu (%s)\n", i, cases[i].fields[0][1]);
		g_assert_cmpstr(got->str, ==, cases[i].expect);
		if (cases[i].says != NULL && strstr(said->str, cases[i].says) == NULL)
			g_printerr("# case %zu says: %s\n", i, said->str);
		g_assert_true(cases[i].says == NULL || strstr(said->str, cases[i].says) != NULL);
		g_assert_true(cases[i].says2 == NULL || strstr(said->str, cases[i].says2) != NULL);
		g_assert_null(strstr(said->str, "{{"));
	}
	/* The missing report's note says the validity with its number. */
	g_assert_cmpstr(rules_kind_note(rules, "toefl", NULL), ==, "A TOEFL or IELTS score report counts "
	    "only if the test was taken in the last 2 years.");
}

static char *
tmp_rules(void)
{
	g_autofree char *dir = g_dir_make_tmp("clerkd-rules-XXXXXX", NULL);
	g_autofree char *cmd = g_strdup_printf("cp -r '%s'/. '%s'/", srcrules, dir);

	g_assert_nonnull(dir);
	g_assert_cmpint(system(cmd), ==, 0);
	return g_steal_pointer(&dir);
}

static void
replace(const char *dir, const char *file, const char *from, const char *to)
{
	g_autofree char *path = g_build_filename(dir, file, NULL);
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	char *at = strstr(text, from);
	g_assert_nonnull(at);
	g_autofree char *out = g_strdup_printf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	g_assert_true(g_file_set_contents(path, out, -1, NULL));
}

static void
expect_error(const char *dir, const char *what)
{
	g_autoptr(GPtrArray) errors = rules_check(dir);
	gboolean found = FALSE;

	for (guint i = 0; i < errors->len; i++)
		found |= strstr(g_ptr_array_index(errors, i), what) != NULL;
	if (!found)
		for (guint i = 0; i < errors->len; i++)
			g_printerr("# %s\n", (char *)g_ptr_array_index(errors, i));
	g_assert_true(found);
}

static void
test_check(void)
{
	g_autofree char *dir = tmp_rules();
	g_autofree char *cmd = g_strdup_printf("rm -r '%s'", dir);
	g_autoptr(GPtrArray) none = rules_check(srcrules);
	g_autoptr(GError) err = NULL;

	g_assert_cmpuint(none->len, ==, 0);
	/* The sandbox: one read-only expression, nothing else. */
	replace(dir, "eligibility.ini", "require = choices >= 1", "require = 1); DELETE FROM application; SELECT (1");
	expect_error(dir, "eligibility.ini:");
	replace(dir, "eligibility.ini", "require = 1); DELETE FROM application; SELECT (1",
	    "require = (SELECT 1) IN (WITH x AS (SELECT 1) SELECT * FROM x) AND field('x') IS NULL AND nope(1)");
	expect_error(dir, "no such function: nope");
	replace(dir, "eligibility.ini", " AND nope(1)", "");
	g_autoptr(GPtrArray) ok = rules_check(dir);
	g_assert_cmpuint(ok->len, ==, 0);
	replace(dir, "documents.ini", "[mmr]", "[mmr]\ncolour = red");
	expect_error(dir, "unknown key 'colour' in [mmr]");
	replace(dir, "documents.ini", "colour = red", "required = pending('toefl-x') > 0");
	expect_error(dir, "unknown document kind 'toefl-x'");
	replace(dir, "documents.ini", "required = pending('toefl-x') > 0\n", "");
	/* A kind is a section: a new one needs no change of C. */
	{
		g_autoptr(GError) e2 = NULL;
		g_autoptr(Rules) cori = NULL;
		struct dossier *d;

		replace(dir, "documents.ini", "[good-standing]", "[cori]\ntitle = CORI form\ngroup = Identity "
		    "and school\nfiles = cori\nrequired = 1\n\n[good-standing]");
		cori = rules_load(dir, &e2);
		g_assert_no_error(e2);
		g_assert_true(rules_is_kind(cori, "cori"));
		g_assert_false(rules_is_kind(rules, "cori"));
		g_assert_cmpstr(rules_classify_file(cori, "CORI form - Jane Doe.pdf"), ==, "cori");
		g_assert_cmpstr(rules_kind_title(cori, "cori"), ==, "CORI form");
		d = eligible();
		struct decision dc;
		decision_init(&dc);
		g_assert_true(rules_eval(cori, d, "2026-10-20", &dc, &e2));
		g_assert_cmpuint(dc.missing->len, ==, 1);
		g_assert_cmpstr(g_ptr_array_index(dc.missing, 0), ==, "cori");
		add_doc(d, "cori", "2026-10-01");
		decision_clear(&dc);
		decision_init(&dc);
		g_assert_true(rules_eval(cori, d, "2026-10-20", &dc, &e2));
		g_assert_cmpuint(dc.missing->len, ==, 0);
		decision_clear(&dc);
		dossier_free(d);
		replace(dir, "documents.ini", "[cori]", "[CORI form]");
		expect_error(dir, "[CORI form]: a kind id is");
		replace(dir, "documents.ini", "[CORI form]", "[cori]");
	}
	/* A reason names the application's values it knows, nothing else; a
	 * note names settings. */
	replace(dir, "eligibility.ini", "ends after that.", "ends after {{last_blok}}.");
	expect_error(dir, "unknown {{last_blok}} in a reason");
	replace(dir, "eligibility.ini", "ends after {{last_blok}}.", "ends after that.");
	replace(dir, "documents.ini", "{{setting:english_test_valid_years}}", "{{setting:english_test_years}}");
	expect_error(dir, "unknown setting 'english_test_years'");
	replace(dir, "documents.ini", "{{setting:english_test_years}}", "{{setting:english_test_valid_years}}");
	replace(dir, "eligibility.ini", "[english]", "[english]\noutcome = maybe");
	expect_error(dir, "outcome must be ineligible, incomplete or early");
	g_assert_null(rules_load(dir, &err));
	g_assert_nonnull(strstr(err->message, "eligibility.ini:"));
	g_assert_cmpint(system(cmd), ==, 0);
}

/* Held until the application window opens (issue 16): d judged on today,
 * "status missing:... reasons:..."; the reasons' texts into said, the day
 * of the early one into opens (empty if none). d is freed. */
static char *
judge_early(struct dossier *d, const char *today, GString *said, GString *opens)
{
	struct decision dc;
	g_autoptr(GError) err = NULL;
	GString *s = g_string_new(NULL);

	decision_init(&dc);
	g_assert_true(rules_eval(rules, d, today, &dc, &err));
	g_assert_no_error(err);
	g_string_append(s, dc.status);
	for (guint i = 0; i < dc.missing->len; i++)
		g_string_append_printf(s, "%s%s", i ? "," : " missing:", (char *)g_ptr_array_index(dc.missing, i));
	for (guint i = 0; i < dc.reasons->len; i++) {
		struct decision_reason *why = g_ptr_array_index(dc.reasons, i);
		g_string_append_printf(s, "%s%s%s", i ? "," : " reasons:", why->rule, why->unknown ? "?" : "");
		g_string_append_printf(said, "%s\n", why->text);
		if (why->opens != NULL)
			g_string_append(opens, why->opens);
	}
	decision_clear(&dc);
	dossier_free(d);
	return g_string_free(s, FALSE);
}

static void
test_early(void)
{
	static const struct {
		const char *today;
		const char *block;		/* the one choice's block (MED-401) */
		const char *field[2];		/* set on eligible(), or NULL */
		gboolean second;		/* a second choice, of an unknown course */
		gboolean no_igra;		/* without its TB result: tb-ppd missing */
		const char *expect, *opens, *says;
	} cases[] = {
		/* First chosen block 6.8 months away: held, with the day its window opens
		 * (3 May 2027 - 6 months), not ineligible. */
		{ "2026-10-08", "2027-05", { NULL }, FALSE, FALSE, "early reasons:application-window",
		  "2026-11-03", "Applications open 6 months before the block starts. For your first "
		  "chosen block, this is on 3 November 2026." },
		/* What is missing is said meanwhile. */
		{ "2026-10-08", "2027-05", { NULL }, FALSE, TRUE,
		  "early missing:tb-ppd reasons:application-window", "2026-11-03", "3 November 2026" },
		/* The day before: still held; the day it opens: judged. */
		{ "2026-11-02", "2027-05", { NULL }, FALSE, FALSE, "early reasons:application-window",
		  "2026-11-03", "3 November 2026" },
		{ "2026-11-03", "2027-05", { NULL }, FALSE, FALSE, "complete", "", NULL },
		{ "2026-11-03", "2027-05", { NULL }, FALSE, TRUE, "incomplete missing:tb-ppd", "", NULL },
		/* 2027-03 starts 1 March 2027: open from 1 September 2026. */
		{ "2026-08-31", "2027-03", { NULL }, FALSE, FALSE, "early reasons:application-window",
		  "2026-09-01", "1 September 2026" },
		{ "2026-09-01", "2027-03", { NULL }, FALSE, FALSE, "complete", "", NULL },
		/* Ineligible for another reason: ineligible, and the window is not said. */
		{ "2026-10-08", "2027-05", { "degree_held", "MD" }, FALSE, FALSE,
		  "ineligible reasons:no-medical-degree", "", "already have an MD" },
		/* Something to correct, or a field the form leaves out: held, and said. */
		{ "2026-10-08", "2027-05", { NULL }, TRUE, FALSE,
		  "early reasons:known-courses,application-window", "2026-11-03", "course code" },
		{ "2026-10-08", "2027-05", { "expected_graduation", "" }, FALSE, FALSE,
		  "early reasons:graduation?,application-window", "2026-11-03", "3 November 2026" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct dossier *d = cases[i].no_igra ? complete() : eligible();
		g_autoptr(GString) said = g_string_new(NULL), opens = g_string_new(NULL);
		g_autofree char *got = NULL;

		g_strlcpy(g_array_index(d->choices, struct form_choice, 0).block, cases[i].block,
		    sizeof g_array_index(d->choices, struct form_choice, 0).block);
		if (cases[i].field[0] != NULL && *cases[i].field[1] == '\0')
			g_hash_table_remove(d->form, cases[i].field[0]);
		else if (cases[i].field[0] != NULL)
			set(d, cases[i].field[0], cases[i].field[1]);
		if (cases[i].second) {
			struct form_choice c = { 2, "CAR-420", "" };
			g_strlcpy(c.block, cases[i].block, sizeof c.block);
			g_array_append_val(d->choices, c);
		}
		got = judge_early(d, cases[i].today, said, opens);
		if (g_strcmp0(got, cases[i].expect) != 0 || strcmp(opens->str, cases[i].opens) != 0 ||
		    (cases[i].says != NULL && strstr(said->str, cases[i].says) == NULL))
			g_printerr("# case %zu: %s opens %s says %s\n", i, got, opens->str, said->str);
		g_assert_cmpstr(got, ==, cases[i].expect);
		g_assert_cmpstr(opens->str, ==, cases[i].opens);
		g_assert_true(cases[i].says == NULL || strstr(said->str, cases[i].says) != NULL);
		g_assert_null(strstr(said->str, "{{"));
		g_assert_null(strstr(said->str, "apply again"));
	}

	/* The outcome is data: checked, and {{window_opens}} only where it means something. */
	{
		g_autofree char *dir = tmp_rules();
		g_autofree char *cmd = g_strdup_printf("rm -r '%s'", dir);
		g_autoptr(GError) err = NULL;
		g_autoptr(Rules) never = NULL, shipped = rules;
		g_autoptr(GString) said = g_string_new(NULL), opens = g_string_new(NULL);
		g_autofree char *got = NULL;

		replace(dir, "eligibility.ini", "outcome = early", "outcome = later");
		expect_error(dir, "outcome must be ineligible, incomplete or early, not 'later'");
		replace(dir, "eligibility.ini", "outcome = later", "outcome = ineligible");
		expect_error(dir, "{{window_opens}} in the reason of a rule whose outcome is not early");
		/* A rule of outcome early that never holds is no window: ineligible. */
		replace(dir, "eligibility.ini", "outcome = ineligible\nrequire = first_block_start IS NULL OR",
		    "outcome = early\nrequire = 0 AND");
		never = rules_load(dir, &err);
		g_assert_no_error(err);
		rules = never;
		got = judge_early(eligible(), "2026-10-08", said, opens);
		rules = g_steal_pointer(&shipped);
		g_assert_cmpstr(got, ==, "ineligible reasons:application-window");
		g_assert_cmpstr(opens->str, ==, "");
		g_assert_nonnull(strstr(said->str, "no day in the next three years"));
		g_assert_cmpint(system(cmd), ==, 0);
	}
}

/* The line of dir/file on which text starts. */
static int
line_of(const char *dir, const char *file, const char *text)
{
	g_autofree char *path = g_build_filename(dir, file, NULL);
	g_autofree char *all = NULL;
	const char *at;
	int line = 1;

	g_assert_true(g_file_get_contents(path, &all, NULL, NULL));
	g_assert_nonnull(at = strstr(all, text));
	for (const char *p = all; p < at; p++)
		line += *p == '\n';
	return line;
}

static void
alarm_fail(int sig)
{
	(void)sig;
	g_error("a runaway rule was not stopped within a minute");
}

/* A condition that never ends (a recursive CTE without a bound, a cross join
 * of 10^10 rows) is stopped after RULES_MAX_STEPS steps and
 * reported as that rule's error, naming its FILE:LINE, as a broken rule is:
 * `rules check` lists it, the directory is refused, and one that runs away
 * only on some applications fails those (the message is left for the next
 * pass) while the same rules go on judging the others. Never a hang: a
 * minute's alarm turns one into a failure. */
static void
test_runaway(void)
{
	static const char recursive[] = "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
	    "FROM c) SELECT count(*) FROM c) > 0";
	static const char cross[] = "(WITH d(x) AS (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), "
	    "(10)) SELECT count(*) FROM d a, d b, d c, d e, d f, d g, d h, d i, d j, d k) > 0";
	g_autofree char *dir = tmp_rules();
	g_autofree char *cmd = g_strdup_printf("rm -r '%s'", dir);
	g_autofree char *section = g_strdup_printf("[runaway]\nrequire = %s\nreason = never\n\n[english]",
	    recursive);
	g_autofree char *want = NULL;
	g_autoptr(GError) err = NULL;
	Rules *shipped = rules;
	struct decision dc;
	struct dossier *d;

	signal(SIGALRM, alarm_fail);
	alarm(60);
	replace(dir, "eligibility.ini", "[english]", section);
	/* A recursive CTE is refused by the sandbox before it can run. */
	want = g_strdup_printf("%s/eligibility.ini:%d: require = %s: not authorized", dir,
	    line_of(dir, "eligibility.ini", "require = (WITH RECURSIVE"), recursive);
	expect_error(dir, want);
	/* A cross join of 10^10 rows is not: it is stopped. */
	replace(dir, "eligibility.ini", recursive, cross);
	g_free(want);
	want = g_strdup_printf("%s/eligibility.ini:%d: rule 'runaway' took too long (over %d steps)", dir,
	    line_of(dir, "eligibility.ini", "require = (WITH d(x)"), RULES_MAX_STEPS);
	expect_error(dir, want);
	g_assert_null(rules_load(dir, &err));
	g_assert_nonnull(strstr(err->message, want));
	g_clear_error(&err);
	/* The line moves: the message follows it. */
	replace(dir, "eligibility.ini", "[runaway]\nrequire = ", "[documents]\nrequire = 1\nreason = x\n\n"
	    "[runaway]\nrequire = ");
	g_free(want);
	want = g_strdup_printf("%s/eligibility.ini:%d: rule 'runaway' took too long (over %d steps)", dir,
	    line_of(dir, "eligibility.ini", "require = (WITH d(x)"), RULES_MAX_STEPS);
	expect_error(dir, want);
	replace(dir, "eligibility.ini", "[documents]\nrequire = 1\nreason = x\n\n", "");
	/* In documents.ini too, named by kind and key. */
	replace(dir, "eligibility.ini", cross, "1");
	g_autofree char *mmr = g_strdup_printf("[mmr]\nrequired = %s\n", cross);
	replace(dir, "documents.ini", "[mmr]\n", mmr);
	g_free(want);
	want = g_strdup_printf("%s/documents.ini:%d: [mmr] required took too long (over %d steps)", dir,
	    line_of(dir, "documents.ini", "required = (WITH d(x)"), RULES_MAX_STEPS);
	expect_error(dir, want);
	replace(dir, "documents.ini", mmr, "[mmr]\n");

	/* Only for one applicant: the rules load (the dry run has no name). */
	g_autofree char *only = g_strdup_printf("CASE WHEN name = 'Run Away' THEN %s ELSE 1 END", cross);
	replace(dir, "eligibility.ini", "[runaway]\nrequire = 1\n", "[runaway]\nrequire = CROSS\n");
	replace(dir, "eligibility.ini", "CROSS", only);
	rules = rules_load(dir, &err);
	g_assert_no_error(err);
	JUDGE(eligible(), "complete");
	d = eligible();
	d->name = g_strdup("Run Away");
	decision_init(&dc);
	g_assert_false(rules_eval(rules, d, "2026-10-20", &dc, &err));
	g_assert_error(err, CLERK_ERROR, CLERK_ERROR_TEMP);
	g_free(want);
	want = g_strdup_printf("%s/eligibility.ini:%d: rule 'runaway' took too long (over %d steps)", dir,
	    line_of(dir, "eligibility.ini", "require = CASE WHEN name = 'Run Away'"), RULES_MAX_STEPS);
	g_assert_cmpstr(err->message, ==, want);
	g_clear_error(&err);
	decision_clear(&dc);
	dossier_free(d);
	/* The same rules go on judging the others, every rule of them. */
	JUDGE(eligible(), "complete");
	d = eligible();
	set(d, "year_of_study", "3rd");
	JUDGE(d, "ineligible reasons:final-year");
	d = eligible();
	g_hash_table_remove(d->form, "expected_graduation");
	JUDGE(d, "incomplete reasons:graduation?");
	rules_free(rules);
	rules = shipped;
	alarm(0);
	g_assert_cmpint(system(cmd), ==, 0);
}

/* The reason a rule gives for d (judged on 2026-10-20), "" if none. */
static char *
reason_text(Rules *r, struct dossier *d)
{
	struct decision dc;
	g_autoptr(GError) err = NULL;
	GString *s = g_string_new(NULL);

	decision_init(&dc);
	g_assert_true(rules_eval(r, d, "2026-10-20", &dc, &err));
	for (guint i = 0; i < dc.reasons->len; i++)
		g_string_append(s, ((struct decision_reason *)g_ptr_array_index(dc.reasons, i))->text);
	decision_clear(&dc);
	dossier_free(d);
	return g_string_free(s, FALSE);
}

/* A template of dir, with the settings of r in it. */
static char *
template_text(Rules *r, const char *dir, const char *name)
{
	g_autofree char *path = g_strdup_printf("%s/templates/%s.txt", dir, name);
	g_autofree char *raw = NULL;
	g_autoptr(GError) err = NULL;
	char *text;

	g_assert_true(g_file_get_contents(path, &raw, NULL, NULL));
	text = rules_expand(r, path, raw, &err);
	g_assert_no_error(err);
	return text;
}

/* Numbers come from policy.ini, not from the texts: change the policy and
 * the reasons, templates and FAQ answers change; lottery and rolling each
 * say only their own; a text naming an unknown setting, or a block left
 * open, fails the check with its file and line. */
static void
test_settings_in_texts(void)
{
	g_autofree char *dir = tmp_rules();
	g_autofree char *cmd = g_strdup_printf("rm -r '%s'", dir);
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL, *want = NULL;
	const char *q = NULL;
	Rules *r;
	struct dossier *d;

	/* As shipped. */
	d = international("TOEFL 95");
	text = reason_text(rules, d);
	g_assert_nonnull(strstr(text, "TOEFL iBT score of at least 100,"));
	g_clear_pointer(&text, g_free);
	text = template_text(rules, srcrules, "first-contact");
	g_assert_nonnull(strstr(text, "up to 15 courses, in at most 3 blocks"));
	g_assert_null(strstr(text, "{{setting:"));
	g_assert_null(strstr(text, "{{!"));
	g_assert_null(strstr(text, "never sent"));
	g_assert_true(g_str_has_prefix(text, "Dear {{name}},\n"));
	g_clear_pointer(&text, g_free);
	text = template_text(rules, srcrules, "decision-not-scheduled");
	g_assert_nonnull(strstr(text, "Places were given by a random lottery"));
	g_assert_null(strstr(text, "order in which applications became complete"));
	g_assert_null(strstr(text, "{{#"));
	g_clear_pointer(&text, g_free);

	/* Another policy: the same texts say other numbers, and rolling. */
	replace(dir, "policy.ini", "toefl_minimum = 100", "toefl_minimum = 90");
	replace(dir, "policy.ini", "max_choices = 15", "max_choices = 10");
	replace(dir, "policy.ini", "lead_days = 45", "lead_days = 30");
	replace(dir, "policy.ini", "scheduling = lottery", "scheduling = rolling");
	r = rules_load(dir, &err);
	g_assert_no_error(err);
	d = international("TOEFL 85");
	text = reason_text(r, d);
	g_assert_nonnull(strstr(text, "TOEFL iBT score of at least 90,"));
	g_clear_pointer(&text, g_free);
	d = international("TOEFL 95");
	text = reason_text(r, d);
	g_assert_cmpstr(text, ==, "");
	g_clear_pointer(&text, g_free);
	text = template_text(r, dir, "first-contact");
	g_assert_nonnull(strstr(text, "up to 10 courses, in at most 3 blocks"));
	g_clear_pointer(&text, g_free);
	for (int i = 0; i < 4; i++) {
		static const char *const names[] = { "decision-complete", "decision-incomplete",
			"decision-not-scheduled", "decision-waitlisted" };
		text = template_text(r, dir, names[i]);
		g_assert_null(strstr(text, "lottery"));
		g_assert_null(strstr(text, "{{#"));
		g_assert_null(strstr(text, "{{/"));
		g_clear_pointer(&text, g_free);
	}
	text = template_text(r, dir, "decision-not-scheduled");
	/* A block tag alone on its line leaves no empty line behind. */
	g_assert_nonnull(strstr(text, "for you.\nPlaces were given in the order in which applications"
	    " became complete.\nYou may apply again"));
	g_clear_pointer(&text, g_free);
	g_assert_null(strstr(rules_faq(r, "Can I be waitlisted?", &q), "lottery"));
	g_assert_nonnull(strstr(rules_faq(r, "Can I be waitlisted?", &q), "in order of arrival"));
	g_assert_nonnull(strstr(rules_faq(rules, "Can I be waitlisted?", &q), "the order of the lottery"));
	g_assert_nonnull(strstr(rules_faq(rules, "How can I improve my chances?", &q),
	    "45 days before"));
	g_assert_nonnull(strstr(rules_faq(r, "Can I apply before my 2nd PPD result?", &q),
	    "send it soon"));
	rules_free(r);

	/* Mistakes, named by file and line. */
	replace(dir, "eligibility.ini", "{{setting:toefl_minimum}}", "{{setting:toefl_minimun}}");
	want = g_strdup_printf("%s/eligibility.ini:%d: unknown setting 'toefl_minimun'", dir,
	    line_of(dir, "eligibility.ini", "reason = International students"));
	expect_error(dir, want);
	g_assert_null(rules_load(dir, &err));
	g_assert_nonnull(strstr(err->message, "unknown setting 'toefl_minimun'"));
	g_clear_error(&err);
	replace(dir, "eligibility.ini", "{{setting:toefl_minimun}}", "{{setting:toefl_minimum}}");
	replace(dir, "faq", "{{setting:lead_days}} days before\n  the block", "{{setting:lead_dayz}} days before\n  the block");
	g_free(want);
	want = g_strdup_printf("%s/faq:%d: unknown setting 'lead_dayz'", dir,
	    line_of(dir, "faq", "{{setting:lead_dayz}}"));
	expect_error(dir, want);
	replace(dir, "faq", "lead_dayz", "lead_days");
	replace(dir, "templates/first-contact.txt", "{{setting:max_blocks}}", "{{setting:blocks_max}}");
	g_free(want);
	want = g_strdup_printf("%s/templates/first-contact.txt:%d: unknown setting 'blocks_max'", dir,
	    line_of(dir, "templates/first-contact.txt", "{{setting:blocks_max}}"));
	expect_error(dir, want);
	replace(dir, "templates/first-contact.txt", "{{setting:blocks_max}}", "{{setting:max_blocks}}");
	g_free(want);
	want = g_strdup_printf("decision-not-scheduled.txt:%d: {{#rolling}} inside {{#lottery}}: blocks "
	    "do not nest", line_of(dir, "templates/decision-not-scheduled.txt", "{{#rolling}}"));
	replace(dir, "templates/decision-not-scheduled.txt", "{{/lottery}}", "");
	expect_error(dir, want);
	replace(dir, "templates/decision-not-scheduled.txt", "{{#rolling}}", "{{/lottery}}{{#rolling}}");
	replace(dir, "templates/decision-not-scheduled.txt", "{{/rolling}}", "");
	g_free(want);
	want = g_strdup_printf("decision-not-scheduled.txt:%d: {{#rolling}} is not closed (with "
	    "{{/rolling}})", line_of(dir, "templates/decision-not-scheduled.txt", "{{#rolling}}"));
	expect_error(dir, want);
	replace(dir, "templates/decision-not-scheduled.txt", "{{#rolling}}", "{{/rolling}}");
	g_free(want);
	want = g_strdup_printf("decision-not-scheduled.txt:%d: {{/rolling}} closes no {{#rolling}}",
	    line_of(dir, "templates/decision-not-scheduled.txt", "{{/rolling}}"));
	expect_error(dir, want);
	/* A comment for staff is never sent; one left open is an error. */
	g_assert_null(strstr(rules_faq(rules, "Can I be waitlisted?", &q), "{{"));
	replace(dir, "templates/receipt.txt", "never sent. }}", "never sent.");
	expect_error(dir, "receipt.txt:1: {{! comment not closed with }}");
	g_assert_cmpint(system(cmd), ==, 0);
}

/* Append text to dir/file. */
static void
append(const char *dir, const char *file, const char *text)
{
	g_autofree char *path = g_build_filename(dir, file, NULL);
	g_autofree char *old = NULL;
	g_autofree char *all = NULL;

	g_assert_true(g_file_get_contents(path, &old, NULL, NULL));
	all = g_strconcat(old, text, NULL);
	g_assert_true(g_file_set_contents(path, all, -1, NULL));
}

/* seats.csv: a course's seats in one block (0 closes it), checked by line;
 * the catalog's seats elsewhere; what replies say of it. */
static void
test_seats(void)
{
	g_autofree char *dir = tmp_rules();
	g_autofree char *cmd = g_strdup_printf("rm -r '%s'", dir);
	g_autofree char *want = NULL, *cat = NULL, *wrong = NULL;
	g_autoptr(GArray) choices = g_array_new(FALSE, TRUE, sizeof(struct form_choice));
	struct form_choice c = { 0 };
	g_autoptr(GError) err = NULL;
	Rules *r;

	/* Shipped: a header and comments only, so the catalog's seats everywhere. */
	g_assert_cmpint(rules_seats(rules, "NEU-301", "2027-04"), ==, 3);
	g_assert_cmpint(rules_seats(rules, "med-420", "2027-06"), ==, 2);
	g_assert_cmpint(rules_seats(rules, "XYZ-100", "2027-04"), ==, 0);
	g_assert_cmpint(rules_seats(rules, "NEU-301", "2027-13"), ==, 0);
	append(dir, "seats.csv", "NEU-301,2027-04,1\nmed-420,2027-06,0\n");
	r = rules_load(dir, &err);
	g_assert_no_error(err);
	g_assert_cmpint(rules_seats(r, "NEU-301", "2027-04"), ==, 1);
	g_assert_cmpint(rules_seats(r, "neu-301", "2027-05"), ==, 3);
	g_assert_cmpint(rules_seats(r, "MED-420", "2027-06"), ==, 0);
	g_assert_cmpint(rules_seats(r, "MED-420", "2027-07"), ==, 2);
	/* The catalog table says the exceptions; a closed choice is named. */
	cat = guide_catalog(r, "2026-10-20");
	g_assert_nonnull(strstr(cat, "Except:\n  MED-420 is closed in block 2027-06 (no seats).\n"
	    "  NEU-301 has 1 seat in block 2027-04.\n"));
	g_free(cat);
	cat = guide_catalog(r, "2027-06-10");	/* both blocks started: nothing to say */
	g_assert_null(strstr(cat, "Except:"));
	c.rank = 1;
	g_strlcpy(c.course, "MED-420", sizeof c.course);
	g_strlcpy(c.block, "2027-06", sizeof c.block);
	g_array_append_val(choices, c);
	c.rank = 2;
	g_strlcpy(c.block, "2027-07", sizeof c.block);
	g_array_append_val(choices, c);
	wrong = guide_choices(r, choices, "2026-10-20");
	g_assert_nonnull(strstr(wrong, "Choice 1 (MED-420 2027-06): MED-420 is closed in block 2027-06:"
	    " it has no seats in that block, so we cannot place you in it.\n"));
	g_assert_null(strstr(wrong, "Choice 2"));
	rules_free(r);
	{
		g_autoptr(GPtrArray) none = rules_check(dir);
		g_assert_cmpuint(none->len, ==, 0);
	}
	/* Each problem by FILE:LINE. */
	append(dir, "seats.csv", "CAR-999,2027-04,1\nNEU-301,2027-13,1\nNEU-301,2027-05,two\n"
	    "NEU-301,2027-05,-1\nNEU-301,2027-05,1.5\nneu-301,2027-04,2\nNEU-301,2027-05\n");
	want = g_strdup_printf("%s/seats.csv:8: course CAR-999 is not in catalog.csv", dir);
	expect_error(dir, want);
	g_free(want);
	want = g_strdup_printf("%s/seats.csv:9: block 2027-13 is not in blocks.csv", dir);
	expect_error(dir, want);
	g_free(want);
	want = g_strdup_printf("%s/seats.csv:10: seats 'two' must be a whole number from 0 to 10000", dir);
	expect_error(dir, want);
	g_free(want);
	want = g_strdup_printf("%s/seats.csv:11: seats '-1' must be a whole number", dir);
	expect_error(dir, want);
	g_free(want);
	want = g_strdup_printf("%s/seats.csv:12: seats '1.5' must be a whole number", dir);
	expect_error(dir, want);
	g_free(want);
	want = g_strdup_printf("%s/seats.csv:13: NEU-301 in block 2027-04 given twice", dir);
	expect_error(dir, want);
	g_free(want);
	want = g_strdup_printf("%s/seats.csv:14: expected 3 fields as in 'course,block,seats'", dir);
	expect_error(dir, want);
	g_assert_null(rules_load(dir, &err));
	g_assert_nonnull(strstr(err->message, "seats.csv:8:"));
	g_clear_error(&err);
	/* A wrong header; no seats.csv at all is the catalog. */
	replace(dir, "seats.csv", "course,block,seats", "course,seats");
	g_free(want);
	want = g_strdup_printf("%s/seats.csv:1: the header must be 'course,block,seats'", dir);
	expect_error(dir, want);
	g_free(want);
	want = g_strdup_printf("rm '%s/seats.csv'", dir);
	g_assert_cmpint(system(want), ==, 0);
	r = rules_load(dir, &err);
	g_assert_no_error(err);
	g_assert_cmpint(rules_seats(r, "MED-420", "2027-06"), ==, 2);
	rules_free(r);
	g_assert_cmpint(system(cmd), ==, 0);
}

/* The FAQ answers the questions students ask most, each asked as students
 * write it, two ways; a question about something else is not taken. */
static void
test_faq(void)
{
	static const struct {
		const char *asked, *question, *says;
	} cases[] = {
		{ "Hello, do you offer research positions in cardiology?", "Do you offer research",
		  "We do not offer research" },
		{ "Is it possible to do an observership for 2 weeks? I only want to observe.",
		  "Do you offer research", "observerships or shadowing" },
		{ "Dr. Smith in surgery has invited me to come. Is this enough to get the rotation?",
		  "A faculty member invited me", "The program's registrar gives every place" },
		{ "A professor has agreed to supervise me, do I still need to apply?",
		  "A faculty member invited me", "only if\nthere is a free seat" },
		{ "How much is the tuition for international students?", "Are there fees or tuition",
		  "We do not ask for any payment when you apply" },
		{ "Dear sir, is there a fee for the elective? I am from Egypt.", "Are there fees or tuition",
		  "says how much it is and how to pay it" },
		{ "Can you help me to find accommodation near the hospital?", "Can you help me find housing",
		  "We cannot help with housing" },
		{ "Where can I stay during my clerkship? Do you have a dormitory?",
		  "Can you help me find housing", "Book it only after" },
		{ "Will you send me an invitation letter for my visa?", "Do I need a visa",
		  "We do not send any other letter" },
		{ "What kind of visa do I need (B1?) and what letter does the embassy need?",
		  "Do I need a visa", "ask the embassy or\nconsulate" },
		{ "Do I need malpractice insurance before I apply?", "What insurance do I need",
		  "you may send proof of it after you get\na place" },
		{ "Is my health insurance from home enough? It covers travel abroad.",
		  "What insurance do I need", "covers you for the whole block" },
	};
	const char *q = NULL;

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		const char *a = rules_faq(rules, cases[i].asked, &q);
		if (a == NULL || !g_str_has_prefix(q, cases[i].question) || strstr(a, cases[i].says) == NULL)
			g_printerr("# '%s' -> %s: %s\n", cases[i].asked, a ? q : "(none)", a ? a : "");
		g_assert_nonnull(a);
		g_assert_true(g_str_has_prefix(q, cases[i].question));
		g_assert_nonnull(strstr(a, cases[i].says));
		g_assert_null(strstr(a, "{{"));
	}
	/* fees is empty: its line says nothing; set, the answer says it. */
	g_assert_true(g_str_has_suffix(rules_faq(rules, "Is there a fee?", &q), "how to pay it."));
	/* A cancellation fee is not the fees entry's: a coordinator answers it. */
	g_assert_null(rules_faq(rules, "Hello, if I cancel later, do I have to pay a fee?", &q));
	/* Earlier entries keep their questions. */
	g_assert_true(g_str_has_prefix(rules_faq(rules, "Can I be waitlisted?", &q), "Yes."));
	g_assert_cmpstr(q, ==, "Can I be waitlisted?");
	g_assert_nonnull(rules_faq(rules, "A faculty member invited me: is that allowed?", &q));
	g_assert_cmpstr(q, ==, "A faculty member invited me: is that allowed?");
	{
		g_autofree char *dir = tmp_rules();
		g_autofree char *cmd = g_strdup_printf("rm -r '%s'", dir);
		g_autoptr(GError) err = NULL;
		Rules *r;

		replace(dir, "policy.ini", "\nfees =", "\nfees = The program fee is 500 US dollars, paid "
		    "before the block starts.");
		r = rules_load(dir, &err);
		g_assert_no_error(err);
		g_assert_true(g_str_has_suffix(rules_faq(r, "What are the fees?", &q), "how to pay it.\n"
		    "The program fee is 500 US dollars, paid before the block starts."));
		rules_free(r);
		g_assert_cmpint(system(cmd), ==, 0);
	}
}

/* require_staff_check = yes: only what staff accepted counts. */
static void
test_staff_check(void)
{
	g_autofree char *dir = tmp_rules();
	g_autofree char *cmd = g_strdup_printf("rm -r '%s'", dir);
	g_autoptr(GError) err = NULL;
	Rules *shipped = rules;
	struct dossier *d;

	replace(dir, "policy.ini", "require_staff_check = no", "require_staff_check = yes");
	rules = rules_load(dir, &err);
	g_assert_no_error(err);
	JUDGE(eligible(), "incomplete missing:tb-ppd,mmr,varicella,hepatitis-b,tdap,influenza,"
	    "good-standing,transcript,health-insurance");
	d = eligible();
	for (guint i = 0; i < d->docs->len; i++)
		((struct dossier_doc *)g_ptr_array_index(d->docs, i))->state = DOC_ACCEPTED;
	JUDGE(d, "complete");
	rules_free(rules);
	rules = shipped;
	g_assert_cmpint(system(cmd), ==, 0);
}

int
main(int argc, char **argv)
{
	const char *top = g_getenv("top_srcdir");
	g_autoptr(GError) err = NULL;

	g_test_init(&argc, &argv, NULL);
	srcrules = g_build_filename(top ? top : ".", "rules", NULL);
	rules = rules_load(srcrules, &err);
	g_assert_no_error(err);
	g_test_add_func("/rules/file-kinds", test_file_kinds);
	g_test_add_func("/rules/guide", test_guide);
	g_test_add_func("/rules/deadline", test_deadline);
	g_test_add_func("/rules/prerequisites", test_prerequisites);
	g_test_add_func("/rules/schools-catalog-blocks", test_schools);
	g_test_add_func("/rules/documents", test_documents);
	g_test_add_func("/rules/health", test_health);
	g_test_add_func("/rules/eligibility", test_eligibility);
	g_test_add_func("/rules/eligibility-issue16", test_eligibility_issue16);
	g_test_add_func("/rules/check", test_check);
	g_test_add_func("/rules/early", test_early);
	g_test_add_func("/rules/staff-check", test_staff_check);
	g_test_add_func("/rules/seats", test_seats);
	g_test_add_func("/rules/faq", test_faq);
	g_test_add_func("/rules/runaway", test_runaway);
	g_test_add_func("/rules/settings-in-texts", test_settings_in_texts);
	int rc = g_test_run();
	rules_free(rules);
	g_free(srcrules);
	return rc;
}
