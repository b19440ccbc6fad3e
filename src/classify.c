/* classify.c: application, correspondence or automatic mail. */
#include "classify.h"

#include <string.h>

const char *
classify_str(MsgClass c)
{
	switch (c) {
	case CLASS_APPLICATION:
		return "application";
	case CLASS_CORRESPONDENCE:
		return "correspondence";
	case CLASS_AUTOMATIC:
		return "automatic";
	case CLASS_FORGED:
		return "forged";
	}
	return "unknown";
}

static gboolean
local_part_is(const char *addr, const char *name)
{
	const char *at = addr ? strchr(addr, '@') : NULL;

	return at != NULL && (gsize)(at - addr) == strlen(name) &&
	    g_ascii_strncasecmp(addr, name, at - addr) == 0;
}

/* Subjects that auto-responders use; a human rarely writes these. */
static gboolean
autoreply_subject(const char *subject)
{
	static const char *const prefixes[] = {
		"automatic reply:", "auto reply:", "autoreply:", "auto-reply:",
		"out of office", "out of the office", "auto:", "automatische antwort:",
		"réponse automatique", "respuesta automática:", "undeliverable:",
		"undelivered mail returned to sender", "delivery status notification",
		"mail delivery failed", "returned mail:",
	};
	g_autofree char *s = g_utf8_strdown(subject, -1);

	for (gsize i = 0; i < G_N_ELEMENTS(prefixes); i++)
		if (g_str_has_prefix(s, prefixes[i]))
			return TRUE;
	return FALSE;
}

gboolean
classify_is_automatic(const struct facts *f, const char *own_addr, const char **why)
{
	const char *w = NULL;

	if (f->auto_submitted != NULL && g_ascii_strncasecmp(f->auto_submitted, "no", 2) != 0)
		w = "Auto-Submitted";
	else if (f->delivery_report)
		w = "delivery report";
	else if (f->return_path != NULL && strcmp(f->return_path, "<>") == 0)
		w = "null Return-Path";
	else if (f->precedence != NULL && (!g_ascii_strcasecmp(f->precedence, "bulk") ||
	    !g_ascii_strcasecmp(f->precedence, "junk") || !g_ascii_strcasecmp(f->precedence, "list")))
		w = "Precedence";
	else if (f->list_headers)
		w = "List-* header";
	else if (f->auto_response_suppress)
		w = "X-Auto-Response-Suppress";
	else if (f->autoreply_header)
		w = "X-Autoreply";
	else if (f->from_addr == NULL)
		w = "no usable From address";
	else if (own_addr != NULL && g_ascii_strcasecmp(f->from_addr, own_addr) == 0)
		w = "from the program's own address";
	else if (local_part_is(f->from_addr, "mailer-daemon") ||
	    local_part_is(f->from_addr, "postmaster") ||
	    local_part_is(f->from_addr, "noreply") || local_part_is(f->from_addr, "no-reply") ||
	    local_part_is(f->from_addr, "donotreply") || local_part_is(f->from_addr, "do-not-reply"))
		w = "system sender";
	else if (autoreply_subject(f->subject))
		w = "auto-reply subject";
	if (why != NULL)
		*why = w;
	return w != NULL;
}

MsgClass
classify(const struct facts *f, const char *own_addr, gboolean has_form, const char **why)
{
	if (classify_is_automatic(f, own_addr, why))
		return CLASS_AUTOMATIC;
	if (has_form) {
		*why = "form";
		return CLASS_APPLICATION;
	}
	*why = "no form";
	return CLASS_CORRESPONDENCE;
}

/* A word of s, any case, between non-letters. */
static gboolean
has_word(const char *s, const char *word)
{
	gsize n = strlen(word);

	for (const char *p = s; p != NULL && (p = strcasestr(p, word)) != NULL; p += n)
		if ((p == s || !g_ascii_isalnum(p[-1])) && !g_ascii_isalnum(p[n]))
			return TRUE;
	return FALSE;
}

gboolean
classify_letter_request(const struct facts *f)
{
	static const char *const others[] = { "recommendation", "recommend", "motivation",
	    "motivational", "cover", "covering", "reference", "support", "dean", "personal",
	    "intent", "intention" };

	if (f->subject == NULL || (f->attachments != NULL && f->attachments->len > 0) ||
	    f->attachments_total > 0 ||
	    (!has_word(f->subject, "letter") && !has_word(f->subject, "letters")))
		return FALSE;
	for (gsize i = 0; i < G_N_ELEMENTS(others); i++)
		if (has_word(f->subject, others[i]))
			return FALSE;
	/* A reply to our own letter mail ("Re: Your acceptance letter [REF]",
	 * "thank you"): read as any other message, not a new request. */
	if ((strcasestr(f->subject, "your acceptance letter") != NULL ||
	    strcasestr(f->subject, "acceptance letter: not yet") != NULL) &&
	    (g_ascii_strncasecmp(f->subject, "re:", 3) == 0 ||
	    g_ascii_strncasecmp(f->subject, "aw:", 3) == 0 ||
	    g_ascii_strncasecmp(f->subject, "sv:", 3) == 0 ||
	    g_ascii_strncasecmp(f->subject, "antw:", 5) == 0))
		return FALSE;
	return TRUE;
}
