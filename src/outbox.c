/* outbox.c: the SMTP side. Envelope sender is the bounce address or <>, so that
 * an automatic reply can never start a loop (RFC 3834, RFC 5321 4.5.5). */
#include "outbox.h"
#include "oauth2.h"
#include "outboxdb.h"
#include "util.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
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

/* The journal: DATABASE-sent, one id a line, the replies sent and not yet
 * recorded. An id is written to it as soon as its reply is sent, before the
 * outcome goes anywhere else, and the journal is emptied only once every id
 * in it is recorded: a reply sent is never lost to a crash or to a record
 * that fails (SQLITE_BUSY while clerkctl writes, SQLITE_FULL at [store]
 * max_size), and the next run (journal_replay) records it as sent rather than
 * send it again. Only one clerkd runs on a store (util_lock_store), so only
 * one process writes it. */
struct journal {
	int fd;
	char *path;
};

static gboolean
journal_open(struct journal *j, const char *database, GError **err)
{
	j->path = g_strconcat(database, "-sent", NULL);
	j->fd = open(j->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd == -1) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s", j->path, g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

static void
journal_close(struct journal *j)
{
	if (j->fd != -1)
		close(j->fd);
	j->fd = -1;
	g_clear_pointer(&j->path, g_free);
}

static gboolean
journal_note(struct journal *j, gint64 id)
{
	char line[32];
	int n = g_snprintf(line, sizeof line, "%" G_GINT64_FORMAT "\n", id);

	if (util_write_all(j->fd, line, n))
		return TRUE;
	g_warning("%s: %s (a crash now would send reply %" G_GINT64_FORMAT " again)", j->path,
	    g_strerror(errno), id);
	return FALSE;
}

/* Every id in it is recorded: empty it. */
static gboolean
journal_clear(struct journal *j, GError **err)
{
	if (ftruncate(j->fd, 0) == -1) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s", j->path, g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

/* Record as sent, in one transaction, the replies an earlier run (or pass)
 * sent and could not record; then empty the journal. On failure it is left
 * as it is, for the next try. */
static gboolean
journal_replay(struct journal *j, Store *st, GError **err)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	gboolean ok;
	int n = 0;

	if (!g_file_get_contents(j->path, &text, NULL, NULL) || *text == '\0')
		return TRUE;
	lines = g_strsplit(text, "\n", -1);
	ok = store_begin(st, err);
	for (char **l = lines; ok && *l != NULL; l++) {
		gint64 id = g_ascii_strtoll(*l, NULL, 10);
		if (id <= 0)
			continue;	/* the last line, or one cut short by the crash */
		ok = outboxdb_set(st, id, OUTBOX_SENT, 0, NULL, err);
		n++;
	}
	if (!ok) {
		store_rollback(st);
		return FALSE;
	}
	if (!store_commit(st, err))
		return FALSE;
	if (n > 0)
		g_message("%d repl%s sent by an earlier run recorded as sent", n, n == 1 ? "y" : "ies");
	return journal_clear(j, err);
}

static gboolean flush(Outbox *ob, Store *st, struct journal *j, struct outbox_result *res, GError **err);

/* Marking a reply sent need not wait for the disk: if clerkd dies before the
 * mark is written the reply goes again with the same Message-ID, and a crash
 * of clerkd alone loses nothing the OS has. One fsync per reply would cap the
 * rate at the disk's. Each reply sent is journalled before it is recorded. */
gboolean
outbox_flush(Outbox *ob, Store *st, struct outbox_result *res, GError **err)
{
	struct journal j = { -1, NULL };
	gboolean ok;

	memset(res, 0, sizeof *res);
	if (!journal_open(&j, ob->cfg->database, err))
		return FALSE;
	ok = journal_replay(&j, st, err) && store_set_durable(st, FALSE, err);
	if (ok) {
		ok = flush(ob, st, &j, res, err);
		ok = store_set_durable(st, TRUE, ok ? err : NULL) && ok;
	}
	/* All recorded: the journal has said its piece. Else it waits for the next run. */
	if (ok)
		ok = journal_clear(&j, err);
	journal_close(&j);
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
 * staff); or deferred, with a backoff. record() writes it; noted() logs and
 * counts it, once it is in the store for good. */
static gint64
backoff(const struct outbox_item *it)
{
	return MIN(OUTBOX_BACKOFF_MAX, OUTBOX_BACKOFF_MIN << MIN(it->attempts, 10));
}

static gboolean
record(Store *st, const struct outbox_item *it, const GError *serr, gint64 now, GError **err)
{
	if (serr == NULL)
		return outboxdb_set(st, it->id, OUTBOX_SENT, 0, NULL, err);
	if (serr->code == CLERK_ERROR_FINAL)
		return outboxdb_set(st, it->id, OUTBOX_FAILED, 0, serr->message, err);
	return outboxdb_set(st, it->id, OUTBOX_QUEUED, now + backoff(it), serr->message, err);
}

static void
noted(const struct outbox_item *it, const GError *serr, struct outbox_result *res)
{
	if (serr == NULL) {
		g_message("reply <%s> sent to <%s>", it->message_id, it->rcpt);
		res->sent++;
	} else if (serr->code == CLERK_ERROR_FINAL) {
		g_warning("reply <%s> failed: %s", it->message_id, serr->message);
		res->failed++;
	} else {
		g_warning("reply <%s> deferred %" G_GINT64_FORMAT "s: %s", it->message_id, backoff(it),
		    serr->message);
		res->deferred++;
	}
}

static void
breaker_warn(const struct config *cfg, int sent_last_hour, guint waiting)
{
	/* The circuit breaker: something is wrong; staff must look. */
	g_warning("circuit breaker: %d replies sent in the last hour (max_per_hour %d); %u replies wait",
	    sent_last_hour, cfg->max_per_hour, waiting);
}

static gboolean
flush(Outbox *ob, Store *st, struct journal *j, struct outbox_result *res, GError **err)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autoptr(GPtrArray) due = NULL;
	int sent_last_hour = outboxdb_recent(st, NULL, 3600, err);

	if (sent_last_hour < 0)
		return FALSE;
	for (;;) {
		if ((due = outboxdb_due(st, now, OUTBOX_BATCH, err)) == NULL)
			return FALSE;
		if (due->len == 0)
			return TRUE;
		for (guint i = 0; i < due->len; i++) {
			struct outbox_item *it = g_ptr_array_index(due, i);
			g_autoptr(GError) serr = NULL;
			int jerrno = 0;

			if (sent_last_hour >= ob->cfg->max_per_hour) {
				breaker_warn(ob->cfg, sent_last_hour, due->len - i);
				res->deferred += due->len - i;
				return TRUE;
			}
			pace(ob);
			if (outbox_send(ob, it->rcpt, it->raw, &serr)) {
				sent_last_hour++;
				if (!journal_note(j, it->id))
					jerrno = errno;
			}
			/* Not recorded: it stays in the journal, for the next run. */
			if (!record(st, it, serr, now, err))
				return FALSE;
			noted(it, serr, res);
			if (jerrno != 0) {
				/* Recorded, but the next may not be: send no more. */
				g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s", j->path, g_strerror(jerrno));
				return FALSE;
			}
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
 * next looks (sender_push, sender_finish). A reply sent is written to the
 * journal by the thread before it reports it; an outcome whose record fails
 * is kept, and tried again at the next look; the journal is emptied only when
 * all are recorded, and else the next sender_start records what it holds. So
 * neither a crash of clerkd nor a record that fails sends a reply twice. */
struct outcome {
	struct outbox_item *it;
	GError *error;		/* NULL: sent */
	gboolean untried;	/* left queued: the breaker, or the server unwell */
	gboolean journalled;	/* sent, and its id in the journal */
};

struct sender {
	Outbox *ob;
	struct journal journal;
	GHashTable *in_flight;	/* the main thread's: ids handed over, not yet recorded */
	GThread *thread;

	pthread_mutex_t lock;	/* guards what follows */
	pthread_cond_t work;	/* todo grew, or stop */
	pthread_cond_t idle;	/* todo emptied and nothing is being sent */
	GQueue todo;		/* of struct outbox_item */
	GQueue done;		/* of struct outcome, oldest first */
	gboolean sending;
	gboolean stop;
	gboolean unwell;	/* a temporary failure: skip what is queued now */
	gboolean no_journal;	/* the journal cannot be written: send no more */
	int sent_last_hour;
};

static void
outcome_free(struct outcome *o)
{
	outbox_item_free(o->it);
	g_clear_error(&o->error);
	g_free(o);
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
		if (s->unwell || s->no_journal || s->sent_last_hour >= s->ob->cfg->max_per_hour)
			o->untried = TRUE;
		else {
			s->sending = TRUE;
			pthread_mutex_unlock(&s->lock);
			pace(s->ob);
			/* Journalled before it is reported: from here on it cannot be lost. */
			if (outbox_send(s->ob, it->rcpt, it->raw, &o->error))
				o->journalled = journal_note(&s->journal, it->id);
			pthread_mutex_lock(&s->lock);
			s->sending = FALSE;
			if (o->error == NULL) {
				s->sent_last_hour++;
				s->no_journal |= !o->journalled;
			} else if (o->error->code != CLERK_ERROR_FINAL)
				s->unwell = TRUE;
		}
		g_queue_push_tail(&s->done, o);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

Sender *
sender_start(Outbox *ob, Store *st, GError **err)
{
	Sender *s = g_new0(Sender, 1);

	s->ob = ob;
	s->journal.fd = -1;
	s->in_flight = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->idle, NULL);
	g_queue_init(&s->todo);
	g_queue_init(&s->done);
	/* First, record what an earlier run sent and could not record. */
	if (!journal_open(&s->journal, ob->cfg->database, err) || !journal_replay(&s->journal, st, err) ||
	    (s->sent_last_hour = outboxdb_recent(st, NULL, 3600, err)) < 0) {
		sender_finish(s, NULL, NULL, NULL);
		return NULL;
	}
	s->thread = g_thread_new("send", sender_run, s);
	return s;
}

/* TEST ONLY: CLERKD_TEST_FAIL_RECORD=busy|full[:N] in clerkd's environment
 * makes the first N (default 1) recordings of outcomes that include a reply
 * sent fail at their commit, as SQLITE_BUSY (another writer, e.g. clerkctl) or
 * SQLITE_FULL ([store] max_size) would: after the send, before its record.
 * So that the failure falls between two batches of a pass, not only at its
 * end, sender_push then first waits for the thread to send what it holds.
 * Read from the environment only, never from mail or the configuration;
 * used by tests/e2e_outage.sh. */
static int test_fail_rc = -1;	/* -1: not read yet; 0: off */
static int test_fail_left;

static gboolean
test_fail_on(void)
{
	if (test_fail_rc == -1) {
		const char *v = g_getenv("CLERKD_TEST_FAIL_RECORD");
		const char *n = v ? strchr(v, ':') : NULL;

		test_fail_rc = 0;
		if (v != NULL && g_str_has_prefix(v, "busy"))
			test_fail_rc = SQLITE_BUSY;
		else if (v != NULL && g_str_has_prefix(v, "full"))
			test_fail_rc = SQLITE_FULL;
		test_fail_left = n ? atoi(n + 1) : 1;
		if (test_fail_rc != 0)
			g_warning("CLERKD_TEST_FAIL_RECORD=%s: recording replies sent will fail (a test)", v);
	}
	return test_fail_rc != 0;
}

static gboolean
test_fail_record(GError **err)
{
	if (!test_fail_on() || test_fail_left <= 0)
		return FALSE;
	test_fail_left--;
	g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "database: commit: %s (CLERKD_TEST_FAIL_RECORD)",
	    sqlite3_errstr(test_fail_rc));
	return TRUE;
}

/* Record what the thread has done since last asked, in one transaction. If
 * that fails, every outcome is kept (oldest first, and still in flight, so not
 * handed over again) for the next call: a reply sent is never dropped
 * unrecorded. */
static gboolean
record_done(Sender *s, Store *st, struct outbox_result *res, GError **err)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	GQueue done = G_QUEUE_INIT;
	gboolean ok = TRUE, any_sent = FALSE;
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
		if (!o->untried) {
			ok = record(st, o->it, o->error, now, err);
			any_sent |= o->error == NULL;
		}
	}
	if (ok && any_sent && test_fail_record(err))
		ok = FALSE;
	if (ok)
		ok = store_commit(st, err);
	else
		store_rollback(st);
	ok = store_set_durable(st, TRUE, ok ? err : NULL) && ok;
	if (!ok) {
		/* Back at the head of the queue, before what the thread did meanwhile. */
		pthread_mutex_lock(&s->lock);
		for (GList *l = done.tail; l != NULL; l = l->prev)
			g_queue_push_head(&s->done, l->data);
		pthread_mutex_unlock(&s->lock);
		g_queue_clear(&done);
		return FALSE;
	}
	for (GList *l = done.head; l != NULL; l = l->next) {
		struct outcome *o = l->data;
		if (o->untried)
			untried++;
		else
			noted(o->it, o->error, res);
		/* Recorded: it may be handed over again, when the store says it is due. */
		g_hash_table_remove(s->in_flight, &o->it->id);
	}
	if (untried > 0) {
		res->deferred += untried;
		if (sent_last_hour >= s->ob->cfg->max_per_hour)
			breaker_warn(s->ob->cfg, sent_last_hour, untried);
	}
	g_queue_clear_full(&done, (GDestroyNotify)outcome_free);
	return TRUE;
}

gboolean
sender_push(Sender *s, Store *st, struct outbox_result *res, GError **err)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	g_autoptr(GPtrArray) due = NULL;

	if (test_fail_on()) {	/* TEST ONLY: see test_fail_record */
		pthread_mutex_lock(&s->lock);
		while (s->todo.length > 0 || s->sending)
			pthread_cond_wait(&s->idle, &s->lock);
		pthread_mutex_unlock(&s->lock);
	}
	if (!record_done(s, st, res, err) ||
	    (due = outboxdb_due(st, now, OUTBOX_BATCH, err)) == NULL)
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
		/* Every id in the journal recorded (at sender_start, or now): empty it.
		 * Else it is kept, and the next sender_start records them. */
		ok = record_done(s, st, res, err) && journal_clear(&s->journal, err);
		for (GList *l = s->done.head; l != NULL; l = l->next) {
			struct outcome *o = l->data;
			if (!o->untried && o->error == NULL && !o->journalled)
				o->journalled = journal_note(&s->journal, o->it->id);	/* a last try */
		}
	}
	journal_close(&s->journal);
	g_queue_clear_full(&s->done, (GDestroyNotify)outcome_free);
	g_queue_clear_full(&s->todo, (GDestroyNotify)outbox_item_free);
	g_hash_table_destroy(s->in_flight);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->idle);
	g_free(s);
	return ok;
}
