/* staffctl.c: staff judge rules before they deploy them, and check documents. */
#include "staffctl.h"
#include "commands.h"
#include "decide.h"
#include "docstore.h"
#include "letter.h"
#include "placement.h"
#include "effects.h"
#include "settle.h"
#include "rules.h"
#include "util.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

static int
rules_check_cmd(struct config *cfg, const char *dir)
{
	g_autoptr(GPtrArray) errors = rules_check(dir);

	/* The reply templates of that directory, too: a missing one is an error here. */
	for (gsize i = 0; config_templates[i] != NULL; i++) {
		g_autofree char *path = g_strdup_printf("%s/templates/%s.txt", dir, config_templates[i]);
		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
			g_ptr_array_add(errors, g_strdup_printf("%s:0: missing template", path));
	}
	/* The letter's logo (policy letter_logo): a problem here, while clerkd
	 * makes its letters without it. */
	{
		g_autofree char *policy = g_build_filename(dir, "policy.ini", NULL);
		g_autoptr(GKeyFile) kf = g_key_file_new();
		g_autofree char *logo = NULL;
		if (g_key_file_load_from_file(kf, policy, G_KEY_FILE_NONE, NULL) &&
		    (logo = g_key_file_get_string(kf, "settings", "letter_logo", NULL)) != NULL &&
		    *g_strstrip(logo) != '\0' && strchr(logo, '/') == NULL && *logo != '.') {
			g_autofree char *path = g_build_filename(dir, "templates", logo, NULL);
			g_autoptr(GError) lerr = NULL;
			g_autoptr(GBytes) png = letter_logo_load(path, &lerr);
			if (png == NULL)
				g_ptr_array_add(errors, g_strdup_printf("%s:0: letter_logo: %s (the letters "
				    "are made without a logo)", policy, lerr->message));
		}
	}
	(void)cfg;
	for (guint i = 0; i < errors->len; i++)
		printf("%s\n", (char *)g_ptr_array_index(errors, i));
	if (errors->len > 0) {
		fprintf(stderr, "clerkctl: %u problem%s in %s\n", errors->len,
		    errors->len == 1 ? "" : "s", dir);
		return 1;
	}
	printf("%s: rules OK\n", dir);
	return 0;
}

static gboolean
same_missing(const char *stored, const struct decision *dc)
{
	g_autofree char *now = decision_missing_json(dc);
	return g_strcmp0(stored, now) == 0;
}

/* Which applications the rules in dir would move; nothing is changed. */
static int
rules_diff_cmd(struct config *cfg, Store *st, const char *dir, gboolean json)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(Rules) r = rules_load(dir, &err);
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *today = util_today(cfg->timezone);
	g_autoptr(GPtrArray) rows = NULL;
	int moved = 0, total = 0;

	if (r == NULL) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	if ((rows = dossier_rows(st, TRUE, &err)) == NULL) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++) {
		const struct dossier_row *row = g_ptr_array_index(rows, i);
		const char *ref = row->reference, *status = row->status, *missing = row->missing;
		g_autoptr(Dossier) d = NULL;
		g_autofree char *now = NULL;
		struct decision dc;

		total++;
		if ((d = dossier_load(st, row->id, &err)) == NULL)
			break;
		decision_init(&dc);
		if (!rules_eval(r, d, today, &dc, &err)) {
			decision_clear(&dc);
			break;
		}
		if (strcmp(dc.status, status) != 0 || !same_missing(missing, &dc)) {
			now = decision_missing_json(&dc);
			moved++;
			if (!json)
				printf("%s  %s -> %s  missing %s -> %s\n", ref, status, dc.status,
				    missing, now);
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "reference");
			json_builder_add_string_value(b, ref);
			json_builder_set_member_name(b, "status");
			json_builder_add_string_value(b, status);
			json_builder_set_member_name(b, "new_status");
			json_builder_add_string_value(b, dc.status);
			json_builder_set_member_name(b, "missing");
			json_builder_add_string_value(b, missing);
			json_builder_set_member_name(b, "new_missing");
			json_builder_add_string_value(b, now);
			json_builder_end_object(b);
		}
		decision_clear(&dc);
	}
	json_builder_end_array(b);
	if (err != NULL) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	if (json) {
		g_autoptr(JsonGenerator) gen = json_generator_new();
		g_autoptr(JsonNode) root = json_builder_get_root(b);
		g_autofree char *text = NULL;
		json_generator_set_pretty(gen, TRUE);
		json_generator_set_root(gen, root);
		text = json_generator_to_data(gen, NULL);
		printf("%s\n", text);
	} else
		printf("%d of %d application%s would change under %s\n", moved, total,
		    total == 1 ? "" : "s", dir);
	return 0;
}

/* After a rule change is deployed: judge every open application again,
 * record what moved, and tell each student whose status changed, once. */
static gboolean
apply_rules(struct process_ctx *pc, GString *report, GError **err)
{
	g_autoptr(GPtrArray) rows = dossier_rows(pc->st, FALSE, err);
	int moved = 0;

	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		const struct dossier_row *r = g_ptr_array_index(rows, i);
		gint64 id = r->id;
		g_autofree char *text = NULL, *seed = NULL;
		g_autoptr(Dossier) d = NULL;
		struct decision dc;
		gboolean changed, ok = settle(pc, id, 0, "rules changed", &dc, &changed, err);

		if (ok && strcmp(dc.status, r->status) != 0) {
			g_string_append_printf(report, "%s  %s -> %s\n", r->reference, r->status, dc.status);
			moved++;
			ok = (text = decide_text(pc, id, &dc, err)) != NULL &&
			    (d = dossier_load(pc->st, id, err)) != NULL;
		}
		decision_clear(&dc);
		if (!ok)
			return FALSE;
		if (text == NULL)
			continue;
		seed = g_strdup_printf("rules-apply.%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT, id,
		    g_get_real_time());
		g_autofree char *title = decide_subject(pc, id, "Application updated", err);
		if (title == NULL)
			return FALSE;
		effect_notify_applicant(pc, 0, d, "student-update", title, "the program's rules have "
		    "changed, and so has the status of your application:", text, seed, "");
	}
	g_string_append_printf(report, "%d of %u application%s moved under the rules in force\n",
	    moved, rows->len, rows->len == 1 ? "" : "s");
	return TRUE;
}

static int
rules_apply_cmd(struct config *cfg, Store *st)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GString) report = g_string_new(NULL);
	struct process_ctx pc;
	int rc = 0;

	if (!config_check_rules(cfg, &err)) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	process_ctx_init(&pc, cfg, st);
	if (!store_begin(st, &err) || !apply_rules(&pc, report, &err) || !settle_apply(&pc, &err) ||
	    !store_commit(st, &err)) {
		store_rollback(st);
		fprintf(stderr, "clerkctl: %s\n", err->message);
		rc = clerk_exitcode(err);
	} else
		fputs(report->str, stdout);
	process_ctx_clear(&pc);
	return rc;
}

int
staffctl_rules(struct config *cfg, Store *st, int argc, char **argv, const struct staffctl_opts *o)
{
	if (argc == 1 && strcmp(argv[0], "apply") == 0)
		return rules_apply_cmd(cfg, st);
	if (argc >= 1 && strcmp(argv[0], "check") == 0 && argc <= 2)
		return rules_check_cmd(cfg, argc == 2 ? argv[1] : cfg->rules_dir);
	if (argc == 2 && strcmp(argv[0], "diff") == 0)
		return rules_diff_cmd(cfg, st, argv[1], o->json);
	fprintf(stderr, "usage: clerkctl rules check [DIR] | rules diff DIR [--json] | rules apply\n");
	return EXIT_USAGE;
}

/* ---- documents ---- */

/* The documents of an application that `which` names: an id, or a kind
 * (then those not yet accepted or rejected). */
static GPtrArray *
select_docs(Store *st, gint64 app_id, const char *which, GError **err)
{
	char *end;
	gint64 id = g_ascii_strtoll(which, &end, 10);
	struct doc_info *doc;
	GPtrArray *out;

	/* s3: the third file clerkd sent (doc list shows them so). */
	if ((which[0] == 's' || which[0] == 'S') && g_ascii_isdigit(which[1])) {
		id = g_ascii_strtoll(which + 1, &end, 10);
		if (*end == '\0') {
			if (dossier_sent_doc(st, app_id, id, &doc, err) < 0)
				return NULL;
			out = g_ptr_array_new_with_free_func((GDestroyNotify)doc_info_free);
			if (doc != NULL)
				g_ptr_array_add(out, doc);
			return out;
		}
	}
	if (*which == '\0' || *end != '\0')
		return dossier_docs_waiting(st, app_id, which, err);
	if (dossier_doc(st, app_id, id, &doc, err) < 0)
		return NULL;
	out = g_ptr_array_new_with_free_func((GDestroyNotify)doc_info_free);
	if (doc != NULL)
		g_ptr_array_add(out, doc);
	return out;
}

static int
doc_list(Store *st, gint64 app_id, gboolean json)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) docs = dossier_docs(st, app_id, &err);
	g_autoptr(GPtrArray) sent = docs != NULL ? dossier_sent_docs(st, app_id, &err) : NULL;

	if (docs == NULL || sent == NULL) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	/* Then the files clerkd sent (letters, calendar entries): ids s1, s2, ...;
	 * direction "sent", the day first sent, the mail they went with. */
	guint received = docs->len;
	for (guint n = 0; n < sent->len; n++)
		g_ptr_array_add(docs, g_steal_pointer(&sent->pdata[n]));
	if (json)
		printf("[");
	else
		printf("%-5s %-9s %-18s %-11s %-9s %s\n", "ID", "STATE", "KIND", "DATE", "DATE FROM", "FILE");
	for (guint n = 0; n < docs->len; n++) {
		const struct doc_info *d = g_ptr_array_index(docs, n);
		gboolean out = n >= received;
		const char *from = out ? "sent" : d->dated ? "given" : "received";
		if (json) {
			g_autofree char *fn = g_strescape(d->filename ? d->filename : "", NULL);
			g_autofree char *id = out ? g_strdup_printf("\"s%" G_GINT64_FORMAT "\"", d->id) :
			    g_strdup_printf("%" G_GINT64_FORMAT, d->id);
			printf("%s\n  {\"id\": %s, \"filename\": \"%s\", \"kind\": %s%s%s,"
			    " \"state\": \"%s\", \"date\": \"%s\", \"date_from\": \"%s\", \"pending\": %s,"
			    " \"source\": \"%s\", \"direction\": \"%s\"}",
			    n ? "," : "", id, fn, d->kind ? "\"" : "", d->kind ? d->kind : "null",
			    d->kind ? "\"" : "", d->state, d->date, from, d->pending ? "true" : "false",
			    d->source ? d->source : "", out ? "sent" : "received");
		} else {
			g_autofree char *id = g_strdup_printf("%s%" G_GINT64_FORMAT, out ? "s" : "", d->id);
			printf("%-5s %-9s %-18s %-11s %-9s %s%s%s\n", id, d->state, d->kind ? d->kind : "-",
			    d->date, from, d->filename ? d->filename : "(unnamed)", d->note ? "  # " : "",
			    d->note ? d->note : "");
		}
	}
	if (json)
		printf("\n]\n");
	return 0;
}

static int
doc_get(struct config *cfg, GPtrArray *docs, const char *output)
{
	const struct doc_info *d;
	g_autofree char *path = NULL, *data = NULL;
	g_autoptr(GError) err = NULL;
	gsize len;

	if (docs->len != 1) {
		fprintf(stderr, "clerkctl: %s\n", docs->len ? "more than one document: give its id" :
		    "no such document");
		return 1;
	}
	d = g_ptr_array_index(docs, 0);
	path = docstore_path(cfg->documents, d->sha256);
	if (!g_file_get_contents(path, &data, &len, &err)) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	if (output != NULL) {
		if (!g_file_set_contents_full(output, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
		    &err)) {
			fprintf(stderr, "clerkctl: %s\n", err->message);
			return clerk_exitcode(err);
		}
		printf("document %" G_GINT64_FORMAT " (%s) written to %s\n", d->id,
		    d->filename ? d->filename : "unnamed", output);
		return 0;
	}
	return fwrite(data, 1, len, stdout) == len ? 0 : 1;
}

/* Accept or reject documents, judge again and tell the student: one transaction. */
static gboolean
doc_check(struct process_ctx *pc, gint64 app_id, GPtrArray *docs, gboolean accept,
    const struct staffctl_opts *o, GError **err)
{
	g_autoptr(GString) what = g_string_new(NULL);
	g_autofree char *decision = NULL, *seed = NULL;
	g_autoptr(Dossier) d = NULL;
	struct decision dc;
	gboolean changed, ok;

	for (guint i = 0; i < docs->len; i++) {
		const struct doc_info *doc = g_ptr_array_index(docs, i);
		const char *kind = doc->kind;
		g_autofree char *event = NULL;
		if (!dossier_set_doc(pc->st, app_id, doc->id, accept ? DOC_ACCEPTED : DOC_REJECTED,
		    NULL, o->date, o->reason, err))
			return FALSE;
		event = g_strdup_printf("document #%" G_GINT64_FORMAT " (%s) %s by staff%s%s",
		    doc->id, doc->filename ? doc->filename : "unnamed", accept ? "accepted" : "rejected",
		    o->reason ? ": " : "", o->reason ? o->reason : "");
		if (!dossier_event(pc->st, app_id, 0, event, err))
			return FALSE;
		g_string_append_printf(what, "  - %s (%s): %s%s%s\n",
		    doc->filename ? doc->filename : "unnamed attachment",
		    kind ? rules_kind_title(pc->cfg->rules, kind) : "document",
		    accept ? "accepted" : "not accepted", !accept && o->reason ? ": " : "",
		    !accept && o->reason ? o->reason : "");
	}
	ok = settle(pc, app_id, 0, accept ? "staff accepted a document" :
	    "staff rejected a document", &dc, &changed, err) &&
	    (decision = decide_text(pc, app_id, &dc, err)) != NULL;
	decision_clear(&dc);
	if (!ok || (d = dossier_load(pc->st, app_id, err)) == NULL)
		return FALSE;
	g_string_prepend(what, "a coordinator checked your documents:\n");
	seed = g_strdup_printf("staff-check.%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT, app_id,
	    g_get_real_time());
	g_autofree char *title = decide_subject(pc, app_id, "Documents checked", err);
	if (title == NULL)
		return FALSE;
	effect_notify_applicant(pc, 0, d, "student-update", title, what->str, decision, seed, "");
	return TRUE;
}

int
staffctl_doc(struct config *cfg, Store *st, int argc, char **argv, const struct staffctl_opts *o)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) docs = NULL;
	struct process_ctx pc;
	gint64 app_id;
	int rc;

	if (argc < 2 || (strcmp(argv[0], "list") == 0) != (argc == 2) || argc > 3 ||
	    (strcmp(argv[0], "list") && strcmp(argv[0], "get") && strcmp(argv[0], "accept") &&
	    strcmp(argv[0], "reject"))) {
		fprintf(stderr, "usage: clerkctl doc list REF | get REF ID [--output FILE]"
		    " | accept REF ID|KIND [--date D] | reject REF ID|KIND [--reason TEXT]\n");
		return EXIT_USAGE;
	}
	if ((app_id = dossier_by_reference(st, argv[1], NULL, &err)) == 0) {
		fprintf(stderr, "clerkctl: %s\n", err ? err->message : "no such application");
		return err ? clerk_exitcode(err) : 1;
	}
	if (strcmp(argv[0], "list") == 0)
		return doc_list(st, app_id, o->json);
	if ((docs = select_docs(st, app_id, argv[2], &err)) == NULL) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	if (strcmp(argv[0], "get") == 0)
		return doc_get(cfg, docs, o->output);
	if (docs->len > 0 && g_strcmp0(((struct doc_info *)docs->pdata[0])->state, "sent") == 0) {
		fprintf(stderr, "clerkctl: document %s is a file the program sent, not one to check\n",
		    argv[2]);
		return 1;
	}
	if (docs->len == 0) {
		fprintf(stderr, "clerkctl: no document %s waiting in %s\n", argv[2], argv[1]);
		return 1;
	}
	if (o->date != NULL && (strlen(o->date) != 10 || o->date[4] != '-' || o->date[7] != '-')) {
		fprintf(stderr, "clerkctl: --date takes YYYY-MM-DD\n");
		return EXIT_USAGE;
	}
	if (!config_check_rules(cfg, &err)) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	process_ctx_init(&pc, cfg, st);
	if (!store_begin(st, &err) || !doc_check(&pc, app_id, docs, strcmp(argv[0], "accept") == 0,
	    o, &err) || !settle_apply(&pc, &err) || !store_commit(st, &err)) {
		store_rollback(st);
		fprintf(stderr, "clerkctl: %s\n", err->message);
		rc = clerk_exitcode(err);
	} else {
		printf("%u document%s %s in %s; the student is told on clerkd's next pass\n", docs->len,
		    docs->len == 1 ? "" : "s", strcmp(argv[0], "accept") == 0 ? "accepted" : "rejected",
		    argv[1]);
		rc = 0;
	}
	process_ctx_clear(&pc);
	return rc;
}

/* ---- scheduling ---- */

typedef gboolean (*sched_fn)(struct process_ctx *pc, int argc, char **argv,
    const struct staffctl_opts *o, GString *report, GError **err);

static gboolean
lottery_cmd(struct process_ctx *pc, int argc, char **argv, const struct staffctl_opts *o,
    GString *report, GError **err)
{
	guint64 seed = 0;
	char *end;

	(void)argc;
	if (o->seed != NULL) {
		seed = g_ascii_strtoull(o->seed, &end, 10);
		if (*o->seed == '\0' || *end != '\0' || seed > G_MAXINT64) {
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "--seed takes a number from 0 to %"
			    G_GINT64_FORMAT, G_MAXINT64);
			return FALSE;
		}
	}
	return placement_lottery(pc, argv[1], o->seed != NULL, seed, o->dry_run, report, err);
}

static gboolean
cancel_cmd(struct process_ctx *pc, int argc, char **argv, const struct staffctl_opts *o,
    GString *report, GError **err)
{
	gint64 id = dossier_by_reference(pc->st, argv[1], NULL, err);

	(void)argc, (void)o;
	if (id == 0) {
		if (err == NULL || *err == NULL)
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "no application %s", argv[1]);
		return FALSE;
	}
	if (!dossier_event(pc->st, id, 0, "cancelled by staff", err) ||
	    !placement_cancel(pc, id, 0, err))
		return FALSE;
	/* The student is told, with a CANCEL for each seat the calendar had. */
	g_autofree char *seed = g_strdup_printf("staff-cancel.%" G_GINT64_FORMAT ".%s", id, pc->today);
	effect_placement(pc, 0, id, seed, "Application cancelled",
	    "a coordinator has cancelled your application.");
	g_string_append_printf(report, "%s cancelled; its seats went to the waitlists\n", argv[1]);
	return TRUE;
}

static gboolean
due_cmd(struct process_ctx *pc, int argc, char **argv, const struct staffctl_opts *o,
    GString *report, GError **err)
{
	(void)argc, (void)argv, (void)o;
	return settle_due(pc, report, err);
}

int
staffctl_schedule(struct config *cfg, Store *st, int argc, char **argv,
    const struct staffctl_opts *o)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GString) report = g_string_new(NULL);
	struct process_ctx pc;
	sched_fn fn;
	int rc = 0;

	if (argc == 2 && strcmp(argv[0], "schedule") == 0)
		fn = lottery_cmd;
	else if (argc == 2 && strcmp(argv[0], "cancel") == 0)
		fn = cancel_cmd;
	else if (argc == 1 && strcmp(argv[0], "due") == 0)
		fn = due_cmd;
	else {
		fprintf(stderr, "usage: clerkctl schedule BLOCK [--seed N] [--dry-run] | cancel REF | due\n");
		return EXIT_USAGE;
	}
	if (!config_check_rules(cfg, &err)) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	process_ctx_init(&pc, cfg, st);
	/* One transaction; a dry run is rolled back, whatever it did. */
	gboolean ok = store_begin(st, &err) && fn(&pc, argc, argv, o, report, &err);
	if (ok && o->dry_run)
		store_rollback(st);
	else if (!ok || !settle_apply(&pc, &err) || !store_commit(st, &err)) {
		store_rollback(st);
		fprintf(stderr, "clerkctl: %s\n", err ? err->message : "failed");
		rc = err ? clerk_exitcode(err) : 1;
	}
	if (rc == 0) {
		fputs(report->str, stdout);
		if (o->dry_run)
			printf("(dry run: nothing was changed)\n");
		else if (strcmp(argv[0], "due") != 0 || report->len > 0)
			printf("students are told on clerkd's next pass\n");
	}
	process_ctx_clear(&pc);
	return rc;
}

/* ---- staff commands, the same words as by mail (commands.h) ---- */

int
staffctl_command(struct config *cfg, Store *st, int argc, char **argv)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GString) line = g_string_new(NULL), report = g_string_new(NULL);
	g_autoptr(GPtrArray) cmds = g_ptr_array_new_with_free_func((GDestroyNotify)command_free);
	g_autofree char *seed = g_strdup_printf("clerkctl.%" G_GINT64_FORMAT, g_get_real_time());
	struct command *c;
	struct process_ctx pc;
	guint refused = 0;
	int rc = 0;

	/* One word an argument: a file name with spaces stays one. */
	for (int i = 0; i < argc; i++) {
		gboolean quote = strpbrk(argv[i], " \t") != NULL && strchr(argv[i], '"') == NULL;
		g_string_append_printf(line, "%s%s%s%s", i ? " " : "", quote ? "\"" : "", argv[i],
		    quote ? "\"" : "");
	}
	if ((c = cmdparse_line(line->str)) == NULL) {
		CmdVerb v = CMD_HELP;
		(void)cmdparse_verb(argv[0], &v);
		fprintf(stderr, "usage: clerkctl %s\n", cmdparse_usage(v));
		return EXIT_USAGE;
	}
	g_ptr_array_add(cmds, c);
	if (c->verb == CMD_REPLY) {
		/* The text for the student: standard input. */
		g_autoptr(GString) body = g_string_new(c->rest);
		char buf[4096];
		size_t n;
		if (body->len > 0)
			g_string_append_c(body, '\n');
		while ((n = fread(buf, 1, sizeof buf, stdin)) > 0 && body->len < CMDPARSE_BODY_MAX)
			g_string_append_len(body, buf, MIN(n, CMDPARSE_BODY_MAX - body->len));
		c->body = g_utf8_make_valid(body->str, body->len);
		g_strstrip(c->body);
	}
	if (!config_check_rules(cfg, &err)) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	process_ctx_init(&pc, cfg, st);
	if (!store_begin(st, &err) || !commands_run(&pc, 0, "clerkctl", seed, cmds, report,
	    &refused, &err) || !settle_apply(&pc, &err) || !store_commit(st, &err)) {
		store_rollback(st);
		fprintf(stderr, "clerkctl: %s\n", err ? err->message : "failed");
		rc = err ? clerk_exitcode(err) : 1;
	} else {
		fputs(report->str, stdout);
		if (refused > 0) {
			printf("nothing was changed\n");
			rc = 1;
		} else if (c->verb != CMD_STATUS && c->verb != CMD_HELP && c->verb != CMD_NOTE)
			printf("the student is told on clerkd's next pass\n");
	}
	process_ctx_clear(&pc);
	return rc;
}
