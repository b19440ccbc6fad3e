/* rules.c: rules/ as data. Conditions are SQLite expressions over a one-row
 * table `application`, with functions registered here that read the documents
 * of the application being judged; staff edit them without a rebuild. */
#include "rules.h"
#include "dossier.h"
#include "form.h"
#include "ini.h"
#include "util.h"

#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULES_MAX_LINES 100000	/* per data file */
#define RULES_MAX_FIELD 512

const char *const rules_kind_ids[] = {
	"good-standing", "transcript", "immunization-form", "mmr", "varicella", "hepatitis-b",
	"tdap", "influenza", "tb-ppd", "tb-igra", "chest-xray", "health-insurance", "malpractice",
	"toefl", "evaluation-form", NULL,
};

static const char *const kept_statuses[] = {
	"scheduled", "waitlisted", "not-scheduled", "cancelled", NULL,
};

struct rule {			/* a section of eligibility.ini */
	char *id, *text;
	char *where;		/* "FILE:LINE" of require */
	gboolean ineligible;	/* outcome: ineligible, else incomplete */
	sqlite3_stmt *require;
};

struct kind {			/* a section of documents.ini */
	char *id, *title;
	char *where_required, *where_met;	/* "FILE:LINE" */
	char **files;		/* normalized phrases */
	sqlite3_stmt *required, *met;
};

struct block {
	char start[11], end[11];
};

enum doc_fn { FN_DOCS, FN_WITHIN, FN_PENDING, FN_POSITIVE, FN_SPAN, FN_COUNT };

struct fnctx {
	struct rules *r;
	enum doc_fn fn;
};

struct rules {
	sqlite3 *db;
	struct fnctx fns[FN_COUNT];	/* user data of the document functions */
	sqlite3_stmt *fill;
	GPtrArray *rules;	/* struct rule * */
	GPtrArray *kinds;	/* struct kind *, in priority order */
	GHashTable *settings;	/* name -> value */
	GHashTable *schools;	/* normalized name -> "lcme" | "international" */
	GHashTable *courses;	/* code -> prerequisites */
	GHashTable *blocks;	/* id -> struct block * */
	GPtrArray *errors;	/* while loading: "FILE:LINE: message" */
	gboolean sandbox;	/* preparing staff-written SQL */
	/* while judging */
	const struct dossier *cur;
	GDate today;
};

/* ---- words ---- */

/* Lower case, accents and punctuation gone, words split where letters meet
 * digits or a capital follows a small letter, one space between words:
 * "Dean's letter_PPD2.pdf" -> "deans letter ppd 2 pdf". */
static char *
words(const char *s, gssize len)
{
	g_autofree char *valid = util_utf8_clean(s ? s : "", len, RULES_MAX_FIELD);
	g_autofree char *nfd = g_utf8_normalize(valid, -1, G_NORMALIZE_NFKD);
	GString *out = g_string_new(NULL);
	gunichar prev = 0;

	for (const char *p = nfd ? nfd : ""; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_ismark(c) || c == '\'' || c == 0x2019)
			continue;
		if (!g_unichar_isalnum(c)) {
			if (out->len && out->str[out->len - 1] != ' ')
				g_string_append_c(out, ' ');
			prev = 0;
			continue;
		}
		if (prev && out->len && out->str[out->len - 1] != ' ' &&
		    ((g_unichar_isdigit(c) != g_unichar_isdigit(prev)) ||
		    (g_unichar_isupper(c) && g_unichar_islower(prev))))
			g_string_append_c(out, ' ');
		g_string_append_unichar(out, g_unichar_tolower(c));
		prev = c;
	}
	if (out->len && out->str[out->len - 1] == ' ')
		g_string_truncate(out, out->len - 1);
	return g_string_free(out, FALSE);
}

/* Does the phrase (already in words()) stand in text (in words()) as whole words? */
static gboolean
has_phrase(const char *text, const char *phrase)
{
	gsize n = strlen(phrase);

	if (n == 0)
		return FALSE;
	for (const char *p = text; (p = strstr(p, phrase)) != NULL; p++)
		if ((p == text || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return TRUE;
	return FALSE;
}

static char *
school_key(const char *name)
{
	char *w = words(name, -1);

	if (g_str_has_prefix(w, "the ")) {
		char *rest = g_strdup(w + 4);
		g_free(w);
		w = rest;
	}
	return w;
}

/* "2027-05", "2027-05-14", "05/2027", "May 2027", "2027 May": the date, the
 * first of the month when no day is given. */
static gboolean
parse_date(const char *s, GDate *out)
{
	static const char *const months[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul",
		"aug", "sep", "oct", "nov", "dec" };
	int y = 0, m = 0, d = 1;
	g_autofree char *w = NULL;
	g_auto(GStrv) parts = NULL;

	if (s == NULL)
		return FALSE;
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) >= 2 || sscanf(s, "%4d/%2d/%2d", &y, &m, &d) >= 2)
		;
	else {
		d = 1;
		y = m = 0;
		w = words(s, -1);
		parts = g_strsplit(w, " ", 8);
		for (int i = 0; parts[i] != NULL; i++) {
			int n = atoi(parts[i]);
			if (strlen(parts[i]) == 4 && n > 1900)
				y = n;
			else if (n >= 1 && n <= 12 && m == 0 && g_ascii_isdigit(parts[i][0]))
				m = n;
			else
				for (int k = 0; k < 12; k++)
					if (g_str_has_prefix(parts[i], months[k]))
						m = k + 1;
		}
	}
	if (!g_date_valid_dmy(d, m, y))
		return FALSE;
	g_date_clear(out, 1);
	g_date_set_dmy(out, d, m, y);
	return TRUE;
}

/* ---- loading ---- */

static void G_GNUC_PRINTF(4, 5)
problem(Rules *r, const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(r->errors, g_strdup_printf("%s:%d: %s", path, line, msg));
}

static int
authorize(void *data, int action, const char *a, const char *b, const char *c, const char *d)
{
	Rules *r = data;

	(void)a, (void)b, (void)c, (void)d;
	if (!r->sandbox)
		return SQLITE_OK;
	/* Staff-written conditions read the application and call functions: nothing else. */
	return action == SQLITE_SELECT || action == SQLITE_READ || action == SQLITE_FUNCTION ?
	    SQLITE_OK : SQLITE_DENY;
}

/* The document functions name a kind as a literal: check it now, not when a
 * student's application happens to reach it. */
static gboolean
kinds_known(Rules *r, Ini *ini, const char *group, const char *key, const char *expr)
{
	static const char *const fns[] = { "docs", "docs_within", "pending", "positive", "span_days" };
	gboolean ok = TRUE;

	for (gsize i = 0; i < G_N_ELEMENTS(fns); i++) {
		gsize n = strlen(fns[i]);
		for (const char *p = expr; (p = strstr(p, fns[i])) != NULL; p += n) {
			const char *q = p + n, *end;
			if ((p > expr && (g_ascii_isalnum(p[-1]) || p[-1] == '_')))
				continue;
			while (*q == ' ')
				q++;
			if (*q++ != '(')
				continue;
			while (*q == ' ')
				q++;
			if (*q != '\'' || (end = strchr(q + 1, '\'')) == NULL)
				continue;
			g_autofree char *kind = g_strndup(q + 1, end - q - 1);
			if (!rules_is_kind(kind)) {
				problem(r, ini_path(ini), ini_line(ini, group, key),
				    "%s: unknown document kind '%s'", key, kind);
				ok = FALSE;
			}
		}
	}
	return ok;
}

/* Prepare one condition: exactly one expression, read-only. */
static sqlite3_stmt *
condition(Rules *r, Ini *ini, const char *group, const char *key, const char *expr)
{
	g_autofree char *sql = g_strdup_printf("SELECT (%s) FROM application", expr);
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	int rc;

	if (strlen(expr) > 4096) {
		problem(r, ini_path(ini), ini_line(ini, group, key), "condition too long");
		return NULL;
	}
	if (!kinds_known(r, ini, group, key, expr))
		return NULL;
	r->sandbox = TRUE;
	rc = sqlite3_prepare_v2(r->db, sql, -1, &s, &tail);
	r->sandbox = FALSE;
	if (rc != SQLITE_OK) {
		problem(r, ini_path(ini), ini_line(ini, group, key), "%s = %s: %s", key, expr,
		    sqlite3_errmsg(r->db));
		return NULL;
	}
	if (tail != NULL && *tail != '\0') {
		problem(r, ini_path(ini), ini_line(ini, group, key), "%s: text after the expression", key);
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

static void
rule_free(gpointer p)
{
	struct rule *ru = p;

	g_free(ru->id);
	g_free(ru->text);
	g_free(ru->where);
	sqlite3_finalize(ru->require);
	g_free(ru);
}

static void
kind_free(gpointer p)
{
	struct kind *k = p;

	g_free(k->id);
	g_free(k->title);
	g_free(k->where_required);
	g_free(k->where_met);
	g_strfreev(k->files);
	sqlite3_finalize(k->required);
	sqlite3_finalize(k->met);
	g_free(k);
}

/* Every key of a group is one of known; the others are reported. */
static void
only_keys(Rules *r, Ini *ini, const char *group, const char *const *known)
{
	g_auto(GStrv) keys = g_key_file_get_keys(ini_keyfile(ini), group, NULL, NULL);

	for (int i = 0; keys != NULL && keys[i] != NULL; i++)
		if (!g_strv_contains(known, keys[i]))
			problem(r, ini_path(ini), ini_line(ini, group, keys[i]),
			    "unknown key '%s' in [%s]", keys[i], group);
}

static Ini *
open_ini(Rules *r, const char *dir, const char *name, gboolean required)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) err = NULL;
	Ini *ini;

	if (!required && !g_file_test(path, G_FILE_TEST_EXISTS))
		return NULL;
	if ((ini = ini_load(path, &err)) == NULL)
		g_ptr_array_add(r->errors, g_strdup(err->message));
	return ini;
}

static void
load_policy(Rules *r, const char *dir)
{
	g_autoptr(Ini) ini = open_ini(r, dir, "policy.ini", TRUE);
	g_auto(GStrv) groups = NULL, keys = NULL;

	if (ini == NULL)
		return;
	groups = g_key_file_get_groups(ini_keyfile(ini), NULL);
	for (int i = 0; groups[i] != NULL; i++)
		if (strcmp(groups[i], "settings") != 0)
			problem(r, ini_path(ini), ini_line(ini, groups[i], NULL),
			    "unknown group [%s] (policy.ini has [settings])", groups[i]);
	keys = g_key_file_get_keys(ini_keyfile(ini), "settings", NULL, NULL);
	for (int i = 0; keys != NULL && keys[i] != NULL; i++) {
		char *v = ini_get(ini, "settings", keys[i]);
		g_hash_table_insert(r->settings, g_strdup(keys[i]), v ? v : g_strdup(""));
	}
}

static void
load_eligibility(Rules *r, const char *dir)
{
	static const char *const known[] = { "require", "reason", "outcome", NULL };
	g_autoptr(Ini) ini = open_ini(r, dir, "eligibility.ini", TRUE);
	g_auto(GStrv) groups = NULL;

	if (ini == NULL)
		return;
	groups = g_key_file_get_groups(ini_keyfile(ini), NULL);
	for (int i = 0; groups[i] != NULL; i++) {
		const char *g = groups[i];
		g_autofree char *req = ini_get(ini, g, "require"), *reason = ini_get(ini, g, "reason");
		g_autofree char *outcome = ini_get(ini, g, "outcome");
		struct rule *ru;

		only_keys(r, ini, g, known);
		if (req == NULL || reason == NULL) {
			problem(r, ini_path(ini), ini_line(ini, g, NULL), "[%s] needs require and reason", g);
			continue;
		}
		if (outcome != NULL && strcmp(outcome, "ineligible") && strcmp(outcome, "incomplete")) {
			problem(r, ini_path(ini), ini_line(ini, g, "outcome"),
			    "outcome must be ineligible or incomplete, not '%s'", outcome);
			continue;
		}
		ru = g_new0(struct rule, 1);
		ru->id = g_strdup(g);
		ru->text = g_steal_pointer(&reason);
		ru->ineligible = outcome == NULL || strcmp(outcome, "ineligible") == 0;
		ru->require = condition(r, ini, g, "require", req);
		ru->where = g_strdup_printf("%s:%d", ini_path(ini), ini_line(ini, g, "require"));
		g_ptr_array_add(r->rules, ru);
	}
}

static void
load_documents(Rules *r, const char *dir)
{
	static const char *const known[] = { "title", "files", "required", "met", NULL };
	g_autoptr(Ini) ini = open_ini(r, dir, "documents.ini", TRUE);
	g_auto(GStrv) groups = NULL;

	if (ini == NULL)
		return;
	groups = g_key_file_get_groups(ini_keyfile(ini), NULL);
	for (int i = 0; groups[i] != NULL; i++) {
		const char *g = groups[i];
		g_autofree char *title = ini_get(ini, g, "title"), *req = ini_get(ini, g, "required");
		g_autofree char *met = ini_get(ini, g, "met");
		g_auto(GStrv) files = g_key_file_get_string_list(ini_keyfile(ini), g, "files", NULL, NULL);
		g_autofree char *dflt = g_strdup_printf("docs('%s') >= 1", g);
		GPtrArray *norm = g_ptr_array_new();
		struct kind *k;

		only_keys(r, ini, g, known);
		if (!rules_is_kind(g)) {
			problem(r, ini_path(ini), ini_line(ini, g, NULL),
			    "unknown document kind [%s] (the kinds are fixed: see rules/README)", g);
			g_ptr_array_free(norm, TRUE);
			continue;
		}
		k = g_new0(struct kind, 1);
		k->id = g_strdup(g);
		k->title = title ? g_steal_pointer(&title) : g_strdup(g);
		for (int j = 0; files != NULL && files[j] != NULL; j++) {
			char *w = words(files[j], -1);
			if (*w == '\0')
				g_free(w);
			else
				g_ptr_array_add(norm, w);
		}
		g_ptr_array_add(norm, NULL);
		k->files = (char **)g_ptr_array_free(norm, FALSE);
		k->required = condition(r, ini, g, "required", req ? req : "1");
		k->met = condition(r, ini, g, "met", met ? met : dflt);
		k->where_required = g_strdup_printf("%s:%d", ini_path(ini),
		    ini_line(ini, g, req ? "required" : NULL));
		k->where_met = g_strdup_printf("%s:%d", ini_path(ini), ini_line(ini, g, met ? "met" : NULL));
		g_ptr_array_add(r->kinds, k);
	}
}

static void
load_schools(Rules *r, const char *dir, const char *file, const char *list)
{
	g_autofree char *path = g_build_filename(dir, "schools", file, NULL);
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(path, &text, NULL, &err)) {
		problem(r, path, 0, "%s", err->message);
		return;
	}
	lines = g_strsplit(text, "\n", RULES_MAX_LINES);
	for (int i = 0; lines[i] != NULL; i++) {
		char *s = g_strstrip(lines[i]);
		if (*s == '\0' || *s == '#')
			continue;
		if (!g_utf8_validate(s, -1, NULL)) {
			problem(r, path, i + 1, "not UTF-8 text");
			continue;
		}
		g_hash_table_insert(r->schools, school_key(s), (gpointer)list);
	}
}

/* One CSV line into fields; "quoted, fields" allowed. NULL if malformed. */
static GPtrArray *
csv_fields(const char *line)
{
	GPtrArray *f = g_ptr_array_new_with_free_func(g_free);
	GString *cur = g_string_new(NULL);
	gboolean quoted = FALSE;

	for (const char *p = line;; p++) {
		if (quoted && *p == '"' && p[1] == '"')
			g_string_append_c(cur, '"'), p++;
		else if (*p == '"' && (quoted || cur->len == 0))
			quoted = !quoted;
		else if ((*p == ',' && !quoted) || *p == '\0') {
			g_ptr_array_add(f, g_strdup(g_strstrip(cur->str)));
			g_string_truncate(cur, 0);
			if (*p == '\0')
				break;
		} else
			g_string_append_c(cur, *p);
	}
	g_string_free(cur, TRUE);
	if (quoted) {
		g_ptr_array_free(f, TRUE);
		return NULL;
	}
	return f;
}

typedef void (*csv_row_fn)(Rules *r, const char *path, int line, GPtrArray *fields);

static void
load_csv(Rules *r, const char *dir, const char *file, const char *header, csv_row_fn row)
{
	g_autofree char *path = g_build_filename(dir, file, NULL);
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	g_auto(GStrv) lines = NULL;
	guint ncols = 1;

	for (const char *p = header; *p; p++)
		ncols += *p == ',';
	if (!g_file_get_contents(path, &text, NULL, &err)) {
		problem(r, path, 0, "%s", err->message);
		return;
	}
	lines = g_strsplit(text, "\n", RULES_MAX_LINES);
	if (lines[0] == NULL || strcmp(g_strstrip(lines[0]), header) != 0) {
		problem(r, path, 1, "the header must be '%s'", header);
		return;
	}
	for (int i = 1; lines[i] != NULL; i++) {
		char *s = g_strstrip(lines[i]);
		g_autoptr(GPtrArray) f = NULL;
		if (*s == '\0' || *s == '#')
			continue;
		if (!g_utf8_validate(s, -1, NULL) || (f = csv_fields(s)) == NULL || f->len != ncols) {
			problem(r, path, i + 1, "expected %u fields as in '%s'", ncols, header);
			continue;
		}
		row(r, path, i + 1, f);
	}
}

static void
catalog_row(Rules *r, const char *path, int line, GPtrArray *f)
{
	const char *code = g_ptr_array_index(f, 0), *seats = g_ptr_array_index(f, 4);
	char *end;
	gint64 n = g_ascii_strtoll(seats, &end, 10);

	if (*code == '\0' || strlen(code) >= sizeof(((struct form_choice *)0)->course))
		problem(r, path, line, "course code '%s' must be 1 to 15 characters", code);
	else if (end == seats || *end != '\0' || n < 0 || n > 10000)
		problem(r, path, line, "seats '%s' must be a number from 0 to 10000", seats);
	else if (g_hash_table_contains(r->courses, code))
		problem(r, path, line, "course %s given twice", code);
	else
		g_hash_table_insert(r->courses, g_ascii_strup(code, -1),
		    g_strdup(g_ptr_array_index(f, 5)));
}

static gboolean
iso_date(const char *s, GDate *d)
{
	return strlen(s) == 10 && s[4] == '-' && s[7] == '-' && parse_date(s, d);
}

static void
block_row(Rules *r, const char *path, int line, GPtrArray *f)
{
	const char *id = g_ptr_array_index(f, 0);
	const char *start = g_ptr_array_index(f, 1), *end = g_ptr_array_index(f, 2);
	GDate ds, de;
	int y, m;
	struct block *b;

	if (strlen(id) != 7 || sscanf(id, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12)
		problem(r, path, line, "block id '%s' must be YYYY-MM", id);
	else if (!iso_date(start, &ds) || !iso_date(end, &de) || g_date_compare(&ds, &de) >= 0)
		problem(r, path, line, "start and end must be ISO dates (YYYY-MM-DD), start first");
	else if (g_hash_table_contains(r->blocks, id))
		problem(r, path, line, "block %s given twice", id);
	else {
		b = g_new0(struct block, 1);
		g_strlcpy(b->start, start, sizeof b->start);
		g_strlcpy(b->end, end, sizeof b->end);
		g_hash_table_insert(r->blocks, g_strdup(id), b);
	}
}

static void register_functions(Rules *r);

static const char application_table[] =
    "CREATE TABLE application ("
    "  name TEXT, email TEXT, school TEXT, country TEXT, school_list TEXT, international INT,"
    "  year_of_study TEXT, year_number INT, program_years INT, final_year INT,"
    "  expected_graduation TEXT, degree_held TEXT, core_clerkships TEXT, request_type TEXT,"
    "  english TEXT, toefl_score INT, choices INT, blocks INT, unknown_courses INT,"
    "  unknown_blocks INT, past_blocks INT, first_block_start TEXT, status TEXT, placed INT,"
    "  today TEXT)";

/* Load everything; problems gather in r->errors. */
static Rules *
load(const char *dir)
{
	Rules *r = g_new0(Rules, 1);

	r->errors = g_ptr_array_new_with_free_func(g_free);
	r->rules = g_ptr_array_new_with_free_func(rule_free);
	r->kinds = g_ptr_array_new_with_free_func(kind_free);
	r->settings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r->schools = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	r->courses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r->blocks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_date_clear(&r->today, 1);
	if (sqlite3_open_v2(":memory:", &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL) !=
	    SQLITE_OK || sqlite3_exec(r->db, application_table, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, "INSERT INTO application VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
	    "?,?,?,?,?,?,?,?,?,?,?)", -1, &r->fill, NULL) != SQLITE_OK) {
		problem(r, dir, 0, "in-memory SQLite: %s", sqlite3_errmsg(r->db));
		return r;
	}
	sqlite3_set_authorizer(r->db, authorize, r);
	sqlite3_limit(r->db, SQLITE_LIMIT_LENGTH, 1 << 20);
	register_functions(r);
	load_policy(r, dir);
	load_schools(r, dir, "lcme.txt", "lcme");
	load_schools(r, dir, "international.txt", "international");
	load_csv(r, dir, "catalog.csv", "code,title,hospital,department,seats,prerequisites",
	    catalog_row);
	load_csv(r, dir, "blocks.csv", "id,start,end", block_row);
	load_eligibility(r, dir);
	load_documents(r, dir);
	return r;
}

void
rules_free(Rules *r)
{
	if (r == NULL)
		return;
	g_ptr_array_free(r->rules, TRUE);
	g_ptr_array_free(r->kinds, TRUE);
	sqlite3_finalize(r->fill);
	sqlite3_close(r->db);
	g_hash_table_destroy(r->settings);
	g_hash_table_destroy(r->schools);
	g_hash_table_destroy(r->courses);
	g_hash_table_destroy(r->blocks);
	g_ptr_array_free(r->errors, TRUE);
	g_free(r);
}

/* Run every condition once on an empty application, so that errors only SQLite
 * sees at run time (an unknown kind, a wrong argument) are caught at load. */
static void
dry_run(Rules *r)
{
	g_autoptr(Dossier) d = dossier_new();
	struct decision dc;
	g_autoptr(GError) err = NULL;

	decision_init(&dc);
	if (!rules_eval(r, d, "2000-01-01", &dc, &err))
		g_ptr_array_add(r->errors, g_strdup(err->message));
	decision_clear(&dc);
}

Rules *
rules_load(const char *dir, GError **err)
{
	Rules *r = load(dir);

	dry_run(r);
	if (r->errors->len > 0) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s%s",
		    (char *)g_ptr_array_index(r->errors, 0),
		    r->errors->len > 1 ? " (and more: clerkctl rules check)" : "");
		rules_free(r);
		return NULL;
	}
	return r;
}

GPtrArray *
rules_check(const char *dir)
{
	Rules *r = load(dir);
	GPtrArray *errors;

	dry_run(r);
	errors = g_steal_pointer(&r->errors);
	r->errors = g_ptr_array_new_with_free_func(g_free);
	rules_free(r);
	return errors;
}

/* ---- kinds and data ---- */

gboolean
rules_is_kind(const char *id)
{
	return id != NULL && g_strv_contains(rules_kind_ids, id);
}

static const struct kind *
kind_of(const Rules *r, const char *id)
{
	for (guint i = 0; i < r->kinds->len; i++) {
		const struct kind *k = g_ptr_array_index(r->kinds, i);
		if (strcmp(k->id, id) == 0)
			return k;
	}
	return NULL;
}

const char *
rules_kind_title(const Rules *r, const char *kind)
{
	const struct kind *k = kind ? kind_of(r, kind) : NULL;
	return k ? k->title : kind;
}

const char *
rules_classify_file(const Rules *r, const char *filename)
{
	g_autofree char *w = NULL;
	const char *dot;

	if (filename == NULL)
		return NULL;
	dot = strrchr(filename, '.');
	w = words(filename, dot && dot != filename && strlen(dot) <= 5 ? dot - filename : -1);
	for (guint i = 0; i < r->kinds->len; i++) {
		const struct kind *k = g_ptr_array_index(r->kinds, i);
		for (int j = 0; k->files[j] != NULL; j++)
			if (has_phrase(w, k->files[j]))
				return k->id;
	}
	return NULL;
}

const char *
rules_school_list(const Rules *r, const char *school)
{
	g_autofree char *k = NULL;

	if (school == NULL)
		return NULL;
	k = school_key(school);
	return g_hash_table_lookup(r->schools, k);
}

const char *
rules_block_start(const Rules *r, const char *block)
{
	const struct block *b = block ? g_hash_table_lookup(r->blocks, block) : NULL;
	return b ? b->start : NULL;
}

gboolean
rules_course_exists(const Rules *r, const char *code)
{
	g_autofree char *up = code ? g_ascii_strup(code, -1) : NULL;
	return up != NULL && g_hash_table_contains(r->courses, up);
}

const char *
rules_setting(const Rules *r, const char *name)
{
	return g_hash_table_lookup(r->settings, name);
}

gboolean
rules_setting_bool(const Rules *r, const char *name)
{
	const char *v = rules_setting(r, name);
	return v != NULL && (!g_ascii_strcasecmp(v, "yes") || !g_ascii_strcasecmp(v, "true") ||
	    !strcmp(v, "1"));
}

/* ---- SQL functions: they read r->cur, the application being judged ---- */

static gboolean
counts(const Rules *r, const struct dossier_doc *doc)
{
	if (doc->pending || doc->state == DOC_REJECTED || doc->state == DOC_HELD)
		return FALSE;
	return doc->state == DOC_ACCEPTED || !rules_setting_bool(r, "require_staff_check");
}

/* The kind named by the first argument; NULL (and the error set) if unknown. */
static const char *
kind_arg(sqlite3_context *ctx, sqlite3_value **argv)
{
	const char *k = (const char *)sqlite3_value_text(argv[0]);

	if (!rules_is_kind(k)) {
		g_autofree char *msg = g_strdup_printf("unknown document kind '%s'", k ? k : "");
		sqlite3_result_error(ctx, msg, -1);
		return NULL;
	}
	return k;
}


static void
fn_docs(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct fnctx *fc = sqlite3_user_data(ctx);
	Rules *r = fc->r;
	enum doc_fn fn = fc->fn;
	const char *k = kind_arg(ctx, argv);
	int n = 0;
	GDate first, last, cut;

	(void)argc;
	if (k == NULL || r->cur == NULL)
		return;
	g_date_clear(&first, 1);
	g_date_clear(&last, 1);
	cut = r->today;
	if (fn == FN_WITHIN)
		g_date_subtract_months(&cut, CLAMP(sqlite3_value_int(argv[1]), 0, 1200));
	for (guint i = 0; i < r->cur->docs->len; i++) {
		const struct dossier_doc *doc = g_ptr_array_index(r->cur->docs, i);
		GDate d;
		if (g_strcmp0(doc->kind, k) != 0)
			continue;
		if (fn == FN_PENDING) {
			n += doc->pending && doc->state != DOC_REJECTED && doc->state != DOC_HELD;
			continue;
		}
		if (!counts(r, doc))
			continue;
		if (fn == FN_POSITIVE) {
			n += doc->positive;
			continue;
		}
		gboolean dated = doc->date != NULL && parse_date(doc->date, &d);
		if (fn == FN_WITHIN && (!dated || g_date_compare(&d, &cut) < 0))
			continue;
		if (fn == FN_SPAN) {
			if (!doc->dated || !dated)
				continue;
			if (!g_date_valid(&first) || g_date_compare(&d, &first) < 0)
				first = d;
			if (!g_date_valid(&last) || g_date_compare(&d, &last) > 0)
				last = d;
		}
		n++;
	}
	if (fn == FN_SPAN) {
		/* Days from the first dated result to the last; NULL with fewer than two. */
		if (n < 2)
			sqlite3_result_null(ctx);
		else
			sqlite3_result_int(ctx, g_date_days_between(&first, &last));
		return;
	}
	sqlite3_result_int(ctx, n);
}

static void
fn_months_until(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	Rules *r = sqlite3_user_data(ctx);
	GDate d;

	(void)argc;
	if (!parse_date((const char *)sqlite3_value_text(argv[0]), &d)) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_double(ctx, g_date_days_between(&r->today, &d) / 30.44);
}

/* matches(text, 'a, b c') : 1 if any phrase stands in text as whole words;
 * has_all(text, 'a|b; c') : 1 if every ;-group has one of its |-phrases. */
static gboolean
any_phrase(const char *text, const char *list, const char *sep)
{
	g_auto(GStrv) alts = g_strsplit_set(list, sep, 64);

	for (int i = 0; alts[i] != NULL; i++) {
		g_autofree char *w = words(alts[i], -1);
		if (has_phrase(text, w))
			return TRUE;
	}
	return FALSE;
}

static void
fn_matches(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *text = (const char *)sqlite3_value_text(argv[0]);
	const char *list = (const char *)sqlite3_value_text(argv[1]);
	gboolean all = GPOINTER_TO_INT(sqlite3_user_data(ctx)) == 0;	/* has_all */
	g_autofree char *w = NULL;
	g_auto(GStrv) groups = NULL;
	gboolean ok = all;

	(void)argc;
	if (list == NULL) {
		sqlite3_result_error(ctx, "matches()/has_all(): no list", -1);
		return;
	}
	w = words(text ? text : "", -1);
	if (!all) {
		sqlite3_result_int(ctx, any_phrase(w, list, ","));
		return;
	}
	groups = g_strsplit(list, ";", 64);
	for (int i = 0; groups[i] != NULL; i++)
		ok = ok && any_phrase(w, groups[i], "|");
	sqlite3_result_int(ctx, ok);
}

static void
result_value(sqlite3_context *ctx, const char *v)
{
	char *end;
	double d;

	if (v == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	d = g_ascii_strtod(v, &end);
	if (*v != '\0' && *end == '\0')
		sqlite3_result_double(ctx, d);
	else
		sqlite3_result_text(ctx, v, -1, SQLITE_TRANSIENT);
}

static void
fn_setting(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	Rules *r = sqlite3_user_data(ctx);
	const char *name = (const char *)sqlite3_value_text(argv[0]);

	(void)argc;
	if (name == NULL || !g_hash_table_contains(r->settings, name)) {
		g_autofree char *msg = g_strdup_printf("no setting '%s' in policy.ini", name ? name : "");
		sqlite3_result_error(ctx, msg, -1);
		return;
	}
	result_value(ctx, rules_setting(r, name));
}

static void
fn_field(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	Rules *r = sqlite3_user_data(ctx);
	const char *name = (const char *)sqlite3_value_text(argv[0]);

	(void)argc;
	sqlite3_result_text(ctx, r->cur && r->cur->form && name ?
	    g_hash_table_lookup(r->cur->form, name) : NULL, -1, SQLITE_TRANSIENT);
}

static void
register_functions(Rules *r)
{
	/* Not SQLITE_DETERMINISTIC: the answers depend on the application judged. */
	const int f = SQLITE_UTF8;

	static const struct {
		const char *name;
		int argc;
	} docfns[FN_COUNT] = {
		[FN_DOCS] = { "docs", 1 }, [FN_WITHIN] = { "docs_within", 2 },
		[FN_PENDING] = { "pending", 1 }, [FN_POSITIVE] = { "positive", 1 },
		[FN_SPAN] = { "span_days", 1 },
	};

	for (int i = 0; i < FN_COUNT; i++) {
		r->fns[i].r = r;
		r->fns[i].fn = i;
		sqlite3_create_function(r->db, docfns[i].name, docfns[i].argc, f, &r->fns[i],
		    fn_docs, NULL, NULL);
	}
	sqlite3_create_function(r->db, "months_until", 1, f, r, fn_months_until, NULL, NULL);
	sqlite3_create_function(r->db, "matches", 2, f, GINT_TO_POINTER(1), fn_matches, NULL, NULL);
	sqlite3_create_function(r->db, "has_all", 2, f, GINT_TO_POINTER(0), fn_matches, NULL, NULL);
	sqlite3_create_function(r->db, "setting", 1, f, r, fn_setting, NULL, NULL);
	sqlite3_create_function(r->db, "field", 1, f, r, fn_field, NULL, NULL);
}

/* ---- the application row ---- */

/* "6th", "sixth", "year 6 of 6", "final (6th of a 6-year program)". */
static void
read_year(const char *text, int *year, int *program, gboolean *final)
{
	static const char *const ordinals[] = { "first", "second", "third", "fourth", "fifth",
		"sixth", "seventh" };
	g_autofree char *w = words(text ? text : "", -1);
	g_auto(GStrv) t = g_strsplit(w, " ", 32);

	*year = *program = 0;
	*final = has_phrase(w, "final") || has_phrase(w, "last");
	for (int i = 0; t[i] != NULL; i++) {
		int n = g_ascii_isdigit(t[i][0]) ? atoi(t[i]) : 0;
		for (int k = 0; n == 0 && k < (int)G_N_ELEMENTS(ordinals); k++)
			if (strcmp(t[i], ordinals[k]) == 0)
				n = k + 1;
		if (n < 1 || n > 9)
			continue;
		if ((i > 0 && strcmp(t[i - 1], "of") == 0) ||
		    (t[i + 1] != NULL && strcmp(t[i + 1], "year") == 0 && *year != 0))
			*program = n;
		else if (*year == 0)
			*year = n;
	}
	if (*year > 0 && *program > 0 && *year == *program)
		*final = TRUE;
}

static const char *
form_value(const struct dossier *d, const char *key)
{
	return d->form ? g_hash_table_lookup(d->form, key) : NULL;
}

static void
bind_str(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

static gboolean
fill_row(Rules *r, const struct dossier *d, GError **err)
{
	const char *school = d->school ? d->school : form_value(d, "medical_school");
	const char *list = rules_school_list(r, school);
	const char *country = d->country ? d->country : form_value(d, "school_country");
	const char *home = rules_setting(r, "home_countries");
	const char *english = form_value(d, "english_proficiency");
	const char *first = NULL;
	g_autofree char *cw = words(country ? country : "", -1);
	g_autofree char *ew = words(english ? english : "", -1);
	g_autoptr(GHashTable) blocks = g_hash_table_new(g_str_hash, g_str_equal);
	int year, program, toefl = 0, unknown_courses = 0, unknown_blocks = 0, past = 0;
	gboolean final, international;
	char today[11];
	sqlite3_stmt *s = r->fill;

	read_year(form_value(d, "year_of_study"), &year, &program, &final);
	if (list != NULL)
		international = strcmp(list, "international") == 0;
	else
		international = *cw != '\0' && !any_phrase(cw, home ? home : "united states, canada", ",");
	if (has_phrase(ew, "toefl"))
		for (const char *p = ew; *p && toefl == 0; p++)
			if (g_ascii_isdigit(*p) && (p == ew || p[-1] == ' '))
				toefl = atoi(p);
	for (guint i = 0; d->choices != NULL && i < d->choices->len; i++) {
		const struct form_choice *c = &g_array_index(d->choices, struct form_choice, i);
		const char *start = rules_block_start(r, c->block);
		GDate sd;
		unknown_courses += !rules_course_exists(r, c->course);
		if (start == NULL) {
			unknown_blocks++;
			continue;
		}
		g_hash_table_add(blocks, (gpointer)c->block);
		if (parse_date(start, &sd) && g_date_compare(&sd, &r->today) <= 0)
			past++;
		else if (first == NULL || strcmp(start, first) < 0)
			first = start;
	}
	g_date_strftime(today, sizeof today, "%Y-%m-%d", &r->today);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	bind_str(s, 1, d->name);
	bind_str(s, 2, d->email);
	bind_str(s, 3, school);
	bind_str(s, 4, country);
	bind_str(s, 5, list);
	sqlite3_bind_int(s, 6, international);
	bind_str(s, 7, form_value(d, "year_of_study"));
	sqlite3_bind_int(s, 8, year);
	sqlite3_bind_int(s, 9, program);
	sqlite3_bind_int(s, 10, final);
	bind_str(s, 11, form_value(d, "expected_graduation"));
	bind_str(s, 12, form_value(d, "degree_held"));
	bind_str(s, 13, form_value(d, "core_clerkships_completed"));
	bind_str(s, 14, form_value(d, "request_type"));
	bind_str(s, 15, english);
	if (toefl > 0)
		sqlite3_bind_int(s, 16, toefl);
	sqlite3_bind_int(s, 17, d->choices ? d->choices->len : 0);
	sqlite3_bind_int(s, 18, g_hash_table_size(blocks));
	sqlite3_bind_int(s, 19, unknown_courses);
	sqlite3_bind_int(s, 20, unknown_blocks);
	sqlite3_bind_int(s, 21, past);
	bind_str(s, 22, first);
	bind_str(s, 23, d->status ? d->status : "received");
	sqlite3_bind_int(s, 24, g_strcmp0(d->status, "scheduled") == 0);
	bind_str(s, 25, today);
	if (sqlite3_exec(r->db, "DELETE FROM application", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "rules: %s", sqlite3_errmsg(r->db));
		return FALSE;
	}
	return TRUE;
}

/* 1 true, 0 false, -1 NULL (cannot tell), -2 error. */
static int
truth(Rules *r, sqlite3_stmt *s, const char *what, GError **err)
{
	int rc, v = -1;

	sqlite3_reset(s);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_type(s, 0) != SQLITE_NULL)
			v = sqlite3_column_double(s, 0) != 0.0;
		rc = sqlite3_step(s);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s", what, sqlite3_errmsg(r->db));
		return -2;
	}
	return v;
}

void
decision_init(struct decision *dc)
{
	memset(dc, 0, sizeof *dc);
	dc->reasons = g_ptr_array_new_with_free_func(NULL);
	dc->missing = g_ptr_array_new_with_free_func(g_free);
	dc->pending = g_ptr_array_new_with_free_func(g_free);
	dc->unchecked = g_ptr_array_new_with_free_func(g_free);
}

void
decision_clear(struct decision *dc)
{
	for (guint i = 0; dc->reasons && i < dc->reasons->len; i++) {
		struct decision_reason *why = g_ptr_array_index(dc->reasons, i);
		g_free(why->rule);
		g_free(why->text);
		g_free(why);
	}
	g_clear_pointer(&dc->reasons, g_ptr_array_unref);
	g_clear_pointer(&dc->missing, g_ptr_array_unref);
	g_clear_pointer(&dc->pending, g_ptr_array_unref);
	g_clear_pointer(&dc->unchecked, g_ptr_array_unref);
	g_clear_pointer(&dc->status, g_free);
}

static char *
to_json(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

char *
decision_missing_json(const struct decision *dc)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < dc->missing->len; i++)
		json_builder_add_string_value(b, g_ptr_array_index(dc->missing, i));
	json_builder_end_array(b);
	return to_json(b);
}

char *
decision_reasons_json(const struct decision *dc)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (guint i = 0; i < dc->reasons->len; i++) {
		const struct decision_reason *why = g_ptr_array_index(dc->reasons, i);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "rule");
		json_builder_add_string_value(b, why->rule);
		json_builder_set_member_name(b, "text");
		json_builder_add_string_value(b, why->text);
		json_builder_set_member_name(b, "outcome");
		json_builder_add_string_value(b, why->unknown ? "unknown" : "failed");
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	return to_json(b);
}

static gboolean
documents_unchecked(const struct dossier *d, const char *kind)
{
	for (guint i = 0; i < d->docs->len; i++) {
		const struct dossier_doc *doc = g_ptr_array_index(d->docs, i);
		if (g_strcmp0(doc->kind, kind) == 0 && !doc->dated && doc->state == DOC_FILED)
			return TRUE;
	}
	return FALSE;
}

gboolean
rules_eval(Rules *r, const struct dossier *d, const char *today, struct decision *out,
    GError **err)
{
	gboolean ineligible = FALSE, incomplete = FALSE;

	if (!parse_date(today, &r->today)) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "rules: bad date '%s'", today);
		return FALSE;
	}
	r->cur = d;
	if (!fill_row(r, d, err))
		goto fail;
	for (guint i = 0; i < r->rules->len; i++) {
		struct rule *ru = g_ptr_array_index(r->rules, i);
		int v = ru->require ? truth(r, ru->require, ru->where, err) : 1;
		if (v == -2)
			goto fail;
		if (v == 1)
			continue;
		struct decision_reason *why = g_new0(struct decision_reason, 1);
		why->rule = g_strdup(ru->id);
		why->text = g_strdup(ru->text);
		why->unknown = v == -1;
		g_ptr_array_add(out->reasons, why);
		if (v == 0 && ru->ineligible)
			ineligible = TRUE;
		else
			incomplete = TRUE;
	}
	for (guint i = 0; i < r->kinds->len; i++) {
		struct kind *k = g_ptr_array_index(r->kinds, i);
		int req = k->required ? truth(r, k->required, k->where_required, err) : 0;
		int met = req == 1 && k->met ? truth(r, k->met, k->where_met, err) : 1;
		if (req == -2 || met == -2)
			goto fail;
		if (req != 1)
			continue;
		if (met != 1) {
			g_ptr_array_add(out->missing, g_strdup(k->id));
			for (guint j = 0; j < d->docs->len; j++) {
				const struct dossier_doc *doc = g_ptr_array_index(d->docs, j);
				if (doc->pending && g_strcmp0(doc->kind, k->id) == 0 &&
				    doc->state != DOC_REJECTED && doc->state != DOC_HELD) {
					g_ptr_array_add(out->pending, g_strdup(k->id));
					break;
				}
			}
		} else if (documents_unchecked(d, k->id))
			g_ptr_array_add(out->unchecked, g_strdup(k->id));
	}
	r->cur = NULL;
	g_free(out->status);
	if (d->status != NULL && g_strv_contains(kept_statuses, d->status))
		out->status = g_strdup(d->status);
	else
		out->status = g_strdup(ineligible ? "ineligible" :
		    incomplete || out->missing->len ? "incomplete" : "complete");
	return TRUE;
fail:
	r->cur = NULL;
	return FALSE;
}
