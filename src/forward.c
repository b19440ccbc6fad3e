/* forward.c: finding an inline forward in a text body. A marker line, then a
 * block of header lines (From:, Date:/Sent:, To:, Subject:, in any order,
 * blank lines between allowed, labels maybe bold "*From:*" after HTML-to-text,
 * a few localized ones). Without a marker, a quoted "From:" is no forward. */
#include "forward.h"
#include "util.h"

#include <string.h>

#define FORWARD_MAX_BLOCK 40	/* lines after the marker looked at */
#define FORWARD_MAX_LABEL 24

enum field { F_NONE, F_FROM, F_DATE, F_SUBJECT, F_OTHER };

/* Between dashes: "---------- Forwarded message ---------", "-----Original Message-----". */
static const char *const dashed[] = {
	"forwarded message", "original message",
	"weitergeleitete nachricht", "ursprüngliche nachricht",
	"message transféré", "message d'origine", "message d’origine",
	"mensaje reenviado", "mensaje original",
	"messaggio inoltrato", "messaggio originale",
	"doorgestuurd bericht", "oorspronkelijk bericht",
};
/* Apple Mail's line, whole. */
static const char *const begins[] = {
	"begin forwarded message:",
	"anfang der weitergeleiteten nachricht:",
	"début du message réexpédié :", "début du message réexpédié:",
	"inicio del mensaje reenviado:",
	"inizio messaggio inoltrato:",
};
static const struct {
	const char *label;
	enum field field;
} labels[] = {
	{ "from", F_FROM }, { "von", F_FROM }, { "de", F_FROM }, { "da", F_FROM }, { "van", F_FROM },
	{ "date", F_DATE }, { "sent", F_DATE }, { "gesendet", F_DATE }, { "datum", F_DATE },
	{ "envoyé", F_DATE }, { "fecha", F_DATE }, { "enviado", F_DATE }, { "data", F_DATE },
	{ "inviato", F_DATE }, { "verzonden", F_DATE },
	{ "subject", F_SUBJECT }, { "betreff", F_SUBJECT }, { "objet", F_SUBJECT },
	{ "asunto", F_SUBJECT }, { "oggetto", F_SUBJECT }, { "onderwerp", F_SUBJECT },
	{ "to", F_OTHER }, { "cc", F_OTHER }, { "bcc", F_OTHER }, { "reply-to", F_OTHER },
	{ "an", F_OTHER }, { "à", F_OTHER }, { "a", F_OTHER }, { "para", F_OTHER }, { "aan", F_OTHER },
	{ "kopie", F_OTHER }, { "cci", F_OTHER }, { "importance", F_OTHER }, { "priority", F_OTHER },
	{ "attachments", F_OTHER }, { "anlagen", F_OTHER }, { "pièces jointes", F_OTHER },
};

void
forward_free(struct forward *fw)
{
	if (fw == NULL)
		return;
	g_free(fw->from_addr);
	g_free(fw->from_name);
	g_free(fw->subject);
	g_free(fw->date);
	g_free(fw->note);
	g_free(fw);
}

static gboolean
in_list(const char *s, const char *const *list, gsize n)
{
	for (gsize i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return TRUE;
	return FALSE;
}

/* One line, trimmed, as clean UTF-8 of at most FORWARD_MAX_VALUE bytes, into
 * buf; FALSE if it is longer than that (no marker or header line is). */
static gboolean
line_get(const char *s, gsize len, char *buf)
{
	while (len > 0 && g_ascii_isspace(*s))
		s++, len--;
	while (len > 0 && g_ascii_isspace(s[len - 1]))
		len--;
	if (len > FORWARD_MAX_VALUE)
		return FALSE;
	g_autofree char *c = util_utf8_clean(s, len, FORWARD_MAX_VALUE);
	for (char *p = c; *p != '\0'; p++)
		if (*p == '\t')
			*p = ' ';
	g_strlcpy(buf, g_strstrip(c), FORWARD_MAX_VALUE + 1);
	return TRUE;
}

static gboolean
is_marker(const char *l)
{
	gsize len = strlen(l);

	if (len >= 30 && strspn(l, "_") == len)
		return TRUE;	/* Outlook: 32 underscores */
	if (len > 4 && strncmp(l, "--", 2) == 0 && strcmp(l + len - 2, "--") == 0) {
		gsize a = strspn(l, "-");
		gsize b = len;
		while (b > a && l[b - 1] == '-')
			b--;
		if (b <= a)
			return FALSE;
		g_autofree char *inner = g_strndup(l + a, b - a);
		g_autofree char *low = g_utf8_strdown(g_strstrip(inner), -1);
		return in_list(low, dashed, G_N_ELEMENTS(dashed));
	}
	if (len < 64 && strchr(l, ':') != NULL) {
		g_autofree char *low = g_utf8_strdown(l, -1);
		return in_list(low, begins, G_N_ELEMENTS(begins));
	}
	return FALSE;
}

/* "From: x", "*From:* x", "**From:** x", "De : x": which field, and its value. */
static enum field
header_line(const char *l, const char **value)
{
	const char *colon;
	char label[FORWARD_MAX_LABEL * 2];
	gsize n;

	while (*l == '*')
		l++;
	colon = strchr(l, ':');
	if (colon == NULL || colon == l || colon - l >= FORWARD_MAX_LABEL)
		return F_NONE;
	n = colon - l;
	memcpy(label, l, n);
	/* Trailing spaces, bold marks, and the no-break space (C2 A0) of French
	 * typography before the colon. */
	for (;;) {
		if (n > 0 && (label[n - 1] == ' ' || label[n - 1] == '*'))
			n--;
		else if (n >= 2 && (guchar)label[n - 2] == 0xc2 && (guchar)label[n - 1] == 0xa0)
			n -= 2;
		else
			break;
	}
	label[n] = '\0';
	g_autofree char *low = g_utf8_strdown(label, -1);
	for (gsize i = 0; i < G_N_ELEMENTS(labels); i++) {
		if (strcmp(low, labels[i].label) != 0)
			continue;
		const char *v = colon + 1;
		for (;;) {
			if (*v == '*' || *v == ' ')
				v++;
			else if ((guchar)v[0] == 0xc2 && (guchar)v[1] == 0xa0)
				v += 2;
			else
				break;
		}
		*value = v;
		return labels[i].field;
	}
	return F_NONE;
}

static const char *
ascii_casestr(const char *hay, const char *needle)
{
	gsize n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (g_ascii_strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/* An address out of "mailto:addr", "addr", "<addr>", up to a delimiter. */
static char *
addr_from(const char *s, const char *stops)
{
	while (*s == ' ' || *s == '<')
		s++;
	if (g_ascii_strncasecmp(s, "mailto:", 7) == 0)
		s += 7;
	g_autofree char *a = g_strndup(s, strcspn(s, stops));
	/* HTML-to-text may leave bold marks or quotes around it */
	return util_addr_normalize(g_strstrip(g_strdelimit(a, "*'\"", ' ')));
}

/* A display name: trimmed, without the quotes and bold marks around it. */
static char *
name_from(const char *s, gsize len)
{
	g_autofree char *n = g_strndup(s, len);
	char *p = g_strstrip(n);
	gsize l = strlen(p);

	while (l > 0 && (*p == '"' || *p == '*' || *p == '\'' || *p == ' ')) {
		p++;
		l--;
	}
	while (l > 0 && (p[l - 1] == '"' || p[l - 1] == '*' || p[l - 1] == '\'' || p[l - 1] == ' '))
		p[--l] = '\0';
	return l > 0 ? g_strdup(p) : NULL;
}

void
forward_set_from(struct forward *fw, const char *value)
{
	g_autofree char *v = util_utf8_clean(value ? value : "", -1, FORWARD_MAX_VALUE);
	const char *m, *angle = NULL;
	gboolean quoted = FALSE;

	g_clear_pointer(&fw->from_addr, g_free);
	g_clear_pointer(&fw->from_name, g_free);
	for (char *p = v; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	g_strstrip(v);

	/* Outlook: Name [mailto:addr] */
	if ((m = ascii_casestr(v, "[mailto:")) != NULL) {
		fw->from_addr = addr_from(m + 8, "] ");
		fw->from_name = name_from(v, m - v);
		return;
	}
	/* Name <addr>, "Name" <addr>, Name <mailto:addr>, Name <addr <mailto:addr>> */
	for (const char *p = v; *p != '\0'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '<' && !quoted) {
			angle = p;
			break;
		}
	}
	if (angle != NULL) {
		fw->from_name = name_from(v, angle - v);
		for (const char *p = angle; p != NULL && fw->from_addr == NULL; p = strchr(p + 1, '<'))
			fw->from_addr = addr_from(p + 1, "> <");
		return;
	}
	/* addr alone, or "addr (Name)" */
	g_auto(GStrv) words = g_strsplit(v, " ", 8);
	for (int i = 0; words[i] != NULL && fw->from_addr == NULL; i++)
		if (strchr(words[i], '@') != NULL)
			fw->from_addr = addr_from(g_strdelimit(words[i], "()[],;", ' '), " ");
	if (fw->from_addr == NULL)
		fw->from_name = name_from(v, strlen(v));	/* Exchange: "Doe, Jane" */
}

/* The header block after a marker at *pos (the start of the next line). */
static struct forward *
block_parse(const char *pos, const char *end)
{
	g_autoptr(Forward) fw = g_new0(struct forward, 1);
	char buf[FORWARD_MAX_VALUE + 1];
	gboolean from = FALSE;
	int lines = 0, seen = 0;

	for (const char *p = pos; p < end && lines < FORWARD_MAX_BLOCK; lines++) {
		const char *eol = memchr(p, '\n', end - p);
		gsize len = (eol ? eol : end) - p;
		const char *v = NULL;
		enum field fld;

		if (!line_get(p, len, buf))
			break;
		p = eol ? eol + 1 : end;
		if (buf[0] == '\0') {
			if (seen == 0 && lines > 3)
				break;
			continue;
		}
		if ((fld = header_line(buf, &v)) == F_NONE)
			break;
		seen++;
		if (fld == F_FROM) {
			if (from)
				break;
			from = TRUE;
			forward_set_from(fw, v);
		} else if (fld == F_DATE) {
			if (fw->date != NULL)
				break;
			fw->date = g_strdup(v);
		} else if (fld == F_SUBJECT) {
			if (fw->subject != NULL)
				break;
			fw->subject = g_strdup(v);
		}
	}
	if (!from)
		return NULL;
	return g_steal_pointer(&fw);
}

struct forward *
forward_find(const char *text)
{
	char buf[FORWARD_MAX_VALUE + 1];
	const char *end;

	if (text == NULL)
		return NULL;
	end = text + strlen(text);
	for (const char *p = text; p < end;) {
		const char *eol = memchr(p, '\n', end - p);
		const char *next = eol ? eol + 1 : end;
		gsize len = (eol ? eol : end) - p;
		struct forward *fw;

		const char *c = p;
		while (c < next && (*c == ' ' || *c == '\t'))
			c++;
		/* Cheap test first: marker lines start with '-', '_', 'B', 'A', 'D' or 'I'. */
		if (c < next && strchr("-_BbAaDdIi", *c) != NULL && len <= FORWARD_MAX_VALUE * 2 &&
		    line_get(p, len, buf) && is_marker(buf) &&
		    (fw = block_parse(next, end)) != NULL) {
			g_autofree char *note = util_utf8_clean(text, p - text, FORWARD_MAX_NOTE);
			fw->note = g_strdup(g_strchomp(note));
			return fw;
		}
		p = next;
	}
	return NULL;
}
