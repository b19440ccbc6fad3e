/* process.c: classify and handle. The one reply per message is decided here. */
#include "process.h"
#include "amend.h"
#include "effects.h"
#include "settle.h"
#include "requests.h"
#include "staff.h"
#include "authres.h"
#include "classify.h"
#include "commands.h"
#include "decide.h"
#include "docstore.h"
#include "doctext.h"
#include "pdftext.h"
#include "ref.h"
#include "form.h"
#include "guide.h"
#include "message.h"
#include "outboxdb.h"
#include "reply.h"
#include "util.h"

#include <json-glib/json-glib.h>
#include <string.h>

#define FORM_ATTACHMENT_MAX (64 * 1024)
#define FORM_MAX_DOCFILES 4
#define FORM_PDF_MAX (1024 * 1024)	/* rules/application-form.pdf */

/* An attachment's bytes: at hand, or read back from its spool file (at most
 * max bytes); NULL if it is larger or cannot be read. */
static GBytes *
attachment_bytes(const struct attachment *a, gsize max)
{
	char *d = NULL;
	gsize len = 0;

	if (a->size > max)
		return NULL;
	if (a->data != NULL)
		return g_bytes_ref(a->data);
	if (a->path == NULL || !g_file_get_contents(a->path, &d, &len, NULL))
		return NULL;
	if (len > max) {
		g_free(d);
		return NULL;
	}
	return g_bytes_new_take(d, len);
}

/* The text of a Word, OpenDocument or PDF attachment; NULL (and *why set,
 * owned: "it is protected by a password") if it is one that cannot be
 * read. unread: a PDF's fields whose value could not be read. */
static char *
attachment_doctext(const struct attachment *a, GPtrArray *unread, char **why)
{
	g_autoptr(GBytes) b = NULL;
	g_autoptr(GError) err = NULL;
	DoctextKind kind = doctext_kind(a->filename, a->content_type);
	char *text = NULL;

	*why = NULL;
	if (kind == DOCTEXT_NONE)
		return NULL;
	if ((b = attachment_bytes(a, DOCTEXT_MAX_FILE)) != NULL)
		text = kind == DOCTEXT_PDF ?
		    pdftext_read(g_bytes_get_data(b, NULL), g_bytes_get_size(b), unread, &err) :
		    doctext_read(g_bytes_get_data(b, NULL), g_bytes_get_size(b), &err);
	if (text == NULL) {
		const char *m = err ? err->message : "the file is too large";
		/* Most PDFs are documents, not forms: only in the debug log. */
		g_log(G_LOG_DOMAIN, kind == DOCTEXT_PDF ? G_LOG_LEVEL_DEBUG : G_LOG_LEVEL_MESSAGE,
		    "attachment %s: could not read its text: %s", a->filename ? a->filename :
		    "(unnamed)", m);
		*why = g_str_has_prefix(m, "the file is ") ? g_strdup_printf("it is %s", m + 12) :
		    g_strdup("it is damaged");
	}
	return text;
}

static gboolean
forms_differ(const Form *a, const Form *b)
{
	if (form_size(a) != form_size(b))
		return TRUE;
	for (guint i = 0; i < form_size(a); i++) {
		const char *k, *v, *w;
		form_field(a, i, &k, &v);
		if ((w = form_get(b, k)) == NULL || strcmp(v, w) != 0)
			return TRUE;
	}
	return FALSE;
}

/* With a form in the body, a PDF is opened to compare only when it may be
 * the form too: its name says so, or it has form fields (looked for in PDFs
 * of at most 1 MB). Most PDFs are the student's documents, and reading one
 * costs a process (pdftext.c). */
static gboolean
pdf_may_be_form(const struct attachment *a)
{
	static const char *const words[] = { "form", "application", "antrag", "formulaire", "solicitud" };
	g_autofree char *name = a->filename ? g_utf8_strdown(a->filename, -1) : NULL;
	g_autoptr(GBytes) b = NULL;
	gsize len;
	const char *d;

	for (guint i = 0; name != NULL && i < G_N_ELEMENTS(words); i++)
		if (strstr(name, words[i]) != NULL)
			return TRUE;
	/* A filled form is small; a large PDF is a scan or a document, and
	 * reading it back only to look would cost every application. */
	if ((b = attachment_bytes(a, FORM_PDF_MAX)) == NULL)
		return FALSE;
	d = g_bytes_get_data(b, &len);
	return memmem(d, len, "/AcroForm", 9) != NULL;
}

/* The form, in the body, in a small text attachment, or in a Word or
 * OpenDocument attachment. *note: what the receipt says of where the form
 * was read (NULL if from the body and nothing else to say). */
static Form *
find_form(const struct facts *f, const struct attachment **carrier, char **note)
{
	Form *form = form_parse(f->text);
	g_autoptr(GString) unread = g_string_new(NULL), unread_pdf = g_string_new(NULL);
	guint n_unread = 0, n_unread_pdf = 0;
	gboolean differ = FALSE;

	*carrier = NULL;
	*note = NULL;
	for (guint i = 0; form == NULL && i < f->attachments->len; i++) {
		const struct attachment *a = g_ptr_array_index(f->attachments, i);
		gsize len;
		const char *d;
		if (a->data == NULL || !g_str_has_prefix(a->content_type, "text/plain"))
			continue;
		d = g_bytes_get_data(a->data, &len);
		if (len > FORM_ATTACHMENT_MAX)
			continue;
		g_autofree char *text = util_utf8_clean(d, len, FORM_ATTACHMENT_MAX);
		if ((form = form_parse(text)) != NULL)
			*carrier = a;
	}
	/* Word and OpenDocument files, then PDFs: the form in one, or the body's
	 * form checked against it (the body wins). At most FORM_MAX_DOCFILES are
	 * opened. An unreadable PDF is named only when no form was found: most
	 * PDFs are documents, not forms. */
	for (guint pass = 0, opened = 0; pass < 2 && *carrier == NULL && !differ; pass++)
	for (guint i = 0; *carrier == NULL && !differ && i < f->attachments->len &&
	    opened < FORM_MAX_DOCFILES; i++) {
		const struct attachment *a = g_ptr_array_index(f->attachments, i);
		const char *name = a->filename && *a->filename ? a->filename : "your attachment";
		DoctextKind kind = doctext_kind(a->filename, a->content_type);
		g_autofree char *text = NULL, *why = NULL;
		g_autoptr(Form) inside = NULL;
		g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func(g_free);

		if (kind == DOCTEXT_NONE || (kind == DOCTEXT_PDF) != (pass == 1) ||
		    (kind == DOCTEXT_PDF && form != NULL && !pdf_may_be_form(a)))
			continue;
		opened++;
		text = attachment_doctext(a, fields, &why);
		if (why != NULL) {
			g_string_append_printf(kind == DOCTEXT_PDF ? unread_pdf : unread,
			    "We could not read the file %s: %s.\n", name, why);
			(*(kind == DOCTEXT_PDF ? &n_unread_pdf : &n_unread))++;
		}
		if (text == NULL || (inside = form_parse(text)) == NULL)
			continue;
		if (form == NULL) {
			GString *s = g_string_new(NULL);
			form = g_steal_pointer(&inside);
			*carrier = a;
			g_string_append_printf(s, "We read your application form from %s.\n\n", name);
			if (fields->len > 0) {
				g_string_append(s, "We could not read these fields of it:");
				for (guint j = 0; j < fields->len && j < 10; j++)
					g_string_append_printf(s, "%s \"%s\"", j ? "," : "",
					    (const char *)g_ptr_array_index(fields, j));
				g_string_append(s, ". Please write them in the text of your email"
				    " (for example \"Full name: Jane Doe\").\n\n");
			}
			*note = g_string_free(s, FALSE);
		} else {
			if (forms_differ(form, inside))
				*note = g_strdup_printf("The form in your message and the form in %s are"
				    " different. We used the form in your message.\n\n", name);
			differ = TRUE;
		}
	}
	if (form == NULL) {
		g_string_append(unread, unread_pdf->str);
		n_unread += n_unread_pdf;
	}
	if (*note == NULL && n_unread > 0 && *carrier == NULL)
		*note = g_strdup_printf("%sIf %s your application form, please type the form into"
		    " the text of your email.\n\n", unread->str, n_unread == 1 ? "it holds" :
		    "one of them holds");
	return form;
}

static char *
form_json(const Form *form)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	for (guint i = 0; i < form_size(form); i++) {
		const char *k, *v;
		form_field(form, i, &k, &v);
		json_builder_set_member_name(b, k);
		json_builder_add_string_value(b, v);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

static char *
describe_choices(const Rules *r, GArray *choices, int bad)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < choices->len; i++) {
		const struct form_choice *c = &g_array_index(choices, struct form_choice, i);
		g_string_append_printf(s, "  %d. %s in block %s%s\n", c->rank, c->course, c->block,
		    rules_closed(r, c->course, c->block) ? " (closed in this block: it has no seats)" : "");
	}
	if (choices->len == 0)
		g_string_append(s, "  (none given: add \"Choice 1: COURSE YYYY-MM\" lines)\n");
	if (bad > 0)
		g_string_append_printf(s, "  (%d choice line%s could not be read: write them as "
		    "\"Choice 2: MED-401 2027-03\")\n", bad, bad == 1 ? "" : "s");
	return g_string_free(s, FALSE);
}

static gboolean
handle_application(struct process_ctx *pc, gint64 ledger_id, const struct facts *f,
    const char *sha256, const Form *form, const struct attachment *carrier, const char *note,
    gboolean automatic, GError **err)
{
	g_autofree char *json = form_json(form);
	g_autofree char *form_email = util_addr_normalize(form_get(form, "email"));
	g_autofree char *ref = NULL, *choices_text = NULL, *decision = NULL, *twin = NULL;
	g_autofree char *title = NULL;
	g_autofree char *name = util_utf8_clean(form_get(form, "full_name"), -1, 200);
	g_autoptr(GArray) choices = NULL;
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GString) received = g_string_new(NULL);
	GString *flags = g_string_new(NULL);
	struct app_new a = { 0 };
	gint64 app_id = 0;
	int bad = 0;

	/* The form again, from the address of an application: that one is updated. */
	if (!automatic) {
		gboolean updated;
		if (!amend_form(pc, ledger_id, f, sha256, form, carrier, note, &updated, err))
			return FALSE;
		if (updated)
			return TRUE;
	}
	choices = form_choices(form, &bad);
	if (automatic)
		g_string_append(flags, "automatic-mail");
	if (form_email != NULL && f->from_addr != NULL && strcmp(form_email, f->from_addr) != 0)
		g_string_append_printf(flags, "%sform-email-differs", flags->len ? "," : "");
	{
		g_autofree char *other = NULL;
		if (f->from_addr != NULL && dossier_by_email(pc->st, f->from_addr, &other, err) > 0)
			g_string_append_printf(flags, "%ssecond-application:%s", flags->len ? "," : "", other);
	}
	a.email = f->from_addr ? f->from_addr : form_email;
	a.name = name;
	a.school = form_get(form, "medical_school");
	a.country = form_get(form, "school_country");
	a.form_json = json;
	a.flags = flags->len ? flags->str : NULL;
	a.ledger_id = ledger_id;
	a.choices = choices;
	if (a.email == NULL)
		a.email = "";
	ref = dossier_create(pc->st, pc->year, &a, &app_id, err);
	g_string_free(flags, TRUE);
	if (ref == NULL || !ledger_link_application(pc->st, ledger_id, app_id, err) ||
	    !decide_file(pc, app_id, ledger_id, f, carrier, DOC_FILED, "applicant", received, err) ||
	    !decide_route_evaluations(pc, app_id, ledger_id, f, sha256, err) ||
	    !dossier_event(pc->st, app_id, ledger_id, "application received", err))
		return FALSE;
	/* What the same address sent before it applied, judged with the rest
	 * (and named by this message's lines). */
	{
		guint kept = 0;
		if (f->from_addr != NULL && strcmp(a.email, f->from_addr) == 0 &&
		    !decide_credit_kept(pc, app_id, ledger_id, f->from_addr, f, received, &kept, err))
			return FALSE;
	}
	g_message("application %s from <%s> (message <%s>)%s", ref, a.email,
	    f->message_id ? f->message_id : "", automatic ? ", automatic mail: not answered" : "");
	if ((decision = settle_text(pc, app_id, ledger_id, "application received", err)) == NULL)
		return FALSE;
	/* The same person (name and school) from another address: staff decide. */
	{
		GError *lerr = NULL;
		twin = dossier_same_person(pc->st, app_id, name, a.school, a.email, &lerr);
		if (lerr != NULL) {
			g_propagate_error(err, lerr);
			return FALSE;
		}
	}
	if (twin != NULL) {
		g_autofree char *flag = g_strdup_printf("possible-duplicate:%s", twin);
		g_autofree char *what = g_strdup_printf("%s may be a second application of %s (%s)",
		    ref, twin, name);
		if (!dossier_flag(pc->st, app_id, flag, err))
			return FALSE;
		if (!automatic)
			effect_notify_staff(pc, ledger_id, app_id, f, sha256, ref, what,
			    "Same name and school as an earlier application, from another address.\n");
	}
	if (automatic)
		return TRUE;	/* flagged for staff, never answered */
	choices_text = describe_choices(pc->cfg->rules, choices, bad);
	g_hash_table_insert(vars, "name", name);
	g_hash_table_insert(vars, "reference", ref);
	g_hash_table_insert(vars, "attachments", received->str);
	g_hash_table_insert(vars, "choices", choices_text);
	g_hash_table_insert(vars, "decision", decision);
	g_hash_table_insert(vars, "form_note", (gpointer)(note ? note : ""));
	if ((title = decide_subject(pc, app_id, "Application received", err)) == NULL)
		return FALSE;
	effect_reply_titled(pc, ledger_id, app_id, f, sha256, "receipt", ref, "receipt", title, vars,
	    NULL);
	return TRUE;
}

/* The sender's application and its reference; 0 and NULL if they have none
 * (a reference is taken from the year's sequence only when an application
 * exists, so that strangers cannot use up the year's references). FALSE on
 * a store error. */
static gboolean
sender_application(struct process_ctx *pc, const char *addr, gint64 *app_id, char **ref,
    GError **err)
{
	GError *lerr = NULL;

	*ref = NULL;
	*app_id = dossier_by_email(pc->st, addr, ref, &lerr);
	if (lerr != NULL) {
		g_propagate_error(err, lerr);
		return FALSE;
	}
	return TRUE;
}

/* Why the trusted server says this sender is forged (DESIGN, mail protocol:
 * dmarc=fail under reject or quarantine, spf=fail without an aligned
 * dkim=pass), or NULL. Staff addresses are left to the staff check, which
 * refuses and tells staff. */
static const char *
forged(struct process_ctx *pc, const struct facts *f)
{
	const char *why = NULL;

	if (f->from_addr == NULL || config_is_staff(pc->cfg, f->from_addr))
		return NULL;
	return authres_forged(f->auth_results, pc->cfg->trusted_authserv_id, f->from_addr, &why) ?
	    why : NULL;
}

/* An existing application whose reference the subject, a forwarded subject
 * or the body quotes: its id (0 if none, -1 on error), reference and address. */
static gint64
quoted_application(struct process_ctx *pc, const struct facts *f, char **ref,
    char **email, GError **err)
{
	const char *where[] = { f->subject, f->forward ? f->forward->subject : NULL, f->text };
	gint64 id = 0;

	for (gsize i = 0; id == 0 && i < G_N_ELEMENTS(where); i++)
		id = dossier_by_reference_in(pc->st, where[i], ref, email, err);
	return id;
}

/* Mail quoting a reference from an address that is not the application's:
 * references are guessable, so nothing is credited until staff accept. */
static gboolean
handle_held(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *ref,
    const struct facts *f, const char *sha256, GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GString) received = g_string_new(NULL);
	g_autofree char *source = g_strdup_printf("other:%s", f->from_addr);
	g_autofree char *what = g_strdup_printf("mail about %s from <%s>, not the applicant's "
	    "address: held for staff", ref, f->from_addr);
	const char *name = f->from_name ? f->from_name : "";

	if (!decide_file(pc, app_id, ledger_id, f, NULL, DOC_HELD, source, received, err) ||
	    !dossier_event(pc->st, app_id, ledger_id, what, err))
		return FALSE;
	g_autoptr(GString) details = g_string_new(NULL);
	g_autoptr(GPtrArray) docs = dossier_docs(pc->st, app_id, err);
	guint held = 0;

	if (docs == NULL)
		return FALSE;
	g_string_append_printf(details, "Attachments (held: clerkctl doc list %s):\n%s", ref,
	    received->str);
	/* The commands that accept them, ready to reply with (README, staff commands). */
	for (guint i = 0; i < docs->len; i++) {
		const struct doc_info *d = g_ptr_array_index(docs, i);
		if (strcmp(d->state, doc_state_str(DOC_HELD)) != 0)
			continue;
		if (held++ == 0)
			g_string_append(details, "\nTo accept them for this application, reply with "
			    "these lines, above the quoted text (delete those you do not want):\n");
		g_string_append_printf(details, "accept %s %" G_GINT64_FORMAT "\n", ref, d->id);
	}
	/* The student writing from a new address: the line that makes it hers. */
	if (f->from_addr != NULL && strpbrk(f->from_addr, " \t<>\"") == NULL)
		g_string_append_printf(details, "\nIf <%s> is the student's new address, this line "
		    "makes it the address of %s (from then on, mail from it counts; accept the "
		    "documents above too):\naddress %s %s\n", f->from_addr, ref, ref, f->from_addr);
	effect_notify_staff(pc, ledger_id, app_id, f, sha256, ref, what, details->str);
	g_hash_table_insert(vars, "name", (gpointer)(*name ? name : "correspondent"));
	g_hash_table_insert(vars, "reference", (gpointer)ref);
	g_hash_table_insert(vars, "attachments", received->str);
	effect_reply_titled(pc, ledger_id, app_id, f, sha256, "held", ref, "held",
	    "Not added to the application: please write from the address you applied from", vars,
	    NULL);
	return TRUE;
}

/* The fillable application form (rules/application-form.pdf, looked for
 * where the templates are), or NULL if there is none or it is too large. */
static GBytes *
form_pdf(const struct config *cfg)
{
	const char *dirs[] = { cfg->rules_dir, RULESDIR, SRC_RULESDIR };

	for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autofree char *path = g_build_filename(dirs[i], "application-form.pdf", NULL);
		char *d = NULL;
		gsize len = 0;
		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
			continue;
		if (!g_file_get_contents(path, &d, &len, NULL) || len > FORM_PDF_MAX) {
			g_free(d);
			return NULL;
		}
		return g_bytes_new_take(d, len);
	}
	return NULL;
}

static gboolean
handle_correspondence(struct process_ctx *pc, gint64 ledger_id, const struct facts *f,
    const char *sha256, const char *note, GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GString) received = g_string_new(NULL), named = g_string_new(NULL);
	g_autofree char *decision = NULL, *quoted = NULL, *quoted_email = NULL;
	g_autofree char *title = NULL;
	guint renamed = 0;
	gint64 app_id, other;
	g_autofree char *ref = NULL;
	const char *name = f->from_name ? f->from_name : "";
	gboolean status;

	if (!sender_application(pc, f->from_addr, &app_id, &ref, err))
		return FALSE;
	if (app_id == 0) {
		if ((other = quoted_application(pc, f, &quoted, &quoted_email, err)) < 0)
			return FALSE;
		if (other > 0)
			return handle_held(pc, ledger_id, other, quoted, f, sha256, err);
	}
	g_hash_table_insert(vars, "name", (gpointer)(*name ? name : "applicant"));
	if (app_id == 0) {
		GError *lerr = NULL;
		g_autofree char *answer = requests_answer(pc, f, &lerr);
		g_autofree char *about = answer ? g_strdup_printf("About your question:\n%s\n\n", answer) :
		    g_strdup("");
		if (lerr != NULL) {
			g_propagate_error(err, lerr);
			return FALSE;
		}
		g_message("first contact from <%s> (message <%s>)%s", f->from_addr,
		    f->message_id ? f->message_id : "", answer ? ", question answered" : "");
		/* Its documents are kept for its address, for the application to come. */
		g_autoptr(GString) kept = g_string_new(note);	/* a file we could not read */
		if (f->from_addr != NULL && *f->from_addr != '\0' && f->attachments->len > 0) {
			g_autoptr(GString) lines = g_string_new(NULL);
			if (!decide_keep(pc, f->from_addr, ledger_id, f, lines, err))
				return FALSE;
			g_string_append_printf(kept, "We kept the documents you sent with this message:\n%s"
			    "When your application arrives from this address (%s), we will add these"
			    " documents to it. You do not need to send them again.\n\n", lines->str,
			    f->from_addr);
			g_message("first contact from <%s>: %u attachment%s kept for the application",
			    f->from_addr, f->attachments->len, f->attachments->len == 1 ? "" : "s");
		}
		g_hash_table_insert(vars, "answer", about);
		g_hash_table_insert(vars, "kept", kept->str);
		g_hash_table_insert(vars, "form", (gpointer)form_blank());
		/* The courses and blocks; a long catalog as an attached file. */
		g_autofree char *catalog = guide_catalog(pc->cfg->rules, pc->today);
		g_autoptr(GBytes) csv = guide_courses_csv(pc->cfg->rules);
		g_autoptr(GPtrArray) files = g_ptr_array_new();
		struct reply_attachment courses = { "courses.csv", "text/csv", csv, FALSE };
		g_autoptr(GBytes) pdf = form_pdf(pc->cfg);
		struct reply_attachment blank = { "application-form.pdf", "application/pdf", pdf, FALSE };
		if (csv != NULL)
			g_ptr_array_add(files, &courses);
		/* The fillable form beside the text form. */
		if (pdf != NULL)
			g_ptr_array_add(files, &blank);
		g_hash_table_insert(vars, "pdf_form", pdf == NULL ? "" :
		    "You can also fill in the attached PDF form and send it back.\n");
		g_hash_table_insert(vars, "catalog", catalog);
		effect_reply_titled(pc, ledger_id, 0, f, sha256, "first-contact", NULL, "first-contact",
		    answer ? "Answer to your question, and how to apply" : "How to apply", vars,
		    files->len ? files : NULL);
		return TRUE;
	}
	g_hash_table_insert(vars, "reference", ref);
	/* From a registered applicant: a request, or documents and a status. */
	{
		gboolean handled;
		if (!ledger_link_application(pc->st, ledger_id, app_id, err) ||
		    !requests_handle(pc, ledger_id, app_id, ref, f, sha256, &handled, err))
			return FALSE;
		if (handled)
			return TRUE;
	}
	status = util_has_word(f->subject, "status");
	if (!decide_file(pc, app_id, ledger_id, f, NULL, DOC_FILED, "applicant", received, err) ||
	    !decide_name_docs(pc, app_id, ledger_id, f, named, &renamed, err) ||
	    !decide_route_evaluations(pc, app_id, ledger_id, f, sha256, err) ||
	    !dossier_event(pc->st, app_id, ledger_id, status ? "status request" :
	    "message from applicant", err))
		return FALSE;
	/* What its "FILE = KIND DATE" lines did to documents sent before. */
	if (named->len > 0)
		g_string_append_printf(received, "\n%s", named->str);
	if (note != NULL)	/* a file we could not read */
		g_string_append_printf(received, "\n%s", note);
	g_message("message from applicant %s <%s> (message <%s>)%s%s", ref, f->from_addr,
	    f->message_id ? f->message_id : "", status ? ": status" : "",
	    renamed ? ": documents named" : "");
	if ((decision = settle_text(pc, app_id, ledger_id, f->attachments->len ? "documents received" :
	    renamed ? "documents named" : status ? "status request" : "message from applicant",
	    err)) == NULL)
		return FALSE;
	g_hash_table_insert(vars, "attachments", received->str);
	g_hash_table_insert(vars, "decision", decision);
	if (status) {
		g_autofree char *docs = decide_documents(pc, app_id, err);
		g_autoptr(Dossier) d = docs ? dossier_load(pc->st, app_id, err) : NULL;
		g_autofree char *choices = NULL;
		if (d == NULL)
			return FALSE;
		choices = describe_choices(pc->cfg->rules, d->choices, 0);
		/* A status request without attachments: no receipt of "(no attachments)". */
		if (f->attachments->len > 0 || named->len > 0) {
			g_string_prepend(received, "Attachments in your message:\n");
			g_string_append_c(received, '\n');
		} else
			g_string_truncate(received, 0);
		g_hash_table_insert(vars, "attachments", received->str);
		g_hash_table_insert(vars, "documents", docs);
		g_hash_table_insert(vars, "choices", choices);
		if ((title = decide_subject(pc, app_id, "Status", err)) == NULL)
			return FALSE;
		effect_reply_titled(pc, ledger_id, app_id, f, sha256, "status", ref, "status", title,
		    vars, NULL);
		return TRUE;
	}
	if ((title = decide_subject(pc, app_id, f->attachments->len ? "Documents received" :
	    "Message received", err)) == NULL)
		return FALSE;
	effect_reply_titled(pc, ledger_id, app_id, f, sha256, "acknowledgement", ref,
	    "acknowledgement", title, vars, NULL);
	return TRUE;
}

static struct ledger_entry
entry_of(const struct facts *f, const char *sha256, gsize size)
{
	struct ledger_entry e = { 0 };

	e.message_id = f->message_id;
	e.sha256 = sha256;
	e.size = size;
	e.sender = f->from_addr;
	e.subject = f->subject;
	return e;
}

/* The value of the first "Name: value" line in text, e.g. a DSN's Status. */
static char *
field_value(const char *data, gsize len, const char *name)
{
	gsize n = strlen(name);

	for (const char *p = data, *end = data + len; p < end;) {
		const char *eol = memchr(p, '\n', end - p);
		gsize l = eol ? (gsize)(eol - p) : (gsize)(end - p);
		if (l > n && g_ascii_strncasecmp(p, name, n) == 0)
			return util_utf8_clean(p + n, MIN(l - n, 300), 300);
		p += l + 1;
	}
	return NULL;
}

/* A delivery report about one of our own replies (to the bounce address we
 * read): find our Message-ID in it and record the bounce against the reply's
 * recipient. Never answered, whatever happens. */
static gboolean
note_bounce(struct process_ctx *pc, gint64 ledger_id, const char *data, gsize len, GError **err)
{
	const char *at = strrchr(pc->cfg->from_addr, '@');
	g_autofree char *suffix = g_strdup(at ? at : "@");
	gsize slen = strlen(suffix);

	for (const char *p = data, *end = data + len;
	    (p = memmem(p, end - p, "clerkd.", 7)) != NULL; p += 7) {
		const char *hex = p + 7;
		int i;
		for (i = 0; hex + i < end && i < 32 && g_ascii_isxdigit(hex[i]); i++)
			;
		if (i != 32 || (gsize)(end - hex - 32) < slen ||
		    g_ascii_strncasecmp(hex + 32, suffix, slen) != 0)
			continue;
		g_autofree char *msgid = g_strdup_printf("clerkd.%.32s%s", hex, suffix);
		g_autofree char *status = field_value(data, len, "Status: ");
		g_autofree char *diag = field_value(data, len, "Diagnostic-Code: ");
		g_autofree char *why = g_strdup_printf("%s%s%s", status ? status : "",
		    status && diag ? " " : "", diag ? diag : "");
		GError *lerr = NULL;
		if (outboxdb_bounced(pc->st, msgid, ledger_id, *why ? why : NULL, &lerr))
			return TRUE;
		if (lerr != NULL) {
			g_propagate_error(err, lerr);
			return FALSE;
		}
	}
	return TRUE;
}

/* A message whose identity (Message-ID + SHA-256) was handled before, under
 * another UID or UIDVALIDITY: recorded as a duplicate and never acted on again.
 * Returns its new ledger id, 0 if it is not a duplicate, -1 on error. */
static gint64
record_if_duplicate(struct process_ctx *pc, const struct ledger_key *k, struct ledger_entry *e,
    GError **err)
{
	GError *lerr = NULL;
	gint64 dup = ledger_find_identity(pc->st, e->message_id, e->sha256, &lerr);

	if (lerr != NULL) {
		g_propagate_error(err, lerr);
		return -1;
	}
	if (dup == 0)
		return 0;
	e->class = "duplicate";
	e->reason = "same Message-ID and SHA-256 as an earlier message";
	e->duplicate_of = dup;
	g_message("message <%s> (uid %u) was handled before as #%" G_GINT64_FORMAT ": not again",
	    e->message_id ? e->message_id : "", k->uid, dup);
	return ledger_handled(pc->st, k, e, err) ?: -1;
}

/* Mail over a limit: recorded, and, unless it is automatic, answered with
 * a polite note saying which limit; nothing in it is acted on. */
static gint64
refuse(struct process_ctx *pc, const struct ledger_key *k, struct ledger_entry *e,
    const struct facts *f, const char *problem, GError **err)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *ref = NULL;
	const char *why = NULL;
	gint64 id, app_id;

	e->class = "over-limit";
	e->reason = problem;
	if (classify_is_automatic(f, pc->cfg->from_addr, &why) || (why = forged(pc, f)) != NULL) {
		e->reason = why;
		return ledger_handled(pc->st, k, e, err);
	}
	if ((id = ledger_handled(pc->st, k, e, err)) == 0)
		return 0;
	g_message("message <%s> from <%s> refused: %s", f->message_id ? f->message_id : "",
	    f->from_addr, problem);
	if (!sender_application(pc, f->from_addr, &app_id, &ref, err))
		return 0;
	g_hash_table_insert(vars, "name", (gpointer)(f->from_name ? f->from_name : "applicant"));
	g_hash_table_insert(vars, "problem", (gpointer)problem);
	effect_reply_titled(pc, id, app_id, f, e->sha256, "over-limit", ref, "over-limit",
	    "Message not read: over a size limit", vars, NULL);
	return id;
}

static char *
size_str(gsize n)
{
	return g_format_size_full(n, G_FORMAT_SIZE_IEC_UNITS);
}

/* Which of the configured limits this message is over, as a sentence for its
 * sender; NULL if none. */
static char *
over_limit(const struct config *cfg, const struct rawscan *rs, const struct facts *f)
{
	if (rs->header_len > cfg->max_header_size) {
		g_autofree char *limit = size_str(cfg->max_header_size);
		return g_strdup_printf("its header is longer than the %s we accept.", limit);
	}
	if (rs->longest_line > cfg->max_line_length) {
		g_autofree char *limit = size_str(cfg->max_line_length);
		return g_strdup_printf("it has a line longer than %s, the longest we accept.", limit);
	}
	if (f->attachments_total > (guint)cfg->max_attachments)
		return g_strdup_printf("it has %u attachments, and the limit is %d per message.",
		    f->attachments_total, cfg->max_attachments);
	for (guint i = 0; i < f->attachments->len; i++) {
		const struct attachment *a = g_ptr_array_index(f->attachments, i);
		if (a->size > cfg->max_attachment_size) {
			g_autofree char *size = size_str(a->size), *limit = size_str(cfg->max_attachment_size);
			return g_strdup_printf("the attachment \"%s\" is %s, and the limit is %s per attachment.",
			    a->filename ? a->filename : "unnamed", size, limit);
		}
	}
	return NULL;
}

/* Everything after parsing, the same for mail read in memory and mail spooled
 * to disk; data is the raw message when in memory, else NULL. Effects are
 * asked for, not yet applied. */
static gint64
handle(struct process_ctx *pc, const struct ledger_key *k, struct facts *f,
    const struct rawscan *rs, const char *sha256, const char *data, GError **err)
{
	g_autoptr(Form) form = NULL;
	const struct attachment *carrier;
	g_autofree char *problem = NULL, *note = NULL;
	struct ledger_entry e = entry_of(f, sha256, rs->size);
	const char *why = NULL;
	gint64 id;
	MsgClass class;

	if ((id = record_if_duplicate(pc, k, &e, err)) != 0)
		return MAX(id, 0);
	if ((problem = over_limit(pc->cfg, rs, f)) != NULL)
		return refuse(pc, k, &e, f, problem, err);

	form = find_form(f, &carrier, &note);
	class = classify(f, pc->cfg->from_addr, form != NULL, &why);
	if (class != CLASS_AUTOMATIC && (problem = g_strdup(forged(pc, f))) != NULL) {
		class = CLASS_FORGED;
		why = problem;
	}
	e.class = classify_str(class);
	e.reason = why;
	if ((id = ledger_handled(pc->st, k, &e, err)) == 0)
		return 0;

	/* Staff commands from an address not on the staff list change nothing:
	 * staff get one notice, the sender no reply. */
	if ((class == CLASS_CORRESPONDENCE || class == CLASS_FORGED) &&
	    !config_is_staff(pc->cfg, f->from_addr) && commands_claimed(f))
		return commands_refuse(pc, id, f, sha256, "its sender is not on the staff list", err) ?
		    id : 0;
	if (class != CLASS_AUTOMATIC && config_is_staff(pc->cfg, f->from_addr)) {
		/* Staff forward and steer; they never apply. */
		return staff_handle(pc, id, f, sha256, err) ? id : 0;
	}
	switch (class) {
	case CLASS_APPLICATION:
		if (!handle_application(pc, id, f, sha256, form, carrier, note, FALSE, err))
			return 0;
		break;
	case CLASS_CORRESPONDENCE:
		if (!handle_correspondence(pc, id, f, sha256, note, err))
			return 0;
		break;
	case CLASS_FORGED:
		g_message("forged mail <%s> from <%s> (%s): recorded, not answered, nothing changed",
		    f->message_id ? f->message_id : "", f->from_addr, why);
		break;
	case CLASS_AUTOMATIC:
		g_message("automatic mail <%s> from <%s> (%s): recorded, not answered",
		    f->message_id ? f->message_id : "", f->from_addr ? f->from_addr : "", why);
		if (f->delivery_report && data != NULL && !note_bounce(pc, id, data, rs->size, err))
			return 0;
		if (form != NULL && !handle_application(pc, id, f, sha256, form, carrier, note, TRUE, err))
			return 0;
		break;
	}
	return id;
}

/* The effects a message's handling asked for, made to happen; 0 if either failed. */
static gint64
applied(struct process_ctx *pc, gint64 id, GError **err)
{
	if (id == 0 || !settle_apply(pc, err)) {
		effects_discard(pc);
		return 0;
	}
	return id;
}

gint64
process_message(struct process_ctx *pc, const struct ledger_key *k, struct facts *f,
    const struct rawscan *rs, const char *sha256, const char *data, GError **err)
{
	effects_discard(pc);	/* what a failed message before this one asked for */
	return applied(pc, handle(pc, k, f, rs, sha256, data, err), err);
}

static gint64
handle_oversize(struct process_ctx *pc, const struct ledger_key *k, const char *header,
    gsize len, gsize size, GError **err)
{
	g_autofree char *seed = g_strdup_printf("%.*s\n%zu", (int)len, header, size);
	g_autofree char *sha256 = util_sha256_hex(seed, strlen(seed));
	g_autofree char *limit = size_str(pc->cfg->max_message_size), *actual = size_str(size);
	g_autofree char *problem = g_strdup_printf("it was %s, and the limit is %s per message.",
	    actual, limit);
	g_autoptr(Facts) f = NULL;
	struct ledger_entry e = { 0 };
	gint64 id;

	if ((f = message_parse(header, len, err)) == NULL)
		return 0;
	e = entry_of(f, sha256, size);
	if ((id = record_if_duplicate(pc, k, &e, err)) != 0)
		return MAX(id, 0);
	return refuse(pc, k, &e, f, problem, err);
}

gint64
process_oversize(struct process_ctx *pc, const struct ledger_key *k, const char *header,
    gsize len, gsize size, GError **err)
{
	effects_discard(pc);
	return applied(pc, handle_oversize(pc, k, header, len, size, err), err);
}
