/* form.c: find and read the application form. */
#include "form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct form {
	GPtrArray *keys;	/* owned strings, in order */
	GHashTable *values;	/* key -> value, owned */
};

/* Fields that make a form recognisable; others are kept but do not count. */
static const char *const known[] = {
	"full_name", "email", "medical_school", "school_country", "year_of_study",
	"expected_graduation", "degree_held", "core_clerkships_completed",
	"request_type", "english_proficiency", "faculty_contact", "choice_1",
};

static const char blank[] =
    "Full name:\n"
    "Email:                       (optional: the address you write from)\n"
    "Medical school:\n"
    "School country:\n"
    "Year of study:               (final)\n"
    "Expected graduation:         (YYYY-MM)\n"
    "Degree held:                 (none, or the degree)\n"
    "Core clerkships completed:   (medicine, surgery, pediatrics, obstetrics-gynecology)\n"
    "Request type:                clerkship\n"
    "English proficiency:         (native, or: TOEFL score)\n"
    "Choice 1:                    (course code and block, e.g. MED-401 2027-03)\n"
    "Choice 2:\n"
    "Choice 3:\n"
    "Faculty contact:             (optional)\n";

const char *
form_blank(void)
{
	return blank;
}

/* "Full Name", "full-name" and "FULL  NAME" all become "full_name". */
static char *
normalize_key(const char *s, gsize n)
{
	GString *k = g_string_sized_new(n);
	gboolean sep = FALSE;

	for (gsize i = 0; i < n; i++) {
		char c = s[i];
		if (c == ' ' || c == '\t' || c == '-' || c == '_') {
			sep = k->len > 0;
			continue;
		}
		if (!g_ascii_isalnum(c)) {
			g_string_free(k, TRUE);
			return NULL;
		}
		if (sep)
			g_string_append_c(k, '_');
		sep = FALSE;
		g_string_append_c(k, g_ascii_tolower(c));
	}
	if (k->len == 0) {
		g_string_free(k, TRUE);
		return NULL;
	}
	return g_string_free(k, FALSE);
}

/* What students write instead of the form's own field names. */
static const struct {
	const char *alias, *key;
} aliases[] = {
	{ "name", "full_name" }, { "student_name", "full_name" }, { "applicant_name", "full_name" },
	{ "e_mail", "email" }, { "email_address", "email" }, { "e_mail_address", "email" },
	{ "school", "medical_school" }, { "medical_school_name", "medical_school" },
	{ "country", "school_country" }, { "graduation", "expected_graduation" },
	{ "expected_graduation_date", "expected_graduation" },
};

static char *
canonical_key(char *key)
{
	for (gsize i = 0; i < G_N_ELEMENTS(aliases); i++)
		if (strcmp(key, aliases[i].alias) == 0) {
			g_free(key);
			return g_strdup(aliases[i].key);
		}
	return key;
}

static gboolean
is_known(const char *key)
{
	for (gsize i = 0; i < G_N_ELEMENTS(known); i++)
		if (strcmp(key, known[i]) == 0)
			return TRUE;
	return g_str_has_prefix(key, "choice_");
}

/* Strip the hints of the blank form, "(optional)" and friends, from a value. */
static char *
clean_value(const char *v)
{
	g_autofree char *s = NULL;
	gsize n;

	while (*v == '*' || *v == ' ' || *v == '\t')
		v++;	/* "*Full name:* Jane", as bold text reads in plain text */
	s = g_strstrip(g_strndup(v, FORM_MAX_VALUE));
	n = strlen(s);

	while (n > 0 && (s[n - 1] == '*' || s[n - 1] == ' '))
		s[--n] = '\0';
	if (n > 0 && *s == '(' && s[n - 1] == ')')
		*s = '\0';
	else {
		char *hint = strstr(s, "  (");
		if (hint != NULL && n > 0 && s[n - 1] == ')')
			*hint = '\0';
	}
	return g_strdup(g_strstrip(s));
}

/* Every "Field: value" line of text, as a form, whatever it holds; *recognised
 * gets how many known fields have a value. */
static Form *
parse_fields(const char *text, int *recognised_out)
{
	g_autoptr(Form) form = g_new0(Form, 1);
	int recognised = 0;

	form->keys = g_ptr_array_new_with_free_func(g_free);
	form->values = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	*recognised_out = 0;
	if (text == NULL)
		return g_steal_pointer(&form);

	for (const char *line = text; *line != '\0';) {
		const char *eol = strchr(line, '\n');
		gsize len = eol ? (gsize)(eol - line) : strlen(line);
		const char *p = line, *end = line + len;

		line = eol ? eol + 1 : end;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '*' || *p == '\xc2' ||
		    *p == '\xa0'))
			p++;	/* indentation, bold markers, no-break spaces */
		if (p == end || *p == '>')
			continue;	/* blank, or quoted from an earlier message */
		const char *colon = memchr(p, ':', end - p);
		if (colon == NULL || colon - p > 40)
			continue;
		g_autofree char *key = normalize_key(p, colon - p);
		if (key != NULL)
			key = canonical_key(key);
		if (key == NULL || g_hash_table_contains(form->values, key))
			continue;
		if (form->keys->len >= FORM_MAX_FIELDS)
			break;
		g_autofree char *raw = g_strndup(colon + 1, end - colon - 1);
		char *value = clean_value(raw);
		if (is_known(key) && *value != '\0')
			recognised++;
		g_hash_table_insert(form->values, key, value);
		g_ptr_array_add(form->keys, g_steal_pointer(&key));
	}
	*recognised_out = recognised;
	return g_steal_pointer(&form);
}

Form *
form_parse(const char *text)
{
	int recognised;
	g_autoptr(Form) form = NULL;

	if (text == NULL)
		return NULL;
	form = parse_fields(text, &recognised);
	if (!g_hash_table_contains(form->values, "full_name") || recognised < 3 ||
	    *form_get(form, "full_name") == '\0')
		return NULL;
	return g_steal_pointer(&form);
}

gboolean
form_has_choices(const Form *form)
{
	for (guint i = 0; i < form->keys->len; i++) {
		const char *key = g_ptr_array_index(form->keys, i);
		if (g_str_has_prefix(key, "choice_") && *form_get(form, key) != '\0')
			return TRUE;
	}
	return FALSE;
}

GArray *
form_choice_lines(const char *text, int *bad)
{
	int recognised;
	g_autoptr(Form) form = parse_fields(text, &recognised);

	return form_choices(form, bad);
}

void
form_free(Form *form)
{
	if (form == NULL)
		return;
	g_hash_table_destroy(form->values);
	g_ptr_array_free(form->keys, TRUE);
	g_free(form);
}

const char *
form_get(const Form *form, const char *key)
{
	return g_hash_table_lookup(form->values, key);
}

guint
form_size(const Form *form)
{
	return form->keys->len;
}

void
form_field(const Form *form, guint i, const char **key, const char **value)
{
	g_return_if_fail(i < form->keys->len);
	*key = g_ptr_array_index(form->keys, i);
	*value = g_hash_table_lookup(form->values, *key);
}

static gint
choice_cmp(gconstpointer a, gconstpointer b)
{
	return ((const struct form_choice *)a)->rank - ((const struct form_choice *)b)->rank;
}

GArray *
form_choices(const Form *form, int *bad)
{
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct form_choice));

	*bad = 0;
	for (guint i = 0; i < form->keys->len; i++) {
		const char *key = g_ptr_array_index(form->keys, i);
		const char *value = form_get(form, key);
		struct form_choice c = { 0 };
		char course[32], block[16];
		int y, m;

		if (!g_str_has_prefix(key, "choice_") || *value == '\0')
			continue;
		c.rank = atoi(key + 7);
		if (c.rank < 1 || c.rank > FORM_MAX_CHOICES ||
		    sscanf(value, "%31s %15s", course, block) != 2 ||
		    /* "2027-13" is kept: the reply names it as a block we do not have. */
		    sscanf(block, "%4d-%2d", &y, &m) != 2 || y < 1000 || m < 0 ||
		    strlen(course) >= sizeof c.course) {
			(*bad)++;
			continue;
		}
		g_strlcpy(c.course, course, sizeof c.course);
		for (char *s = c.course; *s; s++)
			*s = g_ascii_toupper(*s);
		g_snprintf(c.block, sizeof c.block, "%04d-%02d", y, m);
		g_array_append_val(out, c);
	}
	g_array_sort(out, choice_cmp);
	return out;
}

static void
form_doc_free(gpointer p)
{
	struct form_doc *d = p;

	g_free(d->filename);
	g_free(d->kind);
	g_free(d->date);
	g_free(d);
}

/* "tb-ppd 2026-10-12 pending": the kind, then a date and words in any order. */
static struct form_doc *
doc_spec(const char *filename, const char *spec)
{
	g_auto(GStrv) w = g_strsplit_set(spec, " \t,", 8);
	struct form_doc *d;
	int y, m, day;
	char tail;

	if (w[0] == NULL || *w[0] == '\0' || strlen(w[0]) > 32)
		return NULL;
	for (const char *c = w[0]; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '-')
			return NULL;
	d = g_new0(struct form_doc, 1);
	d->filename = filename ? g_strdup(filename) : NULL;
	d->kind = g_ascii_strdown(w[0], -1);
	for (int i = 1; w[i] != NULL; i++) {
		if (sscanf(w[i], "%4d-%2d-%2d%c", &y, &m, &day, &tail) == 3 && g_date_valid_dmy(day, m, y))
			g_free(d->date), d->date = g_strdup_printf("%04d-%02d-%02d", y, m, day);
		else if (g_ascii_strcasecmp(w[i], "pending") == 0)
			d->pending = TRUE;
		else if (g_ascii_strcasecmp(w[i], "positive") == 0)
			d->positive = TRUE;
	}
	return d;
}

GPtrArray *
form_documents(const char *text)
{
	GPtrArray *docs = g_ptr_array_new_with_free_func(form_doc_free);

	/* Line by line in place: a line too long to be one is passed over, not copied. */
	for (const char *p = text ? text : ""; *p != '\0' && docs->len < FORM_MAX_DOCS;) {
		const char *eol = strchr(p, '\n'), *start = p;
		gsize len = eol ? (gsize)(eol - p) : strlen(p);
		gboolean one = FALSE;

		p = eol ? eol + 1 : p + len;
		while (len > 0 && g_ascii_isspace(*start))
			start++, len--;
		while (len > 0 && g_ascii_isspace(start[len - 1]))
			len--;
		if (len > FORM_MAX_VALUE || *start == '>')
			continue;
		g_autofree char *line = g_strndup(start, len);
		char *l = line;
		if (g_ascii_strncasecmp(l, "documents:", 10) == 0)
			l += 10;
		else if (g_ascii_strncasecmp(l, "document:", 9) == 0)
			l += 9, one = TRUE;
		if (one) {
			struct form_doc *d = doc_spec(NULL, g_strstrip(l));
			if (d != NULL)
				g_ptr_array_add(docs, d);
			continue;
		}
		g_auto(GStrv) items = g_strsplit(l, ";", FORM_MAX_DOCS);
		for (int j = 0; items[j] != NULL && docs->len < FORM_MAX_DOCS; j++) {
			char *item = g_strstrip(items[j]), *eq = strrchr(item, '=');
			struct form_doc *d;
			if (*item == '-' || *item == '*')
				item = g_strstrip(item + 1);
			if (eq == NULL || eq == item || (eq = strrchr(item, '=')) == NULL)
				continue;
			*eq = '\0';
			if (*g_strstrip(item) != '\0' && (d = doc_spec(item, g_strstrip(eq + 1))) != NULL)
				g_ptr_array_add(docs, d);
		}
	}
	return docs;
}
