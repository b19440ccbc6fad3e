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
	int rc = g_test_run();
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	g_free(dir);
	return rc;
}
