/* staff.c: mail from the staff list. It counts as staff only when the
 * receiving server's own Authentication-Results says so (DESIGN.md,
 * Security); then a forwarded document is credited to its applicant. */
#include "staff.h"
#include "commands.h"
#include "dossier.h"
#include "effects.h"
#include "settle.h"
#include "authres.h"
#include "decide.h"
#include "forward.h"
#include "ledger.h"
#include "util.h"
#include "words.h"

#include <string.h>

/* The applicant a staff message is about. The staff member's own words (the
 * subject, unless it repeats the forwarded one, and the note above the
 * forward) decide; else the forwarded message's sender. A reference inside
 * the forwarded text was written by whoever sent it, so it counts only when
 * it agrees with that sender: otherwise *conflict says why, and nothing is
 * credited until staff say which applicant they meant. 0 if none, -1 on
 * error. */
static gint64
applicant_of(struct process_ctx *pc, const struct facts *f, char **ref, char **conflict,
    GError **err)
{
	const struct forward *fw = f->forward;
	g_autofree char *quoted = NULL, *sender_ref = NULL, *email = NULL;
	GError *lerr = NULL;
	gint64 id = 0, quoted_id = 0, sender_id = 0;

	*ref = NULL;
	*conflict = NULL;
	/* The subject is the staff member's own only where it is not the forwarded one's. */
	if (fw == NULL || fw->subject != NULL) {
		id = dossier_by_reference_in(pc->st, f->subject, ref, NULL, err);
		if (id > 0 && fw != NULL && strstr(fw->subject, *ref) != NULL) {
			g_clear_pointer(ref, g_free);
			id = 0;
		}
	}
	if (id == 0)
		id = dossier_by_reference_in(pc->st, fw != NULL ? fw->note : f->text, ref, NULL, err);
	if (id != 0 || fw == NULL)
		return id;

	/* Only the forwarded message is left: its sender, and what its text says. */
	if ((quoted_id = dossier_by_reference_in(pc->st, fw->subject, &quoted, NULL, err)) == 0)
		quoted_id = dossier_by_reference_in(pc->st, f->subject, &quoted, NULL, err);
	if (quoted_id == 0)
		quoted_id = dossier_by_reference_in(pc->st, f->text, &quoted, NULL, err);
	if (quoted_id < 0)
		return -1;
	if (fw->from_addr != NULL)
		sender_id = dossier_by_email(pc->st, fw->from_addr, &sender_ref, &lerr);
	if (lerr != NULL) {
		g_propagate_error(err, lerr);
		return -1;
	}
	if (quoted_id > 0 && quoted_id != sender_id) {
		*conflict = sender_id > 0 ?
		    g_strdup_printf("the forwarded message comes from <%s>, whose application is %s, "
		    "but its text names %s", fw->from_addr, sender_ref, quoted) :
		    g_strdup_printf("the forwarded text names %s, but it comes from <%s>, which is not "
		    "that application's address", quoted, fw->from_addr ? fw->from_addr : "an unknown sender");
		return 0;
	}
	*ref = g_steal_pointer(&sender_ref);
	return sender_id;
}

/* The Security contract's staff check: one From, one address, written out,
 * no Sender that differs; the trusted server's own Authentication-Results,
 * read raw and whole, shows dmarc=pass for that domain or an aligned
 * dkim=pass. *why gets a static string either way. */
static gboolean
staff_verified(struct process_ctx *pc, const struct facts *f, const char **why)
{
	if (f->from_doubt != NULL) {
		*why = f->from_doubt;
		return FALSE;
	}
	if (f->auth_results_unusable) {
		*why = "an Authentication-Results header was too long, or there were too many";
		return FALSE;
	}
	return authres_verified(f->auth_results, pc->cfg->trusted_authserv_id, f->from_addr, why);
}

static gboolean
refuse_unverified(struct process_ctx *pc, gint64 ledger_id, const struct facts *f,
    const char *sha256, const char *why, GError **err)
{
	g_autofree char *what = g_strdup_printf("a message from <%s> claims to be from staff but "
	    "is not authenticated: nothing was changed", f->from_addr);
	g_autofree char *details = g_strdup_printf("Why: %s (the message must have one From address, "
	    "and the topmost Authentication-Results of %s must show dmarc=pass for its domain or an "
	    "aligned dkim=pass).\n", why,
	    pc->cfg->trusted_authserv_id ? pc->cfg->trusted_authserv_id : "[staff] trusted_authserv_id");

	if (!dossier_event(pc->st, 0, ledger_id, what, err))
		return FALSE;
	effect_notify_staff(pc, ledger_id, 0, f, sha256, NULL, what, details);
	return TRUE;
}

/* Does a staff message look like a forward (of a student's mail), not a
 * reply that copies the program? A forward prefix ("Fwd:", "FW:", "WG:",
 * "TR:", "RV:", "Enc:"), or a forwarded message in it under a subject that
 * is not a reply's ("Re:", "AW:", "SV:": Outlook quotes the mail replied to
 * the way it forwards one). */
static gboolean
looks_forwarded(const struct facts *f)
{
	static const char *const fwd[] = { "fwd", "fw", "wg", "tr", "rv", "enc", "doorst", NULL };
	static const char *const re[] = { "re", "aw", "sv", "antw", "vs", "odp", "ref", NULL };
	g_autofree char *prefix = NULL;

	words_subject_core(f->subject, 6, &prefix);
	for (int i = 0; fwd[i] != NULL; i++)
		if (strcmp(prefix, fwd[i]) == 0)
			return TRUE;
	for (int i = 0; re[i] != NULL; i++)
		if (strcmp(prefix, re[i]) == 0)
			return FALSE;
	return f->forward != NULL;
}

/* A staff message with no documents: a coordinator who copies the program
 * on a reply to a student, most often. Nothing to credit and no one to tell:
 * it is recorded (the ledger, and the applicant's history when it names
 * one), and answered only when it looks like a forward, whose sender meant to
 * pass documents on and should know that none arrived. */
static gboolean
no_documents(struct process_ctx *pc, gint64 ledger_id, const struct facts *f, const char *sha256,
    gint64 app_id, const char *ref, GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *what = NULL, *event = NULL;
	gboolean forward = looks_forwarded(f);

	event = g_strdup_printf("message from staff <%s> with no documents%s: nothing credited, "
	    "the student not told", f->from_addr, forward ? " (a forward)" : " (a copy to the program)");
	if ((app_id > 0 && !ledger_link_application(pc->st, ledger_id, app_id, err)) ||
	    !dossier_event(pc->st, app_id, ledger_id, event, err))
		return FALSE;
	g_message("staff message <%s> from <%s>%s%s: no documents, nothing credited%s",
	    f->message_id ? f->message_id : "", f->from_addr, ref ? " about " : "", ref ? ref : "",
	    forward ? "; staff told" : ", not answered");
	if (!forward)
		return TRUE;
	what = ref != NULL ?
	    g_strdup_printf("your forward about %s reached clerkd, but it carried no documents "
	    "(no attachments), so nothing was credited and the student was not told.", ref) :
	    g_strdup("your forward reached clerkd, but it carried no documents (no attachments), "
	    "so nothing was credited.");
	g_hash_table_insert(vars, "what", what);
	g_hash_table_insert(vars, "details", "To credit documents, forward the student's message "
	    "again with its attachments. A copy of a reply with no attachments needs nothing: "
	    "clerkd records it and does not answer.\n");
	g_hash_table_insert(vars, "decision", "");
	effect_reply(pc, ledger_id, app_id > 0 ? app_id : 0, f, sha256, "staff-confirm", ref,
	    "staff-confirm", vars);
	return TRUE;
}

gboolean
staff_handle(struct process_ctx *pc, gint64 ledger_id, const struct facts *f, const char *sha256,
    GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GString) received = g_string_new(NULL);
	g_autofree char *ref = NULL, *source = NULL, *what = NULL, *decision = NULL;
	g_autofree char *conflict = NULL;
	g_autoptr(Dossier) d = NULL;
	struct decision dc;
	const char *why = NULL;
	gboolean changed, ok;
	gint64 app_id;

	if (!staff_verified(pc, f, &why)) {
		/* Commands that fail the staff check: one notice naming them, no reply. */
		if (commands_claimed(f)) {
			g_autofree char *because = g_strdup_printf("it is not authenticated (%s)", why);
			return commands_refuse(pc, ledger_id, f, sha256, because, err);
		}
		return refuse_unverified(pc, ledger_id, f, sha256, why, err);
	}
	{
		/* Command lines in the staff member's own text: a batch of commands. */
		gboolean handled;
		if (!commands_mail(pc, ledger_id, f, sha256, &handled, err))
			return FALSE;
		if (handled)
			return TRUE;
	}
	if ((app_id = applicant_of(pc, f, &ref, &conflict, err)) < 0)
		return FALSE;
	if (f->attachments->len == 0)
		return no_documents(pc, ledger_id, f, sha256, app_id, ref, err);
	g_hash_table_insert(vars, "decision", "");
	if (conflict != NULL) {
		g_autofree char *held = g_strdup_printf("your forward reached clerkd, but nothing was credited: %s.", conflict);
		g_message("staff message <%s> from <%s> held: %s", f->message_id ? f->message_id : "",
		    f->from_addr, conflict);
		g_hash_table_insert(vars, "what", held);
		g_hash_table_insert(vars, "details", "A reference in the forwarded text was written by "
		    "the person who sent it, so it does not decide alone. To credit the documents, "
		    "forward the message again and write the right reference (ECP-YYYY-NNNNN) in the "
		    "subject or in your own words above the forwarded message.\n");
		if (!dossier_event(pc->st, 0, ledger_id, held, err))
			return FALSE;
		effect_reply(pc, ledger_id, 0, f, sha256, "staff-confirm", NULL, "staff-confirm", vars);
		return TRUE;
	}
	if (app_id == 0) {
		g_message("staff message <%s> from <%s>: no applicant found", f->message_id ?
		    f->message_id : "", f->from_addr);
		g_hash_table_insert(vars, "what", "your message reached clerkd, but it names no "
		    "applicant it knows, so nothing was credited.");
		g_hash_table_insert(vars, "details", "Forward the student's message whole (so that its "
		    "From line shows), or put the reference (ECP-YYYY-NNNNN) in the subject.\n");
		effect_reply(pc, ledger_id, 0, f, sha256, "staff-confirm", NULL, "staff-confirm", vars);
		return TRUE;
	}
	source = g_strdup_printf("staff:%s", f->from_addr);
	what = g_strdup_printf("%u document%s forwarded by staff <%s> credited",
	    f->attachments->len, f->attachments->len == 1 ? "" : "s", f->from_addr);
	if (!ledger_link_application(pc->st, ledger_id, app_id, err) ||
	    !decide_file(pc, app_id, ledger_id, f, NULL, DOC_ACCEPTED, source, received, err) ||
	    !decide_route_evaluations(pc, app_id, ledger_id, f, sha256, err) ||
	    !dossier_event(pc->st, app_id, ledger_id, what, err))
		return FALSE;
	g_message("application %s: %s (message <%s>)", ref, what, f->message_id ? f->message_id : "");
	ok = settle(pc, app_id, ledger_id, "staff forward", &dc, &changed, err) &&
	    (decision = decide_text(pc, app_id, &dc, err)) != NULL;
	decision_clear(&dc);
	if (!ok || (d = dossier_load(pc->st, app_id, err)) == NULL)
		return FALSE;

	/* The confirmation to staff is the reply; the student gets a notice. */
	g_autofree char *confirm = g_strdup_printf("%s to %s (%s <%s>).", what, ref,
	    d->name, d->email);
	g_hash_table_insert(vars, "what", confirm);
	g_hash_table_insert(vars, "details", received->str);
	g_hash_table_insert(vars, "decision", decision);
	effect_reply(pc, ledger_id, app_id, f, sha256, "staff-confirm", ref, "staff-confirm", vars);

	g_autofree char *update = g_strdup_printf("these documents were added to your file:\n%s",
	    received->str);
	g_autofree char *title = decide_subject(pc, app_id, "Documents received", err);
	if (title == NULL)
		return FALSE;
	effect_notify_applicant(pc, ledger_id, d, "student-update", title, update, decision,
	    f->message_id, sha256);
	return TRUE;
}
