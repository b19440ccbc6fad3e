/* authres.c: Authentication-Results (RFC 8601) as far as the staff check needs:
 * the authserv-id, and each resinfo's method, result and header.d/i/from.
 * A hand-written lexer: comments (nested, escaped) and quoted strings can hide
 * ';' and "dmarc=pass", and must never be read as results. */
#include "authres.h"

#include <string.h>

#define AUTHRES_MAX_VALUE 256	/* longer than any domain: a longer value never matches */

enum tok_type {
	TOK_END,
	TOK_WORD,		/* a run of anything but space, specials, comments, quotes */
	TOK_QUOTED,		/* a quoted string, unescaped */
	TOK_SEMI,
	TOK_EQ,
	TOK_SLASH,
	TOK_BAD,		/* an unterminated quoted string */
};

struct tok {
	enum tok_type type;
	char val[AUTHRES_MAX_VALUE];
	gsize len;
	gboolean truncated;
};

static void
tok_add(struct tok *t, char c)
{
	if (t->len + 1 < sizeof t->val) {
		t->val[t->len++] = c;
		t->val[t->len] = '\0';
	} else
		t->truncated = TRUE;
}

/* Skip whitespace and comments; comments nest and may escape with '\'. */
static const char *
skip_cfws(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '(')
			return p;
		int depth = 0;
		for (; *p != '\0'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
	}
}

static const char *
lex(const char *p, struct tok *t)
{
	memset(t, 0, sizeof *t);
	p = skip_cfws(p);
	switch (*p) {
	case '\0':
		t->type = TOK_END;
		return p;
	case ';':
		t->type = TOK_SEMI;
		return p + 1;
	case '=':
		t->type = TOK_EQ;
		return p + 1;
	case '/':
		t->type = TOK_SLASH;
		return p + 1;
	case '"':
		for (p++; *p != '\0' && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			tok_add(t, *p);
		}
		if (*p != '"') {
			t->type = TOK_BAD;
			return p;
		}
		t->type = TOK_QUOTED;
		return p + 1;
	case ')':
	case '\\':
		t->type = TOK_BAD;	/* not allowed outside quotes and comments */
		return p + 1;
	default:
		t->type = TOK_WORD;
		for (; *p != '\0' && strchr(" \t\r\n()\";=/\\", *p) == NULL; p++)
			tok_add(t, *p);
		return p;
	}
}

static gboolean
is_number(const char *s)
{
	if (*s == '\0')
		return FALSE;
	for (; *s != '\0'; s++)
		if (!g_ascii_isdigit(*s))
			return FALSE;
	return TRUE;
}

/* A domain fit to compare: letters, digits, '-', '_', non-empty labels. */
static gboolean
domain_ok(const char *d)
{
	if (*d == '\0' || *d == '.')
		return FALSE;
	for (const char *p = d; *p != '\0'; p++) {
		if (*p == '.' && (p[1] == '.' || p[1] == '\0'))
			return FALSE;
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return FALSE;
	}
	return TRUE;
}

gboolean
authres_aligned(const char *d1, const char *d2)
{
	if (d1 == NULL || d2 == NULL)
		return FALSE;
	g_autofree char *a = g_ascii_strdown(d1, -1);
	g_autofree char *b = g_ascii_strdown(d2, -1);
	gsize la, lb;

	/* A fully qualified name may end with a dot. */
	if ((la = strlen(a)) > 1 && a[la - 1] == '.')
		a[--la] = '\0';
	if ((lb = strlen(b)) > 1 && b[lb - 1] == '.')
		b[--lb] = '\0';
	if (!domain_ok(a) || !domain_ok(b))
		return FALSE;
	if (strcmp(a, b) == 0)
		return TRUE;
	if (la == lb)
		return FALSE;	/* same length, not equal: neither is inside the other */
	if (la < lb) {
		char *t = a;
		gsize tl = la;
		a = b, la = lb;
		b = t, lb = tl;
	}
	/* a is the longer: it must end with "." b, and b must be more than a
	 * top-level domain (no public-suffix list here: at least two labels). */
	return strchr(b, '.') != NULL && a[la - lb - 1] == '.' && strcmp(a + la - lb, b) == 0;
}

/* What one resinfo said, as far as we care. */
struct resinfo {
	char method[AUTHRES_MAX_VALUE];
	char result[AUTHRES_MAX_VALUE];
	char d[AUTHRES_MAX_VALUE];	/* header.d */
	char i[AUTHRES_MAX_VALUE];	/* header.i */
	char from[AUTHRES_MAX_VALUE];	/* header.from */
	gboolean ambiguous;		/* a property twice, or a value too long */
};

static void
prop_set(struct resinfo *ri, const char *name, const struct tok *v)
{
	char *dst;

	if (g_ascii_strcasecmp(name, "header.d") == 0)
		dst = ri->d;
	else if (g_ascii_strcasecmp(name, "header.i") == 0)
		dst = ri->i;
	else if (g_ascii_strcasecmp(name, "header.from") == 0)
		dst = ri->from;
	else
		return;
	if (*dst != '\0' || v->truncated || v->val[0] == '\0')
		ri->ambiguous = TRUE;
	else
		g_strlcpy(dst, v->val, AUTHRES_MAX_VALUE);
}

/* After ';': method [/version] = result *(reason=value / ptype.prop=value).
 * FALSE if it is not well formed (it then counts for nothing); *p is left at
 * the ';' or the end that follows. */
static gboolean
resinfo_parse(const char **p, struct resinfo *ri)
{
	struct tok t;
	const char *q = *p;

	memset(ri, 0, sizeof *ri);
	q = lex(q, &t);
	if (t.type != TOK_WORD || t.truncated)
		goto bad;
	g_strlcpy(ri->method, t.val, sizeof ri->method);
	q = lex(q, &t);
	if (t.type == TOK_SLASH) {	/* method-version */
		q = lex(q, &t);
		if (t.type != TOK_WORD || !is_number(t.val))
			goto bad;
		q = lex(q, &t);
	}
	if (t.type != TOK_EQ)
		goto bad;	/* "none" (no result) lands here too */
	q = lex(q, &t);
	if (t.type != TOK_WORD || t.truncated)
		goto bad;
	g_strlcpy(ri->result, t.val, sizeof ri->result);
	for (;;) {
		const char *save = q;
		char name[AUTHRES_MAX_VALUE];

		q = lex(q, &t);
		if (t.type == TOK_END || t.type == TOK_SEMI) {
			*p = save;
			return TRUE;
		}
		if (t.type != TOK_WORD || t.truncated)
			goto bad;
		g_strlcpy(name, t.val, sizeof name);
		/* ptype "." property may have CFWS around the dot. */
		for (int n = 0; n < 2; n++) {
			struct tok t2;
			const char *q2 = lex(q, &t2);
			gsize len = strlen(name);
			if (t2.type == TOK_WORD && (name[len - 1] == '.' || t2.val[0] == '.') &&
			    len + strlen(t2.val) < sizeof name) {
				g_strlcat(name, t2.val, sizeof name);
				q = q2;
			}
		}
		q = lex(q, &t);
		if (t.type != TOK_EQ)
			goto bad;
		q = lex(q, &t);
		if (t.type != TOK_WORD && t.type != TOK_QUOTED)
			goto bad;
		/* A signature excerpt (header.b=Ja0u7H/4) is base64: servers write
		 * it unquoted, '/' and all. */
		while (t.type == TOK_WORD && *q == '/' && q[1] != '\0' &&
		    strchr(" \t\r\n()\";=\\", q[1]) == NULL) {
			struct tok t2;
			q = lex(q + 1, &t2);
			tok_add(&t, '/');
			for (gsize k = 0; k < t2.len; k++)
				tok_add(&t, t2.val[k]);
			t.truncated |= t2.truncated;
		}
		if (t.type == TOK_QUOTED) {
			/* "local part"@domain */
			struct tok t2;
			const char *q2 = lex(q, &t2);
			if (t2.type == TOK_WORD && t2.val[0] == '@') {
				if (strlen(t.val) + strlen(t2.val) + 1 >= sizeof t.val)
					t.truncated = TRUE;
				g_strlcat(t.val, t2.val, sizeof t.val);
				q = q2;
			}
		}
		prop_set(ri, name, &t);
	}
bad:
	/* Skip what is left of it: to the next ';' outside quotes and comments. */
	while (t.type != TOK_END && t.type != TOK_SEMI) {
		*p = q;
		q = lex(q, &t);
	}
	if (t.type == TOK_END)
		*p = q;
	return FALSE;
}

static const char *
addr_domain(const char *addr)
{
	const char *at = addr ? strrchr(addr, '@') : NULL;

	return at != NULL ? at + 1 : NULL;
}

/* The enforced DMARC policy a failing dmarc resinfo names: in its comment
 * ("(p=REJECT sp=REJECT dis=NONE)", rspamd's "(policy=reject)") or as
 * policy.dmarc=. The text is the resinfo as the trusted server wrote it. */
static gboolean
policy_enforced(const char *start, const char *end)
{
	static const char *const words[] = {
		"p=reject", "p=quarantine", "policy=reject", "policy=quarantine",
		"policy.dmarc=reject", "policy.dmarc=quarantine",
	};
	g_autofree char *t = g_ascii_strdown(start, end - start);

	for (gsize i = 0; i < G_N_ELEMENTS(words); i++)
		if (strstr(t, words[i]) != NULL)
			return TRUE;
	return FALSE;
}

/* What the trusted server's topmost header says of this From domain. */
struct verdict {
	gboolean dmarc_pass;	/* with header.from naming the From domain */
	gboolean dmarc_reject;	/* dmarc=fail under a reject or quarantine policy */
	gboolean dkim_aligned;	/* dkim=pass, header.d aligned with the From domain */
	gboolean spf_fail;
};

/* FALSE (*why set) if there is no header of the trusted server to judge by. */
static gboolean
judge(char *const *auth_results, const char *authserv_id, const char *from_domain,
    struct verdict *v, const char **why)
{
	memset(v, 0, sizeof *v);
	if (authserv_id == NULL || *authserv_id == '\0') {
		*why = "no trusted authserv-id configured";
		return FALSE;
	}
	for (int h = 0; auth_results != NULL && auth_results[h] != NULL; h++) {
		const char *p = auth_results[h];
		struct tok t;

		p = lex(p, &t);
		if ((t.type != TOK_WORD && t.type != TOK_QUOTED) || t.truncated ||
		    g_ascii_strcasecmp(t.val, authserv_id) != 0)
			continue;
		/* The topmost header of the trusted server: it alone decides. */
		if (from_domain == NULL) {
			*why = "no usable From address";
			return FALSE;
		}
		const char *after_id = p;
		p = lex(p, &t);
		if (t.type == TOK_WORD && is_number(t.val))
			after_id = p;	/* authres-version */
		p = after_id;
		for (;;) {
			struct resinfo ri;
			const char *start;

			p = lex(p, &t);
			if (t.type == TOK_END)
				break;
			if (t.type != TOK_SEMI) {
				/* Not well formed here: on to the next ';'. */
				while (t.type != TOK_END && t.type != TOK_SEMI)
					p = lex(p, &t);
				if (t.type == TOK_END)
					break;
			}
			start = p;
			if (!resinfo_parse(&p, &ri) || ri.ambiguous)
				continue;
			if (g_ascii_strcasecmp(ri.method, "dmarc") == 0) {
				/* DMARC judged a From domain: it must say which, and it must be ours. */
				if (g_ascii_strcasecmp(ri.result, "pass") == 0 &&
				    g_ascii_strcasecmp(ri.from, from_domain) == 0)
					v->dmarc_pass = TRUE;
				else if (g_ascii_strcasecmp(ri.result, "fail") == 0 &&
				    policy_enforced(start, skip_cfws(p)))	/* its comments too */
					v->dmarc_reject = TRUE;
			} else if (g_ascii_strcasecmp(ri.method, "dkim") == 0) {
				const char *d = ri.d[0] != '\0' ? ri.d : addr_domain(ri.i);
				if (g_ascii_strcasecmp(ri.result, "pass") == 0 && d != NULL &&
				    authres_aligned(d, from_domain))
					v->dkim_aligned = TRUE;
			} else if (g_ascii_strcasecmp(ri.method, "spf") == 0) {
				if (g_ascii_strcasecmp(ri.result, "fail") == 0)
					v->spf_fail = TRUE;
			}
		}
		return TRUE;
	}
	*why = "no Authentication-Results from the trusted server";
	return FALSE;
}

gboolean
authres_verified(char *const *auth_results, const char *authserv_id,
    const char *from_addr, const char **why)
{
	const char *dummy;
	struct verdict v;

	if (why == NULL)
		why = &dummy;
	if (!judge(auth_results, authserv_id, addr_domain(from_addr), &v, why))
		return FALSE;
	if (v.dmarc_pass) {
		*why = "dmarc=pass";
		return TRUE;
	}
	if (v.dkim_aligned) {
		*why = "dkim=pass aligned";
		return TRUE;
	}
	*why = "no dmarc=pass (with header.from) or aligned dkim=pass";
	return FALSE;
}

gboolean
authres_forged(char *const *auth_results, const char *authserv_id,
    const char *from_addr, const char **why)
{
	const char *dummy;
	struct verdict v;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (!judge(auth_results, authserv_id, addr_domain(from_addr), &v, why)) {
		*why = NULL;
		return FALSE;
	}
	if (v.dmarc_reject) {
		*why = "dmarc=fail under a reject or quarantine policy";
		return TRUE;
	}
	if (v.spf_fail && !v.dkim_aligned) {
		*why = "spf=fail and no aligned dkim=pass";
		return TRUE;
	}
	return FALSE;
}
