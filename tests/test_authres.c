/* test_authres: which Authentication-Results header counts, and what it says. */
#include "authres.h"

#include <string.h>

#define ID "mx.example.edu"
#define STAFF "registrar@example.edu"

/* One call: the headers are given topmost first, NULL-terminated. */
static gboolean
check(const char *from, const char **why, ...)
{
	va_list ap;
	GPtrArray *v = g_ptr_array_new();
	const char *s;
	gboolean ok;

	va_start(ap, why);
	while ((s = va_arg(ap, const char *)) != NULL)
		g_ptr_array_add(v, (char *)s);
	va_end(ap);
	g_ptr_array_add(v, NULL);
	ok = authres_verified((char *const *)v->pdata, ID, from, why);
	g_ptr_array_free(v, TRUE);
	return ok;
}

static void
test_dmarc_pass(void)
{
	const char *why = NULL;

	g_assert_true(check(STAFF, &why, ID "; dkim=pass header.d=example.edu; dmarc=pass header.from=example.edu", NULL));
	g_assert_cmpstr(why, ==, "dmarc=pass");
	g_assert_true(check(STAFF, &why, ID "; dmarc=pass (p=reject dis=none) header.from=example.edu", NULL));
	g_assert_cmpstr(why, ==, "dmarc=pass");
}

static void
test_dkim_aligned(void)
{
	const char *why = NULL;

	g_assert_true(check(STAFF, &why,
	    ID "; spf=softfail smtp.mailfrom=example.edu;\r\n\tdkim=pass (good signature) header.d=example.edu header.s=x",
	    NULL));
	g_assert_cmpstr(why, ==, "dkim=pass aligned");
	/* header.i=@domain when header.d is not given */
	g_assert_true(check(STAFF, &why, ID "; dkim=pass header.i=@example.edu", NULL));
	g_assert_true(check(STAFF, &why, ID "; dkim=pass header.i=registrar@example.edu", NULL));
	/* method version */
	g_assert_true(check(STAFF, &why, ID "; dkim/1=pass header.d=example.edu", NULL));
}

static void
test_forged_below(void)
{
	const char *why = NULL;

	/* The trusted server's header is topmost and says fail; a lower one (added
	 * before the message reached us, i.e. by anyone) says pass. */
	g_assert_false(check(STAFF, &why,
	    ID "; dkim=fail header.d=example.edu; dmarc=fail",
	    ID "; dkim=pass header.d=example.edu; dmarc=pass", NULL));
	g_assert_cmpstr(why, ==, "no dmarc=pass (with header.from) or aligned dkim=pass");
	g_assert_false(check(STAFF, &why, ID "; dmarc=fail", "other.example.net; dmarc=pass",
	    ID "; dmarc=pass", NULL));
}

static void
test_other_servers_ignored(void)
{
	const char *why = NULL;

	/* Only other servers' headers: nothing counts. */
	g_assert_false(check(STAFF, &why, "mx.evil.example; dmarc=pass",
	    "mx.example.edu.evil.example; dmarc=pass", NULL));
	g_assert_cmpstr(why, ==, "no Authentication-Results from the trusted server");
	/* Another server's header above the trusted one does not hide it. */
	g_assert_true(check(STAFF, &why, "relay.example.org; dmarc=fail", ID "; dmarc=pass header.from=example.edu", NULL));
	g_assert_false(check(STAFF, &why, NULL));
}

static void
test_comments_and_quotes(void)
{
	const char *why = NULL;

	/* "dmarc=pass" inside comments, nested comments and quoted strings is no result. */
	g_assert_false(check(STAFF, &why,
	    ID " (dmarc=pass); dkim=fail (dkim=pass header.d=example.edu) header.d=example.edu;"
	    " dmarc=fail (nested (dmarc=pass) ;dmarc=pass) reason=\"dmarc=pass; dkim=pass\"", NULL));
	g_assert_cmpstr(why, ==, "no dmarc=pass (with header.from) or aligned dkim=pass");
}

static void
test_quoted_strings(void)
{
	const char *why = NULL;

	g_assert_false(check(STAFF, &why, ID "; spf=pass smtp.mailfrom=\"x; dmarc=pass\"@example.edu", NULL));
	g_assert_false(check(STAFF, &why, ID "; dmarc=fail reason=\"\\\"; dmarc=pass\"", NULL));
	/* An escaped parenthesis does not end the comment early. */
	g_assert_false(check(STAFF, &why, ID "; dmarc=fail (a \\) dmarc=pass)", NULL));
	/* Comments between the parts of a real result are allowed. */
	g_assert_true(check(STAFF, &why,
	    ID " (Postfix); (x) dkim (m) = (r) pass (good signature) header (p) . d (v) = example.edu", NULL));
	g_assert_cmpstr(why, ==, "dkim=pass aligned");
	g_assert_true(check(STAFF, &why, ID "; dmarc=pass header.from=example.edu reason=\"policy ok; fine\"", NULL));
	/* An unterminated comment or quote swallows the rest. */
	g_assert_false(check(STAFF, &why, ID "; dmarc=fail (; dmarc=pass", NULL));
	g_assert_false(check(STAFF, &why, ID "; dmarc=fail reason=\"x; dmarc=pass", NULL));
}

static void
test_misaligned(void)
{
	const char *why = NULL;

	g_assert_false(check(STAFF, &why, ID "; dkim=pass header.d=gmail.com; dmarc=none", NULL));
	g_assert_cmpstr(why, ==, "no dmarc=pass (with header.from) or aligned dkim=pass");
	g_assert_false(check(STAFF, &why, ID "; dkim=pass header.i=@gmail.com", NULL));
	/* A DMARC pass for another From domain (two From headers?) does not count. */
	g_assert_false(check(STAFF, &why, ID "; dmarc=pass header.from=evil.example", NULL));
}

static void
test_subdomain_alignment(void)
{
	g_assert_true(check("registrar@mail.example.edu", NULL, ID "; dkim=pass header.d=example.edu", NULL));
	g_assert_true(check(STAFF, NULL, ID "; dkim=pass header.d=mail.example.edu", NULL));
	g_assert_true(check("a@x.y.example.edu", NULL, ID "; dkim=pass header.d=example.edu.", NULL));
	g_assert_true(authres_aligned("example.edu", "EXAMPLE.EDU"));
	g_assert_true(authres_aligned("a.b.example.edu", "example.edu"));
	/* A top-level domain aligns with nothing but itself. */
	g_assert_false(authres_aligned("example.edu", "edu"));
	g_assert_false(authres_aligned("", "example.edu"));
	g_assert_false(authres_aligned("example..edu", "example..edu"));
}

static void
test_evil_suffix(void)
{
	g_assert_false(check(STAFF, NULL, ID "; dkim=pass header.d=evilexample.edu", NULL));
	g_assert_false(check("registrar@evilexample.edu", NULL, ID "; dkim=pass header.d=example.edu", NULL));
	g_assert_false(check(STAFF, NULL, ID "; dkim=pass header.d=example.edu.evil.example", NULL));
	g_assert_false(authres_aligned("evilexample.edu", "example.edu"));
	g_assert_false(authres_aligned("example.edu", "xample.edu"));
}

static void
test_uppercase(void)
{
	const char *why = NULL;

	g_assert_true(check(STAFF, &why, "MX.Example.EDU; DMARC=PASS header.from=example.edu", NULL));
	g_assert_cmpstr(why, ==, "dmarc=pass");
	g_assert_true(check("Registrar@Example.EDU", &why, "mx.example.edu; DKIM=Pass HEADER.D=EXAMPLE.EDU", NULL));
	g_assert_cmpstr(why, ==, "dkim=pass aligned");
}

static void
test_version_and_quoted_id(void)
{
	g_assert_true(check(STAFF, NULL, ID " 1; dmarc=pass header.from=example.edu", NULL));
	g_assert_true(check(STAFF, NULL, ID " (comment) 1 (more); dmarc=pass header.from=example.edu", NULL));
	g_assert_true(check(STAFF, NULL, "\"" ID "\"; dmarc=pass header.from=example.edu", NULL));
	/* "mx.example.edu1" is another server. */
	g_assert_false(check(STAFF, NULL, ID "1; dmarc=pass", NULL));
}

static void
test_missing_authserv_id(void)
{
	const char *why = NULL;
	char *one[] = { (char *)ID "; dmarc=pass", NULL };

	g_assert_false(authres_verified(one, NULL, STAFF, &why));
	g_assert_nonnull(why);
	g_assert_false(authres_verified(one, "", STAFF, &why));
	/* A header without an authserv-id is nobody's. */
	g_assert_false(check(STAFF, &why, "; dmarc=pass", ID "; dmarc=fail", NULL));
	g_assert_cmpstr(why, ==, "no dmarc=pass (with header.from) or aligned dkim=pass");
	g_assert_false(check(STAFF, &why, "", "(x)", "dmarc=pass", NULL));
	g_assert_cmpstr(why, ==, "no Authentication-Results from the trusted server");
	g_assert_false(authres_verified(NULL, ID, STAFF, &why));
}

static void
test_no_result(void)
{
	const char *why = NULL;

	g_assert_false(check(STAFF, &why, ID "; none", NULL));
	g_assert_false(check(STAFF, &why, ID, NULL));
}

static void
test_malformed(void)
{
	const char *why = NULL;

	/* A malformed resinfo counts for nothing, the next one still counts. */
	g_assert_false(check(STAFF, &why, ID "; dmarc=pass=yes", NULL));
	g_assert_false(check(STAFF, &why, ID "; dmarc pass", NULL));
	g_assert_false(check(STAFF, &why, ID "; dkim=pass header.d=example.edu header.d=evil.example", NULL));
	g_assert_false(check(STAFF, &why, ID "; dkim=pass header.d=", NULL));
	g_assert_false(check(STAFF, &why, ID "; ) dmarc=pass", NULL));
	g_assert_true(check(STAFF, &why, ID "; garbage here = = ; dmarc=pass header.from=example.edu", NULL));
}

static void
test_dmarc_names_its_domain(void)
{
	const char *why = NULL;

	/* A dmarc=pass that does not say which From domain it judged proves
	 * nothing: the message could have carried several. */
	g_assert_false(check(STAFF, &why, ID "; dmarc=pass", NULL));
	g_assert_cmpstr(why, ==, "no dmarc=pass (with header.from) or aligned dkim=pass");
	g_assert_false(check(STAFF, &why, ID "; dmarc=pass (p=none) header.from=", NULL));
	g_assert_true(check(STAFF, &why, ID "; dmarc=pass (p=none) header.from=EXAMPLE.EDU", NULL));
}

static void
test_slash_in_signature(void)
{
	const char *why = NULL;

	/* OpenDKIM and Gmail write header.b unquoted; base64 has '/'. */
	g_assert_true(check(STAFF, &why, ID "; dkim=pass (2048-bit key) header.d=example.edu "
	    "header.i=@example.edu header.b=Ja0u7H/4; arc=none smtp.client-ip=192.0.2.7", NULL));
	g_assert_cmpstr(why, ==, "dkim=pass aligned");
	g_assert_true(check(STAFF, &why, ID "; dkim=pass header.b=a/b/c+d header.d=example.edu", NULL));
	/* The method's version still parses; a lone slash is still no value. */
	g_assert_true(check(STAFF, NULL, ID "; dkim/1=pass header.d=example.edu", NULL));
	g_assert_false(check(STAFF, NULL, ID "; dkim=pass header.d=example.edu/", NULL));
}

static void
test_equal_length_domains(void)
{
	/* Same length, different: once read a[-1] (ASan: heap-buffer-overflow). */
	g_assert_false(authres_aligned("example.edu", "exbmple.edu"));
	g_assert_false(authres_aligned("a.example.edu", "b.example.edu"));
	g_assert_false(authres_aligned("ab", "cd"));
	g_assert_false(check(STAFF, NULL, ID "; dkim=pass header.d=exbmple.edu", NULL));
}

static gboolean
forged(const char *from, const char **why, const char *header)
{
	char *one[] = { (char *)header, NULL };

	return authres_forged(one, ID, from, why);
}

static void
test_forged(void)
{
	const char *why = NULL;

	g_assert_true(forged("x@gmail.com", &why, ID "; dmarc=fail (p=REJECT sp=REJECT dis=NONE) header.from=gmail.com"));
	g_assert_cmpstr(why, ==, "dmarc=fail under a reject or quarantine policy");
	g_assert_true(forged("x@example.org", &why, ID "; dmarc=fail (p=quarantine dis=quarantine) header.from=example.org"));
	g_assert_true(forged("x@example.org", &why, ID "; dmarc=fail reason=\"No valid SPF\" header.from=example.org (policy=reject)"));
	g_assert_true(forged("x@example.org", &why, ID "; dmarc=fail policy.dmarc=reject header.from=example.org"));
	g_assert_true(forged("x@example.org", &why, ID "; spf=fail smtp.mailfrom=example.org; dkim=none"));
	g_assert_cmpstr(why, ==, "spf=fail and no aligned dkim=pass");
	/* Not forged: a policy of none, an spf=fail saved by an aligned signature,
	 * softfail, or nothing said by the trusted server. */
	g_assert_false(forged("x@example.org", &why, ID "; dmarc=fail (p=none dis=none) header.from=example.org"));
	g_assert_false(forged("x@example.org", &why, ID "; spf=fail smtp.mailfrom=example.org; dkim=pass header.d=example.org"));
	g_assert_false(forged("x@example.org", &why, ID "; spf=softfail smtp.mailfrom=example.org"));
	g_assert_false(forged("x@example.org", &why, "mx.evil.example; dmarc=fail (p=reject) header.from=example.org"));
	g_assert_null(why);
	/* A dmarc=pass (p=reject) is a pass. */
	g_assert_false(forged("x@example.org", &why, ID "; dmarc=pass (p=reject) header.from=example.org"));
}

static void
test_no_from(void)
{
	const char *why = NULL;

	/* A dkim=pass or dmarc=pass with no usable From is no pass. */
	g_assert_false(check(NULL, &why, ID "; dmarc=pass", NULL));
	g_assert_false(check("not-an-address", &why, ID "; dkim=pass header.d=example.edu", NULL));
}

static void
test_long_values(void)
{
	g_autofree char *label = g_strnfill(300, 'a');
	g_autofree char *longd = g_strdup_printf(ID "; dkim=pass header.d=%s.example.edu", label);
	g_autofree char *many = NULL;
	GString *s = g_string_new(ID);

	g_assert_false(check(STAFF, NULL, longd, NULL));
	/* Many results and deep comments: linear, no recursion. */
	for (int i = 0; i < 500; i++)
		g_string_append(s, "; dkim=fail header.d=example.edu (((((");
	g_string_append(s, "; dmarc=pass");
	many = g_string_free(s, FALSE);
	g_assert_false(check(STAFF, NULL, many, NULL));
	g_assert_true(check(STAFF, NULL, ID "; dkim=fail; dkim=pass header.d=example.edu; dkim=pass header.d=x.org", NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/authres/dmarc-pass", test_dmarc_pass);
	g_test_add_func("/authres/dmarc-names-its-domain", test_dmarc_names_its_domain);
	g_test_add_func("/authres/equal-length-domains", test_equal_length_domains);
	g_test_add_func("/authres/slash-in-signature", test_slash_in_signature);
	g_test_add_func("/authres/forged", test_forged);
	g_test_add_func("/authres/dkim-aligned", test_dkim_aligned);
	g_test_add_func("/authres/forged-below", test_forged_below);
	g_test_add_func("/authres/other-servers-ignored", test_other_servers_ignored);
	g_test_add_func("/authres/comments-and-quotes", test_comments_and_quotes);
	g_test_add_func("/authres/misaligned", test_misaligned);
	g_test_add_func("/authres/subdomain-alignment", test_subdomain_alignment);
	g_test_add_func("/authres/evil-suffix", test_evil_suffix);
	g_test_add_func("/authres/uppercase", test_uppercase);
	g_test_add_func("/authres/version-and-quoted-id", test_version_and_quoted_id);
	g_test_add_func("/authres/missing-authserv-id", test_missing_authserv_id);
	g_test_add_func("/authres/quoted-strings", test_quoted_strings);
	g_test_add_func("/authres/no-result", test_no_result);
	g_test_add_func("/authres/malformed", test_malformed);
	g_test_add_func("/authres/no-from", test_no_from);
	g_test_add_func("/authres/long-values", test_long_values);
	return g_test_run();
}
