/* ini.c: GKeyFile, and a first pass that records where each key is. */
#include "ini.h"
#include "util.h"

#include <string.h>

struct ini {
	char *path;		/* owned */
	GKeyFile *kf;		/* owned */
	GHashTable *lines;	/* "group\nkey" -> line number; owned */
};

void
ini_free(Ini *ini)
{
	if (ini == NULL)
		return;
	g_free(ini->path);
	if (ini->kf != NULL)
		g_key_file_free(ini->kf);
	g_hash_table_destroy(ini->lines);
	g_free(ini);
}

static gboolean G_GNUC_PRINTF(4, 5)
fail(Ini *ini, int line, GError **err, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s:%d: %s", ini->path, line, msg);
	return FALSE;
}

/* Where every group and key is, and the first line GKeyFile would reject. */
static gboolean
scan(Ini *ini, const char *text, GError **err)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autofree char *group = NULL;

	for (int i = 0; lines[i] != NULL; i++) {
		char *s = g_strstrip(lines[i]), *eq;
		int lineno = i + 1;

		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (end == NULL || end[1] != '\0' || end == s + 1)
				return fail(ini, lineno, err, "malformed group header '%s'", s);
			g_free(group);
			group = g_strndup(s + 1, end - s - 1);
			g_autofree char *k = g_strdup_printf("%s\n", group);
			if (g_hash_table_contains(ini->lines, k))
				return fail(ini, lineno, err, "[%s] given twice", group);
			g_hash_table_insert(ini->lines, g_steal_pointer(&k), GINT_TO_POINTER(lineno));
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL)
			return fail(ini, lineno, err, "expected 'key = value', found '%s'", s);
		if (group == NULL)
			return fail(ini, lineno, err, "key outside of any [group]");
		*eq = '\0';
		g_autofree char *k = g_strdup_printf("%s\n%s", group, g_strstrip(s));
		if (g_hash_table_contains(ini->lines, k))
			return fail(ini, lineno, err, "'%s' given twice in [%s]", g_strstrip(s), group);
		g_hash_table_insert(ini->lines, g_steal_pointer(&k), GINT_TO_POINTER(lineno));
	}
	return TRUE;
}

Ini *
ini_load(const char *path, GError **err)
{
	g_autoptr(Ini) ini = g_new0(Ini, 1);
	g_autofree char *text = NULL;
	g_autoptr(GError) lerr = NULL;
	gsize len;

	ini->path = g_strdup(path);
	ini->lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (!g_file_get_contents(path, &text, &len, &lerr)) {
		fail(ini, 0, err, "%s", lerr->message);
		return NULL;
	}
	if (!g_utf8_validate(text, len, NULL) || strlen(text) != len) {
		fail(ini, 1, err, "not UTF-8 text");
		return NULL;
	}
	for (char *p = text; *p; p++)	/* GKeyFile knows only # comments */
		if (*p == ';' && (p == text || p[-1] == '\n'))
			*p = '#';
	if (!scan(ini, text, err))
		return NULL;
	ini->kf = g_key_file_new();
	g_key_file_set_list_separator(ini->kf, ',');
	if (!g_key_file_load_from_data(ini->kf, text, len, G_KEY_FILE_NONE, &lerr)) {
		fail(ini, 1, err, "%s", lerr->message);
		return NULL;
	}
	return g_steal_pointer(&ini);
}

GKeyFile *
ini_keyfile(Ini *ini)
{
	return ini->kf;
}

const char *
ini_path(Ini *ini)
{
	return ini->path;
}

int
ini_line(Ini *ini, const char *group, const char *key)
{
	g_autofree char *k = g_strdup_printf("%s\n%s", group, key ? key : "");
	return GPOINTER_TO_INT(g_hash_table_lookup(ini->lines, k));
}

char *
ini_get(Ini *ini, const char *group, const char *key)
{
	char *v = g_key_file_get_string(ini->kf, group, key, NULL);

	if (v != NULL && *g_strstrip(v) == '\0')
		g_clear_pointer(&v, g_free);
	return v;
}
