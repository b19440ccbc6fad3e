/* fetch.c: two threads ahead of the handler. The fetching thread owns the
 * IMAP session for one UID FETCH: bytes come in through imap_fetch_stream(),
 * are scanned and hashed as they come, and each finished message is queued
 * for the parsing thread, which parses it (GMime; attachments decoded into
 * files) and queues it for the handler (the pipeline, on the main thread).
 * Nothing else is shared: the two queues and their byte count, under one lock,
 * a pthread mutex rather than GLib's: ThreadSanitizer sees through it (GLib's
 * are futexes it cannot follow). */
#include "fetch.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

struct fetch {
	Imap *im;
	guint32 *uids;
	guint n;
	char *spool_dir;
	gsize spool_min;	/* held in memory up to this size */
	GThread *thread, *parser;

	pthread_mutex_t lock;		/* guards what follows */
	pthread_cond_t to_parse;	/* fetched grew, or the fetch is over */
	pthread_cond_t to_handle;	/* queue grew, or parsing is over */
	pthread_cond_t room;		/* ahead shrank, or abort */
	GQueue fetched;		/* of struct arrival, to parse */
	GQueue queue;		/* of struct arrival, parsed, to handle */
	gsize ahead;		/* bytes held by messages queued or being handled */
	gboolean fetch_over;	/* the fetching thread has queued its last */
	gboolean over;		/* the parsing thread has queued its last */
	gboolean abort;
	gboolean ok;
	GError *error;

	struct arrival *cur;	/* the thread's: the message arriving */
};

/* Buffers for messages, kept from one to the next (fresh memory costs a page
 * fault per 4 KB): a few, and none that grew past a few MB. */
#define SPARE_BUFS 2
#define SPARE_MAX (4 * 1024 * 1024)
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static GByteArray *spare[SPARE_BUFS];

static GByteArray *
buf_get(void)
{
	GByteArray *b = NULL;

	pthread_mutex_lock(&spare_lock);
	for (int i = 0; i < SPARE_BUFS && b == NULL; i++) {
		b = spare[i];
		spare[i] = NULL;
	}
	pthread_mutex_unlock(&spare_lock);
	return b != NULL ? b : g_byte_array_sized_new(256 * 1024);
}

static void
buf_put(GByteArray *b)
{
	if (b == NULL)
		return;
	if (b->len <= SPARE_MAX) {
		g_byte_array_set_size(b, 0);
		pthread_mutex_lock(&spare_lock);
		for (int i = 0; i < SPARE_BUFS && b != NULL; i++)
			if (spare[i] == NULL) {
				spare[i] = b;
				b = NULL;
			}
		pthread_mutex_unlock(&spare_lock);
	}
	if (b != NULL)
		g_byte_array_free(b, TRUE);
}

static void
arrival_free(struct arrival *a)
{
	buf_put(a->raw);
	if (a->spool_fd != -1)
		close(a->spool_fd);
	if (a->scan.sha != NULL)
		g_free(rawscan_finish(&a->scan));
	g_free(a->sha256);
	facts_free(a->facts);
	g_clear_error(&a->error);
	g_free(a);
}

static gboolean
aborted(Fetch *f)
{
	gboolean a;

	pthread_mutex_lock(&f->lock);
	a = f->abort;
	pthread_mutex_unlock(&f->lock);
	return a;
}

static struct arrival *
arriving(Fetch *f)
{
	if (f->cur == NULL) {
		f->cur = g_new0(struct arrival, 1);
		f->cur->raw = buf_get();
		f->cur->spool_fd = -1;
		rawscan_init(&f->cur->scan);
	}
	return f->cur;
}

/* Past spool_min: on into a private spool file, gone once closed. */
static gboolean
spool(Fetch *f, struct arrival *a)
{
	g_autofree char *path = g_build_filename(f->spool_dir, "msg.XXXXXX", NULL);

	if ((a->spool_fd = g_mkstemp_full(path, O_RDWR | O_CLOEXEC, 0600)) == -1)
		goto fail;
	unlink(path);
	if (!util_write_all(a->spool_fd, a->raw->data, a->raw->len))
		goto fail;
	buf_put(a->raw);
	a->raw = NULL;
	return TRUE;
fail:
	g_set_error(&a->error, CLERK_ERROR, CLERK_ERROR_TEMP, "%s: %s", path, g_strerror(errno));
	return FALSE;
}

static gboolean
on_bytes(const char *data, gsize len, gpointer user)
{
	Fetch *f = user;
	struct arrival *a = arriving(f);

	if (a->error != NULL || aborted(f))
		return TRUE;	/* read on; what is kept says why */
	rawscan_feed(&a->scan, data, len);
	if (a->raw != NULL && a->raw->len + len <= f->spool_min) {
		g_byte_array_append(a->raw, (const guint8 *)data, len);
		return TRUE;
	}
	if (a->raw != NULL && !spool(f, a))
		return TRUE;
	if (!util_write_all(a->spool_fd, data, len))
		g_set_error(&a->error, CLERK_ERROR, CLERK_ERROR_TEMP, "spool: %s", g_strerror(errno));
	return TRUE;
}

static void
on_done(guint32 uid, gpointer user)
{
	Fetch *f = user;
	struct arrival *a = arriving(f);
	gsize bytes = a->raw != NULL ? a->raw->len : 0;

	f->cur = NULL;
	a->uid = uid;
	a->sha256 = rawscan_finish(&a->scan);
	a->held = bytes;
	pthread_mutex_lock(&f->lock);
	if (f->abort)
		arrival_free(a);
	else {
		g_queue_push_tail(&f->fetched, a);
		f->ahead += bytes;
		pthread_cond_signal(&f->to_parse);
		/* Far enough ahead: wait (the server waits on TCP meanwhile). */
		while (f->ahead > FETCH_AHEAD && !f->abort)
			pthread_cond_wait(&f->room, &f->lock);
	}
	pthread_mutex_unlock(&f->lock);
}

static void
on_abandon(gpointer user)
{
	Fetch *f = user;

	if (f->cur != NULL)
		arrival_free(f->cur);
	f->cur = NULL;
}

static gpointer
fetch_thread(gpointer data)
{
	Fetch *f = data;
	const struct imap_stream_cb cb = { on_bytes, on_done, on_abandon, f };
	GError *err = NULL;
	sigset_t all;
	gboolean ok;

	/* Signals are the main thread's: none may interrupt a read here. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	ok = imap_fetch_stream(f->im, f->uids, f->n, &cb, &err);
	on_abandon(f);
	pthread_mutex_lock(&f->lock);
	f->ok = ok;
	f->error = err;
	f->fetch_over = TRUE;
	pthread_cond_signal(&f->to_parse);
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

/* The parsing thread: what the handler needs of each message, as plain facts. */
static gpointer
parse(gpointer data)
{
	Fetch *f = data;
	struct arrival *a;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		gboolean abort;
		pthread_mutex_lock(&f->lock);
		while ((a = g_queue_pop_head(&f->fetched)) == NULL && !f->fetch_over)
			pthread_cond_wait(&f->to_parse, &f->lock);
		abort = f->abort;
		pthread_mutex_unlock(&f->lock);
		if (a == NULL)
			break;
		if (!abort && a->error == NULL)
			a->facts = a->raw != NULL ? message_parse_array(a->raw, f->spool_dir, &a->error) :
			    message_parse_fd(a->spool_fd, f->spool_dir, &a->error);
		/* Only a delivery report is read again; the buffer serves the next message.
		 * The message still counts against FETCH_AHEAD until handled. */
		if (a->facts != NULL && !a->facts->delivery_report) {
			buf_put(a->raw);
			a->raw = NULL;
		}
		pthread_mutex_lock(&f->lock);
		g_queue_push_tail(&f->queue, a);
		pthread_cond_signal(&f->to_handle);
		pthread_mutex_unlock(&f->lock);
	}
	pthread_mutex_lock(&f->lock);
	f->over = TRUE;
	pthread_cond_signal(&f->to_handle);
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

Fetch *
fetch_start(Imap *im, const guint32 *uids, guint n, const char *spool_dir, gboolean spool_all)
{
	Fetch *f = g_new0(Fetch, 1);

	f->spool_min = spool_all ? 0 : FETCH_SPOOL_MIN;
	f->im = im;
	f->uids = g_memdup2(uids, n * sizeof *uids);
	f->n = n;
	f->spool_dir = g_strdup(spool_dir);
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->to_parse, NULL);
	pthread_cond_init(&f->to_handle, NULL);
	pthread_cond_init(&f->room, NULL);
	g_queue_init(&f->fetched);
	g_queue_init(&f->queue);
	f->thread = g_thread_new("fetch", fetch_thread, f);
	f->parser = g_thread_new("parse", parse, f);
	return f;
}

struct arrival *
fetch_next(Fetch *f)
{
	struct arrival *a;

	pthread_mutex_lock(&f->lock);
	while ((a = g_queue_pop_head(&f->queue)) == NULL && !f->over)
		pthread_cond_wait(&f->to_handle, &f->lock);
	pthread_mutex_unlock(&f->lock);
	return a;
}

void
fetch_release(Fetch *f, struct arrival *a)
{
	gsize bytes = a->held;

	arrival_free(a);
	pthread_mutex_lock(&f->lock);
	f->ahead -= bytes;
	if (f->ahead <= FETCH_AHEAD)
		pthread_cond_signal(&f->room);
	pthread_mutex_unlock(&f->lock);
}

void
fetch_abort(Fetch *f)
{
	pthread_mutex_lock(&f->lock);
	f->abort = TRUE;
	pthread_cond_signal(&f->room);
	pthread_mutex_unlock(&f->lock);
}

gboolean
fetch_finish(Fetch *f, GError **err)
{
	struct arrival *a;
	gboolean ok;

	fetch_abort(f);	/* a thread still fetching keeps nothing more */
	g_thread_join(f->thread);
	g_thread_join(f->parser);
	while ((a = g_queue_pop_head(&f->queue)) != NULL)
		arrival_free(a);
	ok = f->ok;
	if (!ok)
		g_propagate_error(err, f->error);
	else
		g_clear_error(&f->error);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->to_parse);
	pthread_cond_destroy(&f->to_handle);
	pthread_cond_destroy(&f->room);
	g_free(f->uids);
	g_free(f->spool_dir);
	g_free(f);
	return ok;
}
