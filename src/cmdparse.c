/* cmdparse.c: staff command lines (cmdparse.h). Pure. */
#include "cmdparse.h"
#include "ref.h"

#include <string.h>

#define LINE_MAX_KEPT 300

static const struct {
	const char *word, *usage;
} verbs[CMD_N_VERBS] = {
	[CMD_ACCEPT] = { "accept", "accept REF DOC [KIND] [DATE]" },
	[CMD_REJECT] = { "reject", "reject REF DOC REASON" },
	[CMD_KIND] = { "kind", "kind REF DOC KIND [DATE]" },
	[CMD_POSITIVE] = { "positive", "positive REF DOC" },
	[CMD_NEGATIVE] = { "negative", "negative REF DOC" },
	[CMD_PENDING] = { "pending", "pending REF DOC" },
	[CMD_ADDRESS] = { "address", "address REF NEW@ADDRESS" },
	[CMD_ASSIGN] = { "assign", "assign REF COURSE BLOCK" },
	[CMD_UNASSIGN] = { "unassign", "unassign REF COURSE BLOCK" },
	[CMD_OVERRIDE] = { "override", "override REF RULE REASON" },
	[CMD_REINSTATE] = { "reinstate", "reinstate REF" },
	[CMD_MERGE] = { "merge", "merge REF OTHER-REF" },
	[CMD_NOTE] = { "note", "note REF TEXT" },
	[CMD_REPLY] = { "reply", "reply REF (your text on the lines below)" },
	[CMD_STATUS] = { "status", "status REF" },
	[CMD_HELP] = { "help", "help" },
};

void
command_free(struct command *c)
{
	if (c == NULL)
		return;
	g_free(c->line);
	g_free(c->ref);
	g_strfreev(c->args);
	g_free(c->rest);
	g_free(c->body);
	g_free(c);
}

const char *
cmdparse_verb_str(CmdVerb v)
{
	return v < CMD_N_VERBS ? verbs[v].word : "?";
}

const char *
cmdparse_usage(CmdVerb v)
{
	return v < CMD_N_VERBS ? verbs[v].usage : "?";
}

gboolean
cmdparse_verb(const char *word, CmdVerb *v)
{
	for (int i = 0; i < CMD_N_VERBS; i++)
		if (g_ascii_strcasecmp(word, verbs[i].word) == 0) {
			*v = i;
			return TRUE;
		}
	return FALSE;
}

char **
cmdparse_words(const char *s)
{
	GPtrArray *out = g_ptr_array_new();

	while (*s != '\0') {
		GString *w;
		while (g_ascii_isspace(*s))
			s++;
		if (*s == '\0')
			break;
		w = g_string_new(NULL);
		if (*s == '"') {
			for (s++; *s != '\0' && *s != '"'; s++)
				g_string_append_c(w, *s);
			if (*s == '"')
				s++;
		} else
			for (; *s != '\0' && !g_ascii_isspace(*s); s++)
				g_string_append_c(w, *s);
		g_ptr_array_add(out, g_string_free(w, FALSE));
	}
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* The reference a word is, whole (brackets and a trailing comma, colon or
 * full stop allowed): new upper-case string, or NULL. */
static char *
word_ref(const char *w, gsize len)
{
	int year, seq;
	g_autofree char *t = NULL;

	if (len > 0 && w[0] == '[')
		w++, len--;
	while (len > 0 && strchr("]:,.;", w[len - 1]) != NULL)
		len--;
	if (len != 14)
		return NULL;
	t = g_strndup(w, len);
	if (!ref_find(t, &year, &seq) || g_ascii_strncasecmp(t, "ECP-", 4) != 0)
		return NULL;
	return ref_format(year, seq);
}

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static const char *
skip_word(const char *s)
{
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	return s;
}

struct command *
cmdparse_line(const char *line)
{
	g_autofree char *copy = g_strstrip(g_strdup(line));
	const char *p = copy, *e;
	g_autofree char *verb_word = NULL, *ref = NULL;
	struct command *c;
	CmdVerb v;

	e = skip_word(p);
	verb_word = g_strndup(p, e - p);
	if (!cmdparse_verb(verb_word, &v))
		return NULL;
	p = skip_space(e);
	if (v == CMD_HELP) {
		if (*p != '\0')
			return NULL;
	} else {
		e = skip_word(p);
		if ((ref = word_ref(p, e - p)) == NULL)
			return NULL;
		p = skip_space(e);
	}
	c = g_new0(struct command, 1);
	c->verb = v;
	c->line = g_utf8_make_valid(copy, MIN(strlen(copy), LINE_MAX_KEPT));
	c->ref = g_steal_pointer(&ref);
	c->rest = g_strdup(p);
	c->args = cmdparse_words(p);
	return c;
}

/* Where quoted text (or a signature) starts: nothing below counts. */
static gboolean
quote_starts(const char *l)
{
	static const char *const starts[] = { ">", "-----Original Message-----",
	    "---------- Forwarded message", "________________________________",
	    "Begin forwarded message:", "-----Ursprüngliche Nachricht-----", NULL };
	gsize n = strlen(l);

	for (int i = 0; starts[i] != NULL; i++)
		if (g_str_has_prefix(l, starts[i]))
			return TRUE;
	if (strcmp(l, "-- ") == 0 || strcmp(l, "--") == 0)
		return TRUE;
	/* "On Mon, 19 Oct 2026 at 09:12, Jane <jane@x> wrote:" */
	return n > 6 && g_str_has_suffix(l, "wrote:") && g_str_has_prefix(l, "On ");
}

GPtrArray *
cmdparse_text(const char *text, gboolean *too_many)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)command_free);
	g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);

	*too_many = FALSE;
	for (guint i = 0; lines[i] != NULL; i++) {
		char *l = lines[i];
		struct command *c;
		gsize n = strlen(l);
		if (n > 0 && l[n - 1] == '\r')
			l[n - 1] = '\0';
		if (strcmp(l, "-- ") != 0)
			g_strchomp(l);
		if (quote_starts(skip_space(l)))
			break;
		if ((c = cmdparse_line(l)) == NULL)
			continue;
		if (out->len == CMDPARSE_MAX) {
			*too_many = TRUE;
			command_free(c);
			break;
		}
		g_ptr_array_add(out, c);
		if (c->verb != CMD_REPLY)
			continue;
		/* The rest of the text, down to the quoted part, goes to the student. */
		GString *body = g_string_new(c->rest);
		if (body->len > 0)
			g_string_append_c(body, '\n');
		for (i++; lines[i] != NULL; i++) {
			l = lines[i];
			n = strlen(l);
			if (n > 0 && l[n - 1] == '\r')
				l[n - 1] = '\0';
			if (quote_starts(l) && strcmp(l, "-- ") != 0 && strcmp(l, "--") != 0)
				break;
			if (body->len + n + 1 > CMDPARSE_BODY_MAX)
				break;
			g_string_append_printf(body, "%s\n", l);
		}
		c->body = g_strstrip(g_string_free(body, FALSE));
		break;
	}
	return out;
}
