/* faq.c: rules/faq. Entries separated by blank lines:
 *     Q: Can I apply before my 2nd PPD result?
 *     K: second ppd, 2nd ppd, ppd result
 *     A: Yes: the TB item stays pending ...
 *        (indented lines continue the answer) */
#include "faq.h"
#include "words.h"

#include <string.h>

#define FAQ_MAX_ENTRIES 500
#define FAQ_MAX_TEXT (256 * 1024)

struct entry {
	char *question, *answer;
	int line;		/* of its A: */
	char **keys;		/* in words_of() form */
};

struct faq {
	GPtrArray *entries;	/* struct entry * */
	char *path;
};

static void
entry_free(gpointer p)
{
	struct entry *e = p;

	g_free(e->question);
	g_free(e->answer);
	g_strfreev(e->keys);
	g_free(e);
}

void
faq_free(Faq *faq)
{
	if (faq == NULL)
		return;
	g_ptr_array_free(faq->entries, TRUE);
	g_free(faq->path);
	g_free(faq);
}

guint
faq_size(const Faq *faq)
{
	return faq ? faq->entries->len : 0;
}

static void
finish(Faq *faq, struct entry **cur, GString *answer, const char *path, int line,
    GPtrArray *errors)
{
	struct entry *e = *cur;

	if (e == NULL)
		return;
	if (e->question == NULL || e->keys == NULL || answer->len == 0)
		g_ptr_array_add(errors, g_strdup_printf("%s:%d: an entry needs Q:, K: and A: lines", path,
		    line));
	else if (faq->entries->len >= FAQ_MAX_ENTRIES)
		g_ptr_array_add(errors, g_strdup_printf("%s:%d: more than %d entries", path, line,
		    FAQ_MAX_ENTRIES));
	else {
		e->answer = g_strdup(g_strstrip(answer->str));
		g_ptr_array_add(faq->entries, e);
		*cur = NULL;
		g_string_truncate(answer, 0);
		return;
	}
	entry_free(e);
	*cur = NULL;
	g_string_truncate(answer, 0);
}

Faq *
faq_load(const char *path, GPtrArray *errors)
{
	Faq *faq = g_new0(Faq, 1);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GString) answer = g_string_new(NULL);
	struct entry *cur = NULL;
	int start = 0;
	gsize len;

	faq->entries = g_ptr_array_new_with_free_func(entry_free);
	faq->path = g_strdup(path);
	if (!g_file_test(path, G_FILE_TEST_EXISTS))
		return faq;
	if (!g_file_get_contents(path, &text, &len, NULL) || len > FAQ_MAX_TEXT ||
	    !g_utf8_validate(text, len, NULL)) {
		g_ptr_array_add(errors, g_strdup_printf("%s:0: unreadable, too large or not UTF-8", path));
		return faq;
	}
	lines = g_strsplit(text, "\n", -1);
	for (int i = 0; lines[i] != NULL; i++) {
		char *l = lines[i];
		gboolean indented = *l == ' ' || *l == '\t';
		g_strchomp(l);
		if (*l == '#')
			continue;
		if (*l == '\0') {
			finish(faq, &cur, answer, path, start, errors);
			continue;
		}
		if (cur == NULL) {
			cur = g_new0(struct entry, 1);
			start = i + 1;
		}
		if (g_str_has_prefix(l, "Q:"))
			cur->question = g_strdup(g_strstrip(l + 2));
		else if (g_str_has_prefix(l, "K:")) {
			g_auto(GStrv) k = g_strsplit(l + 2, ",", 64);
			GPtrArray *keys = g_ptr_array_new();
			for (int j = 0; k[j] != NULL; j++) {
				char *w = words_of(k[j], -1);
				if (*w)
					g_ptr_array_add(keys, w);
				else
					g_free(w);
			}
			g_ptr_array_add(keys, NULL);
			g_strfreev(cur->keys);
			cur->keys = (char **)g_ptr_array_free(keys, FALSE);
		} else if (g_str_has_prefix(l, "A:")) {
			cur->line = i + 1;
			g_string_append(answer, g_strstrip(l + 2));
		} else if (indented && answer->len > 0)
			g_string_append_printf(answer, "\n%s", g_strstrip(l));
		else
			g_ptr_array_add(errors, g_strdup_printf("%s:%d: expected Q:, K:, A: or an indented "
			    "line continuing the answer", path, i + 1));
	}
	finish(faq, &cur, answer, path, start, errors);
	return faq;
}

const char *
faq_answer(const Faq *faq, const char *text, const char **question)
{
	g_autofree char *w = words_of(text ? text : "", MIN(strlen(text ? text : ""), 16384));
	const struct entry *best = NULL;
	int best_score = 0;

	for (guint i = 0; faq != NULL && i < faq->entries->len; i++) {
		const struct entry *e = g_ptr_array_index(faq->entries, i);
		int score = 0;
		for (int k = 0; e->keys[k] != NULL; k++)
			if (words_has_phrase(w, e->keys[k]))
				score += 1 + (int)(strchr(e->keys[k], ' ') != NULL);	/* phrases weigh more */
		if (score > best_score) {
			best_score = score;
			best = e;
		}
	}
	if (best != NULL && question != NULL)
		*question = best->question;
	return best ? best->answer : NULL;
}

void
faq_rewrite(Faq *faq, FaqRewriteFn fn, gpointer data)
{
	for (guint i = 0; faq != NULL && i < faq->entries->len; i++) {
		struct entry *e = g_ptr_array_index(faq->entries, i);
		char *text = fn(faq->path, e->line, e->answer, data);
		g_free(e->answer);
		e->answer = text;
	}
}
