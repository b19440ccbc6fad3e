/* effects.h: what the domain decides should happen to the world outside the
 * store, as data: a reply to the sender of an incoming message, a notice to
 * an applicant or to staff, a document passed on to a coordinator. The
 * domain (decide, placement, requests, reminders, staff) only asks; one
 * function, effects_apply(), makes it happen: renders each mail from its
 * template, enforces the loop guard and "at most one reply per incoming
 * message", and writes the outbox, all inside the caller's transaction. */
#ifndef CLERK_EFFECTS_H
#define CLERK_EFFECTS_H

#include "ctx.h"
#include "facts.h"

typedef enum {
	EFFECT_REPLY,		/* the one reply to the sender of an incoming message */
	EFFECT_NOTIFY_APPLICANT,/* a notice to an applicant: not a reply */
	EFFECT_NOTIFY_STAFF,	/* a notice to one staff address: not a reply */
	EFFECT_ROUTE,		/* a document passed on to a coordinator */
	EFFECT_PLACEMENT,	/* an applicant's seats or waitlist places changed: to be
				 * worded (effects_word_placements), then a notice */
} EffectType;

/* One mail: what to say (template and values), to whom, in which thread. */
struct mail_out {
	const char *kind;		/* the outbox kind: receipt, status, staff-notice:ADDR, ... */
	const char *template;
	const char *to_addr, *to_name;
	const char *subject;		/* the subject replied to, NULL for a fresh one */
	const char *fallback_subject;
	const char *reference;
	const char *in_reply_to, *references;	/* threading; NULL for a fresh thread */
	/* The identity its Message-ID derives from, so that a resend repeats it. */
	const char *seed_msgid, *seed_sha256;
	GPtrArray *attachments;		/* struct reply_attachment *, or NULL */
};

/* Ask for a mail; everything is copied (vars: char * -> char *). */
void effect_mail(struct process_ctx *pc, EffectType type, gint64 ledger_id, gint64 app_id,
    const struct mail_out *m, GHashTable *vars);

/* The one reply to the sender of f. */
void effect_reply(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const struct facts *f, const char *sha256, const char *kind, const char *reference,
    const char *template, GHashTable *vars);

/* The same, with files attached (struct reply_attachment *, copied), or NULL. */
void effect_reply_attached(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const struct facts *f, const char *sha256, const char *kind, const char *reference,
    const char *template, GHashTable *vars, GPtrArray *attachments);

/* The same, under a subject that says the outcome (title, e.g. from
 * decide_subject(); the reference is added) instead of "Re: " theirs;
 * title NULL: as effect_reply_attached(). */
void effect_reply_titled(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const struct facts *f, const char *sha256, const char *kind, const char *reference,
    const char *template, const char *title, GHashTable *vars, GPtrArray *attachments);

/* A notice to an applicant: what happened, and where the application stands
 * now (decision, in words). The template (also the outbox kind) takes name,
 * reference, what and decision. Nothing for an application without an
 * address. */
struct dossier;
void effect_notify_applicant(struct process_ctx *pc, gint64 ledger_id, const struct dossier *d,
    const char *template, const char *subject, const char *what, const char *decision,
    const char *seed_msgid, const char *seed_sha256);

/* A notice to every staff address about message f (logged at once). */
void effect_notify_staff(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const struct facts *f, const char *sha256, const char *reference, const char *what,
    const char *details);

/* Placement changed what app_id holds: tell them (template "placement",
 * subject, what happened, and the decision as it then stands, with a
 * calendar entry for each seat it then holds), once the
 * settle step has judged them again. seed makes the Message-ID. subject
 * NULL: the outcome then ("Scheduled: NEU-301, 1-26 March 2027"). */
void effect_placement(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *seed,
    const char *subject, const char *what);

/* For each seat (struct seat, seats.h) of application app_id, a calendar entry
 * (.ics, calendar.c) appended to attachments (struct reply_attachment *,
 * owned: its free function must be effects_attachment_free): PUBLISH, or with
 * cancel a CANCEL under the same UID. Seats in a block or course the rules no
 * longer know are skipped. */
gboolean effects_calendar(struct process_ctx *pc, gint64 app_id, GArray *seats, gboolean cancel,
    GPtrArray *attachments, GError **err) G_GNUC_WARN_UNUSED_RESULT;
void effects_attachment_free(gpointer p);

/* The files for each seat (struct seat) of app_id, appended to attachments
 * as effects_calendar() does: a calendar entry and the acceptance letter
 * (PDF) for each, or with cancel a CANCEL calendar entry only. The letter of
 * a seat already sent once is that same file again. Every placement path
 * (lottery, rolling, waitlist, staff) and the letter on request use this. */
gboolean effects_seat_files(struct process_ctx *pc, gint64 app_id, GArray *seats, gboolean cancel,
    GPtrArray *attachments, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* A seat was given to app_id, or one it held (course, block) freed, in this
 * transaction: the first mail to the applicant (its reply or notice) then
 * carries the files of every seat it holds (effects_seat_files()), or a
 * CANCEL for the seat freed, unless it carries them already. Every path
 * that gives or frees a seat calls these (rolling placement, waitlist,
 * staff assign, unassign and cancel). */
void effects_seat_given(struct process_ctx *pc, gint64 app_id);
void effects_seat_freed(struct process_ctx *pc, gint64 app_id, const char *course,
    const char *block);

/* Turn each placement effect, in its place, into a notice to the applicant,
 * with the decision in words that word() gives (new string; NULL on error),
 * under the placement's subject, or if that is NULL under the one word()
 * sets in *subject (new string: the outcome). An applicant without an
 * address gets none. */
typedef char *(*EffectWordFn)(struct process_ctx *pc, gint64 app_id, gint64 ledger_id,
    char **subject, GError **err);
gboolean effects_word_placements(struct process_ctx *pc, EffectWordFn word, GError **err);

/* Refuse a list that breaks a rule of the protocol: two replies to one
 * incoming message, or a placement effect not yet worded. Pure;
 * effects_apply() calls it first. */
gboolean effects_check(GPtrArray *effects, GError **err);

/* Make every effect asked for happen, in order, and empty the list; on error
 * the list is emptied too (the caller rolls back). */
gboolean effects_apply(struct process_ctx *pc, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* Forget what was asked (a message that failed: its savepoint is rolled back). */
void effects_discard(struct process_ctx *pc);

/* How many effects are asked for so far; forget those asked for after the
 * first count (a batch of staff commands that was refused and rolled back). */
guint effects_count(struct process_ctx *pc);
void effects_truncate(struct process_ctx *pc, guint count);

#endif
