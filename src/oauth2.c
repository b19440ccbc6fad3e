/* oauth2.c: the OAuth2 client side of XOAUTH2. A token request is a POST of
 * application/x-www-form-urlencoded fields (RFC 6749 4.4 client credentials,
 * 6 refresh token); the reply is JSON. Secrets and tokens go only into the
 * request body and the returned string: never into a log line or an error. */
#include "oauth2.h"
#include "util.h"

#include <curl/curl.h>
#include <json-glib/json-glib.h>
#include <string.h>

/* The one cache. It belongs to the settings it was fetched with: a reload that
 * changes them starts afresh; one that does not keeps the token (and a refresh
 * token the server rotated, which the file no longer matches). */
static struct {
	char *key;			/* token_url, client_id, grant, scope, secret digest */
	char *access_token;		/* secret */
	char *refresh_token;		/* secret: the rotated one, else NULL */
	char *configured_refresh;	/* digest of the configured refresh token */
	gint64 obtained;		/* monotonic, microseconds */
	gint64 expires;			/* monotonic, microseconds */
	guint fetches;
} cache;

struct reply {
	GByteArray *body;
	gboolean too_big;
};

static void
wipe(char **s)
{
	if (*s != NULL) {
		explicit_bzero(*s, strlen(*s));
		g_free(*s);
		*s = NULL;
	}
}

void
oauth2_token_free(char *token)
{
	wipe(&token);
}

void
oauth2_invalidate(void)
{
	wipe(&cache.access_token);
	cache.expires = 0;
}

guint
oauth2_fetches(void)
{
	return cache.fetches;
}

static char *
digest(const char *s)
{
	return s ? g_compute_checksum_for_string(G_CHECKSUM_SHA256, s, -1) : g_strdup("-");
}

static char *
cache_key(const struct config *cfg)
{
	g_autofree char *secret = digest(cfg->oauth2_client_secret);

	return g_strdup_printf("%s\n%s\n%d\n%s\n%s", cfg->oauth2_token_url, cfg->oauth2_client_id,
	    (int)cfg->oauth2_grant, cfg->oauth2_scope ? cfg->oauth2_scope : "", secret);
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct reply *r = arg;
	size_t n = size * nmemb;

	if (r->body->len + n > OAUTH2_MAX_REPLY) {
		r->too_big = TRUE;
		return 0;	/* libcurl stops with CURLE_WRITE_ERROR */
	}
	g_byte_array_append(r->body, (const guint8 *)data, n);
	return n;
}

static void
add_field(GString *form, CURL *c, const char *name, const char *value)
{
	char *v;

	if (value == NULL)
		return;
	v = curl_easy_escape(c, value, 0);
	g_string_append_printf(form, "%s%s=%s", form->len ? "&" : "", name, v ? v : "");
	if (v != NULL) {
		explicit_bzero(v, strlen(v));
		curl_free(v);
	}
}

/* What the server said, made fit for a log line: one line, printable, short,
 * and without anything of ours that it may have echoed. */
static char *
tidy(const char *s, const struct config *cfg, const char *refresh)
{
	GString *out = g_string_new(NULL);
	const char *secrets[] = { cfg->oauth2_client_secret, refresh, cache.access_token };
	char *str;

	for (const char *q = s; *q != '\0' && out->len < 300; q++)
		g_string_append_c(out, (guchar)*q < 0x20 || *q == 0x7f ? ' ' : *q);
	if (*s != '\0' && strlen(s) > 300)
		g_string_append(out, "...");
	str = g_string_free(out, FALSE);
	for (gsize i = 0; i < G_N_ELEMENTS(secrets); i++) {
		char *hit;
		if (secrets[i] == NULL || strlen(secrets[i]) < 4)
			continue;
		while ((hit = strstr(str, secrets[i])) != NULL)
			memset(hit, '*', strlen(secrets[i]));
	}
	return str;
}

static const char *
member_string(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING ?
	    json_node_get_string(n) : NULL;
}

/* expires_in is a number, or (older Azure AD endpoints) a string of digits. */
static gint64
member_seconds(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);
	const char *s;
	char *end;
	gint64 v;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return -1;
	if (json_node_get_value_type(n) == G_TYPE_INT64)
		return json_node_get_int(n);
	if (json_node_get_value_type(n) == G_TYPE_DOUBLE)
		return (gint64)json_node_get_double(n);
	if ((s = member_string(o, name)) == NULL)
		return -1;
	v = g_ascii_strtoll(s, &end, 10);
	return end != s && *end == '\0' ? v : -1;
}

static gboolean
token_fetch(const struct config *cfg, GError **err)
{
	const char *refresh = cache.refresh_token ? cache.refresh_token : cfg->oauth2_refresh_token;
	g_autofree char *host = util_url_host(cfg->oauth2_token_url);
	g_autoptr(GByteArray) body = g_byte_array_new();
	struct reply r = { body, FALSE };
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	GString *form = g_string_new(NULL);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) jerr = NULL;
	JsonObject *o = NULL;
	static gsize once;
	CURL *c;
	CURLcode rc;
	long code = 0;
	gint64 expires_in;
	const char *token, *type;

	if (g_once_init_enter(&once)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&once, 1);
	}
	c = curl_easy_init();
	if (c == NULL) {
		g_string_free(form, TRUE);
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "OAuth2: cannot start libcurl");
		return FALSE;
	}
	if (cfg->oauth2_grant == CONFIG_GRANT_REFRESH_TOKEN) {
		add_field(form, c, "grant_type", "refresh_token");
		add_field(form, c, "refresh_token", refresh);
	} else
		add_field(form, c, "grant_type", "client_credentials");
	add_field(form, c, "client_id", cfg->oauth2_client_id);
	add_field(form, c, "client_secret", cfg->oauth2_client_secret);
	add_field(form, c, "scope", cfg->oauth2_scope);

	headers = curl_slist_append(headers, "Accept: application/json");
	headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
	curl_easy_setopt(c, CURLOPT_URL, cfg->oauth2_token_url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
#endif
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, form->str);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)form->len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);	/* the secret goes to one place only */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "clerkd/" PACKAGE_VERSION);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(headers);
	explicit_bzero(form->str, form->len);
	g_string_free(form, TRUE);

	if (rc != CURLE_OK) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "OAuth2 token request to %s failed: %s",
		    host, r.too_big ? "reply over 64 KB" : errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto fail;
	}
	/* A JSON object, whatever the status: errors come as one too (RFC 6749 5.2). */
	if (body->len > 0 && json_parser_load_from_data(parser, (const char *)body->data, body->len, &jerr) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		o = json_node_get_object(json_parser_get_root(parser));
	if (code < 200 || code > 299) {
		const char *e = o ? member_string(o, "error") : NULL;
		const char *d = o ? member_string(o, "error_description") : NULL;
		g_autofree char *te = tidy(e ? e : "no error code", cfg, refresh);
		g_autofree char *td = d ? tidy(d, cfg, refresh) : NULL;
		/* 4xx is a refusal (wrong secret, revoked grant): retrying will not
		 * help until the configuration changes. But 408 and 429 are "later". */
		gboolean refused = code >= 400 && code < 500 && code != 408 && code != 429;
		g_set_error(err, CLERK_ERROR, refused ? CLERK_ERROR_FINAL : CLERK_ERROR_TEMP,
		    "OAuth2 token request to %s refused (HTTP %ld): %s%s%s", host, code, te,
		    td ? ": " : "", td ? td : "");
		goto fail;
	}
	if (o == NULL) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP,
		    "OAuth2 token reply from %s is not a JSON object", host);
		goto fail;
	}
	token = member_string(o, "access_token");
	type = member_string(o, "token_type");
	expires_in = member_seconds(o, "expires_in");
	if (token == NULL || *token == '\0' || strpbrk(token, " \t\r\n\001") != NULL) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP,
		    "OAuth2 token reply from %s has no usable access_token", host);
		goto fail;
	}
	if (type != NULL && g_ascii_strcasecmp(type, "Bearer") != 0) {
		g_autofree char *tt = tidy(type, cfg, refresh);
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP,
		    "OAuth2 token reply from %s: token_type '%s', not Bearer", host, tt);
		goto fail;
	}
	if (expires_in <= 0) {
		g_debug("OAuth2: no expires_in from %s; assuming 3600 s", host);
		expires_in = 3600;
	}
	wipe(&cache.access_token);
	cache.access_token = g_strdup(token);
	{
		const char *rt = member_string(o, "refresh_token");
		if (rt != NULL && *rt != '\0' && cfg->oauth2_grant == CONFIG_GRANT_REFRESH_TOKEN &&
		    g_strcmp0(rt, refresh) != 0) {
			/* Rotated: the old one may be revoked now. Kept in memory only. */
			char *nrt = g_strdup(rt);
			wipe(&cache.refresh_token);
			cache.refresh_token = nrt;
			g_message("OAuth2: %s issued a new refresh token (kept in memory)", host);
		}
	}
	cache.obtained = g_get_monotonic_time();
	cache.expires = cache.obtained + expires_in * G_USEC_PER_SEC;
	cache.fetches++;
	g_message("OAuth2: access token obtained from %s, valid %" G_GINT64_FORMAT " s", host, expires_in);
	explicit_bzero(body->data, body->len);
	return TRUE;
fail:
	if (body->len > 0)	/* an empty GByteArray has no data at all */
		explicit_bzero(body->data, body->len);
	return FALSE;
}

/* When the current token is to be renewed: renew_before seconds ahead, but
 * never more than halfway through a token's life (a short-lived token is not
 * fetched again at every use). */
static gint64
renew_at(const struct config *cfg)
{
	gint64 margin = MIN((gint64)cfg->oauth2_renew_before * G_USEC_PER_SEC,
	    (cache.expires - cache.obtained) / 2);

	return cache.expires - margin;
}

gint64
oauth2_renew_at(const struct config *cfg)
{
	return cache.access_token != NULL ? renew_at(cfg) : 0;
}

char *
oauth2_token(const struct config *cfg, GError **err)
{
	g_autofree char *key = NULL, *configured = NULL;
	gint64 now = g_get_monotonic_time();
	GError *ferr = NULL;

	if (cfg->oauth2_token_url == NULL) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: auth = xoauth2 needs [oauth2]",
		    cfg->path);
		return NULL;
	}
	key = cache_key(cfg);
	configured = digest(cfg->oauth2_refresh_token);
	if (g_strcmp0(key, cache.key) != 0 || g_strcmp0(configured, cache.configured_refresh) != 0) {
		/* New settings (or the first call): nothing cached applies. */
		oauth2_invalidate();
		wipe(&cache.refresh_token);
		g_free(cache.key);
		cache.key = g_steal_pointer(&key);
		g_free(cache.configured_refresh);
		cache.configured_refresh = g_steal_pointer(&configured);
	}
	if (cache.access_token != NULL && now < renew_at(cfg))
		return g_strdup(cache.access_token);
	if (token_fetch(cfg, &ferr))
		return g_strdup(cache.access_token);
	if (cache.access_token != NULL && now < cache.expires) {
		g_warning("OAuth2 token renewal failed; the current token is still used (%" G_GINT64_FORMAT
		    " s left): %s", (cache.expires - now) / G_USEC_PER_SEC, ferr->message);
		g_error_free(ferr);
		return g_strdup(cache.access_token);
	}
	if (cache.access_token != NULL)
		g_warning("OAuth2 token renewal failed and the token has expired: %s", ferr->message);
	oauth2_invalidate();
	g_propagate_error(err, ferr);
	return NULL;
}
