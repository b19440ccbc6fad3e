/* outbox.c: the SMTP side. Envelope sender is the bounce address or <>, so that
 * an automatic reply can never start a loop (RFC 3834, RFC 5321 4.5.5). */
#include "outbox.h"
#include "oauth2.h"
#include "util.h"

#include <curl/curl.h>
#include <string.h>

#define OUTBOX_BATCH 200
#define OUTBOX_BACKOFF_MIN 30
#define OUTBOX_BACKOFF_MAX 3600

struct outbox {
	const struct config *cfg;
	gint64 last_send;	/* monotonic µs of the last send, for pacing */
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
};

struct upload {
	const char *data;
	gsize len, off;
};

static size_t
read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = MIN(size * nmemb, u->len - u->off);

	memcpy(buf, u->data + u->off, n);
	u->off += n;
	return n;
}

Outbox *
outbox_new(const struct config *cfg)
{
	static gsize once;
	Outbox *ob = g_new0(Outbox, 1);

	if (g_once_init_enter(&once)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&once, 1);
	}
	ob->cfg = cfg;
	ob->curl = curl_easy_init();
	return ob;
}

void
outbox_set_config(Outbox *ob, const struct config *cfg)
{
	ob->cfg = cfg;
	curl_easy_reset(ob->curl);	/* a new server, perhaps: a new connection */
}

void
outbox_free(Outbox *ob)
{
	if (ob == NULL)
		return;
	curl_easy_cleanup(ob->curl);
	g_free(ob);
}

gboolean
outbox_send(Outbox *ob, const char *rcpt, GBytes *raw, GError **err)
{
	const struct config *cfg = ob->cfg;
	struct curl_slist *rcpts = NULL;
	g_autofree char *to = g_strdup_printf("<%s>", rcpt);
	g_autofree char *mail_from = g_strdup_printf("<%s>", cfg->bounce_address ? cfg->bounce_address : "");
	struct upload up = { 0 };
	CURL *c = ob->curl;
	CURLcode rc;
	long code = 0;
	char *token = NULL;

	up.data = g_bytes_get_data(raw, &up.len);
	rcpts = curl_slist_append(NULL, to);
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.len);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ob->errbuf);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* smtps:// is implicit TLS; smtp:// must upgrade, except on loopback. */
	g_autofree char *host = util_url_host(cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_USE_SSL, util_host_is_loopback(host) ?
	    (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
	if (cfg->smtp_ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->smtp_ca_file);
	if (cfg->smtp_auth == CONFIG_AUTH_XOAUTH2) {
		g_autoptr(GError) oerr = NULL;
		/* A token that cannot be had is never the reply's fault: it waits. */
		if ((token = oauth2_token(cfg, &oerr)) == NULL) {
			curl_slist_free_all(rcpts);
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "SMTP to <%s>: %s", rcpt, oerr->message);
			return FALSE;
		}
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, NULL);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, token);
		curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, "AUTH=XOAUTH2");
	} else if (cfg->smtp_user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	ob->errbuf[0] = '\0';
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
	if (token != NULL) {
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, NULL);	/* libcurl's copy is freed */
		oauth2_token_free(token);
		if (rc == CURLE_LOGIN_DENIED)
			oauth2_invalidate();
	}
	curl_slist_free_all(rcpts);
	if (rc == CURLE_OK)
		return TRUE;
	/* A refused token (535) is not the reply's fault: it waits for a new one. */
	g_set_error(err, CLERK_ERROR, code >= 500 && code < 600 &&
	    !(rc == CURLE_LOGIN_DENIED && cfg->smtp_auth == CONFIG_AUTH_XOAUTH2) ?
	    CLERK_ERROR_FINAL : CLERK_ERROR_TEMP,
	    "SMTP to <%s>: %s (%ld)", rcpt, ob->errbuf[0] ? ob->errbuf : curl_easy_strerror(rc), code);
	return FALSE;
}

static gboolean flush(Outbox *ob, Store *st, struct outbox_result *res, GError **err);

/* Marking a reply sent need not wait for the disk: if clerkd dies before the
 * mark is written the reply goes again with the same Message-ID, and a crash
 * of clerkd alone loses nothing the OS has. One fsync per reply would cap the
 * rate at the disk's. */
gboolean
outbox_flush(Outbox *ob, Store *st, struct outbox_result *res, GError **err)
{
	gboolean ok;

	if (!store_set_durable(st, FALSE, err))
		return FALSE;
	ok = flush(ob, st, res, err);
	if (!store_set_durable(st, TRUE, ok ? err : NULL))
		return FALSE;
	return ok;
}

/* The provider's sending limit: at most max_per_minute sends a minute, spaced
 * evenly (never a burst), so that a wait is at most 60/n seconds. */
static void
pace(Outbox *ob)
{
	gint64 gap, wait;

	if (ob->cfg->max_per_minute <= 0)
		return;
	gap = 60 * G_USEC_PER_SEC / ob->cfg->max_per_minute;
	wait = ob->last_send + gap - g_get_monotonic_time();
	if (ob->last_send != 0 && wait > 0)
		g_usleep(wait);
	ob->last_send = g_get_monotonic_time();
}

static gboolean
flush(Outbox *ob, Store *st, struct outbox_result *res, GError **err)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autoptr(GPtrArray) due = NULL;
	int sent_last_hour = store_outbox_recent(st, NULL, 3600, err);

	memset(res, 0, sizeof *res);
	if (sent_last_hour < 0)
		return FALSE;
	for (;;) {
		if ((due = store_outbox_due(st, now, OUTBOX_BATCH, err)) == NULL)
			return FALSE;
		if (due->len == 0)
			return TRUE;
		for (guint i = 0; i < due->len; i++) {
			struct outbox_item *it = g_ptr_array_index(due, i);
			g_autoptr(GError) serr = NULL;

			if (sent_last_hour >= ob->cfg->max_per_hour) {
				/* The circuit breaker: something is wrong; staff must look. */
				g_warning("circuit breaker: %d replies sent in the last hour (max_per_hour %d);"
				    " %u replies wait", sent_last_hour, ob->cfg->max_per_hour, due->len - i);
				res->deferred += due->len - i;
				return TRUE;
			}
			pace(ob);
			if (outbox_send(ob, it->rcpt, it->raw, &serr)) {
				g_message("reply <%s> sent to <%s>", it->message_id, it->rcpt);
				if (!store_outbox_set(st, it->id, OUTBOX_SENT, 0, NULL, err))
					return FALSE;
				res->sent++;
				sent_last_hour++;
			} else if (serr->code == CLERK_ERROR_FINAL) {
				g_warning("reply <%s> failed: %s", it->message_id, serr->message);
				if (!store_outbox_set(st, it->id, OUTBOX_FAILED, 0, serr->message, err))
					return FALSE;
				res->failed++;
			} else {
				gint64 wait = MIN(OUTBOX_BACKOFF_MAX,
				    OUTBOX_BACKOFF_MIN << MIN(it->attempts, 10));
				g_warning("reply <%s> deferred %" G_GINT64_FORMAT "s: %s",
				    it->message_id, wait, serr->message);
				if (!store_outbox_set(st, it->id, OUTBOX_QUEUED, now + wait,
				    serr->message, err))
					return FALSE;
				res->deferred++;
				/* The server is unwell: leave the rest for the next round. */
				return TRUE;
			}
		}
		g_clear_pointer(&due, g_ptr_array_unref);
	}
}
