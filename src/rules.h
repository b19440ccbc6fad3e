/* rules.h: the program's rules as data (the INI files of rules/, school lists, catalog,
 * blocks), and the judgement of one application against them. Pure: reads
 * files at load, then touches nothing but memory (an in-memory SQLite in
 * which the conditions are expressions). */
#ifndef CLERK_RULES_H
#define CLERK_RULES_H

#include <glib.h>

struct dossier;
struct decision;

typedef struct rules Rules;

/* The rules of a directory; NULL with the first problem ("FILE:LINE: ..."). */
Rules *rules_load(const char *dir, GError **err);
void rules_free(Rules *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Rules, rules_free)
/* Every problem of a directory, each "FILE:LINE: message": empty if none. */
GPtrArray *rules_check(const char *dir);

/* ---- eligibility rules ---- */
/* Is id a rule of eligibility.ini (a section)? */
gboolean rules_is_rule(const Rules *r, const char *id);
/* What the rule asks, in the words students read: the first sentence of its
 * reason (new string); NULL for an unknown rule, or one whose first sentence
 * names the application's values. */
char *rules_rule_words(const Rules *r, const char *id);

/* ---- document kinds ---- */
/* The kinds are the sections of documents.ini (DESIGN.md names the shipped
 * ones): is id one of them? */
gboolean rules_is_kind(const Rules *r, const char *id);
/* The i-th kind, in documents.ini's order (the order file names are tried
 * and groups are listed); NULL past the last. */
const char *rules_kind_at(const Rules *r, guint i);
/* A kind's title for students ("Letter of good standing"); the id if unknown. */
const char *rules_kind_title(const Rules *r, const char *kind);
/* A kind's group for students ("Identity and school", "Health",
 * "Insurance": documents.ini `group`), NULL if none. */
const char *rules_kind_group(const Rules *r, const char *kind);
/* The sentence (documents.ini `note`) of the kind, or of a kind whose
 * `covers` names it: "One immunization record can cover MMR, ..."; NULL if
 * none. *covered_by (if not NULL) gets the kind whose note it is. */
const char *rules_kind_note(const Rules *r, const char *kind, const char **covered_by);
/* The kind a file name says (PPD_1.pdf, "Dean's letter.pdf"), NULL if none. */
const char *rules_classify_file(const Rules *r, const char *filename);

/* ---- data ---- */
/* "lcme", "international", or NULL for a school on neither list. */
const char *rules_school_list(const Rules *r, const char *school);
/* A block's start date (YYYY-MM-DD), NULL if no such block. */
const char *rules_block_start(const Rules *r, const char *block);
gboolean rules_course_exists(const Rules *r, const char *code);
struct course_info {
	const char *code, *title, *hospital, *department;
	const char *prerequisites;	/* ;-separated clerkship names, may be empty */
	int seats;			/* per block */
};
/* A course of the catalog (any case), NULL if none. */
const struct course_info *rules_course(const Rules *r, const char *code);
/* The seats of a course in one block: rules/seats.csv's for that block if it
 * gives them (0: the course is closed in that block), else the catalog's;
 * 0 for a course or block the rules do not know. */
int rules_seats(const Rules *r, const char *code, const char *block);
/* Is a course of the catalog closed in a block of blocks.csv (seats.csv: 0)? */
gboolean rules_closed(const Rules *r, const char *code, const char *block);
/* Has one who completed these clerkships (the form's words) the course's prerequisites? */
gboolean rules_prerequisites_met(const Rules *r, const char *code, const char *completed);
/* The course's prerequisites (as catalog.csv names them) that these completed
 * clerkships do not cover, in catalog order; empty for an unknown course. New
 * array of new strings. */
GPtrArray *rules_prerequisites_missing(const Rules *r, const char *code, const char *completed);
const char *rules_block_end(const Rules *r, const char *block);
/* A block and its dates as a reader sees them: "2027-04 (5-30 April 2027)";
 * the id alone for a block the rules do not know. */
char *rules_block_words(const Rules *r, const char *block);
/* Every course of the catalog (struct course_info *, the rules'), by code. */
GPtrArray *rules_courses(const Rules *r);
/* Every block id, in order (the strings are the rules'). */
GPtrArray *rules_blocks(const Rules *r);
/* The FAQ's answer to a question (its own question in *question), NULL if
 * none matches well. */
const char *rules_faq(const Rules *r, const char *text, const char **question);
/* The coordinator of a course (coordinators.csv), NULL if none. */
const char *rules_coordinator(const Rules *r, const char *course);
/* Is this the program's own school (policy.ini home_school)? */
gboolean rules_is_home_school(const Rules *r, const char *school);
/* A [settings] value of policy.ini, NULL if unset. */
const char *rules_setting(const Rules *r, const char *name);
gboolean rules_setting_bool(const Rules *r, const char *name);
/* A text with the program's settings in it (rules/README, "Settings in
 * texts"): {{setting:NAME}} is NAME's value in policy.ini; a block
 * {{#lottery}}...{{/lottery}} is kept only when scheduling is lottery (the
 * default), {{#rolling}}...{{/rolling}} only when it is rolling; {{! ... }}
 * is a comment for staff, never sent; a block tag or comment alone on its
 * line takes its line with it. Every other {{...}} is left as
 * it is, for reply_render(). Eligibility reasons and FAQ answers are expanded
 * when loaded, templates when read (config_template()). New string; NULL,
 * with "NAME:LINE: ..." in err, for an unknown setting or a block left open.
 * r may be NULL (no settings). */
char *rules_expand(const Rules *r, const char *name, const char *text, GError **err);

/* Judge d on today (YYYY-MM-DD). A condition that fails to evaluate is an
 * error (temporary: fix the rules), never "ineligible". Statuses the
 * scheduler owns (scheduled, waitlisted, not-scheduled, cancelled) are kept. */
gboolean rules_eval(Rules *r, const struct dossier *d, const char *today, struct decision *out,
    GError **err);

#endif
