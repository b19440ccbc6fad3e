/* effects.c: the domain's effects, kept as data, then made to happen in one
 * place. See effects.h. */
#include "effects.h"
#include "calendar.h"
#include "letter.h"
#include "docstore.h"
#include "dossier.h"
#include "outboxdb.h"
#include "reply.h"
#include "rules.h"
#include "seats.h"
#include "util.h"
#include "words.h"

#include <string.h>

struct effect {
	EffectType type;
	gint64 ledger_id, app_id;
	char *kind, *template, *to_addr, *to_name, *subject, *fallback_subject, *reference;
	char *in_reply_to, *references, *seed_msgid, *seed_sha256;
	GHashTable *vars;		/* owned char * -> owned char * */
	GPtrArray *attachments;		/* owned struct reply_attachment *, or NULL */
};

void
effects_attachment_free(gpointer p)
{
	struct reply_attachment *a = p;

	if (a == NULL)
		return;		/* taken by another list */
	g_free((char *)a->filename);
	g_free((char *)a->content_type);
	g_bytes_unref(a->data);
	g_free(a);
}

static void
effect_free(gpointer p)
{
	struct effect *e = p;

	g_free(e->kind);
	g_free(e->template);
	g_free(e->to_addr);
	g_free(e->to_name);
	g_free(e->subject);
	g_free(e->fallback_subject);
	g_free(e->reference);
	g_free(e->in_reply_to);
	g_free(e->references);
	g_free(e->seed_msgid);
	g_free(e->seed_sha256);
	g_hash_table_unref(e->vars);
	if (e->attachments != NULL)
		g_ptr_array_unref(e->attachments);
	g_free(e);
}

static void
add(struct process_ctx *pc, struct effect *e)
{
	if (pc->effects == NULL)
		pc->effects = g_ptr_array_new_with_free_func(effect_free);
	g_ptr_array_add(pc->effects, e);
}

/* An effect holding copies of all it is given (vars: char * -> char *). */
static struct effect *
effect_new(EffectType type, gint64 ledger_id, gint64 app_id, const struct mail_out *m,
    GHashTable *vars)
{
	struct effect *e = g_new0(struct effect, 1);
	GHashTableIter it;
	gpointer k, v;

	e->type = type;
	e->ledger_id = ledger_id;
	e->app_id = app_id;
	e->kind = g_strdup(m->kind);
	e->template = g_strdup(m->template);
	e->to_addr = g_strdup(m->to_addr);
	e->to_name = g_strdup(m->to_name);
	e->subject = g_strdup(m->subject);
	e->fallback_subject = g_strdup(m->fallback_subject);
	e->reference = g_strdup(m->reference);
	e->in_reply_to = g_strdup(m->in_reply_to);
	e->references = g_strdup(m->references);
	e->seed_msgid = g_strdup(m->seed_msgid);
	e->seed_sha256 = g_strdup(m->seed_sha256);
	e->vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_hash_table_iter_init(&it, vars);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_insert(e->vars, g_strdup(k), g_strdup(v));
	if (m->attachments != NULL) {
		e->attachments = g_ptr_array_new_with_free_func(effects_attachment_free);
		for (guint i = 0; i < m->attachments->len; i++) {
			const struct reply_attachment *a = g_ptr_array_index(m->attachments, i);
			struct reply_attachment *c = g_new0(struct reply_attachment, 1);
			c->filename = g_strdup(a->filename);
			c->content_type = g_strdup(a->content_type);
			c->data = g_bytes_ref(a->data);
			c->keep = a->keep;
			g_ptr_array_add(e->attachments, c);
		}
	}
	return e;
}

void
effect_mail(struct process_ctx *pc, EffectType type, gint64 ledger_id, gint64 app_id,
    const struct mail_out *m, GHashTable *vars)
{
	add(pc, effect_new(type, ledger_id, app_id, m, vars));
}

void
effect_reply(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const struct facts *f,
    const char *sha256, const char *kind, const char *reference, const char *template,
    GHashTable *vars)
{
	effect_reply_titled(pc, ledger_id, app_id, f, sha256, kind, reference, template, NULL, vars,
	    NULL);
}

void
effect_reply_attached(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const struct facts *f, const char *sha256, const char *kind, const char *reference,
    const char *template, GHashTable *vars, GPtrArray *attachments)
{
	effect_reply_titled(pc, ledger_id, app_id, f, sha256, kind, reference, template, NULL, vars,
	    attachments);
}

void
effect_reply_titled(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const struct facts *f, const char *sha256, const char *kind, const char *reference,
    const char *template, const char *title, GHashTable *vars, GPtrArray *attachments)
{
	struct mail_out m = { 0 };

	m.kind = kind;
	m.template = template;
	m.to_addr = f->from_addr;
	m.to_name = f->from_name;
	/* A title is the subject (still threaded: In-Reply-To and References). */
	m.subject = title != NULL ? NULL : f->subject;
	m.fallback_subject = title != NULL ? title : "Your message to the clerkship program";
	m.reference = reference;
	m.in_reply_to = f->message_id;
	m.references = f->references;
	m.seed_msgid = f->message_id;
	m.seed_sha256 = sha256;
	m.attachments = attachments;
	effect_mail(pc, EFFECT_REPLY, ledger_id, app_id, &m, vars);
}

void
effect_notify_staff(struct process_ctx *pc, gint64 ledger_id, gint64 app_id,
    const struct facts *f, const char *sha256, const char *reference, const char *what,
    const char *details)
{
	g_autofree char *subject = g_strdup_printf("[clerkd] %s", what);
	char *const *staff = pc->cfg->staff;

	g_warning("staff notice%s%s: %s (message <%s> from <%s>)", reference ? " for " : "",
	    reference ? reference : "", what, f->message_id ? f->message_id : "",
	    f->from_addr ? f->from_addr : "");
	for (int i = 0; staff != NULL && staff[i] != NULL; i++) {
		g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
		g_autofree char *kind = g_strdup_printf("staff-notice:%s", staff[i]);
		struct mail_out m = { 0 };
		g_hash_table_insert(vars, "what", (gpointer)what);
		g_hash_table_insert(vars, "details", (gpointer)(details ? details : ""));
		g_hash_table_insert(vars, "message_id", f->message_id ? f->message_id : "(none)");
		g_hash_table_insert(vars, "sender", f->from_addr ? f->from_addr : "(unknown)");
		g_hash_table_insert(vars, "subject", f->subject);
		g_hash_table_insert(vars, "reference", (gpointer)(reference ? reference : "REF"));
		m.kind = kind;
		m.template = "staff-notice";
		m.to_addr = staff[i];
		m.fallback_subject = subject;
		m.reference = reference;
		m.seed_msgid = f->message_id;
		m.seed_sha256 = sha256;
		effect_mail(pc, EFFECT_NOTIFY_STAFF, ledger_id, app_id, &m, vars);
	}
}

/* The effect a notice to an applicant is, NULL for one without an address. */
static struct effect *
applicant_notice(gint64 ledger_id, const struct dossier *d, const char *template,
    const char *subject, const char *what, const char *decision, const char *seed_msgid,
    const char *seed_sha256)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	struct mail_out m = { 0 };

	if (d->email == NULL || *d->email == '\0')
		return NULL;
	g_hash_table_insert(vars, "name", d->name);
	g_hash_table_insert(vars, "reference", d->reference);
	g_hash_table_insert(vars, "what", (gpointer)what);
	g_hash_table_insert(vars, "decision", (gpointer)decision);
	m.kind = template;
	m.template = template;
	m.to_addr = d->email;
	m.fallback_subject = subject;
	m.reference = d->reference;
	m.seed_msgid = seed_msgid;
	m.seed_sha256 = seed_sha256;
	return effect_new(EFFECT_NOTIFY_APPLICANT, ledger_id, d->id, &m, vars);
}

void
effect_notify_applicant(struct process_ctx *pc, gint64 ledger_id, const struct dossier *d,
    const char *template, const char *subject, const char *what, const char *decision,
    const char *seed_msgid, const char *seed_sha256)
{
	struct effect *e = applicant_notice(ledger_id, d, template, subject, what, decision,
	    seed_msgid, seed_sha256);

	if (e != NULL)
		add(pc, e);
}

void
effect_placement(struct process_ctx *pc, gint64 ledger_id, gint64 app_id, const char *seed,
    const char *subject, const char *what)
{
	g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
	struct mail_out m = { .kind = "placement", .template = "placement",
	    .fallback_subject = subject, .seed_msgid = seed, .seed_sha256 = "" };

	g_hash_table_insert(vars, "what", (gpointer)what);
	add(pc, effect_new(EFFECT_PLACEMENT, ledger_id, app_id, &m, vars));
}

/* A file clerkd made (letter, calendar entry) into attachments, to be kept as
 * sent. Takes filename and data. */
static void
attach_kept(GPtrArray *attachments, char *filename, const char *content_type, GBytes *data)
{
	struct reply_attachment *a = g_new0(struct reply_attachment, 1);

	a->filename = filename;
	a->content_type = g_strdup(content_type);
	a->data = data;
	a->keep = TRUE;
	g_ptr_array_add(attachments, a);
}

gboolean
effects_calendar(struct process_ctx *pc, gint64 app_id, GArray *seats, gboolean cancel,
    GPtrArray *attachments, GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(Dossier) d = NULL;
	const char *at;

	if (seats == NULL || seats->len == 0)
		return TRUE;
	if ((d = dossier_load(pc->st, app_id, err)) == NULL)
		return FALSE;
	at = pc->cfg->from_addr != NULL ? strrchr(pc->cfg->from_addr, '@') : NULL;
	for (guint i = 0; i < seats->len; i++) {
		const struct seat *st = &g_array_index(seats, struct seat, i);
		const struct course_info *c = rules_course(r, st->course);
		struct calendar_seat cs = { 0 };
		GBytes *ics;
		if (c == NULL || rules_block_start(r, st->block) == NULL ||
		    rules_block_end(r, st->block) == NULL)
			continue;
		cs.reference = d->reference;
		cs.program = pc->program;
		cs.domain = at != NULL ? at + 1 : NULL;
		cs.course = c->code;
		cs.title = c->title;
		cs.hospital = c->hospital;
		cs.department = c->department;
		cs.block = st->block;
		cs.start = rules_block_start(r, st->block);
		cs.end = rules_block_end(r, st->block);
		cs.stamp = cs.start;	/* from the data, not the clock: a resend is the same */
		if ((ics = calendar_ics(&cs, cancel, err)) == NULL)
			return FALSE;
		attach_kept(attachments, calendar_filename(&cs), cancel ?
		    "text/calendar; method=CANCEL; charset=utf-8" :
		    "text/calendar; method=PUBLISH; charset=utf-8", ics);
	}
	return TRUE;
}

/* The acceptance letter (PDF) for each seat, from rules/templates/letter.txt:
 * dated today, on the paper of policy letter_paper. */
static gboolean
effects_letters(struct process_ctx *pc, gint64 app_id, GArray *seats, GPtrArray *attachments,
    GError **err)
{
	const Rules *r = pc->cfg->rules;
	g_autoptr(Dossier) d = NULL;
	const char *tmpl;

	g_autoptr(GBytes) logo = NULL;
	const char *logo_name = rules_setting(r, "letter_logo");

	if ((d = dossier_load(pc->st, app_id, err)) == NULL ||
	    (tmpl = config_template(pc->cfg, "letter", err)) == NULL)
		return FALSE;
	/* The logo, if policy names one: a bad one is left out (rules check says why). */
	if (logo_name != NULL && *logo_name != '\0') {
		g_autofree char *path = g_build_filename(pc->cfg->rules_dir, "templates", logo_name,
		    NULL);
		g_autoptr(GError) lerr = NULL;
		if ((logo = letter_logo_load(path, &lerr)) == NULL)
			g_warning("acceptance letter without a logo: %s", lerr->message);
	}
	for (guint i = 0; i < seats->len; i++) {
		const struct seat *st = &g_array_index(seats, struct seat, i);
		const struct course_info *c = rules_course(r, st->course);
		g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
		g_autofree char *dates = NULL, *today = NULL, *text = NULL;
		struct letter_data l = { 0 };
		g_autofree char *filename = NULL, *sent = NULL;
		GBytes *pdf = NULL;
		int found;
		if (c == NULL || rules_block_start(r, st->block) == NULL ||
		    rules_block_end(r, st->block) == NULL)
			continue;
		/* The letter for this seat as it was first sent, if it was: a
		 * letter asked for again, or sent with a later notice, is the
		 * same file, byte for byte. */
		filename = letter_filename(c->code, st->block);
		if ((found = dossier_sent_named(pc->st, app_id, filename, &sent, err)) < 0)
			return FALSE;
		if (found > 0) {
			g_autofree char *path = docstore_path(pc->cfg->documents, sent), *data = NULL;
			gsize len;
			if (g_file_get_contents(path, &data, &len, NULL))
				pdf = g_bytes_new_take(g_steal_pointer(&data), len);
		}
		if (pdf != NULL) {
			attach_kept(attachments, g_steal_pointer(&filename), "application/pdf", pdf);
			continue;
		}
		dates = words_date_range(rules_block_start(r, st->block), rules_block_end(r, st->block));
		today = words_date(pc->today);
		g_hash_table_insert(vars, "name", d->name ? d->name : "");
		g_hash_table_insert(vars, "school", d->school ? d->school : "");
		g_hash_table_insert(vars, "reference", d->reference);
		g_hash_table_insert(vars, "course", (gpointer)c->code);
		g_hash_table_insert(vars, "title", (gpointer)(c->title ? c->title : ""));
		g_hash_table_insert(vars, "hospital", (gpointer)(c->hospital ? c->hospital : ""));
		g_hash_table_insert(vars, "department",
		    (gpointer)(c->department ? c->department : ""));
		g_hash_table_insert(vars, "block", st->block);
		g_hash_table_insert(vars, "dates", dates);
		g_hash_table_insert(vars, "program", (gpointer)pc->program);
		g_hash_table_insert(vars, "today", today);
		if ((text = reply_render("letter", tmpl, vars, err)) == NULL)
			return FALSE;
		l.program = pc->program;
		l.date = pc->today;
		l.text = text;
		l.paper = rules_setting(r, "letter_paper");
		l.title = "Acceptance letter";
		l.logo = logo;
		if ((pdf = letter_pdf(&l, err)) == NULL)
			return FALSE;
		attach_kept(attachments, g_steal_pointer(&filename), "application/pdf", pdf);
	}
	return TRUE;
}

gboolean
effects_seat_files(struct process_ctx *pc, gint64 app_id, GArray *seats, gboolean cancel,
    GPtrArray *attachments, GError **err)
{
	if (seats == NULL || seats->len == 0)
		return TRUE;
	return effects_calendar(pc, app_id, seats, cancel, attachments, err) &&
	    (cancel || effects_letters(pc, app_id, seats, attachments, err));
}

struct seat_change {
	gint64 app_id;
	char *course, *block;	/* NULL: a seat given */
};

static void
seat_change_clear(gpointer p)
{
	struct seat_change *c = p;

	g_free(c->course);
	g_free(c->block);
}

static void
seat_change(struct process_ctx *pc, gint64 app_id, const char *course, const char *block)
{
	struct seat_change c = { app_id, g_strdup(course), g_strdup(block) };

	if (pc->seat_changes == NULL) {
		pc->seat_changes = g_array_new(FALSE, TRUE, sizeof(struct seat_change));
		g_array_set_clear_func(pc->seat_changes, seat_change_clear);
	}
	g_array_append_val(pc->seat_changes, c);
}

void
effects_seat_given(struct process_ctx *pc, gint64 app_id)
{
	seat_change(pc, app_id, NULL, NULL);
}

void
effects_seat_freed(struct process_ctx *pc, gint64 app_id, const char *course, const char *block)
{
	seat_change(pc, app_id, course, block);
}

/* Add each of files to e's attachments that it does not carry yet (by file
 * name and type). */
static void
attach_new(struct effect *e, GPtrArray *files)
{
	if (e->attachments == NULL)
		e->attachments = g_ptr_array_new_with_free_func(effects_attachment_free);
	for (guint i = 0; i < files->len; i++) {
		struct reply_attachment *f = g_ptr_array_index(files, i);
		gboolean have = FALSE;
		for (guint j = 0; j < e->attachments->len && !have; j++) {
			const struct reply_attachment *a = g_ptr_array_index(e->attachments, j);
			have = g_strcmp0(a->filename, f->filename) == 0 &&
			    g_strcmp0(a->content_type, f->content_type) == 0;
		}
		if (!have)
			g_ptr_array_add(e->attachments, g_steal_pointer(&files->pdata[i]));
	}
}

/* The seats given and freed in this transaction, as files on the first mail
 * to each applicant concerned. */
static gboolean
attach_seat_changes(struct process_ctx *pc, GError **err)
{
	g_autoptr(GArray) changes = g_steal_pointer(&pc->seat_changes);
	g_autoptr(GHashTable) done = g_hash_table_new(g_int64_hash, g_int64_equal);

	for (guint i = 0; changes != NULL && i < changes->len; i++) {
		struct seat_change *c = &g_array_index(changes, struct seat_change, i);
		g_autoptr(Dossier) d = NULL;
		g_autoptr(GArray) seats = NULL, gone = NULL;
		g_autoptr(GPtrArray) files = NULL;
		struct effect *mail = NULL;
		if (g_hash_table_contains(done, &c->app_id))
			continue;
		g_hash_table_add(done, &c->app_id);
		if ((d = dossier_load(pc->st, c->app_id, err)) == NULL)
			return FALSE;
		for (guint j = 0; pc->effects != NULL && j < pc->effects->len && mail == NULL; j++) {
			struct effect *e = g_ptr_array_index(pc->effects, j);
			if (e->app_id == c->app_id && (e->type == EFFECT_REPLY ||
			    e->type == EFFECT_NOTIFY_APPLICANT) && d->email != NULL &&
			    e->to_addr != NULL && g_ascii_strcasecmp(e->to_addr, d->email) == 0)
				mail = e;
		}
		if (mail == NULL)
			continue;	/* nobody told: no files either */
		if ((seats = seats_of(pc->st, c->app_id, NULL, err)) == NULL)
			return FALSE;
		/* Each seat freed (and not held again): a CANCEL. */
		gone = g_array_new(FALSE, TRUE, sizeof(struct seat));
		gboolean given = FALSE;
		for (guint j = i; j < changes->len; j++) {
			const struct seat_change *x = &g_array_index(changes, struct seat_change, j);
			gboolean held = FALSE;
			if (x->app_id == c->app_id && x->course == NULL)
				given = TRUE;
			if (x->app_id != c->app_id || x->course == NULL)
				continue;
			for (guint k = 0; k < seats->len && !held; k++) {
				const struct seat *st = &g_array_index(seats, struct seat, k);
				held = strcmp(st->course, x->course) == 0 && strcmp(st->block, x->block) == 0;
			}
			if (!held) {
				struct seat st = { 0, x->course, x->block };	/* borrowed */
				g_array_append_val(gone, st);
			}
		}
		files = g_ptr_array_new_with_free_func(effects_attachment_free);
		/* A seat given: the files of every seat held, as a lottery notice has. */
		if (!effects_seat_files(pc, c->app_id, gone, TRUE, files, err) ||
		    (given && !effects_seat_files(pc, c->app_id, seats, FALSE, files, err)))
			return FALSE;
		attach_new(mail, files);
	}
	return TRUE;
}

gboolean
effects_word_placements(struct process_ctx *pc, EffectWordFn word, GError **err)
{
	for (guint i = 0; pc->effects != NULL && i < pc->effects->len; i++) {
		struct effect *e = g_ptr_array_index(pc->effects, i), *notice;
		g_autoptr(Dossier) d = NULL;
		g_autofree char *decision = NULL;
		if (e->type != EFFECT_PLACEMENT)
			continue;
		g_autofree char *subject = NULL;
		if ((d = dossier_load(pc->st, e->app_id, err)) == NULL ||
		    (decision = word(pc, e->app_id, e->ledger_id, &subject, err)) == NULL)
			return FALSE;
		notice = applicant_notice(e->ledger_id, d, e->template,
		    e->fallback_subject ? e->fallback_subject : subject,
		    g_hash_table_lookup(e->vars, "what"), decision, e->seed_msgid, e->seed_sha256);
		if (notice == NULL)
			g_ptr_array_remove_index(pc->effects, i--);	/* no address: nobody to tell */
		else {
			/* A calendar entry for each seat held now (one just given among them). */
			g_autoptr(GArray) seats = seats_of(pc->st, e->app_id, NULL, err);
			if (seats == NULL) {
				effect_free(notice);
				return FALSE;
			}
			if (seats->len > 0) {
				if (notice->attachments == NULL)
					notice->attachments =
					    g_ptr_array_new_with_free_func(effects_attachment_free);
				if (!effects_seat_files(pc, e->app_id, seats, FALSE,
				    notice->attachments, err)) {
					effect_free(notice);
					return FALSE;
				}
			}
			effect_free(e);
			pc->effects->pdata[i] = notice;
		}
	}
	return TRUE;
}

gboolean
effects_check(GPtrArray *effects, GError **err)
{
	for (guint i = 0; effects != NULL && i < effects->len; i++) {
		const struct effect *a = g_ptr_array_index(effects, i);
		if (a->type == EFFECT_PLACEMENT) {
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "a placement notice to "
			    "application %" G_GINT64_FORMAT " was never worded: nothing was sent",
			    a->app_id);
			return FALSE;
		}
		if (a->type != EFFECT_REPLY)
			continue;
		for (guint j = i + 1; j < effects->len; j++) {
			const struct effect *b = g_ptr_array_index(effects, j);
			if (b->type == EFFECT_REPLY && b->ledger_id == a->ledger_id) {
				g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "two replies to one "
				    "message (%s, then %s): at most one is allowed; nothing was sent",
				    a->kind, b->kind);
				return FALSE;
			}
		}
	}
	return TRUE;
}

/* The files clerkd made for this mail (letters, calendar entries) kept in
 * the document store as sent documents of its application, in the same
 * transaction as the outbox row: once per content. *wrote is set when a
 * file was new to the store. */
static gboolean
keep_sent(struct process_ctx *pc, const struct effect *e, gboolean *wrote, GError **err)
{
	for (guint i = 0; e->app_id > 0 && e->attachments != NULL && i < e->attachments->len; i++) {
		const struct reply_attachment *a = g_ptr_array_index(e->attachments, i);
		g_autofree char *sha = NULL, *path = NULL;
		if (!a->keep)
			continue;
		sha = util_sha256_hex(g_bytes_get_data(a->data, NULL), g_bytes_get_size(a->data));
		path = docstore_path(pc->cfg->documents, sha);
		if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
			if (!docstore_put(pc->cfg->documents, sha, a->data, err))
				return FALSE;
			*wrote = TRUE;
		}
		if (!dossier_add_sent(pc->st, e->app_id, sha, a->filename, a->content_type,
		    (gint64)g_bytes_get_size(a->data), e->kind, pc->today, err))
			return FALSE;
	}
	return TRUE;	/* synced once for all the mails: effects_apply */
}

/* Render one mail and write its outbox row (held by the loop guard if its
 * address had too many in the last hour). */
static gboolean
apply_mail(struct process_ctx *pc, struct effect *e, gboolean *wrote, GError **err)
{
	g_autofree char *body = NULL, *subject = NULL, *msgid = NULL;
	const char *tmpl;
	g_autoptr(GBytes) raw = NULL;
	struct reply r = { 0 };
	OutboxState state = OUTBOX_QUEUED;
	int recent = outboxdb_recent(pc->st, e->to_addr, 3600, err);

	if (recent < 0)
		return FALSE;
	/* The reply to authenticated staff commands: a coordinator at work, not
	 * a loop (automatic mail never gets one), under a limit ten times higher;
	 * so are notices to a staff address, which those replies would otherwise
	 * crowd out (a held message's notice carries the commands to accept it). */
	if (recent >= pc->cfg->max_per_recipient_hour *
	    (g_strcmp0(e->kind, "staff-commands") == 0 ||
	    config_is_staff(pc->cfg, e->to_addr) ? 10 : 1) *
	    /* A roster for each course of a coordinator's: not a loop either. */
	    (g_str_has_prefix(e->kind, "roster:") ? 10 : 1)) {
		/* A loop, or a storm: keep the mail for staff, do not send it. */
		g_warning("loop guard: %d replies to <%s> in the last hour; %s held",
		    recent, e->to_addr, e->kind);
		state = OUTBOX_SUPPRESSED;
	}
	g_hash_table_insert(e->vars, g_strdup("program"), g_strdup(pc->program));
	g_hash_table_insert(e->vars, g_strdup("today"), words_date(pc->today));	/* "1 March 2027" */
	if ((tmpl = config_template(pc->cfg, e->template, err)) == NULL ||
	    (body = reply_render(e->template, tmpl, e->vars, err)) == NULL)
		return FALSE;
	subject = reply_subject(e->subject ? e->subject : "", e->reference, e->fallback_subject);
	msgid = reply_message_id(e->seed_msgid, e->seed_sha256, e->kind, pc->cfg->from_addr);
	r.from = pc->cfg->from;
	r.to_addr = e->to_addr;
	r.to_name = e->to_name;
	r.subject = subject;
	r.in_reply_to = e->in_reply_to;
	r.references = e->references;
	r.message_id = msgid;
	r.body = body;
	r.attachments = e->attachments;
	raw = reply_build(&r);
	return outboxdb_add(pc->st, e->ledger_id, e->app_id, e->kind, e->to_addr, msgid, raw,
	    state, err) && keep_sent(pc, e, wrote, err);
}

gboolean
effects_apply(struct process_ctx *pc, GError **err)
{
	g_autoptr(GPtrArray) list = g_steal_pointer(&pc->effects);
	gboolean wrote = FALSE;

	if (list == NULL) {
		g_clear_pointer(&pc->seat_changes, g_array_unref);
		return TRUE;
	}
	pc->effects = list;
	if (!attach_seat_changes(pc, err)) {
		pc->effects = NULL;
		return FALSE;
	}
	pc->effects = NULL;
	if (!effects_check(list, err))
		return FALSE;
	for (guint i = 0; i < list->len; i++)
		if (!apply_mail(pc, g_ptr_array_index(list, i), &wrote, err))
			return FALSE;
	/* The files kept as sent (keep_sent), durable before the commit that
	 * refers to them: one syncfs for them all, and none when none was new
	 * (the documents of the mail being handled are synced once a batch, by
	 * the pipeline, not here for each message). */
	return !wrote || docstore_sync(pc->cfg->documents, err);
}

void
effects_discard(struct process_ctx *pc)
{
	g_clear_pointer(&pc->effects, g_ptr_array_unref);
	g_clear_pointer(&pc->seat_changes, g_array_unref);
}

guint
effects_count(struct process_ctx *pc)
{
	return pc->effects != NULL ? pc->effects->len : 0;
}

void
effects_truncate(struct process_ctx *pc, guint count)
{
	if (pc->effects != NULL && pc->effects->len > count)
		g_ptr_array_set_size(pc->effects, count);
}
