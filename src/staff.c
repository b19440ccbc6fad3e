/* staff.c: mail from the staff list. It counts as staff only when the
 * receiving server's own Authentication-Results says so (DESIGN.md,
 * Security); then a forwarded document is credited to its applicant. */
#include "process_p.h"
#include "authres.h"
#include "decide.h"
#include "forward.h"
#include "util.h"

#include <string.h>

/* The applicant a staff message is about: by a quoted reference, else by
 * the forwarded message's sender. 0 if none, -1 on error. */
static gint64
applicant_of(struct process_ctx *pc, const struct facts *f, char **ref, GError **err)
{
	g_autofree char *email = NULL;
	GError *lerr = NULL;
	gint64 id = process_quoted_application(pc, f, ref, &email, err);

	if (id != 0 || f->forward == NULL || f->forward->from_addr == NULL)
		return id;
	id = store_app_by_email(pc->st, f->forward->from_addr, ref, &lerr);
	if (lerr != NULL) {
		g_propagate_error(err, lerr);
		return -1;
	}
	return id;
}

static gboolean
refuse_unverified(struct process_ctx *pc, gint64 ledger_id, const struct facts *f,
    const char *sha256, const char *why, GError **err)
{
	g_autofree char *what = g_strdup_printf("a message from <%s> claims to be from staff but "
	    "is not authenticated: nothing was changed", f->from_addr);
	g_autofree char *details = g_strdup_printf("Why: %s (the topmost Authentication-Results of "
	    "%s must show dmarc=pass or an aligned dkim=pass).\n", why,
	    pc->cfg->trusted_authserv_id ? pc->cfg->trusted_authserv_id : "[staff] trusted_authserv_id");

	return store_event(pc->st, 0, ledger_id, what, err) &&
	    process_notify_staff(pc, ledger_id, 0, f, sha256, NULL, what, details, err);
}

gboolean
staff_handle(struct process_ctx *pc, gint64 ledger_id, const struct facts *f, const char *sha256,
    GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GString) received = g_string_new(NULL);
	g_autofree char *ref = NULL, *source = NULL, *what = NULL, *decision = NULL;
	g_autoptr(Dossier) d = NULL;
	struct decision dc;
	const char *why = NULL;
	gboolean changed, ok;
	gint64 app_id;

	if (!authres_verified(f->auth_results, pc->cfg->trusted_authserv_id, f->from_addr, &why))
		return refuse_unverified(pc, ledger_id, f, sha256, why, err);
	if ((app_id = applicant_of(pc, f, &ref, err)) < 0)
		return FALSE;
	g_hash_table_insert(vars, "decision", "");
	if (app_id == 0) {
		g_message("staff message <%s> from <%s>: no applicant found", f->message_id ?
		    f->message_id : "", f->from_addr);
		g_hash_table_insert(vars, "what", "your message reached clerkd, but it names no "
		    "applicant it knows, so nothing was credited.");
		g_hash_table_insert(vars, "details", "Forward the student's message whole (so that its "
		    "From line shows), or put the reference (ECP-YYYY-NNNNN) in the subject.\n");
		return process_reply(pc, ledger_id, 0, f, sha256, "staff-confirm", NULL,
		    "staff-confirm", vars, err);
	}
	source = g_strdup_printf("staff:%s", f->from_addr);
	what = g_strdup_printf("%u document%s forwarded by staff <%s> credited",
	    f->attachments->len, f->attachments->len == 1 ? "" : "s", f->from_addr);
	if (!store_ledger_link_application(pc->st, ledger_id, app_id, err) ||
	    !decide_file(pc, app_id, ledger_id, f, NULL, DOC_ACCEPTED, source, received, err) ||
	    !decide_route_evaluations(pc, app_id, ledger_id, f, sha256, err) ||
	    !store_event(pc->st, app_id, ledger_id, what, err))
		return FALSE;
	g_message("application %s: %s (message <%s>)", ref, what, f->message_id ? f->message_id : "");
	ok = decide_eval(pc, app_id, ledger_id, "staff forward", &dc, &changed, err) &&
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
	if (!process_reply(pc, ledger_id, app_id, f, sha256, "staff-confirm", ref, "staff-confirm",
	    vars, err))
		return FALSE;

	g_autofree char *update = g_strdup_printf("these documents were added to your file:\n%s",
	    received->str);
	return process_notify_applicant(pc, ledger_id, d, "student-update",
	    "Your application: documents received", update, decision, f->message_id, sha256, err);
}
