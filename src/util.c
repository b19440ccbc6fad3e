/* util.c: shared helpers. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <unistd.h>

G_DEFINE_QUARK(clerk-error-quark, clerk_error)

int
clerk_exitcode(const GError *err)
{
	if (err == NULL)
		return 0;
	if (err->domain == G_OPTION_ERROR)
		return EXIT_USAGE;
	if (err->domain != CLERK_ERROR)
		return 1;
	switch ((ClerkErrorCode)err->code) {
	case CLERK_ERROR_TEMP:
		return EXIT_TEMPFAIL;
	case CLERK_ERROR_CONFIG:
		return EXIT_CONFIG;
	case CLERK_ERROR_FINAL:
		break;
	}
	return 1;
}

static const char *log_prog = "clerkd";
static gboolean log_verbose;

char *
util_today(const char *tz)
{
	const char *now = g_getenv("CLERKD_NOW");
	int y, m, d;

	if (now != NULL && sscanf(now, "%4d-%2d-%2d", &y, &m, &d) == 3 &&
	    g_date_valid_dmy(d, m, y))
		return g_strdup_printf("%04d-%02d-%02d", y, m, d);
	g_autoptr(GTimeZone) zone = tz ? g_time_zone_new_identifier(tz) : g_time_zone_new_local();
	g_autoptr(GDateTime) dt = NULL;

	if (zone == NULL)
		zone = g_time_zone_new_utc();
	dt = g_date_time_new_now(zone);
	return g_date_time_format(dt, "%Y-%m-%d");
}

struct util_sha256 {
	gnutls_hash_hd_t h;
};

UtilSha256 *
util_sha256_new(void)
{
	UtilSha256 *h = g_new0(UtilSha256, 1);

	if (gnutls_hash_init(&h->h, GNUTLS_DIG_SHA256) < 0)
		g_error("gnutls_hash_init(SHA256) failed");
	return h;
}

void
util_sha256_update(UtilSha256 *h, const void *data, gsize len)
{
	gnutls_hash(h->h, data, len);
}

char *
util_sha256_finish(UtilSha256 *h)
{
	unsigned char d[32];
	char *hex = g_malloc(65);

	gnutls_hash_deinit(h->h, d);
	g_free(h);
	for (int i = 0; i < 32; i++)
		g_snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return hex;
}

char *
util_sha256_hex(const void *data, gsize len)
{
	UtilSha256 *h = util_sha256_new();

	util_sha256_update(h, data, len);
	return util_sha256_finish(h);
}

static void
log_handler(const char *domain, GLogLevelFlags level, const char *msg, gpointer data)
{
	const char *lv = "info";

	if (level & G_LOG_LEVEL_ERROR)
		lv = "fatal";
	else if (level & G_LOG_LEVEL_CRITICAL)
		lv = "critical";
	else if (level & G_LOG_LEVEL_WARNING)
		lv = "warning";
	else if (level & G_LOG_LEVEL_MESSAGE)
		lv = "notice";
	else if (level & G_LOG_LEVEL_DEBUG) {
		if (!log_verbose)
			return;
		lv = "debug";
	}
	fprintf(stderr, "%s[%d]: %s: %s\n", log_prog, (int)getpid(), lv, msg);
}

void
util_log_init(const char *progname, gboolean verbose)
{
	log_prog = progname;
	log_verbose = verbose;
	g_log_set_default_handler(log_handler, NULL);
}

char *
util_read_secret(const char *path, GError **err)
{
	struct stat st;
	char *buf = NULL;
	gsize len;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: %s", path, g_strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: not a regular file", path);
		return NULL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG,
		    "%s: mode %03o lets others read it; chmod 600 it", path,
		    (unsigned)(st.st_mode & 0777));
		return NULL;
	}
	close(fd);
	if (!g_file_get_contents(path, &buf, &len, NULL) || len > 8192) {
		g_free(buf);
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: unreadable or too long", path);
		return NULL;
	}
	g_strchomp(buf);
	return buf;
}

char *
util_addr_normalize(const char *addr)
{
	if (addr == NULL)
		return NULL;
	g_autofree char *s = g_strstrip(g_strdup(addr));
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s[n - 1] = '\0';
		memmove(s, s + 1, n - 1);
	}
	const char *at = strrchr(s, '@');
	if (at == NULL || at == s || at[1] == '\0' || strlen(s) > 254 ||
	    strpbrk(s, " \t\r\n<>,;\"") != NULL)
		return NULL;
	return g_ascii_strdown(s, -1);
}

char *
util_utf8_clean(const char *s, gssize len, gsize max)
{
	if (s == NULL)
		return g_strdup("");
	g_autofree char *valid = g_utf8_make_valid(s, len);
	GString *out = g_string_sized_new(MIN(strlen(valid), max) + 1);

	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (c == '\r')
			continue;
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			c = ' ';
		if (out->len + 6 > max)
			break;
		g_string_append_unichar(out, c);
	}
	return g_string_free(out, FALSE);
}

char *
util_msgid_clean(const char *id)
{
	GString *out;

	if (id == NULL)
		return NULL;
	out = g_string_new(NULL);
	for (const char *p = id; *p != '\0' && out->len < 250; p++)
		if (*p > 0x20 && *p < 0x7f && *p != '<' && *p != '>')
			g_string_append_c(out, *p);
	if (out->len == 0 || strchr(out->str, '@') == NULL) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

gboolean
util_host_is_loopback(const char *host)
{
	struct in_addr a4;

	if (g_ascii_strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "[::1]") == 0)
		return TRUE;
	return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

char *
util_url_host(const char *url)
{
	const char *p = strstr(url, "://");
	gsize n;

	p = p ? p + 3 : url;
	if (*p == '[') {
		const char *end = strchr(p, ']');
		return end ? g_strndup(p + 1, end - p - 1) : g_strdup(p);
	}
	n = strcspn(p, ":/");
	return g_strndup(p, n);
}

int
util_name_index(const char *const *names, gsize n, const char *s)
{
	for (gsize i = 0; s != NULL && i < n; i++)
		if (names[i] != NULL && strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

gboolean
util_has_word(const char *s, const char *word)
{
	gsize n = strlen(word);

	for (const char *p = s; p != NULL && n > 0 && (p = strcasestr(p, word)) != NULL; p += n)
		if ((p == s || !g_ascii_isalnum(p[-1])) && !g_ascii_isalnum(p[n]))
			return TRUE;
	return FALSE;
}

void
util_random_bytes(void *buf, gsize len)
{
	/* GNUTLS_RND_KEY: the generator GnuTLS keys its own sessions with. */
	if (gnutls_rnd(GNUTLS_RND_KEY, buf, len) < 0)
		g_error("no cryptographic random numbers: cannot make tokens or lottery seeds");
}

char *
util_token_new(gsize len)
{
	static const char alphabet[32] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	g_autofree guchar *r = g_malloc(len);
	char *t = g_malloc(len + 1);

	util_random_bytes(r, len);
	for (gsize i = 0; i < len; i++)
		t[i] = alphabet[r[i] % sizeof alphabet];	/* 256 = 8 × 32: no bias */
	t[len] = '\0';
	return t;
}

gboolean
util_token_equal(gconstpointer a, gconstpointer b)
{
	const char *x = a, *y = b;
	gsize n = strlen(x);
	guchar diff = 0;

	if (strlen(y) != n)
		return FALSE;	/* a token's length is no secret */
	for (gsize i = 0; i < n; i++)
		diff |= (guchar)(x[i] ^ y[i]);
	return diff == 0;
}

/* write(2) (at < 0) or pwrite(2) at an offset, until all of len is written. */
static gboolean
write_all(int fd, const void *data, gsize len, goffset at)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = at < 0 ? write(fd, p, len) : pwrite(fd, p, len, at);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return FALSE;
		}
		p += n;
		len -= n;
		if (at >= 0)
			at += n;
	}
	return TRUE;
}

gboolean
util_write_all(int fd, const void *data, gsize len)
{
	return write_all(fd, data, len, -1);
}

gboolean
util_pwrite_all(int fd, const void *data, gsize len, goffset at)
{
	return write_all(fd, data, len, at);
}

gboolean
util_lock_store(const char *database, const char *prog, GError **err)
{
	long holder_pid = 0;
	g_autofree char *holder_name = NULL;
	long *holder = &holder_pid;
	char **holder_prog = &holder_name;
	g_autofree char *path = g_strconcat(database, ".lock", NULL);
	g_autofree char *dir = g_path_get_dirname(database);
	g_autofree char *line = NULL;
	int fd;

	/* A first run: the store's directory is made here, as store_open() would. */
	if (g_mkdir_with_parents(dir, 0700) == -1) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: %s", dir, g_strerror(errno));
		return FALSE;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd == -1) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: %s", path, g_strerror(errno));
		return FALSE;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		line = g_strdup_printf("%ld\n%s\n", (long)getpid(), prog);
		if (fchmod(fd, 0600) == -1 || ftruncate(fd, 0) == -1 ||
		    !util_pwrite_all(fd, line, strlen(line), 0))
			g_warning("%s: %s (the lock is held all the same)", path, g_strerror(errno));
		return TRUE;	/* fd stays open: the lock lasts as long as the process */
	}
	if (errno != EWOULDBLOCK) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: %s", path, g_strerror(errno));
		close(fd);
		return FALSE;
	}
	/* The holder writes its pid just after it takes the lock: give it a moment. */
	for (int i = 0; i < 50; i++) {
		char buf[256];
		ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		char *nl;

		if (n > 0 && (nl = memchr(buf, '\n', n)) != NULL) {
			buf[n] = '\0';
			*nl = '\0';
			*holder = strtol(buf, NULL, 10);
			*holder_prog = g_strdup(g_strchomp(nl + 1));
			if (**holder_prog == '\0')
				g_clear_pointer(holder_prog, g_free);
			break;
		}
		g_usleep(20 * 1000);
	}
	close(fd);
	{
		gboolean clerkd = *holder_prog == NULL || strcmp(*holder_prog, "clerkd") == 0;
		g_autofree char *pid = *holder > 0 ? g_strdup_printf("%ld", *holder) : g_strdup("unknown");
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s (pid %s) is %s this store (%s)",
		    clerkd ? "clerkd" : *holder_prog, pid, clerkd ? "running on" : "using", database);
	}
	return FALSE;
}

void
util_csv_field(GString *out, const char *v, gboolean last)
{
	g_autofree char *safe = NULL;

	if (*v != '\0' && strchr("=+-@", *v) != NULL)
		v = safe = g_strconcat("'", v, NULL);
	if (strpbrk(v, ",\"\r\n") != NULL) {
		g_string_append_c(out, '"');
		for (const char *p = v; *p; p++) {
			if (*p == '"')
				g_string_append_c(out, '"');
			g_string_append_c(out, *p);
		}
		g_string_append_c(out, '"');
	} else
		g_string_append(out, v);
	g_string_append(out, last ? "\r\n" : ",");
}
