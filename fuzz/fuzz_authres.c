/* fuzz_authres: Authentication-Results values, a trusted authserv-id and a From
 * address -> authres_verified() (who counts as staff), and two domains ->
 * authres_aligned(), with the invariants that must hold whatever the input.
 *
 * Input (and seed file, tests/data/authres/) format:
 *   line 1  the trusted authserv-id (clerkd.conf's trusted_authserv_id)
 *   line 2  the From address
 *   line 3  domain A  } compared with authres_aligned(), each also with the
 *   line 4  domain B  } From address's domain
 *   rest    up to 16 Authentication-Results values (what follows
 *           "Authentication-Results:"), topmost first. A value ends at a NUL
 *           or at a newline not followed by a space or a tab: a folded
 *           continuation line stays in its value, as in a message header.
 * Lines 1 to 4 end at a newline or a NUL; a '\r' before a newline that ends a
 * line or a value is dropped. An input that ends before line 1 (or line 2)
 * gives a NULL authserv-id (or From address). Invariant violations abort(),
 * so that libFuzzer and `make check` (fuzz/replay_authres) report them. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"

#define MAX_VALUES 16		/* as message.c keeps at most 16 */
#define FOREIGN_ID "authres-fuzz.invalid"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "fuzz_authres: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* The next line (to '\n' or NUL) from *p, or NULL at the end of the input. */
static char *
next_line(const char **p, const char *end)
{
	const char *s = *p, *e = s;

	if (s >= end)
		return NULL;
	while (e < end && *e != '\n' && *e != '\0')
		e++;
	*p = e < end ? e + 1 : e;
	if (e > s && e[-1] == '\r' && e < end && *e == '\n')
		e--;
	return g_strndup(s, e - s);
}

/* The next value: to a NUL, or to a newline not followed by SP or HT. */
static char *
next_value(const char **p, const char *end)
{
	const char *s = *p, *e = s;

	if (s >= end)
		return NULL;
	for (; e < end && *e != '\0'; e++)
		if (*e == '\n' && (e + 1 == end || (e[1] != ' ' && e[1] != '\t')))
			break;
	*p = e < end ? e + 1 : e;
	if (e > s && e[-1] == '\r' && e < end && *e == '\n')
		e--;
	return g_strndup(s, e - s);
}

/* What authres_aligned() must accept as a domain: as written, or with one
 * trailing dot (a fully qualified name); letters, digits, '-', '_' and '.'
 * between non-empty labels. *bare gets it without that dot, lowercased. */
static gboolean
domain_valid(const char *d, char **bare)
{
	char *s = g_ascii_strdown(d, -1);
	gsize n = strlen(s);

	*bare = s;
	if (n > 1 && s[n - 1] == '.')
		s[--n] = '\0';
	if (n == 0 || s[0] == '.' || s[n - 1] == '.' || strstr(s, "..") != NULL)
		return FALSE;
	for (const char *c = s; *c != '\0'; c++)
		if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_' && *c != '.')
			return FALSE;
	return TRUE;
}

static void
check_aligned(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return;
	/* Symmetric. */
	CHECK(authres_aligned(a, b) == authres_aligned(b, a));
}

static void
check_domain(const char *d)
{
	g_autofree char *bare = NULL;
	gboolean valid = domain_valid(d, &bare);
	g_autofree char *upper = g_ascii_strup(d, -1);
	g_autofree char *longer = g_strconcat("x", d, NULL);
	g_autofree char *sub = g_strconcat("w.", d, NULL);

	/* Every valid domain aligns with itself, in any case; nothing else does. */
	CHECK(authres_aligned(d, d) == valid);
	CHECK(authres_aligned(d, upper) == valid);
	if (*d != '\0' && d[strlen(d) - 1] != '.') {
		g_autofree char *dot = g_strconcat(d, ".", NULL);
		CHECK(authres_aligned(d, dot) == valid);
	}
	/* A mere suffix never aligns (evilexample.edu is not example.edu) ... */
	CHECK(!authres_aligned(longer, d));
	CHECK(!authres_aligned(d, longer));
	/* ... a subdomain does, unless the parent is a bare top-level domain. */
	CHECK(authres_aligned(sub, d) == (valid && strchr(bare, '.') != NULL));
	CHECK(!authres_aligned(d, NULL) && !authres_aligned(NULL, d));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	g_autofree char *id = next_line(&p, end);
	g_autofree char *from = next_line(&p, end);
	g_autofree char *da = next_line(&p, end);
	g_autofree char *db = next_line(&p, end);
	g_autoptr(GPtrArray) v = g_ptr_array_new_with_free_func(g_free);
	const char *why = NULL, *why2 = NULL;
	char *s;
	gboolean ok;

	while (v->len < MAX_VALUES && (s = next_value(&p, end)) != NULL)
		g_ptr_array_add(v, s);
	g_ptr_array_add(v, NULL);
	char **values = (char **)v->pdata;

	/* The staff check itself, and it is deterministic. */
	ok = authres_verified(values, id, from, &why);
	CHECK(why != NULL);
	CHECK(authres_verified(values, id, from, &why2) == ok);
	CHECK(why2 != NULL && strcmp(why, why2) == 0);
	CHECK(authres_verified(values, id, from, NULL) == ok);
	/* Never staff without a trusted server configured or a From domain. */
	if (ok)
		CHECK(id != NULL && *id != '\0' && from != NULL && strchr(from, '@') != NULL);
	CHECK(!authres_verified(NULL, id, from, NULL));
	CHECK(!authres_verified(values, NULL, from, NULL));
	CHECK(!authres_verified(values, "", from, NULL));
	/* Another server's header on top changes nothing, whatever it claims. */
	if (id != NULL && g_ascii_strcasecmp(id, FOREIGN_ID) != 0) {
		g_autoptr(GPtrArray) w = g_ptr_array_new();
		g_ptr_array_add(w, (char *)FOREIGN_ID "; dmarc=pass; dkim=pass header.d=example.edu");
		for (guint i = 0; values[i] != NULL; i++)
			g_ptr_array_add(w, values[i]);
		g_ptr_array_add(w, NULL);
		CHECK(authres_verified((char *const *)w->pdata, id, from, NULL) == ok);
	}

	/* Alignment, on the two domains and the From address's domain. */
	const char *at = from != NULL ? strrchr(from, '@') : NULL;
	const char *fd = at != NULL ? at + 1 : NULL;
	check_aligned(da, db);
	check_aligned(da, fd);
	check_aligned(db, fd);
	if (da != NULL)
		check_domain(da);
	if (db != NULL)
		check_domain(db);
	if (fd != NULL)
		check_domain(fd);
	return 0;
}
