/* token_server: a small OAuth2 authorization server for the tests, on a
 * loopback port of its own choosing (written to --port-file).
 *
 *   POST /token        client credentials (or a refresh token) in, a fresh
 *                      access token out: {"access_token", "token_type",
 *                      "expires_in"}; a wrong client gets 401 invalid_client
 *   POST /introspect   what Dovecot's oauth2 passdb asks (RFC 7662; the token
 *                      in a token= field, a Bearer header or the query):
 *                      {"active": true, "username": USER} for a token issued
 *                      here and not yet expired, else {"active": false}
 *   GET /count         the number of tokens issued
 *   GET /mode?status=N from now on POST /token answers N (503: an outage)
 *                      (&big=1: a token reply padded to 100 KB)
 *
 * Every request is logged to --log, one line each, without any secret or
 * token value (tokens are named by their number). It stops on SIGTERM, when
 * --parent is gone, or after --lifetime seconds. */
#include <glib.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_REQUEST (64 * 1024)

static char *client_id, *secret, *user = "clerk", *refresh;
static int expires = 3600;
static int token_status = 200;	/* set with GET /mode?status=N: the token endpoint "down" */
static int token_big;		/* GET /mode?status=200&big=1: 100 KB replies */
static guint issued;
static GHashTable *tokens;	/* token -> struct issued */
static FILE *log_fp;

struct issued {
	guint n;
	gint64 expires;		/* monotonic, microseconds */
};

static void G_GNUC_PRINTF(1, 2)
logline(const char *fmt, ...)
{
	va_list ap;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *when = g_date_time_format(now, "%H:%M:%S.%f");

	fprintf(log_fp, "%.12s ", when);
	va_start(ap, fmt);
	vfprintf(log_fp, fmt, ap);
	va_end(ap);
	fputc('\n', log_fp);
	fflush(log_fp);
}

static void
respond(int fd, int status, const char *body)
{
	g_autofree char *head = g_strdup_printf("HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n", status,
	    status == 200 ? "OK" : status == 401 ? "Unauthorized" : status == 404 ? "Not Found" :
	    status == 503 ? "Service Unavailable" : "Bad Request",
	    *body == '{' ? "application/json" : "text/plain", strlen(body));
	g_autofree char *all = g_strconcat(head, body, NULL);
	gsize len = strlen(all), off = 0;

	while (off < len) {
		ssize_t n = write(fd, all + off, len - off);
		if (n <= 0)
			return;
		off += n;
	}
}

/* Read one request: the head, and a body of Content-Length bytes. */
static GString *
read_request(int fd, gsize *body_at)
{
	GString *req = g_string_new(NULL);
	gsize need = 0;
	char buf[4096];
	char *end = NULL;

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		if (end != NULL && req->len >= need)
			return req;
		if (poll(&pfd, 1, 5000) <= 0 || (n = read(fd, buf, sizeof buf)) <= 0 ||
		    req->len + n > MAX_REQUEST) {
			g_string_free(req, TRUE);
			return NULL;
		}
		g_string_append_len(req, buf, n);
		if (end == NULL && (end = strstr(req->str, "\r\n\r\n")) != NULL) {
			g_autofree char *head = g_ascii_strdown(req->str, end - req->str);
			char *cl = strstr(head, "\r\ncontent-length:");
			*body_at = end - req->str + 4;
			need = *body_at + (cl ? strtoul(cl + 17, NULL, 10) : 0);
		}
	}
}

static char *
header(const char *head, const char *name)
{
	g_auto(GStrv) lines = g_strsplit(head, "\r\n", -1);
	gsize n = strlen(name);

	for (int i = 1; lines[i] != NULL && *lines[i] != '\0'; i++)
		if (g_ascii_strncasecmp(lines[i], name, n) == 0 && lines[i][n] == ':')
			return g_strstrip(g_strdup(lines[i] + n + 1));
	return NULL;
}

static void
handle_token(int fd, GHashTable *form)
{
	const char *grant = g_hash_table_lookup(form, "grant_type");
	const char *id = g_hash_table_lookup(form, "client_id");
	const char *sec = g_hash_table_lookup(form, "client_secret");
	const char *scope = g_hash_table_lookup(form, "scope");
	const char *rt = g_hash_table_lookup(form, "refresh_token");
	g_autofree char *token = NULL, *body = NULL, *new_rt = NULL;
	g_autofree char *big = NULL;
	struct issued *is;

	if (token_status != 200) {
		g_autofree char *err = g_strdup_printf("{\"error\": \"temporarily_unavailable\", "
		    "\"error_description\": \"The service is down for maintenance (HTTP %d).\"}", token_status);
		logline("POST /token grant=%s -> %d temporarily_unavailable", grant ? grant : "-", token_status);
		respond(fd, token_status, err);
		return;
	}
	if (g_strcmp0(id, client_id) != 0 || (secret != NULL && g_strcmp0(sec, secret) != 0)) {
		logline("POST /token grant=%s client_id=%s -> 401 invalid_client", grant ? grant : "-",
		    id ? id : "-");
		respond(fd, 401, "{\"error\": \"invalid_client\", \"error_description\": "
		    "\"AADSTS7000215: Invalid client secret provided.\"}");
		return;
	}
	if (g_strcmp0(grant, "refresh_token") == 0) {
		if (refresh == NULL || g_strcmp0(rt, refresh) != 0) {
			logline("POST /token grant=refresh_token -> 400 invalid_grant");
			respond(fd, 400, "{\"error\": \"invalid_grant\", \"error_description\": "
			    "\"The refresh token has expired or was revoked.\"}");
			return;
		}
	} else if (g_strcmp0(grant, "client_credentials") != 0) {
		logline("POST /token grant=%s -> 400 unsupported_grant_type", grant ? grant : "-");
		respond(fd, 400, "{\"error\": \"unsupported_grant_type\"}");
		return;
	}
	issued++;
	token = g_strdup_printf("tok-%u-%08x%08x", issued, g_random_int(), g_random_int());
	is = g_new0(struct issued, 1);
	is->n = issued;
	is->expires = g_get_monotonic_time() + (gint64)expires * G_USEC_PER_SEC;
	g_hash_table_insert(tokens, g_strdup(token), is);
	if (refresh != NULL && g_strcmp0(grant, "refresh_token") == 0) {
		/* Rotate, as Microsoft's endpoint does: the old one stops working. */
		new_rt = g_strdup_printf("rt-%u-%08x", issued, g_random_int());
		g_free(refresh);
		refresh = g_strdup(new_rt);
	}
	if (token_big) {
		GString *pad = g_string_new(", \"padding\": \"");
		for (int i = 0; i < 100 * 1024; i++)
			g_string_append_c(pad, 'x');
		g_string_append_c(pad, '"');
		big = g_string_free(pad, FALSE);
	}
	body = g_strdup_printf("{\"access_token\": \"%s\", \"token_type\": \"Bearer\", "
	    "\"expires_in\": %d%s%s%s%s}", token, expires, new_rt ? ", \"refresh_token\": \"" : "",
	    new_rt ? new_rt : "", new_rt ? "\"" : "", big ? big : "");
	logline("POST /token grant=%s client_id=%s scope=%s -> 200 token#%u expires_in=%d%s", grant, id,
	    scope ? scope : "-", issued, expires, new_rt ? " rotated" : "");
	respond(fd, 200, body);
}

static void
handle_introspect(int fd, const char *head, const char *path, GHashTable *form)
{
	const char *token = g_hash_table_lookup(form, "token");
	g_autofree char *auth = header(head, "Authorization");
	g_autofree char *q = NULL, *body = NULL;
	struct issued *is;

	if (token == NULL && auth != NULL && g_ascii_strncasecmp(auth, "Bearer ", 7) == 0)
		token = auth + 7;
	if (token == NULL && (q = g_strdup(strchr(path, '=') ? strchr(path, '=') + 1 : "")) != NULL &&
	    *q != '\0') {
		char *u = g_uri_unescape_string(q, NULL);
		g_free(q);
		q = u;
		token = q;
	}
	is = token ? g_hash_table_lookup(tokens, token) : NULL;
	if (is == NULL) {
		logline("POST /introspect unknown token -> inactive");
		respond(fd, 200, "{\"active\": false}");
	} else if (g_get_monotonic_time() >= is->expires) {
		logline("POST /introspect token#%u expired -> inactive", is->n);
		respond(fd, 200, "{\"active\": false}");
	} else {
		body = g_strdup_printf("{\"active\": true, \"username\": \"%s\", \"scope\": \"mail\", "
		    "\"token_type\": \"Bearer\"}", user);
		logline("POST /introspect token#%u -> active", is->n);
		respond(fd, 200, body);
	}
}

static void
serve(int fd)
{
	gsize body_at = 0;
	GString *req = read_request(fd, &body_at);
	g_autoptr(GHashTable) form = NULL;
	g_auto(GStrv) first = NULL;
	g_autofree char *line = NULL;

	if (req == NULL)
		return;
	line = g_strndup(req->str, strstr(req->str, "\r\n") - req->str);
	first = g_strsplit(line, " ", 3);
	form = g_uri_parse_params(req->str + body_at, req->len - body_at, "&", G_URI_PARAMS_WWW_FORM, NULL);
	if (form == NULL)
		form = g_hash_table_new(g_str_hash, g_str_equal);
	if (first[0] == NULL || first[1] == NULL)
		respond(fd, 400, "bad request\n");
	else if (strcmp(first[0], "POST") == 0 && strcmp(first[1], "/token") == 0)
		handle_token(fd, form);
	else if (g_str_has_prefix(first[1], "/introspect"))
		handle_introspect(fd, req->str, first[1], form);
	else if (g_str_has_prefix(first[1], "/mode?status=")) {
		token_status = atoi(first[1] + strlen("/mode?status="));
		token_big = strstr(first[1], "&big=1") != NULL;
		logline("GET %s: the token endpoint answers %d from now on", first[1], token_status);
		respond(fd, 200, "ok\n");
	}
	else if (strcmp(first[1], "/count") == 0) {
		g_autofree char *n = g_strdup_printf("%u\n", issued);
		respond(fd, 200, n);
	} else {
		logline("%s %s -> 404", first[0], first[1]);
		respond(fd, 404, "not found\n");
	}
	g_string_free(req, TRUE);
}

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	stop = 1;
}

static char *
slurp(const char *path)
{
	char *s = NULL;

	if (!g_file_get_contents(path, &s, NULL, NULL)) {
		fprintf(stderr, "token_server: cannot read %s\n", path);
		exit(2);
	}
	return g_strchomp(s);
}

int
main(int argc, char **argv)
{
	char *port_file = NULL, *log_path = NULL, *secret_file = NULL, *refresh_file = NULL;
	int parent = 0, lifetime = 600, s, one = 1;
	GOptionEntry entries[] = {
		{ "port-file", 0, 0, G_OPTION_ARG_FILENAME, &port_file, "Write the port here", "FILE" },
		{ "log", 0, 0, G_OPTION_ARG_FILENAME, &log_path, "Request log", "FILE" },
		{ "client-id", 0, 0, G_OPTION_ARG_STRING, &client_id, "The client's id", "ID" },
		{ "secret-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_file, "The client's secret", "FILE" },
		{ "refresh-file", 0, 0, G_OPTION_ARG_FILENAME, &refresh_file, "A valid refresh token", "FILE" },
		{ "user", 0, 0, G_OPTION_ARG_STRING, &user, "The user tokens are for", "NAME" },
		{ "expires", 0, 0, G_OPTION_ARG_INT, &expires, "Token lifetime, seconds", "N" },
		{ "parent", 0, 0, G_OPTION_ARG_INT, &parent, "Stop when this process is gone", "PID" },
		{ "lifetime", 0, 0, G_OPTION_ARG_INT, &lifetime, "Stop after this many seconds", "N" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- an OAuth2 token endpoint for tests");
	g_autoptr(GError) err = NULL;
	struct sockaddr_in sa = { 0 };
	socklen_t salen = sizeof sa;
	gint64 until;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || port_file == NULL || client_id == NULL) {
		fprintf(stderr, "token_server: %s\n", err ? err->message : "--port-file and --client-id are required");
		return 64;
	}
	if (secret_file != NULL)
		secret = slurp(secret_file);
	if (refresh_file != NULL)
		refresh = slurp(refresh_file);
	log_fp = log_path ? fopen(log_path, "a") : stderr;
	if (log_fp == NULL) {
		perror(log_path);
		return 2;
	}
	tokens = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &salen) < 0) {
		perror("token_server: listen");
		return 2;
	}
	{
		g_autofree char *tmp = g_strconcat(port_file, ".tmp", NULL);
		g_autofree char *port = g_strdup_printf("%u\n", ntohs(sa.sin_port));
		if (!g_file_set_contents(tmp, port, -1, NULL) || rename(tmp, port_file) < 0) {
			perror(port_file);
			return 2;
		}
	}
	logline("listening on 127.0.0.1:%u, tokens valid %d s", ntohs(sa.sin_port), expires);
	until = g_get_monotonic_time() + (gint64)lifetime * G_USEC_PER_SEC;
	while (!stop && g_get_monotonic_time() < until && (parent == 0 || kill(parent, 0) == 0)) {
		struct pollfd pfd = { s, POLLIN, 0 };
		int c;

		if (poll(&pfd, 1, 500) <= 0)
			continue;
		if ((c = accept4(s, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		serve(c);
		close(c);
	}
	logline("stopped");
	close(s);
	return 0;
}
