/* test_config: clerkd.conf parsing and its error messages. */
#include "config.h"
#include "util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

static char *dir;

static const char good[] =
    "# a comment\n"
    "[imap]\n"
    "url = imaps://imap.example.edu\n"
    "user = clerkship\n"
    "password_file = imap.pass\n"
    "idle = no\n"
    "poll_seconds = 30\n"
    "max_message_size = 20M\n"
    "\n"
    "[smtp]\n"
    "url = smtp://127.0.0.1:2525\n"
    "from = \"Exchange Clerkship Program\" <Clerkship@Example.edu>\n"
    "\n"
    "[store]\n"
    "database = state/clerkd.db\n"
    "documents = /var/lib/clerkd/documents\n"
    "[staff]\n"
    "addresses = registrar@example.edu, Coordinator@Example.edu\n";

static char *
write_conf(const char *text, const char *secret_mode)
{
	g_autofree char *pass = g_build_filename(dir, "imap.pass", NULL);
	char *path = g_build_filename(dir, "clerkd.conf", NULL);

	g_assert_true(g_file_set_contents(pass, "s3cret\n", -1, NULL));
	g_chmod(pass, secret_mode ? (int)strtol(secret_mode, NULL, 8) : 0600);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static void
test_good(void)
{
	g_autofree char *path = write_conf(good, NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(Config) cfg = config_load(path, &err);
	g_autofree char *db = g_build_filename(dir, "state/clerkd.db", NULL);

	g_assert_no_error(err);
	g_assert_cmpstr(cfg->imap_password, ==, "s3cret");
	g_assert_cmpstr(cfg->mailbox, ==, "INBOX");
	g_assert_cmpstr(cfg->processed_mailbox, ==, "Processed");
	g_assert_cmpstr(cfg->quarantine_mailbox, ==, "Quarantine");
	g_assert_false(cfg->idle);
	g_assert_cmpint(cfg->poll_seconds, ==, 30);
	g_assert_cmpuint(cfg->max_message_size, ==, 20 * 1024 * 1024);
	g_assert_cmpstr(cfg->from_addr, ==, "clerkship@example.edu");
	g_assert_cmpstr(cfg->database, ==, db);	/* relative to the file */
	g_assert_cmpstr(cfg->documents, ==, "/var/lib/clerkd/documents");
	g_assert_cmpstr(cfg->staff[0], ==, "registrar@example.edu");
	g_assert_cmpstr(cfg->staff[1], ==, "coordinator@example.edu");
	g_assert_null(cfg->staff[2]);
	g_assert_null(cfg->smtp_user);
	g_assert_cmpstr(cfg->account, ==, "clerkship@imap.example.edu");
}

static void
test_defaults(void)
{
	GString *s = g_string_new(good);
	g_string_replace(s, "documents = /var/lib/clerkd/documents\n", "", 1);
	g_autofree char *path = write_conf(s->str, NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(Config) cfg = config_load(path, &err);
	g_autofree char *docs = g_build_filename(dir, "state", "documents", NULL);

	g_string_free(s, TRUE);
	g_assert_no_error(err);
	g_assert_cmpstr(cfg->documents, ==, docs);	/* beside the database */
	g_assert_true(g_file_test(cfg->rules_dir, G_FILE_TEST_IS_DIR));
	g_assert_cmpint(cfg->max_attempts, ==, 3);
}

/* Each broken variant must be refused, naming the file and the line. */
static void
expect_error(const char *from, const char *to, int line, const char *words)
{
	GString *s = g_string_new(good);
	if (from != NULL)
		g_string_replace(s, from, to, 1);
	g_autofree char *path = write_conf(s->str, NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(Config) cfg = config_load(path, &err);
	g_autofree char *prefix = g_strdup_printf("%s:%d: ", path, line);

	g_string_free(s, TRUE);
	g_assert_null(cfg);
	g_assert_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG);
	if (!g_str_has_prefix(err->message, prefix) || strstr(err->message, words) == NULL)
		g_error("got '%s', expected '%s...%s'", err->message, prefix, words);
}

static void
test_errors(void)
{
	expect_error("idle = no", "idle = maybe", 6, "invalid boolean");
	expect_error("poll_seconds = 30", "poll_seconds = soon", 7, "invalid value");
	expect_error("poll_seconds = 30", "poll_secs = 30", 7, "unknown key 'poll_secs'");
	expect_error("[staff]", "[staf]", 17, "unknown group");
	expect_error("user = clerkship\n", "user clerkship\n", 4, "expected 'key = value'");
	expect_error("url = imaps://imap.example.edu", "url = pop3://imap.example.edu", 3, "must start with");
	expect_error("user = clerkship\n", "", 2, "missing required key 'user'");
	expect_error("from = \"Exchange", "from = \"Exchange Clerkship Program\" <nobody> x\n#", 12, "not an address");
	expect_error("poll_seconds = 30", "poll_seconds = 30\npoll_seconds = 40", 8, "duplicate key");
	expect_error("[staff]", "[program]\ntimezone = Mars/Olympus_Mons\n[staff]", 18, "unknown time zone");
}

static void
test_comments(void)
{
	GString *s = g_string_new(good);
	g_string_replace(s, "idle = no\n", "idle = no    # a comment after a value\n; and a line\n", 1);
	g_string_replace(s, "[store]\n", "[store]   # the store\n", 1);
	g_autofree char *path = write_conf(s->str, NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(Config) cfg = config_load(path, &err);

	g_string_free(s, TRUE);
	g_assert_no_error(err);
	g_assert_false(cfg->idle);
	g_assert_nonnull(cfg->database);
}

static void
test_today(void)
{
	g_autofree char *a = NULL, *b = NULL, *c = NULL;
	g_autoptr(GDateTime) utc = g_date_time_new_now_utc();
	g_autofree char *want = g_date_time_format(utc, "%Y-%m-%d");

	g_unsetenv("CLERKD_NOW");
	a = util_today("UTC");
	g_assert_cmpstr(a, ==, want);
	g_setenv("CLERKD_NOW", "2027-02-28", TRUE);
	b = util_today("America/New_York");
	g_assert_cmpstr(b, ==, "2027-02-28");
	g_setenv("CLERKD_NOW", "2027-02-30", TRUE);	/* not a date: today */
	c = util_today("UTC");
	g_assert_cmpstr(c, ==, want);
	g_unsetenv("CLERKD_NOW");
}

static void
test_loopback(void)
{
	g_assert_true(util_host_is_loopback("127.0.0.1"));
	g_assert_true(util_host_is_loopback("127.1.2.3"));
	g_assert_true(util_host_is_loopback("localhost"));
	g_assert_true(util_host_is_loopback("::1"));
	g_assert_false(util_host_is_loopback("127.evil.example"));
	g_assert_false(util_host_is_loopback("localhost.evil.example"));
	g_assert_false(util_host_is_loopback("10.0.0.1"));
	g_autofree char *h1 = util_url_host("smtp://localhost.evil.example:25");
	g_autofree char *h2 = util_url_host("imaps://[::1]:993/INBOX");
	g_assert_cmpstr(h1, ==, "localhost.evil.example");
	g_assert_cmpstr(h2, ==, "::1");
}

static void
test_secret_mode(void)
{
	g_autofree char *path = write_conf(good, "644");
	g_autoptr(GError) err = NULL;
	g_autoptr(Config) cfg = config_load(path, &err);

	g_assert_null(cfg);
	g_assert_nonnull(strstr(err->message, "chmod 600"));
	g_assert_null(strstr(err->message, "s3cret"));
}

/* [oauth2]: the providers' presets, and the mistakes refused with their line. */
static Config *
load_oauth2(const char *oauth2, GError **err)
{
	GString *s = g_string_new(good);
	g_string_replace(s, "password_file = imap.pass\n", "auth = xoauth2\n", 1);
	g_string_append(s, oauth2);
	g_autofree char *path = write_conf(s->str, NULL);

	g_string_free(s, TRUE);
	return config_load(path, err);
}

static void
test_oauth2(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(Config) ms = NULL, gm = NULL;

	g_setenv("CLERKD_OAUTH2_SECRET", "cs-env", TRUE);
	ms = load_oauth2("[oauth2]\nprovider = microsoft\ntenant = example.edu\nclient_id = app-1\n", &err);
	g_assert_no_error(err);
	g_assert_cmpint(ms->imap_auth, ==, CONFIG_AUTH_XOAUTH2);
	g_assert_cmpint(ms->smtp_auth, ==, CONFIG_AUTH_PASSWORD);
	g_assert_null(ms->imap_password);
	g_assert_cmpstr(ms->oauth2_token_url, ==,
	    "https://login.microsoftonline.com/example.edu/oauth2/v2.0/token");
	g_assert_cmpint(ms->oauth2_grant, ==, CONFIG_GRANT_CLIENT_CREDENTIALS);
	g_assert_cmpstr(ms->oauth2_scope, ==, "https://outlook.office365.com/.default");
	g_assert_cmpstr(ms->oauth2_client_secret, ==, "cs-env");
	g_assert_cmpint(ms->oauth2_renew_before, ==, 300);

	g_setenv("CLERKD_OAUTH2_REFRESH_TOKEN", "rt-env", TRUE);
	gm = load_oauth2("[oauth2]\nprovider = google\nclient_id = app-2\nrenew_before = 60\n", &err);
	g_assert_no_error(err);
	g_assert_cmpstr(gm->oauth2_token_url, ==, "https://oauth2.googleapis.com/token");
	g_assert_cmpint(gm->oauth2_grant, ==, CONFIG_GRANT_REFRESH_TOKEN);
	g_assert_cmpstr(gm->oauth2_scope, ==, "https://mail.google.com/");
	g_assert_cmpstr(gm->oauth2_refresh_token, ==, "rt-env");
	g_assert_cmpint(gm->oauth2_renew_before, ==, 60);
	g_unsetenv("CLERKD_OAUTH2_REFRESH_TOKEN");

	static const struct {
		const char *text;
		int line;
		const char *words;
	} bad[] = {
		{ "[oauth2]\nprovider = google\ngrant = client_credentials\nclient_id = a\n", 21,
		  "refresh_token only" },
		{ "[oauth2]\nprovider = microsoft\ntenant = a/b\nclient_id = a\n", 21, "not a tenant" },
		{ "[oauth2]\nprovider = custom\ntoken_url = https://u:p@idp.example/t\nclient_id = a\n", 21,
		  "credentials do not go in the URL" },
		{ "[oauth2]\ntoken_url = http://idp.example/t\nclient_id = a\n", 20, "only to a loopback" },
		{ "[oauth2]\ntoken_url = ftp://idp.example/t\nclient_id = a\n", 20, "must start with https://" },
		{ "[oauth2]\nprovider = aws\n", 20, "invalid value 'aws' for 'provider'" },
		{ "[oauth2]\ntoken_url = https://idp.example/t\n", 19, "missing required key 'client_id'" },
		{ "[oauth2]\ntoken_url = https://idp.example/t\nclient_id = a\ngrant = password\n", 22,
		  "invalid value 'password' for 'grant'" },
		{ "[oauth2]\ntoken_url = https://idp.example/t\nclient_id = a\nrefresh_token_file = x\n", 22,
		  "for grant = refresh_token only" },
		{ "[oauth2]\ntoken_url = https://idp.example/t\nclient_id = a\ngrant = refresh_token\n", 19,
		  "needs refresh_token_file (or CLERKD_OAUTH2_REFRESH_TOKEN" },
		{ "[oauth2]\ntoken_url = https://idp.example/t\nclient_id = a\nrenew_before = -1\n", 22,
		  "invalid value '-1' for 'renew_before'" },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) e = NULL;
		g_autoptr(Config) cfg = load_oauth2(bad[i].text, &e);
		g_autofree char *suffix = g_strdup_printf("clerkd.conf:%d: ", bad[i].line);
		if (cfg != NULL)
			g_error("accepted: %s", g_strescape(bad[i].text, NULL));
		g_assert_error(e, CLERK_ERROR, CLERK_ERROR_CONFIG);
		if (strstr(e->message, suffix) == NULL || strstr(e->message, bad[i].words) == NULL)
			g_error("got '%s', expected '%s...%s'", e->message, suffix, bad[i].words);
	}
	g_unsetenv("CLERKD_OAUTH2_SECRET");
	{
		g_autoptr(GError) e = NULL;
		g_autoptr(Config) cfg = load_oauth2("[oauth2]\ntoken_url = https://idp.example/t\nclient_id = a\n", &e);
		g_assert_null(cfg);
		g_assert_nonnull(strstr(e->message, "needs client_secret_file (or CLERKD_OAUTH2_SECRET"));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	dir = g_dir_make_tmp("clerkd-config-XXXXXX", NULL);
	g_test_add_func("/config/good", test_good);
	g_test_add_func("/config/defaults", test_defaults);
	g_test_add_func("/config/errors", test_errors);
	g_test_add_func("/config/secret-mode", test_secret_mode);
	g_test_add_func("/config/comments", test_comments);
	g_test_add_func("/config/loopback", test_loopback);
	g_test_add_func("/config/today", test_today);
	g_test_add_func("/config/oauth2", test_oauth2);
	int rc = g_test_run();
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	g_free(dir);
	return rc;
}
