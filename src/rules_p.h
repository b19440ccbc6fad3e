/* rules_p.h: what the two halves of the rules share: loading (rules.c)
 * and judging (rules_eval.c). Private to them. */
#ifndef CLERK_RULES_P_H
#define CLERK_RULES_P_H

#include <sqlite3.h>

#include "rules.h"
#include "words.h"

#define RULES_MAX_FIELD WORDS_MAX	/* a field as the conditions see it */

/* Each condition, evaluated once for one application, may take at most this
 * many steps of SQLite's virtual machine. Real conditions take a few hundred
 * (the shipped ones at most about 100); a recursive CTE that never ends, a
 * large cross join or the like is stopped here, in well under a second, and
 * reported as that rule's error with its FILE:LINE, instead of holding the
 * daemon. The steps are counted in chunks of RULES_STEP_CHUNK. */
#define RULES_MAX_STEPS 5000000
#define RULES_STEP_CHUNK 1000
/* The longest string or blob a condition may build (the application's fields
 * are at most RULES_MAX_FIELD bytes), and the longest LIKE or GLOB pattern:
 * what one step of the machine can cost is bounded by these. */
#define RULES_MAX_LENGTH (64 * 1024)
#define RULES_MAX_PATTERN 1000
/* How far ahead the day a rule of outcome early holds is looked for: three
 * years (blocks.csv rarely reaches further). One that holds on none of these
 * days holds on no day: the application is ineligible. */
#define RULES_EARLY_DAYS 1100

struct rule {			/* a section of eligibility.ini */
	char *id, *text;
	char *where;		/* "FILE:LINE" of require */
	gboolean ineligible;	/* outcome: ineligible, else incomplete (or early) */
	gboolean early;		/* outcome: early (held until the condition holds) */
	sqlite3_stmt *require;
};

struct kind {			/* a section of documents.ini */
	char *id, *title;
	char *group;		/* "Health": where students read it in a list; NULL if none */
	char *note;		/* said once when a kind it covers is listed; NULL if none */
	char **covers;		/* kind ids one document of this kind can stand for */
	char *where_required, *where_met;	/* "FILE:LINE" */
	char **files;		/* normalized phrases */
	sqlite3_stmt *required, *met;
	/* explain-NAME keys, in file order: texts (or NULL) said when it is missing */
	GPtrArray *explain;	/* sqlite3_stmt * */
	GPtrArray *where_explain;	/* char *: "FILE:LINE" of each */
};

struct block {
	char start[11], end[11];
};

enum doc_fn { FN_DOCS, FN_WITHIN, FN_PENDING, FN_POSITIVE, FN_SPAN, FN_SINCE, FN_LAST,
	FN_COUNT };

struct fnctx {
	struct rules *r;
	enum doc_fn fn;
};

/* matches() and has_all(): their lists, parsed once (see rules_eval.c). */
struct matcher {
	gboolean all;		/* has_all */
	GHashTable *parsed;	/* list -> GPtrArray of groups */
};

struct rules {
	sqlite3 *db;
	struct fnctx fns[FN_COUNT];	/* user data of the document functions */
	struct matcher any, all;	/* user data of matches() and has_all() */
	sqlite3_stmt *fill;	/* INSERT the application's row */
	sqlite3_stmt *clear;	/* DELETE it */
	GPtrArray *rules;	/* struct rule * */
	GPtrArray *kinds;	/* struct kind *, in priority order */
	GHashTable *kind_ids;	/* the section names of documents.ini (a set) */
	GHashTable *settings;	/* name -> value */
	GHashTable *schools;	/* normalized name -> "lcme" | "international" */
	GHashTable *courses;	/* code -> struct course_info * */
	struct faq *faq;	/* rules/faq */
	GHashTable *blocks;	/* id -> struct block * */
	GHashTable *coordinators;	/* course code -> address (coordinators.csv) */
	GHashTable *block_seats;	/* "CODE BLOCK" -> seats + 1 (seats.csv) */
	GPtrArray *errors;	/* while loading: "FILE:LINE: message" */
	gboolean sandbox;	/* preparing staff-written SQL */
	/* while judging */
	const struct dossier *cur;
	GDate today;
	char graduation[11];	/* its graduation_date column, "" if none */
	const char *last_block;	/* its last_block column (a choice's block), NULL if none */
	unsigned chunks;	/* of RULES_STEP_CHUNK steps, by the condition being evaluated */
	/* Every rule's and kind's condition in one statement, a column each
	 * (rules_eval.c): prepared on the first judging; every_state 0 not yet,
	 * 1 ready, -1 not possible (each is then evaluated alone). */
	sqlite3_stmt *every;
	int every_state;
};

/* The SQL functions the conditions call (rules_eval.c). */
void rules_register_functions(Rules *r);

#endif
