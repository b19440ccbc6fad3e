/* rules.c: rules/ as data, loaded and checked: INI files whose conditions are
 * SQLite expressions (prepared here, judged in rules_eval.c), school lists,
 * the catalog and the blocks. Staff edit them without a rebuild. */
#include "rules_p.h"
#include "appstatus.h"
#include "dossier.h"
#include "form.h"
#include "faq.h"
#include "ini.h"
#include "util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULES_MAX_LINES 100000	/* per data file */

static char *
school_key(const char *name)
{
	char *w = words_of(name, -1);

	if (g_str_has_prefix(w, "the ")) {
		char *rest = g_strdup(w + 4);
		g_free(w);
		w = rest;
	}
	return w;
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

/* ---- settings in texts ---- */

/* Is s (after "{{") one of the block tags, "#lottery}}" and the like? */
static gboolean
block_tag(const char *s, const char *tag)
{
	gsize n = strlen(tag);
	return strncmp(s, tag, n) == 0 && strncmp(s + n, "}}", 2) == 0;
}

/* text with its settings (rules.h, rules_expand); NULL with *line (in text)
 * and *problem set. */
static char *
expand(const Rules *r, const char *text, int *line, char **problem)
{
	const char *sched = r ? g_hash_table_lookup(r->settings, "scheduling") : NULL;
	gboolean rolling = g_strcmp0(sched, "rolling") == 0;
	g_autoptr(GString) out = g_string_sized_new(strlen(text) + 64);
	const char *open_block = NULL;	/* "lottery" or "rolling" while inside one */
	gboolean keep = TRUE;
	int open_line = 0;

	*line = 1;
	for (const char *p = text; *p != '\0';) {
		const char *close;
		gboolean standalone;

		if (*p == '\n')
			++*line;
		if (p[0] != '{' || p[1] != '{') {
			if (keep)
				g_string_append_c(out, *p);
			p++;
			continue;
		}
		standalone = p == text || p[-1] == '\n';
		if (p[2] == '!') {
			/* {{! a comment for staff }}: never sent. */
			const char *inner = strstr(p + 2, "{{");
			if ((close = strstr(p, "}}")) == NULL || (inner != NULL && inner < close)) {
				*problem = g_strdup("{{! comment not closed with }}");
				return NULL;
			}
			for (const char *c = p; c < close; c++)
				*line += *c == '\n';
			p = close + 2;
		} else if (block_tag(p + 2, "#lottery") || block_tag(p + 2, "#rolling")) {
			if (open_block != NULL) {
				*problem = g_strdup_printf("{{%.8s}} inside {{#%s}}: blocks do not nest", p + 2,
				    open_block);
				return NULL;
			}
			open_block = p[3] == 'l' ? "lottery" : "rolling";
			open_line = *line;
			keep = rolling == (p[3] == 'r');
			p += 12;
		} else if (block_tag(p + 2, "/lottery") || block_tag(p + 2, "/rolling")) {
			if (open_block == NULL || strncmp(open_block, p + 3, 7) != 0) {
				*problem = g_strdup_printf("{{%.8s}} closes no {{#%.7s}}", p + 2, p + 3);
				return NULL;
			}
			open_block = NULL;
			keep = TRUE;
			p += 12;
		} else if (strncmp(p + 2, "setting:", 8) == 0 && (close = strstr(p, "}}")) != NULL) {
			g_autofree char *name = g_strstrip(g_strndup(p + 10, close - p - 10));
			const char *value = r ? g_hash_table_lookup(r->settings, name) : NULL;
			if (value == NULL) {
				*problem = g_strdup_printf("unknown setting '%s' in {{setting:%s}} (policy.ini "
				    "has no such key)", name, name);
				return NULL;
			}
			if (keep)
				g_string_append(out, value);
			p = close + 2;
			continue;
		} else {
			/* A {{variable}} of the template: left for reply_render(). */
			if (keep)
				g_string_append(out, "{{");
			p += 2;
			continue;
		}
		/* A block tag or comment alone on its line takes the line with it. */
		if (standalone && *p == '\n') {
			++*line;
			p++;
		}
	}
	if (open_block != NULL) {
		*line = open_line;
		*problem = g_strdup_printf("{{#%s}} is not closed (with {{/%s}})", open_block, open_block);
		return NULL;
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

char *
rules_expand(const Rules *r, const char *name, const char *text, GError **err)
{
	g_autofree char *problem = NULL;
	int line;
	char *out = expand(r, text, &line, &problem);

	if (out == NULL)
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s:%d: %s", name, line, problem);
	return out;
}

/* A text of a rules file (first on line), expanded; the problem, if any, is
 * one of r's, and the text is kept as written. */
static char *
expand_loaded(Rules *r, const char *path, int first, const char *text)
{
	g_autofree char *why = NULL;
	int line;
	char *out = expand(r, text, &line, &why);

	if (out != NULL)
		return out;
	problem(r, path, first + line - 1, "%s", why);
	return g_strdup(text);
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
	static const char *const fns[] = { "docs", "docs_within", "pending", "positive", "span_days",
		"docs_since", "last_date" };
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
			/* last_date('tb-ppd', 'tb-igra'): each kind named */
			while (*q == '\'' && (end = strchr(q + 1, '\'')) != NULL) {
				g_autofree char *kind = g_strndup(q + 1, end - q - 1);
				if (!rules_is_kind(r, kind)) {
					problem(r, ini_path(ini), ini_line(ini, group, key),
					    "%s: unknown document kind '%s'", key, kind);
					ok = FALSE;
				}
				for (q = end + 1; *q == ' '; q++)
					;
				if (*q++ != ',')
					break;
				while (*q == ' ')
					q++;
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
	g_free(k->group);
	g_free(k->note);
	g_strfreev(k->covers);
	g_free(k->where_required);
	g_free(k->where_met);
	g_strfreev(k->files);
	sqlite3_finalize(k->required);
	sqlite3_finalize(k->met);
	for (guint i = 0; k->explain != NULL && i < k->explain->len; i++)
		sqlite3_finalize(g_ptr_array_index(k->explain, i));
	if (k->explain != NULL)
		g_ptr_array_free(k->explain, TRUE);
	if (k->where_explain != NULL)
		g_ptr_array_free(k->where_explain, TRUE);
	g_free(k);
}

/* Every key of a group is one of known ("explain-*": any key that begins
 * "explain-"); the others are reported. */
static void
only_keys(Rules *r, Ini *ini, const char *group, const char *const *known)
{
	g_auto(GStrv) keys = g_key_file_get_keys(ini_keyfile(ini), group, NULL, NULL);

	for (int i = 0; keys != NULL && keys[i] != NULL; i++)
		if (!g_strv_contains(known, keys[i]) && !(g_strv_contains(known, "explain-*") &&
		    g_str_has_prefix(keys[i], "explain-") && keys[i][8] != '\0'))
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

/* What clerkd uses when policy.ini leaves a setting out (texts may name them). */
static const char *const setting_defaults[][2] = {
	{ "scheduling", "lottery" }, { "lead_days", "45" }, { "home_hold_days", "90" },
	{ "home_seats", "0" }, { "max_blocks", "3" }, { "confirmation_days", "14" },
	{ "offer_days", "3" }, { "ielts_minimum", "7.0" }, { "english_test_valid_years", "2" },
	{ "flu_season_start_month", "8" },
	{ "documents_due_days", "60" },
	{ "lottery_notice_days", "7" },
	{ "letter_paper", "a4" },
	{ "letter_logo", "" },
};

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
		if (v != NULL && strstr(v, "{{") != NULL)
			problem(r, ini_path(ini), ini_line(ini, "settings", keys[i]),
			    "%s: a setting may not contain {{ (it is put into texts)", keys[i]);
		g_hash_table_insert(r->settings, g_strdup(keys[i]), v ? v : g_strdup(""));
	}
	{
		/* A month: 1 (January) to 12. */
		const char *m = g_hash_table_lookup(r->settings, "flu_season_start_month");
		char *end;
		gint64 n = m ? g_ascii_strtoll(m, &end, 10) : 8;
		if (m != NULL && (end == m || *end != '\0' || n < 1 || n > 12))
			problem(r, ini_path(ini), ini_line(ini, "settings", "flu_season_start_month"),
			    "flu_season_start_month must be a month, 1 to 12 (8 is August), not '%s'", m);
	}
	{
		/* Days before a lottery that staff are told of it: 0 (none) to 365. */
		const char *d = g_hash_table_lookup(r->settings, "lottery_notice_days");
		char *end;
		gint64 n = d ? g_ascii_strtoll(d, &end, 10) : 7;
		if (d != NULL && (end == d || *end != '\0' || n < 0 || n > 365))
			problem(r, ini_path(ini), ini_line(ini, "settings", "lottery_notice_days"),
			    "lottery_notice_days must be a number of days, 0 (no notice) to 365, not '%s'", d);
	}
	{
		/* The letter's paper: checked here, not only when a letter is made. */
		const char *p = g_hash_table_lookup(r->settings, "letter_paper");
		if (p != NULL && g_ascii_strcasecmp(p, "a4") != 0 && g_ascii_strcasecmp(p, "letter") != 0)
			problem(r, ini_path(ini), ini_line(ini, "settings", "letter_paper"),
			    "letter_paper must be a4 or letter, not '%s'", p);
	}
	{
		/* The logo: a file name in templates/ (its contents: clerkctl rules check). */
		const char *l = g_hash_table_lookup(r->settings, "letter_logo");
		if (l != NULL && (strchr(l, '/') != NULL || strchr(l, '\\') != NULL || *l == '.'))
			problem(r, ini_path(ini), ini_line(ini, "settings", "letter_logo"),
			    "letter_logo is the name of a file in templates/ (such as logo.png), not '%s'", l);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(setting_defaults); i++)
		if (!g_hash_table_contains(r->settings, setting_defaults[i][0]))
			g_hash_table_insert(r->settings, g_strdup(setting_defaults[i][0]),
			    g_strdup(setting_defaults[i][1]));
}

/* A reason may say the application's own values, {{graduation_date}} and
 * {{last_block}} (rules_eval.c puts them in); any other {{name}} is a
 * mistake, caught here rather than sent. */
static void
reason_names_known(Rules *r, const char *path, int line, const char *text, gboolean early)
{
	for (const char *p = text; (p = strstr(p, "{{")) != NULL; p += 2) {
		const char *close = strstr(p, "}}");
		g_autofree char *name = close ? g_strndup(p + 2, close - p - 2) : g_strdup(p + 2);
		if (close != NULL && strcmp(name, "window_opens") == 0 && !early) {
			problem(r, path, line, "{{window_opens}} in the reason of a rule whose outcome "
			    "is not early");
			return;
		}
		if (close == NULL || (strcmp(name, "graduation_date") != 0 &&
		    strcmp(name, "last_block") != 0 && strcmp(name, "window_opens") != 0)) {
			problem(r, path, line, "unknown {{%.40s}} in a reason (a reason may name "
			    "{{setting:NAME}}, {{graduation_date}}, {{last_block}} and, with outcome "
			    "early, {{window_opens}})", name);
			return;
		}
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
		AppStatus says = APP_INELIGIBLE;
		struct rule *ru;

		only_keys(r, ini, g, known);
		if (req == NULL || reason == NULL) {
			problem(r, ini_path(ini), ini_line(ini, g, NULL), "[%s] needs require and reason", g);
			continue;
		}
		if (outcome != NULL && (!app_status_parse(outcome, &says) ||
		    (says != APP_INELIGIBLE && says != APP_INCOMPLETE && says != APP_EARLY))) {
			problem(r, ini_path(ini), ini_line(ini, g, "outcome"),
			    "outcome must be ineligible, incomplete or early, not '%s'", outcome);
			continue;
		}
		ru = g_new0(struct rule, 1);
		ru->id = g_strdup(g);
		ru->text = expand_loaded(r, ini_path(ini), ini_line(ini, g, "reason"), reason);
		reason_names_known(r, ini_path(ini), ini_line(ini, g, "reason"), ru->text,
		    says == APP_EARLY);
		ru->ineligible = says == APP_INELIGIBLE;
		ru->early = says == APP_EARLY;
		ru->require = condition(r, ini, g, "require", req);
		ru->where = g_strdup_printf("%s:%d", ini_path(ini), ini_line(ini, g, "require"));
		g_ptr_array_add(r->rules, ru);
	}
}

/* A kind id students can write: "tb-ppd", "cori" (form.c reads up to 32 of
 * these characters, folded to small letters). */
static gboolean
kind_id_ok(const char *id)
{
	gsize n = strlen(id);

	if (n == 0 || n > 32)
		return FALSE;
	for (const char *c = id; *c != '\0'; c++)
		if (!g_ascii_islower(*c) && !g_ascii_isdigit(*c) && *c != '-')
			return FALSE;
	return TRUE;
}

static void
load_documents(Rules *r, const char *dir)
{
	static const char *const known[] = { "title", "group", "note", "covers", "files", "required",
		"met", "explain-*", NULL };
	g_autoptr(Ini) ini = open_ini(r, dir, "documents.ini", TRUE);
	g_auto(GStrv) groups = NULL;

	if (ini == NULL)
		return;
	groups = g_key_file_get_groups(ini_keyfile(ini), NULL);
	/* The kinds are the sections: known before any expression names one. */
	for (int i = 0; groups[i] != NULL; i++)
		if (kind_id_ok(groups[i]))
			g_hash_table_add(r->kind_ids, g_strdup(groups[i]));
	for (int i = 0; groups[i] != NULL; i++) {
		const char *g = groups[i];
		g_autofree char *title = ini_get(ini, g, "title"), *req = ini_get(ini, g, "required");
		g_autofree char *met = ini_get(ini, g, "met");
		g_auto(GStrv) files = g_key_file_get_string_list(ini_keyfile(ini), g, "files", NULL, NULL);
		g_autofree char *dflt = g_strdup_printf("docs('%s') >= 1", g);
		GPtrArray *norm = g_ptr_array_new();
		struct kind *k;

		only_keys(r, ini, g, known);
		if (!rules_is_kind(r, g)) {
			problem(r, ini_path(ini), ini_line(ini, g, NULL),
			    "[%s]: a kind id is 1 to 32 small letters, digits and '-' (it is written "
			    "in subject tags and Documents: lines)", g);
			g_ptr_array_free(norm, TRUE);
			continue;
		}
		k = g_new0(struct kind, 1);
		k->id = g_strdup(g);
		k->title = title ? g_steal_pointer(&title) : g_strdup(g);
		k->group = ini_get(ini, g, "group");
		k->note = ini_get(ini, g, "note");
		if (k->note != NULL) {
			/* A note names settings as a reason does ({{setting:NAME}}). */
			char *n = expand_loaded(r, ini_path(ini), ini_line(ini, g, "note"), k->note);
			g_free(k->note);
			k->note = n;
		}
		k->covers = g_key_file_get_string_list(ini_keyfile(ini), g, "covers", NULL, NULL);
		for (int j = 0; k->covers != NULL && k->covers[j] != NULL; j++) {
			g_strstrip(k->covers[j]);
			if (!rules_is_kind(r, k->covers[j]))
				problem(r, ini_path(ini), ini_line(ini, g, "covers"),
				    "covers: unknown document kind '%s'", k->covers[j]);
		}
		for (int j = 0; files != NULL && files[j] != NULL; j++) {
			char *w = words_of(files[j], -1);
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
		{
			/* explain-NAME: texts for a missing kind, tried in file order. */
			g_auto(GStrv) keys = g_key_file_get_keys(ini_keyfile(ini), g, NULL, NULL);
			for (int j = 0; keys != NULL && keys[j] != NULL; j++) {
				g_autofree char *expr = NULL;
				sqlite3_stmt *st;
				if (!g_str_has_prefix(keys[j], "explain-") || keys[j][8] == '\0')
					continue;
				expr = ini_get(ini, g, keys[j]);
				if ((st = condition(r, ini, g, keys[j], expr ? expr : "NULL")) == NULL)
					continue;
				if (k->explain == NULL) {
					k->explain = g_ptr_array_new();
					k->where_explain = g_ptr_array_new_with_free_func(g_free);
				}
				g_ptr_array_add(k->explain, st);
				g_ptr_array_add(k->where_explain, g_strdup_printf("%s:%d", ini_path(ini),
				    ini_line(ini, g, keys[j])));
			}
		}
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
course_free(gpointer p)
{
	struct course_info *c = p;

	g_free((char *)c->code);
	g_free((char *)c->title);
	g_free((char *)c->hospital);
	g_free((char *)c->department);
	g_free((char *)c->prerequisites);
	g_free(c);
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
	else {
		struct course_info *c = g_new0(struct course_info, 1);
		c->code = g_ascii_strup(code, -1);
		c->title = g_strdup(g_ptr_array_index(f, 1));
		c->hospital = g_strdup(g_ptr_array_index(f, 2));
		c->department = g_strdup(g_ptr_array_index(f, 3));
		c->seats = n;
		c->prerequisites = g_strdup(g_ptr_array_index(f, 5));
		g_hash_table_insert(r->courses, (char *)c->code, c);
	}
}

static gboolean
iso_date(const char *s, GDate *d)
{
	return strlen(s) == 10 && s[4] == '-' && s[7] == '-' && words_parse_date(s, d);
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


static void
coordinator_row(Rules *r, const char *path, int line, GPtrArray *f)
{
	const char *code = g_ptr_array_index(f, 0);
	g_autofree char *addr = util_addr_normalize(g_ptr_array_index(f, 1));

	if (rules_course(r, code) == NULL)
		problem(r, path, line, "course %s is not in catalog.csv", code);
	else if (addr == NULL || strchr(addr, '@') == NULL)
		problem(r, path, line, "'%s' is not an address", (char *)g_ptr_array_index(f, 1));
	else
		g_hash_table_insert(r->coordinators, g_ascii_strup(code, -1), g_steal_pointer(&addr));
}

/* seats.csv: a course's seats in one block, instead of the catalog's. */
static void
seats_row(Rules *r, const char *path, int line, GPtrArray *f)
{
	const struct course_info *c = rules_course(r, g_ptr_array_index(f, 0));
	const char *block = g_ptr_array_index(f, 1), *seats = g_ptr_array_index(f, 2);
	char *end;
	gint64 n = g_ascii_strtoll(seats, &end, 10);
	g_autofree char *key = NULL;

	if (c == NULL) {
		problem(r, path, line, "course %s is not in catalog.csv", (char *)g_ptr_array_index(f, 0));
		return;
	}
	if (!g_hash_table_contains(r->blocks, block)) {
		problem(r, path, line, "block %s is not in blocks.csv", block);
		return;
	}
	if (end == seats || *end != '\0' || n < 0 || n > 10000) {
		problem(r, path, line, "seats '%s' must be a whole number from 0 to 10000 (0 closes the "
		    "course in that block)", seats);
		return;
	}
	key = g_strdup_printf("%s %s", c->code, block);
	if (g_hash_table_contains(r->block_seats, key))
		problem(r, path, line, "%s in block %s given twice", c->code, block);
	else
		g_hash_table_insert(r->block_seats, g_steal_pointer(&key), GINT_TO_POINTER((int)n + 1));
}

/* A FAQ answer with its settings (faq_rewrite()). */
static char *
faq_expand(const char *path, int line, const char *answer, gpointer data)
{
	return g_strstrip(expand_loaded(data, path, line, answer));
}

/* The settings the templates of dir name exist, and their blocks close. */
static void
check_templates(Rules *r, const char *dir)
{
	g_autofree char *tdir = g_build_filename(dir, "templates", NULL);
	g_autoptr(GDir) d = g_dir_open(tdir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(tdir, name, NULL);
		g_autofree char *text = NULL;
		gsize len;
		if (!g_str_has_suffix(name, ".txt"))
			continue;
		if (!g_file_get_contents(path, &text, &len, NULL) || len > RULES_MAX_LENGTH ||
		    !g_utf8_validate(text, len, NULL)) {
			problem(r, path, 0, "unreadable, over %d bytes or not UTF-8", RULES_MAX_LENGTH);
			continue;
		}
		g_free(expand_loaded(r, path, 1, text));
	}
}

static const char application_table[] =
    "CREATE TABLE application ("
    "  name TEXT, email TEXT, school TEXT, country TEXT, school_list TEXT, international INT,"
    "  year_of_study TEXT, year_number INT, program_years INT, final_year INT,"
    "  expected_graduation TEXT, degree_held TEXT, core_clerkships TEXT, request_type TEXT,"
    "  english TEXT, toefl_score INT, choices INT, blocks INT, unknown_courses INT,"
    "  unknown_blocks INT, past_blocks INT, first_block_start TEXT, status TEXT, placed INT,"
    "  today TEXT, ielts_score REAL, graduation_date TEXT, last_block TEXT,"
    "  last_block_end TEXT)";

/* Load everything; problems gather in r->errors. */
static Rules *
load(const char *dir)
{
	Rules *r = g_new0(Rules, 1);

	r->errors = g_ptr_array_new_with_free_func(g_free);
	r->rules = g_ptr_array_new_with_free_func(rule_free);
	r->kinds = g_ptr_array_new_with_free_func(kind_free);
	r->kind_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	r->settings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r->schools = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	r->courses = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, course_free);
	r->blocks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r->coordinators = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	r->block_seats = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_date_clear(&r->today, 1);
	/* One thread judges at a time (r->cur is the application judged): no mutex. */
	if (sqlite3_open_v2(":memory:", &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY |
	    SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK || sqlite3_exec(r->db, application_table, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, "INSERT INTO application VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
	    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &r->fill, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, "DELETE FROM application", -1, &r->clear, NULL) != SQLITE_OK) {
		problem(r, dir, 0, "in-memory SQLite: %s", sqlite3_errmsg(r->db));
		return r;
	}
	sqlite3_set_authorizer(r->db, authorize, r);
	sqlite3_limit(r->db, SQLITE_LIMIT_LENGTH, RULES_MAX_LENGTH);
	sqlite3_limit(r->db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, RULES_MAX_PATTERN);
	rules_register_functions(r);
	load_policy(r, dir);
	load_schools(r, dir, "lcme.txt", "lcme");
	load_schools(r, dir, "international.txt", "international");
	load_csv(r, dir, "catalog.csv", "code,title,hospital,department,seats,prerequisites",
	    catalog_row);
	load_csv(r, dir, "blocks.csv", "id,start,end", block_row);
	{
		g_autofree char *co = g_build_filename(dir, "coordinators.csv", NULL);
		if (g_file_test(co, G_FILE_TEST_EXISTS))
			load_csv(r, dir, "coordinators.csv", "course,email", coordinator_row);
	}
	{
		g_autofree char *sc = g_build_filename(dir, "seats.csv", NULL);
		if (g_file_test(sc, G_FILE_TEST_EXISTS))
			load_csv(r, dir, "seats.csv", "course,block,seats", seats_row);
	}
	load_documents(r, dir);		/* first: eligibility's conditions may name kinds */
	load_eligibility(r, dir);
	{
		g_autofree char *faq = g_build_filename(dir, "faq", NULL);
		r->faq = faq_load(faq, r->errors);
		faq_rewrite(r->faq, faq_expand, r);
	}
	check_templates(r, dir);
	return r;
}

void
rules_free(Rules *r)
{
	if (r == NULL)
		return;
	g_ptr_array_free(r->rules, TRUE);
	g_ptr_array_free(r->kinds, TRUE);
	g_hash_table_destroy(r->kind_ids);
	sqlite3_finalize(r->fill);
	sqlite3_finalize(r->clear);
	sqlite3_finalize(r->every);
	sqlite3_close(r->db);
	g_clear_pointer(&r->any.parsed, g_hash_table_destroy);
	g_clear_pointer(&r->all.parsed, g_hash_table_destroy);
	g_hash_table_destroy(r->settings);
	g_hash_table_destroy(r->schools);
	g_hash_table_destroy(r->courses);
	g_hash_table_destroy(r->blocks);
	g_hash_table_destroy(r->coordinators);
	g_hash_table_destroy(r->block_seats);
	faq_free(r->faq);
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

/* ---- eligibility rules ---- */

static const struct rule *
rule_of(const Rules *r, const char *id)
{
	for (guint i = 0; id != NULL && i < r->rules->len; i++) {
		const struct rule *ru = g_ptr_array_index(r->rules, i);
		if (strcmp(ru->id, id) == 0)
			return ru;
	}
	return NULL;
}

gboolean
rules_is_rule(const Rules *r, const char *id)
{
	return rule_of(r, id) != NULL;
}

char *
rules_rule_words(const Rules *r, const char *id)
{
	const struct rule *ru = rule_of(r, id);
	const char *end;

	if (ru == NULL || ru->text == NULL)
		return NULL;
	/* The first ". " (or the end): "5.5" in a score is not an end. */
	for (end = ru->text; *end != '\0' && !(end[0] == '.' && (end[1] == ' ' || end[1] == '\0' ||
	    end[1] == '\n')); end++)
		;
	if (*end == '.')
		end++;
	g_autofree char *first = g_strndup(ru->text, end - ru->text);
	return strstr(first, "{{") != NULL ? NULL : g_steal_pointer(&first);
}

/* ---- kinds and data ---- */

gboolean
rules_is_kind(const Rules *r, const char *id)
{
	return id != NULL && g_hash_table_contains(r->kind_ids, id);
}

const char *
rules_kind_at(const Rules *r, guint i)
{
	return i < r->kinds->len ? ((const struct kind *)g_ptr_array_index(r->kinds, i))->id : NULL;
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
rules_kind_group(const Rules *r, const char *kind)
{
	const struct kind *k = kind ? kind_of(r, kind) : NULL;
	return k ? k->group : NULL;
}

const char *
rules_kind_note(const Rules *r, const char *kind, const char **covered_by)
{
	for (guint i = 0; kind != NULL && i < r->kinds->len; i++) {
		const struct kind *k = g_ptr_array_index(r->kinds, i);
		if (k->note != NULL && (strcmp(k->id, kind) == 0 ||
		    (k->covers != NULL && g_strv_contains((const char *const *)k->covers, kind)))) {
			if (covered_by != NULL)
				*covered_by = k->id;
			return k->note;
		}
	}
	return NULL;
}

const char *
rules_classify_file(const Rules *r, const char *filename)
{
	g_autofree char *w = NULL;
	const char *dot;

	if (filename == NULL)
		return NULL;
	dot = strrchr(filename, '.');
	w = words_of(filename, dot && dot != filename && strlen(dot) <= 5 ? dot - filename : -1);
	for (guint i = 0; i < r->kinds->len; i++) {
		const struct kind *k = g_ptr_array_index(r->kinds, i);
		for (int j = 0; k->files[j] != NULL; j++)
			if (words_has_phrase(w, k->files[j]))
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
	return rules_course(r, code) != NULL;
}

const struct course_info *
rules_course(const Rules *r, const char *code)
{
	g_autofree char *up = code ? g_ascii_strup(code, -1) : NULL;
	return up != NULL ? g_hash_table_lookup(r->courses, up) : NULL;
}

int
rules_seats(const Rules *r, const char *code, const char *block)
{
	const struct course_info *c = rules_course(r, code);
	g_autofree char *key = NULL;
	gpointer v;

	if (c == NULL || block == NULL || !g_hash_table_contains(r->blocks, block))
		return 0;
	key = g_strdup_printf("%s %s", c->code, block);
	v = g_hash_table_lookup(r->block_seats, key);
	return v != NULL ? GPOINTER_TO_INT(v) - 1 : c->seats;
}

gboolean
rules_closed(const Rules *r, const char *code, const char *block)
{
	return rules_course(r, code) != NULL && rules_block_start(r, block) != NULL &&
	    rules_seats(r, code, block) == 0;
}

GPtrArray *
rules_prerequisites_missing(const Rules *r, const char *code, const char *completed)
{
	const struct course_info *c = rules_course(r, code);
	g_autofree char *done = words_of(completed ? completed : "", -1);
	g_auto(GStrv) need = NULL;
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	if (c == NULL || words_has_phrase(done, "all"))
		return out;
	need = g_strsplit(c->prerequisites, ";", 32);
	for (int i = 0; need[i] != NULL; i++) {
		g_autofree char *w = words_of(need[i], -1);
		/* "obstetrics-gynecology" is met by either word; "medicine" by "internal medicine". */
		g_auto(GStrv) parts = g_strsplit(w, " ", 8);
		gboolean met = *w == '\0';
		for (int j = 0; parts[j] != NULL && !met; j++)
			met = *parts[j] != '\0' && words_has_phrase(done, parts[j]);
		if (!met)
			g_ptr_array_add(out, g_strstrip(g_strdup(need[i])));
	}
	return out;
}

gboolean
rules_prerequisites_met(const Rules *r, const char *code, const char *completed)
{
	g_autoptr(GPtrArray) missing = NULL;

	if (rules_course(r, code) == NULL)
		return FALSE;
	missing = rules_prerequisites_missing(r, code, completed);
	return missing->len == 0;
}

const char *
rules_block_end(const Rules *r, const char *block)
{
	const struct block *b = block ? g_hash_table_lookup(r->blocks, block) : NULL;
	return b ? b->end : NULL;
}

char *
rules_block_words(const Rules *r, const char *block)
{
	const char *start = rules_block_start(r, block), *end = rules_block_end(r, block);
	g_autofree char *span = NULL;

	if (start == NULL || end == NULL)
		return g_strdup(block);
	span = words_date_range(start, end);
	return g_strdup_printf("%s (%s)", block, span);
}

static int
by_code(gconstpointer a, gconstpointer b)
{
	const struct course_info *x = *(const struct course_info *const *)a;
	const struct course_info *y = *(const struct course_info *const *)b;
	return strcmp(x->code, y->code);
}

GPtrArray *
rules_courses(const Rules *r)
{
	GPtrArray *all = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, r->courses);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(all, v);
	g_ptr_array_sort(all, by_code);
	return all;
}

static int
by_string(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
rules_blocks(const Rules *r)
{
	GPtrArray *ids = g_ptr_array_new();
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, r->blocks);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(ids, k);
	g_ptr_array_sort(ids, by_string);
	return ids;
}

gboolean
rules_is_home_school(const Rules *r, const char *school)
{
	const char *home = rules_setting(r, "home_school");
	g_autofree char *a = NULL, *b = NULL;

	if (home == NULL || *home == '\0' || school == NULL)
		return FALSE;
	a = school_key(home);
	b = school_key(school);
	return strcmp(a, b) == 0;
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


const char *
rules_faq(const Rules *r, const char *text, const char **question)
{
	return faq_answer(r->faq, text, question);
}

const char *
rules_coordinator(const Rules *r, const char *course)
{
	g_autofree char *up = course ? g_ascii_strup(course, -1) : NULL;
	return up ? g_hash_table_lookup(r->coordinators, up) : NULL;
}
