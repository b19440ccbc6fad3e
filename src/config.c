/* config.c: clerkd.conf. GKeyFile parses; a first pass of our own remembers
 * where each key is so that every complaint names its line. */
#include "config.h"
#include "message.h"
#include "rules.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct keyinfo {
	const char *group;
	const char *key;
};

static const struct keyinfo known_keys[] = {
	{ "imap", "url" }, { "imap", "user" }, { "imap", "password_file" },
	{ "imap", "mailbox" }, { "imap", "processed_mailbox" },
	{ "imap", "quarantine_mailbox" }, { "imap", "idle" },
	{ "imap", "poll_seconds" }, { "imap", "batch_size" },
	{ "imap", "max_message_size" }, { "imap", "max_attempts" }, { "imap", "ca_file" },
	{ "smtp", "url" }, { "smtp", "user" }, { "smtp", "password_file" },
	{ "smtp", "from" }, { "smtp", "bounce_address" }, { "smtp", "ca_file" },
	{ "smtp", "max_per_recipient_hour" }, { "smtp", "max_per_hour" },
	{ "smtp", "max_per_minute" }, { "smtp", "pacing" },
	{ "store", "database" }, { "store", "documents" }, { "store", "max_size" }, { "store", "retention_days" },
	{ "rules", "directory" }, { "program", "timezone" },
	{ "digest", "hour" },
	{ "limits", "attachments" }, { "limits", "attachment_size" }, { "limits", "header_size" },
	{ "limits", "line_length" },
	{ "staff", "addresses" }, { "staff", "trusted_authserv_id" },
	{ "imap", "auth" }, { "smtp", "auth" },
	{ "oauth2", "provider" }, { "oauth2", "tenant" }, { "oauth2", "token_url" }, { "oauth2", "grant" },
	{ "oauth2", "client_id" }, { "oauth2", "client_secret_file" }, { "oauth2", "refresh_token_file" },
	{ "oauth2", "scope" }, { "oauth2", "renew_before" },
};

struct parse {
	const char *path;
	GKeyFile *kf;
	GHashTable *lines;		/* "group\nkey" -> line number */
	GError **err;
	gboolean failed;
};

static int
line_of(struct parse *p, const char *group, const char *key)
{
	g_autofree char *k = g_strdup_printf("%s\n%s", group, key ? key : "");
	return GPOINTER_TO_INT(g_hash_table_lookup(p->lines, k));
}

static void G_GNUC_PRINTF(3, 4)
fail(struct parse *p, int line, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	if (p->failed)
		return;
	p->failed = TRUE;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(p->err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s:%d: %s", p->path, line, msg);
}

/* Comments as people write them: whole lines starting with # or ;, and the
 * rest of a line after whitespace and #. GKeyFile knows only the first kind,
 * so the others are blanked here; line numbers stay as they were. */
static void
strip_comments(char *text)
{
	for (char *line = text; *line != '\0';) {
		char *eol = strchr(line, '\n');
		char *end = eol ? eol : line + strlen(line);
		char *p = line;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p == ';')
			*p = '#';
		else
			for (char *q = p + 1; q < end; q++)
				if (*q == '#' && (q[-1] == ' ' || q[-1] == '\t')) {
					memset(q, ' ', end - q);
					break;
				}
		line = eol ? eol + 1 : end;
	}
}

/* The first pass: record where groups and keys are, and find a line GKeyFile
 * would reject, so that its errors (which carry no line) can be placed. */
static void
scan_lines(struct parse *p, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autofree char *group = g_strdup("");

	for (int i = 0; lines[i] != NULL; i++) {
		char *s = g_strstrip(lines[i]);
		int lineno = i + 1;

		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (end == NULL || end[1] != '\0' || end == s + 1) {
				fail(p, lineno, "malformed group header '%s'", s);
				return;
			}
			g_free(group);
			group = g_strndup(s + 1, end - s - 1);
			g_hash_table_insert(p->lines, g_strdup_printf("%s\n", group), GINT_TO_POINTER(lineno));
			continue;
		}
		char *eq = strchr(s, '=');
		if (eq == NULL) {
			fail(p, lineno, "expected 'key = value', found '%s'", s);
			return;
		}
		if (*group == '\0') {
			fail(p, lineno, "key outside of any [group]");
			return;
		}
		*eq = '\0';
		g_autofree char *k = g_strdup_printf("%s\n%s", group, g_strstrip(s));
		if (g_hash_table_contains(p->lines, k)) {
			fail(p, lineno, "duplicate key '%s' in [%s]", g_strstrip(s), group);
			return;
		}
		g_hash_table_insert(p->lines, g_steal_pointer(&k), GINT_TO_POINTER(lineno));
	}
}

static void
check_known(struct parse *p)
{
	g_auto(GStrv) groups = g_key_file_get_groups(p->kf, NULL);

	for (int g = 0; groups[g] != NULL && !p->failed; g++) {
		g_auto(GStrv) keys = g_key_file_get_keys(p->kf, groups[g], NULL, NULL);
		gboolean group_known = FALSE;

		for (gsize i = 0; i < G_N_ELEMENTS(known_keys); i++)
			group_known |= strcmp(known_keys[i].group, groups[g]) == 0;
		if (!group_known) {
			fail(p, line_of(p, groups[g], NULL), "unknown group [%s]", groups[g]);
			return;
		}
		for (int k = 0; keys != NULL && keys[k] != NULL; k++) {
			gboolean ok = FALSE;
			for (gsize i = 0; i < G_N_ELEMENTS(known_keys); i++)
				ok |= strcmp(known_keys[i].group, groups[g]) == 0 &&
				    strcmp(known_keys[i].key, keys[k]) == 0;
			if (!ok) {
				fail(p, line_of(p, groups[g], keys[k]), "unknown key '%s' in [%s]",
				    keys[k], groups[g]);
				return;
			}
		}
	}
}

static char *
get_str(struct parse *p, const char *group, const char *key, const char *def)
{
	g_autofree char *v = g_key_file_get_string(p->kf, group, key, NULL);

	if (v != NULL)
		g_strstrip(v);
	if (v == NULL || *v == '\0') {
		if (def == NULL)
			fail(p, line_of(p, group, key) ? line_of(p, group, key) : line_of(p, group, NULL),
			    "missing required key '%s' in [%s]", key, group);
		return g_strdup(def);
	}
	return g_steal_pointer(&v);
}

static gint64
get_int(struct parse *p, const char *group, const char *key, gint64 def, gint64 min, gint64 max)
{
	g_autofree char *v = g_key_file_get_string(p->kf, group, key, NULL);
	char *end;
	gint64 n, mult = 1;

	if (v == NULL)
		return def;
	g_strstrip(v);
	n = g_ascii_strtoll(v, &end, 10);
	if (*end == 'K' || *end == 'k')
		mult = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		mult = 1024 * 1024, end++;
	if (end == v || *end != '\0' || n < min / mult || n > max / mult) {
		fail(p, line_of(p, group, key), "invalid value '%s' for '%s' (expected %" G_GINT64_FORMAT
		    "..%" G_GINT64_FORMAT ")", v, key, min, max);
		return def;
	}
	return n * mult;
}

static gboolean
get_bool(struct parse *p, const char *group, const char *key, gboolean def)
{
	g_autofree char *v = g_key_file_get_string(p->kf, group, key, NULL);

	if (v == NULL)
		return def;
	g_strstrip(v);
	if (!g_ascii_strcasecmp(v, "yes") || !g_ascii_strcasecmp(v, "true") || !strcmp(v, "1"))
		return TRUE;
	if (!g_ascii_strcasecmp(v, "no") || !g_ascii_strcasecmp(v, "false") || !strcmp(v, "0"))
		return FALSE;
	fail(p, line_of(p, group, key), "invalid boolean value '%s' for '%s'", v, key);
	return def;
}

/* Paths in the file are relative to the file's own directory. */
static char *
get_path(struct parse *p, const char *group, const char *key, const char *def)
{
	g_autofree char *v = get_str(p, group, key, def);
	g_autofree char *dir = NULL;

	if (v == NULL || *v == '\0' || g_path_is_absolute(v))
		return g_steal_pointer(&v);
	dir = g_path_get_dirname(p->path);
	return g_build_filename(dir, v, NULL);
}

/* A path that must name a readable file when given; NULL when not given. */
static char *
get_optional_file(struct parse *p, const char *group, const char *key)
{
	g_autofree char *path = get_path(p, group, key, "");

	if (path == NULL || *path == '\0')
		return NULL;
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		fail(p, line_of(p, group, key), "%s: no such file", path);
		return NULL;
	}
	return g_steal_pointer(&path);
}

static char *
get_secret(struct parse *p, const char *group, const char *key, const char *env, gboolean required)
{
	g_autofree char *file = get_path(p, group, key, "");
	const char *e = g_getenv(env);
	GError *lerr = NULL;
	char *s;

	if (p->failed)
		return NULL;
	if (file != NULL && *file != '\0') {
		if ((s = util_read_secret(file, &lerr)) == NULL) {
			fail(p, line_of(p, group, key), "%s", lerr->message);
			g_error_free(lerr);
		}
		return s;
	}
	if (e != NULL && *e != '\0')
		return g_strdup(e);
	if (required)
		fail(p, line_of(p, group, NULL), "[%s] needs %s (or %s in the environment)",
		    group, key, env);
	return NULL;
}

static enum config_auth
get_auth(struct parse *p, const char *group)
{
	g_autofree char *v = get_str(p, group, "auth", "password");

	if (v == NULL || strcmp(v, "password") == 0)
		return CONFIG_AUTH_PASSWORD;
	if (strcmp(v, "xoauth2") == 0)
		return CONFIG_AUTH_XOAUTH2;
	fail(p, line_of(p, group, "auth"), "invalid value '%s' for 'auth' (expected password or xoauth2)", v);
	return CONFIG_AUTH_PASSWORD;
}

/* The providers clerkd knows: where their tokens come from, and the scopes
 * that reach IMAP and SMTP with each grant. */
static const struct {
	const char *name;
	const char *token_url;		/* {tenant}: where there is one */
	enum config_grant grant;	/* the default */
	const char *scope_client;	/* client_credentials; NULL: not offered */
	const char *scope_refresh;	/* refresh_token */
} providers[] = {
	{ "microsoft", "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
	  CONFIG_GRANT_CLIENT_CREDENTIALS, "https://outlook.office365.com/.default",
	  "offline_access https://outlook.office365.com/IMAP.AccessAsUser.All "
	  "https://outlook.office365.com/SMTP.Send" },
	{ "google", "https://oauth2.googleapis.com/token",
	  CONFIG_GRANT_REFRESH_TOKEN, NULL, "https://mail.google.com/" },
	{ "custom", NULL, CONFIG_GRANT_CLIENT_CREDENTIALS, NULL, NULL },
};

static void
get_oauth2(struct parse *p, struct config *cfg)
{
	const int here = line_of(p, "oauth2", NULL) ? line_of(p, "oauth2", NULL) :
	    line_of(p, cfg->imap_auth == CONFIG_AUTH_XOAUTH2 ? "imap" : "smtp", "auth");
	g_autofree char *provider = NULL, *tenant = NULL, *url = NULL, *grant = NULL, *scope = NULL;
	gsize pi;

	if (!g_key_file_has_group(p->kf, "oauth2")) {
		fail(p, here, "auth = xoauth2 needs an [oauth2] group");
		return;
	}
	provider = get_str(p, "oauth2", "provider", "custom");
	for (pi = 0; provider != NULL && pi < G_N_ELEMENTS(providers); pi++)
		if (strcmp(providers[pi].name, provider) == 0)
			break;
	if (provider == NULL || pi == G_N_ELEMENTS(providers)) {
		fail(p, line_of(p, "oauth2", "provider"),
		    "invalid value '%s' for 'provider' (expected microsoft, google or custom)",
		    provider ? provider : "");
		return;
	}

	url = get_str(p, "oauth2", "token_url", "");
	tenant = get_str(p, "oauth2", "tenant", "");
	if (tenant != NULL && *tenant != '\0' && strcmp(provider, "microsoft") != 0)
		fail(p, line_of(p, "oauth2", "tenant"), "'tenant' is for provider = microsoft only");
	if (url != NULL && *url == '\0') {
		if (providers[pi].token_url == NULL)
			fail(p, here, "provider = %s needs token_url", provider);
		else if (strstr(providers[pi].token_url, "{tenant}") != NULL) {
			if (tenant == NULL || *tenant == '\0')
				fail(p, here, "provider = %s needs tenant (or token_url)", provider);
			else if (strspn(tenant, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789.-_") != strlen(tenant))
				fail(p, line_of(p, "oauth2", "tenant"), "'%s' is not a tenant id or domain",
				    tenant);
			else {
				g_free(url);
				g_auto(GStrv) parts = g_strsplit(providers[pi].token_url, "{tenant}", 2);
				url = g_strjoin(tenant, parts[0], parts[1], NULL);
			}
		} else {
			g_free(url);
			url = g_strdup(providers[pi].token_url);
		}
	} else if (url != NULL) {
		g_autofree char *host = util_url_host(url);
		const char *auth = strstr(url, "://");
		gsize alen = auth ? strcspn(auth + 3, "/?#") : 0;

		if (auth != NULL && memchr(auth + 3, '@', alen) != NULL)
			fail(p, line_of(p, "oauth2", "token_url"),
			    "token_url: credentials do not go in the URL; use client_id and client_secret_file");
		else if (g_str_has_prefix(url, "http://")) {
			if (host == NULL || !util_host_is_loopback(host))
				fail(p, line_of(p, "oauth2", "token_url"),
				    "token_url '%s': http:// only to a loopback address; use https://", url);
		} else if (!g_str_has_prefix(url, "https://") || host == NULL || *host == '\0')
			fail(p, line_of(p, "oauth2", "token_url"),
			    "token_url '%s' must start with https://", url);
	}
	if (p->failed)
		return;
	cfg->oauth2_token_url = g_steal_pointer(&url);

	grant = get_str(p, "oauth2", "grant", providers[pi].grant == CONFIG_GRANT_REFRESH_TOKEN ?
	    "refresh_token" : "client_credentials");
	if (grant != NULL && strcmp(grant, "client_credentials") == 0)
		cfg->oauth2_grant = CONFIG_GRANT_CLIENT_CREDENTIALS;
	else if (grant != NULL && strcmp(grant, "refresh_token") == 0)
		cfg->oauth2_grant = CONFIG_GRANT_REFRESH_TOKEN;
	else {
		fail(p, line_of(p, "oauth2", "grant"),
		    "invalid value '%s' for 'grant' (expected client_credentials or refresh_token)",
		    grant ? grant : "");
		return;
	}
	if (cfg->oauth2_grant == CONFIG_GRANT_CLIENT_CREDENTIALS && strcmp(provider, "google") == 0) {
		fail(p, line_of(p, "oauth2", "grant") ? line_of(p, "oauth2", "grant") : here,
		    "provider = google: Gmail takes grant = refresh_token only");
		return;
	}
	cfg->oauth2_client_id = get_str(p, "oauth2", "client_id", NULL);
	scope = get_str(p, "oauth2", "scope", "");
	if (scope != NULL && *scope == '\0') {
		const char *def = cfg->oauth2_grant == CONFIG_GRANT_CLIENT_CREDENTIALS ?
		    providers[pi].scope_client : providers[pi].scope_refresh;
		g_free(scope);
		scope = g_strdup(def);
	}
	cfg->oauth2_scope = g_steal_pointer(&scope);
	cfg->oauth2_renew_before = get_int(p, "oauth2", "renew_before", 300, 0, 86400);
	/* A client secret: required for client credentials; a public client
	 * (refresh token, no secret) may go without. */
	cfg->oauth2_client_secret = get_secret(p, "oauth2", "client_secret_file", "CLERKD_OAUTH2_SECRET",
	    cfg->oauth2_grant == CONFIG_GRANT_CLIENT_CREDENTIALS);
	if (cfg->oauth2_grant == CONFIG_GRANT_REFRESH_TOKEN)
		cfg->oauth2_refresh_token = get_secret(p, "oauth2", "refresh_token_file",
		    "CLERKD_OAUTH2_REFRESH_TOKEN", TRUE);
	else if (line_of(p, "oauth2", "refresh_token_file"))
		fail(p, line_of(p, "oauth2", "refresh_token_file"),
		    "refresh_token_file is for grant = refresh_token only");
}
static char *
address_of(const char *from)
{
	const char *lt = strrchr(from, '<');
	g_autofree char *addr = NULL;

	if (lt != NULL) {
		const char *gt = strchr(lt, '>');
		if (gt == NULL)
			return NULL;
		addr = g_strndup(lt + 1, gt - lt - 1);
	} else
		addr = g_strdup(from);
	return util_addr_normalize(addr);
}

static void
check_url(struct parse *p, const char *group, const char *url, const char *plain, const char *tls)
{
	if (url != NULL && !g_str_has_prefix(url, plain) && !g_str_has_prefix(url, tls))
		fail(p, line_of(p, group, "url"), "url '%s' must start with %s or %s", url, plain, tls);
}

struct config *
config_load(const char *path, GError **err)
{
	g_autoptr(Config) cfg = g_new0(struct config, 1);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GHashTable) lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autofree char *text = NULL;
	g_autoptr(GError) lerr = NULL;
	struct parse p = { path, kf, lines, err, FALSE };
	gsize len;

	cfg->path = g_strdup(path);
	cfg->templates = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (!g_file_get_contents(path, &text, &len, &lerr)) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s:0: %s", path, lerr->message);
		return NULL;
	}
	strip_comments(text);
	len = strlen(text);
	scan_lines(&p, text);
	if (p.failed)
		return NULL;
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &lerr)) {
		fail(&p, 0, "%s", lerr->message);
		return NULL;
	}
	g_key_file_set_list_separator(kf, ',');
	check_known(&p);

	cfg->imap_url = get_str(&p, "imap", "url", NULL);
	cfg->imap_user = get_str(&p, "imap", "user", NULL);
	cfg->mailbox = get_str(&p, "imap", "mailbox", "INBOX");
	cfg->processed_mailbox = get_str(&p, "imap", "processed_mailbox", "Processed");
	cfg->quarantine_mailbox = get_str(&p, "imap", "quarantine_mailbox", "Quarantine");
	cfg->idle = get_bool(&p, "imap", "idle", TRUE);
	cfg->poll_seconds = get_int(&p, "imap", "poll_seconds", 60, 1, 86400);
	cfg->batch_size = get_int(&p, "imap", "batch_size", 100, 1, 10000);
	cfg->max_message_size = get_int(&p, "imap", "max_message_size", 50 * 1024 * 1024,
	    64 * 1024, G_GINT64_CONSTANT(1) << 31);
	cfg->max_attempts = get_int(&p, "imap", "max_attempts", 3, 1, 100);
	cfg->max_attachments = get_int(&p, "limits", "attachments", 40, 1, MESSAGE_MAX_ATTACHMENTS);
	cfg->max_attachment_size = get_int(&p, "limits", "attachment_size", 40 * 1024 * 1024,
	    1024, G_GINT64_CONSTANT(1) << 31);
	cfg->max_header_size = get_int(&p, "limits", "header_size", 256 * 1024, 4096, 64 * 1024 * 1024);
	cfg->max_line_length = get_int(&p, "limits", "line_length", 4 * 1024 * 1024, 998,
	    G_GINT64_CONSTANT(1) << 31);
	check_url(&p, "imap", cfg->imap_url, "imap://", "imaps://");
	cfg->imap_auth = get_auth(&p, "imap");
	if (cfg->imap_auth == CONFIG_AUTH_PASSWORD)
		cfg->imap_password = get_secret(&p, "imap", "password_file", "CLERKD_IMAP_PASSWORD", TRUE);
	cfg->imap_ca_file = get_optional_file(&p, "imap", "ca_file");

	cfg->smtp_url = get_str(&p, "smtp", "url", NULL);
	check_url(&p, "smtp", cfg->smtp_url, "smtp://", "smtps://");
	cfg->smtp_user = get_str(&p, "smtp", "user", "");
	if (cfg->smtp_user != NULL && *cfg->smtp_user == '\0')
		g_clear_pointer(&cfg->smtp_user, g_free);
	cfg->smtp_auth = get_auth(&p, "smtp");
	if (cfg->smtp_auth == CONFIG_AUTH_XOAUTH2 && cfg->smtp_user == NULL)
		fail(&p, line_of(&p, "smtp", "auth"), "auth = xoauth2 needs user in [smtp]");
	if (cfg->smtp_auth == CONFIG_AUTH_PASSWORD)
		cfg->smtp_password = get_secret(&p, "smtp", "password_file", "CLERKD_SMTP_PASSWORD",
		    cfg->smtp_user != NULL);
	cfg->smtp_ca_file = get_optional_file(&p, "smtp", "ca_file");
	cfg->max_per_recipient_hour = get_int(&p, "smtp", "max_per_recipient_hour", 10, 1, 1000000);
	cfg->max_per_hour = get_int(&p, "smtp", "max_per_hour", 6000, 1, 100000000);
	{
		/* Pacing: providers' sending limits (Exchange Online: 30 messages a minute). */
		g_autofree char *pacing = get_str(&p, "smtp", "pacing", "none");
		int preset = 0;
		if (pacing != NULL && (!strcmp(pacing, "exchange-online") || !strcmp(pacing, "microsoft")))
			preset = 30;
		else if (pacing != NULL && !strcmp(pacing, "google"))
			preset = 60;
		else if (pacing != NULL && strcmp(pacing, "none") != 0)
			fail(&p, line_of(&p, "smtp", "pacing"), "pacing must be none, exchange-online or "
			    "google, not '%s'", pacing);
		cfg->max_per_minute = get_int(&p, "smtp", "max_per_minute", preset, 0, 100000);
	}
	cfg->from = get_str(&p, "smtp", "from", NULL);
	if (cfg->from != NULL && (cfg->from_addr = address_of(cfg->from)) == NULL)
		fail(&p, line_of(&p, "smtp", "from"), "'%s' is not an address", cfg->from);
	cfg->bounce_address = get_str(&p, "smtp", "bounce_address", "");
	if (cfg->bounce_address != NULL && *cfg->bounce_address == '\0')
		g_clear_pointer(&cfg->bounce_address, g_free);

	cfg->database = get_path(&p, "store", "database", NULL);
	cfg->max_database_size = get_int(&p, "store", "max_size", 0, 0, G_MAXINT64);
	cfg->retention_days = get_int(&p, "store", "retention_days", 0, 0, 36500);
	cfg->documents = get_path(&p, "store", "documents", "");
	if (cfg->documents != NULL && *cfg->documents == '\0' && cfg->database != NULL) {
		g_autofree char *dir = g_path_get_dirname(cfg->database);
		g_free(cfg->documents);
		cfg->documents = g_build_filename(dir, "documents", NULL);
	}
	/* Installed rules, else those of the source tree clerkd was built from. */
	cfg->rules_dir = get_path(&p, "rules", "directory",
	    g_file_test(RULESDIR, G_FILE_TEST_IS_DIR) ? RULESDIR : SRC_RULESDIR);

	{
		/* "off": no digest (the tests' default). */
		g_autofree char *hour = get_str(&p, "digest", "hour", "");
		cfg->digest_hour = g_ascii_strcasecmp(g_strstrip(hour), "off") == 0 ? -1 :
		    get_int(&p, "digest", "hour", 7, 0, 23);
	}
	cfg->timezone = get_str(&p, "program", "timezone", "");
	if (cfg->timezone != NULL && *cfg->timezone == '\0')
		g_clear_pointer(&cfg->timezone, g_free);
	if (cfg->timezone != NULL) {
		GTimeZone *tz = g_time_zone_new_identifier(cfg->timezone);
		if (tz == NULL)
			fail(&p, line_of(&p, "program", "timezone"), "unknown time zone '%s'", cfg->timezone);
		else
			g_time_zone_unref(tz);
	}
	g_auto(GStrv) staff = g_key_file_get_string_list(kf, "staff", "addresses", NULL, NULL);
	GPtrArray *sa = g_ptr_array_new();
	for (int i = 0; staff != NULL && staff[i] != NULL; i++) {
		char *a = util_addr_normalize(staff[i]);
		if (a == NULL)
			fail(&p, line_of(&p, "staff", "addresses"), "'%s' is not an address",
			    g_strstrip(staff[i]));
		else
			g_ptr_array_add(sa, a);
	}
	g_ptr_array_add(sa, NULL);
	cfg->staff = (char **)g_ptr_array_free(sa, FALSE);
	cfg->trusted_authserv_id = get_str(&p, "staff", "trusted_authserv_id", "");
	if (cfg->imap_auth == CONFIG_AUTH_XOAUTH2 || cfg->smtp_auth == CONFIG_AUTH_XOAUTH2)
		get_oauth2(&p, cfg);
	else if (g_key_file_has_group(kf, "oauth2"))
		g_message("%s:%d: [oauth2] is not used: no auth = xoauth2 in [imap] or [smtp]",
		    path, line_of(&p, "oauth2", NULL));

	if (p.failed)
		return NULL;
	{
		const char *host = strstr(cfg->imap_url, "://") + 3;
		cfg->account = g_strdup_printf("%s@%.*s", cfg->imap_user,
		    (int)strcspn(host, "/"), host);
	}
	return g_steal_pointer(&cfg);
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	g_free(cfg->path);
	g_free(cfg->imap_url);
	g_free(cfg->imap_user);
	if (cfg->imap_password != NULL)
		explicit_bzero(cfg->imap_password, strlen(cfg->imap_password));
	g_free(cfg->imap_password);
	g_free(cfg->imap_ca_file);
	g_free(cfg->smtp_ca_file);
	g_free(cfg->mailbox);
	g_free(cfg->processed_mailbox);
	g_free(cfg->quarantine_mailbox);
	g_free(cfg->smtp_url);
	g_free(cfg->smtp_user);
	if (cfg->smtp_password != NULL)
		explicit_bzero(cfg->smtp_password, strlen(cfg->smtp_password));
	g_free(cfg->smtp_password);
	g_free(cfg->from);
	g_free(cfg->from_addr);
	g_free(cfg->bounce_address);
	g_free(cfg->database);
	g_free(cfg->documents);
	g_free(cfg->rules_dir);
	g_free(cfg->timezone);
	g_strfreev(cfg->staff);
	g_free(cfg->trusted_authserv_id);
	g_free(cfg->account);
	g_free(cfg->oauth2_token_url);
	g_free(cfg->oauth2_client_id);
	if (cfg->oauth2_client_secret != NULL)
		explicit_bzero(cfg->oauth2_client_secret, strlen(cfg->oauth2_client_secret));
	g_free(cfg->oauth2_client_secret);
	if (cfg->oauth2_refresh_token != NULL)
		explicit_bzero(cfg->oauth2_refresh_token, strlen(cfg->oauth2_refresh_token));
	g_free(cfg->oauth2_refresh_token);
	g_free(cfg->oauth2_scope);
	rules_free(cfg->rules);
	if (cfg->templates != NULL)
		g_hash_table_unref(cfg->templates);
	g_free(cfg);
}

const char *const config_templates[] = {
	"receipt", "first-contact", "acknowledgement", "over-limit", "status", "held",
	"staff-notice", "staff-confirm", "student-update", "decision-complete",
	"decision-incomplete", "decision-ineligible", "decision-scheduled", "decision-waitlisted",
	"decision-not-scheduled", "decision-cancelled", "placement", "confirm", "request", "evaluation", "reminder",
	"form-updated", "change-choices", "offer", "decision-early", "window-open",
	"staff-commands", "staff-message",
	"lottery-notice", "lottery-summary", "roster",
	NULL,
};

char *
config_template_path(const struct config *cfg, const char *name)
{
	g_autofree char *file = g_strdup_printf("%s.txt", name);
	const char *dirs[] = { cfg->rules_dir, RULESDIR, SRC_RULESDIR };

	for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
		char *path = g_build_filename(dirs[i], "templates", file, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			return path;
		g_free(path);
	}
	return NULL;
}

const char *
config_template(const struct config *cfg, const char *name, GError **err)
{
	g_autofree char *path = NULL;
	char *text = NULL;

	if ((text = g_hash_table_lookup(cfg->templates, name)) != NULL)
		return text;
	if ((path = config_template_path(cfg, name)) == NULL) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "no template %s", name);
		return NULL;
	}
	{
		g_autofree char *raw = NULL;
		if (!g_file_get_contents(path, &raw, NULL, err) ||
		    (text = rules_expand(cfg->rules, path, raw, err)) == NULL)
			return NULL;
	}
	g_hash_table_insert(cfg->templates, g_strdup(name), text);
	return text;
}

gboolean
config_check_rules(struct config *cfg, GError **err)
{
	Rules *rules;

	for (gsize i = 0; config_templates[i] != NULL; i++) {
		g_autofree char *path = config_template_path(cfg, config_templates[i]);
		g_autofree char *own = g_strdup_printf("%s/templates/%s.txt", cfg->rules_dir,
		    config_templates[i]);
		if (path == NULL) {
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: missing template", own);
			return FALSE;
		}
		if (strcmp(path, own) != 0)
			g_warning("%s: missing; using %s", own, path);
	}
	if ((rules = rules_load(cfg->rules_dir, err)) == NULL)
		return FALSE;
	rules_free(cfg->rules);
	cfg->rules = rules;
	/* Templates are read with the settings of the rules: read them again. */
	g_hash_table_remove_all(cfg->templates);
	return TRUE;
}

gboolean
config_is_staff(const struct config *cfg, const char *addr)
{
	return addr != NULL && cfg->staff != NULL && g_strv_contains((const char *const *)cfg->staff, addr);
}
