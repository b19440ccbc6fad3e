/* outbox.c: the SMTP side. Envelope sender is the bounce address or <>, so that
 * an automatic reply can never start a loop (RFC 3834, RFC 5321 4.5.5). */
#include "outbox.h"
#include "oauth2.h"
#include "util.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define OUTBOX_BATCH 200
/* Replies handed to the sending thread and not yet recorded, at most: with
 * the server slow, the rest wait in the store, not in memory. */
#define SENDER_MAX_QUEUED 400
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

/* What a send came to, in the store: sent; failed for good (kept, shown to
 * staff); or deferred, with a backoff. */
static gboolean
record(Store *st, const struct outbox_item *it, const GError *serr, gint64 now,
    struct outbox_result *res, GError **err)
{
	if (serr == NULL) {
		g_message("reply <%s> sent to <%s>", it->message_id, it->rcpt);
		res->sent++;
		return store_outbox_set(st, it->id, OUTBOX_SENT, 0, NULL, err);
	}
	if (serr->code == CLERK_ERROR_FINAL) {
		g_warning("reply <%s> failed: %s", it->message_id, serr->message);
		res->failed++;
		return store_outbox_set(st, it->id, OUTBOX_FAILED, 0, serr->message, err);
	}
	gint64 wait = MIN(OUTBOX_BACKOFF_MAX, OUTBOX_BACKOFF_MIN << MIN(it->attempts, 10));
	g_warning("reply <%s> deferred %" G_GINT64_FORMAT "s: %s", it->message_id, wait, serr->message);
	res->deferred++;
	return store_outbox_set(st, it->id, OUTBOX_QUEUED, now + wait, serr->message, err);
}

static void
breaker_warn(const struct config *cfg, int sent_last_hour, guint waiting)
{
	/* The circuit breaker: something is wrong; staff must look. */
	g_warning("circuit breaker: %d replies sent in the last hour (max_per_hour %d); %u replies wait",
	    sent_last_hour, cfg->max_per_hour, waiting);
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
				breaker_warn(ob->cfg, sent_last_hour, due->len - i);
				res->deferred += due->len - i;
				return TRUE;
			}
			pace(ob);
			if (outbox_send(ob, it->rcpt, it->raw, &serr))
				sent_last_hour++;
			if (!record(st, it, serr, now, res, err))
				return FALSE;
			/* The server is unwell: leave the rest for the next round. */
			if (serr != NULL && serr->code != CLERK_ERROR_FINAL)
				return TRUE;
		}
		g_clear_pointer(&due, g_ptr_array_unref);
	}
}

/* The sender: replies go out from a thread of their own while the pass goes
 * on, so that a batch's sends overlap the next batch's work. The thread only
 * sends; the store is the main thread's, which records each outcome when it
 * next looks (sender_push, sender_finish). A reply sent and not yet recorded
 * is written to a journal at once (DATABASE-sent, one id a line), and the
 * next sender_start records it: a crash of clerkd resends nothing the OS has,
 * as when each send was recorded straight away. */
struct outcome {
	struct outbox_item *it;
	GError *error;		/* NULL: sent */
	gboolean untried;	/* left queued: the breaker, or the server unwell */
};

struct sender {
	Outbox *ob;
	int journal;
	char *journal_path;
	GHashTable *in_flight;	/* the main thread's: ids handed over, not yet recorded */
	GThread *thread;

	pthread_mutex_t lock;	/* guards what follows */
	pthread_cond_t work;	/* todo grew, or stop */
	pthread_cond_t idle;	/* todo emptied and nothing is being sent */
	GQueue todo;		/* of struct outbox_item */
	GQueue done;		/* of struct outcome */
	gboolean sending;
	gboolean stop;
	gboolean unwell;	/* a temporary failure: skip what is queued now */
	int sent_last_hour;
};

static void
outcome_free(struct outcome *o)
{
	outbox_item_free(o->it);
	g_clear_error(&o->error);
	g_free(o);
}

static void
journal_note(Sender *s, gint64 id)
{
	char line[32];
	int n = g_snprintf(line, sizeof line, "%" G_GINT64_FORMAT "\n", id);

	if (!util_write_all(s->journal, line, n))
		g_warning("%s: %s (a crash now would send reply %" G_GINT64_FORMAT " again)",
		    s->journal_path, g_strerror(errno), id);
}

static gpointer
sender_run(gpointer data)
{
	Sender *s = data;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct outbox_item *it;
		struct outcome *o;

		while ((it = g_queue_pop_head(&s->todo)) == NULL && !s->stop) {
			s->unwell = FALSE;	/* the next batch's replies try again */
			pthread_cond_signal(&s->idle);
			pthread_cond_wait(&s->work, &s->lock);
		}
		if (it == NULL)
			break;
		o = g_new0(struct outcome, 1);
		o->it = it;
		if (s->unwell || s->sent_last_hour >= s->ob->cfg->max_per_hour)
			o->untried = TRUE;
		else {
			s->sending = TRUE;
			pthread_mutex_unlock(&s->lock);
			pace(s->ob);
			if (outbox_send(s->ob, it->rcpt, it->raw, &o->error))
				journal_note(s, it->id);
			pthread_mutex_lock(&s->lock);
			s->sending = FALSE;
			if (o->error == NULL)
				s->sent_last_hour++;
			else if (o->error->code != CLERK_ERROR_FINAL)
				s->unwell = TRUE;
		}
		g_queue_push_tail(&s->done, o);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Record replies a crashed run sent and could not record. */
static gboolean
journal_replay(Sender *s, Store *st, GError **err)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	int n = 0;

	if (!g_file_get_contents(s->journal_path, &text, NULL, NULL))
		return TRUE;
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l != NULL; l++) {
		gint64 id = g_ascii_strtoll(*l, NULL, 10);
		if (id <= 0)
			continue;	/* the last line, or one cut short by the crash */
		if (!store_outbox_set(st, id, OUTBOX_SENT, 0, NULL, err))
			return FALSE;
		n++;
	}
	if (n > 0)
		g_message("%d repl%s sent by an earlier run recorded as sent", n, n == 1 ? "y" : "ies");
	if (ftruncate(s->journal, 0) == -1) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s", s->journal_path, g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

Sender *
sender_start(Outbox *ob, Store *st, GError **err)
{
	Sender *s = g_new0(Sender, 1);

	s->ob = ob;
	s->journal_path = g_strconcat(ob->cfg->database, "-sent", NULL);
	s->journal = open(s->journal_path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	s->in_flight = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->idle, NULL);
	g_queue_init(&s->todo);
	g_queue_init(&s->done);
	if (s->journal == -1) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s", s->journal_path, g_strerror(errno));
		sender_finish(s, NULL, NULL, NULL);
		return NULL;
	}
	if (!journal_replay(s, st, err) || (s->sent_last_hour = store_outbox_recent(st, NULL, 3600, err)) < 0) {
		sender_finish(s, NULL, NULL, NULL);
		return NULL;
	}
	s->thread = g_thread_new("send", sender_run, s);
	return s;
}

/* Record what the thread has done since last asked, in one transaction. */
static gboolean
record_done(Sender *s, Store *st, struct outbox_result *res, GError **err)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	GQueue done = G_QUEUE_INIT;
	gboolean ok = TRUE;
	guint untried = 0;
	int sent_last_hour;

	pthread_mutex_lock(&s->lock);
	done = s->done;
	g_queue_init(&s->done);
	sent_last_hour = s->sent_last_hour;
	pthread_mutex_unlock(&s->lock);
	if (done.length == 0)
		return TRUE;
	ok = store_set_durable(st, FALSE, err) && store_begin(st, err);
	for (GList *l = done.head; ok && l != NULL; l = l->next) {
		struct outcome *o = l->data;
		if (o->untried)
			untried++;
		else
			ok = record(st, o->it, o->error, now, res, err);
	}
	if (ok)
		ok = store_commit(st, err);
	else
		store_rollback(st);
	ok = store_set_durable(st, TRUE, ok ? err : NULL) && ok;
	if (untried > 0) {
		res->deferred += untried;
		if (sent_last_hour >= s->ob->cfg->max_per_hour)
			breaker_warn(s->ob->cfg, sent_last_hour, untried);
	}
	/* Recorded or not, they may be handed over again: the store says what is due. */
	for (GList *l = done.head; l != NULL; l = l->next)
		g_hash_table_remove(s->in_flight, &((struct outcome *)l->data)->it->id);
	g_queue_clear_full(&done, (GDestroyNotify)outcome_free);
	return ok;
}

gboolean
sender_push(Sender *s, Store *st, struct outbox_result *res, GError **err)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autoptr(GPtrArray) due = NULL;

	if (!record_done(s, st, res, err) ||
	    (due = store_outbox_due(st, now, OUTBOX_BATCH, err)) == NULL)
		return FALSE;
	pthread_mutex_lock(&s->lock);
	for (guint i = 0; i < due->len; i++) {
		struct outbox_item *it = g_ptr_array_index(due, i);
		if (g_hash_table_contains(s->in_flight, &it->id))
			continue;
		if (g_hash_table_size(s->in_flight) >= SENDER_MAX_QUEUED)
			break;
		g_hash_table_add(s->in_flight, g_memdup2(&it->id, sizeof it->id));
		g_queue_push_tail(&s->todo, g_ptr_array_steal_index(due, i--));
	}
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->lock);
	return TRUE;
}

gboolean
sender_finish(Sender *s, Store *st, struct outbox_result *res, GError **err)
{
	gboolean ok = TRUE;

	if (s == NULL)
		return TRUE;
	if (s->thread != NULL) {
		pthread_mutex_lock(&s->lock);
		while (s->todo.length > 0 || s->sending)
			pthread_cond_wait(&s->idle, &s->lock);
		s->stop = TRUE;
		pthread_cond_signal(&s->work);
		pthread_mutex_unlock(&s->lock);
		g_thread_join(s->thread);
		ok = record_done(s, st, res, err);
		/* Once recorded, the journal has said its piece. */
		if (ok && ftruncate(s->journal, 0) == -1) {
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s", s->journal_path,
			    g_strerror(errno));
			ok = FALSE;
		}
	}
	if (s->journal != -1)
		close(s->journal);
	g_queue_clear_full(&s->done, (GDestroyNotify)outcome_free);
	g_queue_clear_full(&s->todo, (GDestroyNotify)outbox_item_free);
	g_hash_table_destroy(s->in_flight);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->idle);
	g_free(s->journal_path);
	g_free(s);
	return ok;
}
