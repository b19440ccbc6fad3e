/* pipeline.c: the order of effects is the whole point here:
 *   fetch -> handle + commit (durable) -> send -> mark sent, and move.
 * A crash anywhere leaves either nothing done (fetched again) or a committed
 * message whose move and reply are redone from the store.
 *
 * One UID FETCH (a stream) runs across several batches: while a batch is made
 * durable and its replies go out, the server sends on and the next messages
 * are parsed. The moves wait for the end of the stream, when the IMAP session
 * is free again. */
#include "pipeline.h"
#include "docstore.h"
#include "fetch.h"
#include "imap.h"
#include "ledger.h"
#include "process.h"
#include "util.h"

#include <string.h>

/* A batch (one commit) ends at batch_size messages or this many bytes: each
 * costs a syncfs and a commit, and its replies wait for it. */
#define BATCH_MAX_BYTES (64 * 1024 * 1024)
/* A stream (one UID FETCH) is at most this many batches: the moves of what
 * they handled wait for its end. */
#define STREAM_BATCHES 8

/* How a message is fetched: whole, into memory (spooled past FETCH_SPOOL_MIN);
 * whole, known to be large, into a spool file from its first byte; or only its
 * header, being over max_message_size. */
enum kind { INLINE, LARGE, OVERSIZE };

struct pass {
	const struct config *cfg;
	Store *st;
	Imap *im;
	Outbox *ob;
	Sender *sender;		/* the replies go out from their own thread */
	struct process_ctx pc;
	guint32 uidvalidity;
	GArray *done;		/* uids handled, to move to processed */
	GArray *done_ids;	/* their ledger ids */
	GArray *bad;		/* uids to quarantine */
	GArray *bad_ids;
	guint done_committed;	/* of which the first so many are committed */
	guint bad_committed;
	gboolean in_batch;	/* a batch's transaction is open */
	guint batch_n;		/* messages in it */
	gsize batch_bytes;
	struct pass_stats *ps;
	GError *fatal;		/* a store error: abort the batch */
	guint32 cur_size;	/* RFC822.SIZE of the oversize message being handled */
	struct arrival *cur;	/* the fetched message being handled */
};

static struct ledger_key
key_of(struct pass *p, guint32 uid)
{
	struct ledger_key k = { p->cfg->account, p->cfg->mailbox, p->uidvalidity, uid };
	return k;
}

static void
record_failure(struct pass *p, guint32 uid, const char *why)
{
	struct ledger_key k = key_of(p, uid);
	int attempts = ledger_failed(p->st, &k, why, p->fatal ? NULL : &p->fatal);

	p->ps->failed++;
	if (attempts >= p->cfg->max_attempts) {
		gint64 id = 0;
		int n;
		ledger_get(p->st, &k, &id, &n, NULL);
		g_array_append_val(p->bad, uid);
		g_array_append_val(p->bad_ids, id);
	}
}

/* Only a fault of the message itself counts against it. Anything else (the
 * disk is full, the database busy, a template missing) aborts the batch: the
 * message stays in the inbox, no attempt counted, and the pass is retried. */
static void
settle_failure(struct pass *p, guint32 uid, GError **err)
{
	if (*err != NULL && !g_error_matches(*err, CLERK_ERROR, CLERK_ERROR_FINAL)) {
		p->fatal = g_steal_pointer(err);
		return;
	}
	record_failure(p, uid, *err ? (*err)->message : "unknown error");
}

static void
add_stats(struct pass_stats *ps, const struct outbox_result *r)
{
	ps->out.sent += r->sent;
	ps->out.failed += r->failed;
	ps->out.deferred += r->deferred;
}

static gboolean
batch_begin(struct pass *p, GError **err)
{
	if (p->in_batch)
		return TRUE;
	if (!store_set_durable(p->st, TRUE, err) || !store_begin(p->st, err))
		return FALSE;
	p->in_batch = TRUE;
	p->batch_n = 0;
	p->batch_bytes = 0;
	return TRUE;
}

/* Undo the open batch: its messages stay in the inbox, to be fetched again. */
static void
batch_rollback(struct pass *p)
{
	if (p->in_batch)
		store_rollback(p->st);
	p->in_batch = FALSE;
	g_array_set_size(p->done, p->done_committed);
	g_array_set_size(p->done_ids, p->done_committed);
	g_array_set_size(p->bad, p->bad_committed);
	g_array_set_size(p->bad_ids, p->bad_committed);
}

/* The durability point, before any send or move: documents, then rows. Then
 * the batch's replies go out, not after the whole backlog, while the next
 * batch is handled. */
static gboolean
batch_commit(struct pass *p, GError **err)
{
	struct outbox_result r;
	gint64 t0 = g_get_monotonic_time();

	if (!p->in_batch)
		return TRUE;
	if (!docstore_sync(p->cfg->documents, err)) {
		batch_rollback(p);
		return FALSE;
	}
	p->in_batch = FALSE;
	if (!store_commit(p->st, err)) {
		batch_rollback(p);
		return FALSE;
	}
	p->done_committed = p->done->len;
	p->bad_committed = p->bad->len;
	memset(&r, 0, sizeof r);
	if (!sender_push(p->sender, p->st, &r, err))
		return FALSE;
	add_stats(p->ps, &r);
	g_debug("batch of %u committed in %.3f s", p->batch_n, (g_get_monotonic_time() - t0) / 1e6);
	return TRUE;
}

static gboolean
batch_full(const struct pass *p)
{
	return p->in_batch &&
	    (p->batch_n >= (guint)p->cfg->batch_size || p->batch_bytes >= BATCH_MAX_BYTES);
}

/* Handle one fetched message (or, if oversize, its header) inside the batch's
 * transaction, in a savepoint of its own so that its failure undoes only it. */
static void
handle(struct pass *p, guint32 uid, const char *data, gsize len, enum kind how)
{
	struct ledger_key k = key_of(p, uid);
	g_autoptr(GError) err = NULL;
	gint64 id = 0;

	if (p->fatal != NULL || !batch_begin(p, &p->fatal) || !store_savepoint(p->st, &p->fatal))
		return;
	p->batch_n++;
	p->batch_bytes += how == OVERSIZE ? len : p->cur->scan.size;
	if (how == OVERSIZE)
		id = process_oversize(&p->pc, &k, data, len, p->cur_size, &err);
	else if (p->cur->facts == NULL)
		err = g_steal_pointer(&p->cur->error);	/* not a message, or not kept */
	else
		id = process_message(&p->pc, &k, p->cur->facts, &p->cur->scan, p->cur->sha256,
		    p->cur->raw != NULL ? (const char *)p->cur->raw->data : NULL, &err);
	if (id > 0) {
		if (store_release(p->st, &p->fatal)) {
			g_array_append_val(p->done, uid);
			g_array_append_val(p->done_ids, id);
			p->ps->handled++;
		}
		return;
	}
	store_rollback_savepoint(p->st);
	settle_failure(p, uid, &err);
}

static void
handle_oversize(guint32 uid, const char *data, gsize len, gpointer user)
{
	handle(user, uid, data, len, OVERSIZE);
}

/* A batch is committed as soon as it is full, in the middle of the stream. */
static void
handled(struct pass *p)
{
	if (p->fatal == NULL && batch_full(p))
		batch_commit(p, &p->fatal);
}

/* Handle each message as the fetching thread hands it over. */
static gboolean
fetch_stream(struct pass *p, const guint32 *uids, guint n, gboolean large, GError **err)
{
	g_autofree char *spool = docstore_spool_dir(p->cfg->documents);
	Fetch *f = fetch_start(p->im, uids, n, spool, large);
	struct arrival *a;

	while ((a = fetch_next(f)) != NULL) {
		p->cur = a;
		handle(p, a->uid, NULL, 0, INLINE);
		p->cur = NULL;
		fetch_release(f, a);
		handled(p);
		if (p->fatal != NULL)
			fetch_abort(f);
	}
	return fetch_finish(f, err);
}

/* After the commit: move, then record the moves. */
static gboolean
move_processed(struct pass *p, GError **err)
{
	if (p->done->len == 0)
		return TRUE;
	g_assert(!p->in_batch && p->done_committed == p->done->len);
	if (!imap_move(p->im, (guint32 *)p->done->data, p->done->len, p->cfg->processed_mailbox, err) ||
	    !store_begin(p->st, err))
		return FALSE;
	/* Without MOVE and UIDPLUS the originals stay, copied and flagged (imap_move). */
	if (imap_can_remove(p->im))
		p->ps->left -= p->done->len;
	else
		p->ps->kept += p->done->len;
	for (guint i = 0; i < p->done_ids->len; i++)
		if (!ledger_set_state(p->st, g_array_index(p->done_ids, gint64, i), LEDGER_MOVED, err)) {
			store_rollback(p->st);
			return FALSE;
		}
	if (!store_commit(p->st, err))
		return FALSE;
	p->ps->moved += p->done->len;
	g_array_set_size(p->done, 0);
	g_array_set_size(p->done_ids, 0);
	p->done_committed = 0;
	return TRUE;
}

/* Poison, one at a time: where each lands is noted so that staff can retry it. */
static gboolean
move_quarantined(struct pass *p, GError **err)
{
	for (guint i = 0; i < p->bad->len; i++) {
		guint32 uv, uid;
		if (!imap_move_one(p->im, g_array_index(p->bad, guint32, i), p->cfg->quarantine_mailbox,
		    &uv, &uid, err) ||
		    !ledger_quarantined(p->st, g_array_index(p->bad_ids, gint64, i), uv, uid, err))
			return FALSE;
		p->ps->quarantined++;
		if (imap_can_remove(p->im))
			p->ps->left--;
		else
			p->ps->kept++;
	}
	g_array_set_size(p->bad, 0);
	g_array_set_size(p->bad_ids, 0);
	p->bad_committed = 0;
	return TRUE;
}

/* Messages staff asked to retry go back from the quarantine mailbox to the
 * inbox, where they are recorded anew under their new UID. */
static gboolean
release_retries(struct pass *p, GError **err)
{
	g_autoptr(GArray) retries = NULL;
	guint32 uv;
	int any = ledger_any_retry(p->st, p->cfg->account, p->cfg->mailbox, err);

	if (any <= 0)
		return any == 0;	/* none asked for: the quarantine mailbox is not opened */
	if (!imap_select(p->im, p->cfg->quarantine_mailbox, &uv, err) ||
	    (retries = ledger_retries(p->st, p->cfg->account, p->cfg->mailbox, uv, err)) == NULL)
		return FALSE;
	for (guint i = 0; i < retries->len; i++) {
		struct ledger_pending *r = &g_array_index(retries, struct ledger_pending, i);
		if (r->uid == 0) {
			g_warning("message %" G_GINT64_FORMAT ": its place in %s is unknown; move it to %s by hand",
			    r->id, p->cfg->quarantine_mailbox, p->cfg->mailbox);
			continue;
		}
		if (!imap_move(p->im, &r->uid, 1, p->cfg->mailbox, err) ||
		    !ledger_set_state(p->st, r->id, LEDGER_RELEASED, err))
			return FALSE;
	}
	return TRUE;
}

/* One stream: messages of one kind, fetched with one command (or, for
 * headers, one each), handled and committed in batches, then moved. */
static gboolean
run_stream(struct pass *p, const struct imap_msg *ms, guint n, enum kind kind, GError **err)
{
	g_autoptr(GArray) uids = g_array_sized_new(FALSE, FALSE, sizeof(guint32), n);

	for (guint i = 0; i < n; i++)
		g_array_append_val(uids, ms[i].uid);
	if (kind != OVERSIZE && !fetch_stream(p, (guint32 *)uids->data, n, kind == LARGE, err))
		return FALSE;
	for (guint i = 0; kind == OVERSIZE && i < n && p->fatal == NULL; i++) {
		p->cur_size = ms[i].size;
		if (!imap_fetch_header(p->im, ms[i].uid, handle_oversize, p, err))
			return FALSE;
		handled(p);
	}
	if (p->fatal != NULL) {
		g_propagate_error(err, g_steal_pointer(&p->fatal));
		return FALSE;
	}
	return batch_commit(p, err) && move_processed(p, err) && move_quarantined(p, err);
}

static enum kind
kind_of(const struct config *cfg, const struct imap_msg *m)
{
	if (m->size > cfg->max_message_size)
		return OVERSIZE;
	return m->size > FETCH_SPOOL_MIN ? LARGE : INLINE;
}

/* The messages to fetch, in UID order, as streams: a run of one kind, up to
 * STREAM_BATCHES batches' worth. */
static gboolean
run_streams(struct pass *p, GArray *todo, GError **err)
{
	const guint max_n = STREAM_BATCHES * (guint)p->cfg->batch_size;
	const guint64 max_bytes = (guint64)STREAM_BATCHES * BATCH_MAX_BYTES;

	for (guint i = 0, j; i < todo->len; i = j) {
		const struct imap_msg *ms = &g_array_index(todo, struct imap_msg, 0);
		enum kind kind = kind_of(p->cfg, &ms[i]);
		guint64 bytes = 0;

		for (j = i; j < todo->len && kind_of(p->cfg, &ms[j]) == kind && j - i < max_n &&
		    bytes < max_bytes; j++)
			bytes += ms[j].size;
		if (!run_stream(p, &ms[i], j - i, kind, err))
			return FALSE;
	}
	/* What was left to move from earlier passes, if nothing was fetched. */
	return move_processed(p, err) && move_quarantined(p, err);
}

/* A message committed and then moved by a run that died before it could record
 * the move is no longer in the inbox: the listing is the truth, record it now. */
static gboolean
reconcile_moves(struct pass *p, GArray *list, GError **err)
{
	g_autoptr(GArray) pending = ledger_pending(p->st, p->cfg->account, p->cfg->mailbox,
	    p->uidvalidity, err);
	guint j = 0, n = 0;

	if (pending == NULL)
		return FALSE;
	if (pending->len == 0)
		return TRUE;
	if (!store_begin(p->st, err))
		return FALSE;
	for (guint i = 0; i < pending->len; i++) {
		struct ledger_pending *lp = &g_array_index(pending, struct ledger_pending, i);
		while (j < list->len && g_array_index(list, struct imap_msg, j).uid < lp->uid)
			j++;
		if (j < list->len && g_array_index(list, struct imap_msg, j).uid == lp->uid)
			continue;	/* still in the inbox: moved below */
		if (!ledger_set_state(p->st, lp->id, LEDGER_MOVED, err)) {
			store_rollback(p->st);
			return FALSE;
		}
		n++;
	}
	if (n > 0)
		g_message("%u message%s moved by an earlier run recorded as moved", n, n == 1 ? "" : "s");
	return store_commit(p->st, err);
}

/* Messages still in the inbox that were copied out already (no MOVE, no
 * UIDPLUS: imap_move never expunges them). Each is recorded where its copy
 * went if the ledger does not know it yet (to: LEDGER_MOVED or
 * LEDGER_QUARANTINED; LEDGER_NONE when the ledger knows), and never answered
 * or copied again. Where UIDPLUS is offered now, they are expunged by UID
 * (only those still \Deleted: a person who took the flag off keeps them). */
struct kept {
	GArray *uids;
	GArray *ids;
	GArray *to;	/* LedgerState */
};

static gboolean
settle_kept(struct pass *p, struct kept *k, GError **err)
{
	guint n = 0;

	for (guint i = 0; i < k->ids->len; i++)
		if (g_array_index(k->to, LedgerState, i) != LEDGER_NONE)
			n++;
	if (n > 0) {
		if (!store_begin(p->st, err))
			return FALSE;
		for (guint i = 0; i < k->ids->len; i++) {
			gint64 id = g_array_index(k->ids, gint64, i);
			LedgerState to = g_array_index(k->to, LedgerState, i);
			gboolean ok = TRUE;

			if (to == LEDGER_MOVED)
				ok = ledger_set_state(p->st, id, LEDGER_MOVED, err);
			else if (to == LEDGER_QUARANTINED)
				ok = ledger_quarantined(p->st, id, 0, 0, err);
			if (!ok) {
				store_rollback(p->st);
				return FALSE;
			}
		}
		if (!store_commit(p->st, err))
			return FALSE;
		g_message("%u message%s copied by an earlier run recorded as copied", n, n == 1 ? "" : "s");
	}
	if (k->uids->len > 0 && imap_can_remove(p->im)) {
		if (!imap_expunge_copied(p->im, (guint32 *)k->uids->data, k->uids->len, err))
			return FALSE;
		p->ps->left -= k->uids->len;
	} else
		p->ps->kept += k->uids->len;
	return TRUE;
}

static void
keep(struct kept *k, guint32 uid, gint64 id, LedgerState to)
{
	g_array_append_val(k->uids, uid);
	g_array_append_val(k->ids, id);
	g_array_append_val(k->to, to);
}

/* Log in (and make sure the two mailboxes clerkd moves to exist), or use the
 * connection kept from the last pass, and list the inbox. Were a mailbox
 * deleted meanwhile, the move fails, the pass with it, and the next one logs
 * in anew. */
static gboolean
open_inbox(struct pass *p, GArray **list, GError **err)
{
	const struct config *cfg = p->cfg;

	if (p->im == NULL && ((p->im = imap_connect(cfg, err)) == NULL ||
	    !imap_ensure_mailbox(p->im, cfg->processed_mailbox, err) ||
	    !imap_ensure_mailbox(p->im, cfg->quarantine_mailbox, err)))
		return FALSE;
	return release_retries(p, err) &&
	    imap_select(p->im, cfg->mailbox, &p->uidvalidity, err) &&
	    ledger_note_uidvalidity(p->st, cfg->account, cfg->mailbox, p->uidvalidity, err) &&
	    (*list = imap_list(p->im, err)) != NULL && reconcile_moves(p, *list, err);
}

gboolean
pipeline_pass(const struct config *cfg, Store *st, Outbox *ob, Imap **conn, struct pass_stats *ps,
    GError **err)
{
	struct pass p = { .cfg = cfg, .st = st, .ob = ob, .ps = ps,
		.im = conn ? g_steal_pointer(conn) : NULL };
	g_autoptr(Imap) im = NULL;
	g_autoptr(GArray) list = NULL;
	g_autoptr(GArray) todo = g_array_new(FALSE, FALSE, sizeof(struct imap_msg));
	g_autoptr(GArray) kept_uids = g_array_new(FALSE, FALSE, sizeof(guint32));
	g_autoptr(GArray) kept_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GArray) kept_to = g_array_new(FALSE, FALSE, sizeof(LedgerState));
	struct kept kept = { kept_uids, kept_ids, kept_to };
	gboolean ok = FALSE;

	memset(ps, 0, sizeof *ps);
	if (p.im != NULL && !imap_fresh(p.im))
		g_clear_pointer(&p.im, imap_logout);	/* its token is due: a new login renews it */
	if (p.im != NULL && !open_inbox(&p, &list, NULL)) {
		/* Kept from the last pass and closed by the server since (an
		 * autologout, a restart): once more, on a new connection. */
		g_clear_pointer(&p.im, imap_logout);
		g_clear_pointer(&list, g_array_unref);
	}
	if (p.im == NULL && !open_inbox(&p, &list, err)) {
		g_clear_pointer(&p.im, imap_logout);
		return FALSE;
	}
	im = p.im;	/* freed on the way out, unless handed back in *conn */

	if ((p.sender = sender_start(ob, st, err)) == NULL)
		return FALSE;
	process_ctx_init(&p.pc, cfg, st);
	p.done = g_array_new(FALSE, FALSE, sizeof(guint32));
	p.done_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	p.bad = g_array_new(FALSE, FALSE, sizeof(guint32));
	p.bad_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	ps->seen = ps->left = list->len;

	for (guint i = 0; i < list->len; i++) {
		struct imap_msg *m = &g_array_index(list, struct imap_msg, i);
		struct ledger_key k = key_of(&p, m->uid);
		gint64 id = 0;
		int attempts = 0;
		LedgerState s = ledger_get(st, &k, &id, &attempts, err);

		if (err != NULL && *err != NULL)
			goto out;
		/* Still in the inbox in a state that says its copy was made (moved,
		 * quarantined, or released from there): an original that imap_move
		 * copied and could not expunge, without MOVE and UIDPLUS (with MOVE
		 * no moved message stays behind). The keyword ($ClerkdProcessed, set
		 * once the COPY succeeded) says the same of a message whose copy the
		 * ledger could not record. Such a message is never handled, answered
		 * or copied again. */
		switch (s) {
		case LEDGER_HANDLED:
			if (m->copied) {
				keep(&kept, m->uid, id, LEDGER_MOVED);
				continue;
			}
			/* Committed before a crash or an interrupted move: only the move is left. */
			g_array_append_val(p.done, m->uid);
			g_array_append_val(p.done_ids, id);
			continue;
		case LEDGER_MOVED:
		case LEDGER_QUARANTINED:
		case LEDGER_RETRY:	/* released from the quarantine mailbox, not from here */
		case LEDGER_RELEASED:
			keep(&kept, m->uid, id, LEDGER_NONE);
			continue;
		case LEDGER_FAILED:
			if (attempts >= cfg->max_attempts) {
				if (m->copied) {
					keep(&kept, m->uid, id, LEDGER_QUARANTINED);
					continue;
				}
				g_array_append_val(p.bad, m->uid);
				g_array_append_val(p.bad_ids, id);
				continue;
			}
			break;
		case LEDGER_NONE:
			break;
		}
		g_array_append_val(todo, *m);
	}
	p.done_committed = p.done->len;
	p.bad_committed = p.bad->len;
	ok = settle_kept(&p, &kept, err) && run_streams(&p, todo, err);
out:
	batch_rollback(&p);
	{
		struct outbox_result r = { 0 }, rest;
		GError *ferr = NULL;
		/* Whatever happened to IMAP, committed replies still go out. */
		if (sender_finish(p.sender, st, &r, ok ? err : &ferr) &&
		    outbox_flush(ob, st, &rest, ok ? err : &ferr)) {
			add_stats(ps, &r);
			add_stats(ps, &rest);
		} else
			ok = FALSE;
		g_clear_error(&ferr);
	}
	process_ctx_clear(&p.pc);
	g_array_free(p.done, TRUE);
	g_array_free(p.done_ids, TRUE);
	g_array_free(p.bad, TRUE);
	g_array_free(p.bad_ids, TRUE);
	g_clear_error(&p.fatal);
	if (ok && conn != NULL)
		*conn = g_steal_pointer(&im);
	return ok;
}
