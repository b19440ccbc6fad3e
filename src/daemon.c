/* daemon.c: the main loop. One IMAP connection, kept from pass to pass: it
 * sits in IDLE on the inbox between passes and wakes the loop when mail
 * arrives, and the next pass runs on it without logging in again. The poll
 * timer runs beside IDLE as a safety net (and re-issues IDLE well before
 * servers drop it), and alone where IDLE is not offered or fails. */
#include "daemon.h"
#include "digest.h"
#include "settle.h"
#include "imap.h"
#include "pipeline.h"
#include "util.h"

#include <glib-unix.h>
#include <signal.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif
#include <string.h>

#define BACKOFF_MIN 5
#define BACKOFF_MAX 600

struct daemon {
	const char *path;
	struct config *cfg;	/* owned */
	Store *st;
	Outbox *ob;
	GMainLoop *loop;
	guint backoff;		/* seconds to wait after a failed pass; 0 when well */
	Imap *conn;		/* kept between passes (and in IDLE there), or NULL */
	gboolean idling;
	gboolean told;		/* the log said once why there is no IDLE */
	int left;		/* messages the last pass left in the inbox */
	guint fd_source;
	guint timer;
};

gboolean
daemon_pass(const struct config *cfg, Store *st, Outbox *ob, Imap **conn, int *left)
{
	struct pass_stats ps;
	g_autoptr(GError) err = NULL;
	gboolean ok = pipeline_pass(cfg, st, ob, conn, &ps, &err);

	if (!ok)
		g_warning("pass interrupted: %s", err ? err->message : "unknown error");
	g_message("pass: %d in inbox, %d handled, %d moved, %d failed, %d quarantined; "
	    "replies %d sent, %d deferred, %d failed", ps.seen, ps.handled, ps.moved, ps.failed,
	    ps.quarantined, ps.out.sent, ps.out.deferred, ps.out.failed);
	if (ps.kept > 0)
		g_message("%d message%s copied out but left in the inbox, flagged \\Deleted and "
		    "$ClerkdProcessed: the server offers neither MOVE nor UIDPLUS, and clerkd never "
		    "expunges there (expunge the inbox to tidy it)",
		    ps.kept, ps.kept == 1 ? "" : "s");
	if (left != NULL)
		*left = ps.left;
	{
		const int figures[8] = { ps.seen, ps.handled, ps.moved, ps.failed, ps.quarantined,
			ps.out.sent, ps.out.deferred, ps.out.failed };
		g_autoptr(GError) serr = NULL;
		if (!store_note_pass(st, figures, ok, &serr))
			g_warning("could not record the pass: %s", serr->message);
	}
	return ok && ps.out.deferred == 0;
}

/* Scheduled work, before each pass (whose outbox flush sends what it queues):
 * offers past their deadline, lotteries that are due, blocks that have
 * started, early applications whose window opened (only the offers and the
 * early applications with only_offers). A failure is logged and tried
 * again next pass; it never stops mail. */
static gboolean
daemon_due(const struct config *cfg, Store *st, gboolean only_offers)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GString) log = g_string_new(NULL);
	struct process_ctx pc;
	gboolean temp = FALSE;

	if (cfg->rules == NULL)
		return TRUE;
	process_ctx_init(&pc, cfg, st);
	if (store_begin(st, &err) && (only_offers ? settle_offers_due(&pc, log, &err) :
	    settle_due(&pc, log, &err)) && settle_apply(&pc, &err) && store_commit(st, &err)) {
		g_auto(GStrv) lines = g_strsplit(g_strchomp(log->str), "\n", -1);
		for (int i = 0; log->len > 0 && lines[i] != NULL; i++)
			g_message("scheduling: %s", lines[i]);
	} else {
		store_rollback(st);
		g_warning("scheduling work failed, tried again next pass: %s", err ? err->message : "?");
		temp = err == NULL || err->code == CLERK_ERROR_TEMP;
	}
	process_ctx_clear(&pc);
	return !temp;
}

/* The staff digest, after a pass (so it counts what the pass did), sent at
 * once; a failure is logged and tried again next pass. */
static void
daemon_digest(const struct config *cfg, Store *st, Outbox *ob)
{
	g_autoptr(GError) err = NULL;
	struct outbox_result res = { 0 };
	int n = digest_due(cfg, st, &err);

	if (n < 0)
		g_warning("digest failed, tried again next pass: %s", err ? err->message : "?");
	else if (n > 0 && !outbox_flush(ob, st, &res, &err))
		g_warning("digest queued, not sent yet: %s", err ? err->message : "?");
}

/* sd_notify(3) where clerkd was built with libsystemd; nothing otherwise. */
static void G_GNUC_PRINTF(1, 2)
notify(const char *fmt, ...)
{
#ifdef HAVE_SYSTEMD
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	sd_notify(0, msg);
#else
	(void)fmt;
#endif
}

static gboolean
on_watchdog(gpointer data)
{
	notify("WATCHDOG=1");
	return G_SOURCE_CONTINUE;
}

static void
drop_conn(struct daemon *d)
{
	g_clear_pointer(&d->conn, imap_logout);
	d->idling = FALSE;
}

static gboolean on_fd(int fd, GIOCondition cond, gpointer data);
static gboolean on_timer(gpointer data);
static void wake(struct daemon *d);

static gboolean
on_buffered(gpointer data)
{
	wake(data);
	return G_SOURCE_REMOVE;
}

/* Start IDLE on the kept connection, connecting it if need be. */
static void
start_idle(struct daemon *d)
{
	g_autoptr(GError) err = NULL;
	guint32 uv;
	int fd;

	if (d->conn == NULL) {
		if ((d->conn = imap_connect(d->cfg, &err)) == NULL)
			goto fail;
		if (!imap_select(d->conn, d->cfg->mailbox, &uv, &err))
			goto fail;
	}
	/* Mail that came after the pass listed the inbox and before IDLE began
	 * would wake nothing: look first. */
	if (imap_exists(d->conn, &err) > (guint32)MAX(d->left, 0)) {
		g_idle_add(on_buffered, d);
		return;
	}
	if (err != NULL)
		goto fail;
	if ((fd = imap_idle_start(d->conn, &err)) < 0) {
		if (g_error_matches(err, CLERK_ERROR, CLERK_ERROR_FINAL))
			goto no_idle;	/* not offered: the connection still serves the passes */
		goto fail;
	}
	d->idling = TRUE;
	d->told = FALSE;
	d->fd_source = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_fd, d);
	return;
fail:
	drop_conn(d);
no_idle:
	if (!d->told)
		g_message("no IDLE (%s): polling every %ds", err ? err->message : "?", d->cfg->poll_seconds);
	d->told = TRUE;
}

static void
arm(struct daemon *d)
{
	guint wait = d->backoff ? d->backoff : (guint)d->cfg->poll_seconds;

	if (d->backoff == 0 && d->cfg->idle)
		start_idle(d);
	d->timer = g_timeout_add_seconds(wait, on_timer, d);
	if (d->idling && d->conn != NULL && imap_idle_pending(d->conn))
		g_idle_add(on_buffered, d);	/* mail came with the IDLE answer itself */
}

/* A reload (SIGHUP) waits for the pass in hand and the IDLE that follows
 * it: a signal during a blocking IMAP read would break the connection
 * (select() and poll() are never restarted). SIGTERM still stops at once. */
static void
hold_reloads(gboolean hold)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static void
wake(struct daemon *d)
{
	g_autoptr(GError) err = NULL;

	hold_reloads(TRUE);
	if (d->fd_source != 0)
		g_source_remove(d->fd_source);
	if (d->timer != 0)
		g_source_remove(d->timer);
	d->fd_source = d->timer = 0;
	if (d->idling) {
		d->idling = FALSE;
		if (!imap_idle_done(d->conn, &err)) {
			g_message("IDLE connection lost: %s", err->message);
			drop_conn(d);
		}
	}
	(void)daemon_due(d->cfg, d->st, FALSE);
	gboolean ok = daemon_pass(d->cfg, d->st, d->ob, &d->conn, &d->left);
	daemon_digest(d->cfg, d->st, d->ob);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree char *when = g_date_time_format(now, "%H:%M:%S");

	notify("READY=1\nSTATUS=last pass %s at %s", ok ? "done" : "interrupted", when);
	if (ok)
		d->backoff = 0;
	else {
		d->backoff = d->backoff ? MIN(d->backoff * 2, BACKOFF_MAX) : BACKOFF_MIN;
		g_message("next try in %us", d->backoff);
		drop_conn(d);
	}
	arm(d);
	hold_reloads(FALSE);
}

/* IDLE said something: new mail, or only that another client changed flags
 * or expunged. New mail makes a pass; anything else goes back to IDLE, and
 * the poll timer keeps its time. */
static gboolean
on_fd(int fd, GIOCondition cond, gpointer data)
{
	struct daemon *d = data;
	g_autoptr(GError) err = NULL;
	guint32 n;

	d->fd_source = 0;
	hold_reloads(TRUE);
	d->idling = FALSE;
	if (!imap_idle_done(d->conn, &err)) {
		g_message("IDLE connection lost: %s", err->message);
		drop_conn(d);
	} else if ((n = imap_exists(d->conn, &err)) <= (guint32)MAX(d->left, 0) && err == NULL) {
		/* Fewer than the pass left: others expunged some; mail that comes
		 * next must still count as new. */
		d->left = MIN(d->left, (int)n);
		start_idle(d);
		if (d->idling && imap_idle_pending(d->conn))
			g_idle_add(on_buffered, d);
		hold_reloads(FALSE);
		return G_SOURCE_REMOVE;
	}
	hold_reloads(FALSE);
	wake(d);
	return G_SOURCE_REMOVE;
}

static gboolean
on_timer(gpointer data)
{
	struct daemon *d = data;

	d->timer = 0;
	wake(d);
	return G_SOURCE_REMOVE;
}

/* SIGHUP: a new configuration (and rules) if they pass every check, else the
 * old one, and the log says why. Applied between passes. */
static gboolean
on_reload(gpointer data)
{
	struct daemon *d = data;
	g_autoptr(GError) err = NULL;
	struct config *cfg = config_load(d->path, &err);

	if (cfg == NULL || !config_check_rules(cfg, &err)) {
		g_warning("reload refused, keeping the running configuration: %s", err->message);
		config_free(cfg);
		return G_SOURCE_CONTINUE;
	}
	if (strcmp(cfg->database, d->cfg->database) != 0) {
		/* The store, its lock and its journal of replies sent stay as they are. */
		g_warning("reload: [store] database changes only on restart");
		g_free(cfg->database);
		cfg->database = g_strdup(d->cfg->database);
	}
	drop_conn(d);
	outbox_set_config(d->ob, cfg);
	config_free(d->cfg);
	d->cfg = cfg;
	g_message("configuration reloaded from %s", d->path);
	if (d->timer != 0 || d->fd_source != 0) {
		/* A pass now, with the new settings, and IDLE on the new connection. */
		if (d->fd_source != 0)
			g_source_remove(d->fd_source);
		d->fd_source = 0;
		d->idling = FALSE;
		if (d->timer != 0)
			g_source_remove(d->timer);
		d->timer = g_idle_add(on_timer, d);
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
on_signal(gpointer data)
{
	struct daemon *d = data;

	g_message("signal received: stopping");
	notify("STOPPING=1");
	g_main_loop_quit(d->loop);
	return G_SOURCE_CONTINUE;
}

gboolean
daemon_once(const struct config *cfg, Store *st, Outbox *ob)
{
	/* The store busy (another writer): the pass would fail too; try later. */
	gboolean ok;

	if (!daemon_due(cfg, st, TRUE))
		return FALSE;
	ok = daemon_pass(cfg, st, ob, NULL, NULL);
	daemon_digest(cfg, st, ob);
	return ok;
}

int
daemon_run(const char *path, struct config *cfg, Store *st, Outbox *ob)
{
	struct daemon d = { .path = path, .cfg = cfg, .st = st, .ob = ob };

	d.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_signal, &d);
	g_unix_signal_add(SIGINT, on_signal, &d);
	g_unix_signal_add(SIGHUP, on_reload, &d);
	g_message("clerkd %s started: %s, %s, polling every %ds", PACKAGE_VERSION, cfg->mailbox,
	    cfg->idle ? "IDLE where offered" : "no IDLE", cfg->poll_seconds);
	d.timer = g_idle_add(on_timer, &d);
#ifdef HAVE_SYSTEMD
	{
		guint64 usec = 0;
		if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
			g_timeout_add(MAX(usec / 2000, 100), on_watchdog, NULL);
	}
#endif
	g_main_loop_run(d.loop);
	if (d.fd_source != 0)
		g_source_remove(d.fd_source);
	if (d.timer != 0)
		g_source_remove(d.timer);
	drop_conn(&d);
	g_main_loop_unref(d.loop);
	config_free(d.cfg);
	return 0;
}
