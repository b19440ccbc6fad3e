/* clerkctl: staff's view of clerkd's store. */
#include "appstatus.h"
#include "cmdparse.h"
#include "config.h"
#include "digest.h"
#include "docstore.h"
#include "ledger.h"
#include "outboxdb.h"
#include "report.h"
#include "staffctl.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
print_json(JsonNode *node)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree char *s = NULL;

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_root(gen, node);
	s = json_generator_to_data(gen, NULL);
	printf("%s\n", s);
}

static const char *
member(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);
	return n && !JSON_NODE_HOLDS_NULL(n) ? json_node_get_string(n) : "";
}

static void
print_list(JsonNode *list)
{
	JsonArray *a = json_node_get_array(list);

	printf("%-15s %-13s %-28s %-32s %s\n", "REFERENCE", "STATUS", "NAME", "EMAIL", "SCHOOL");
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		printf("%-15s %-13s %-28s %-32s %s\n", member(o, "reference"), member(o, "status"),
		    member(o, "name"), member(o, "email"), member(o, "school"));
	}
	printf("%u application%s\n", json_array_get_length(a), json_array_get_length(a) == 1 ? "" : "s");
}

static void
print_array(JsonArray *a)
{
	if (json_array_get_length(a) == 0)
		printf("  (none)\n");
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *row = json_array_get_object_element(a, i);
		g_autoptr(GList) members = json_object_get_members(row);
		printf("  -");
		for (GList *m = members; m != NULL; m = m->next) {
			JsonNode *v = json_object_get_member(row, m->data);
			if (JSON_NODE_HOLDS_NULL(v))
				continue;
			if (json_node_get_value_type(v) == G_TYPE_INT64)
				printf(" %s=%" G_GINT64_FORMAT, (char *)m->data, json_node_get_int(v));
			else
				printf(" %s=%s", (char *)m->data, json_node_get_string(v));
		}
		printf("\n");
	}
}

static void
print_rows(JsonObject *o, const char *name)
{
	printf("%s:\n", name);
	print_array(json_object_get_array_member(o, name));
}

static void
print_show(JsonNode *node)
{
	JsonObject *o = json_node_get_object(node);
	static const char *const fields[] = { "reference", "status", "name", "email", "school", "country", "created" };

	JsonArray *missing = json_object_get_array_member(o, "missing");
	JsonArray *reasons = json_object_get_array_member(o, "reasons");

	for (gsize i = 0; i < G_N_ELEMENTS(fields); i++)
		printf("%-10s %s\n", fields[i], member(o, fields[i]));
	printf("%-10s", "missing");
	for (guint i = 0; i < json_array_get_length(missing); i++)
		printf(" %s", json_array_get_string_element(missing, i));
	printf("%s\n", json_array_get_length(missing) ? "" : " (nothing)");
	printf("reasons:\n");
	print_array(reasons);
	print_rows(o, "choices");
	print_rows(o, "assignments");
	print_rows(o, "waitlist");
	printf("offers (seats offered from a waitlist, waiting for the student's answer):\n");
	print_array(json_object_get_array_member(o, "offers"));
	print_rows(o, "documents");
	printf("decisions (audit trail):\n");
	print_array(json_object_get_array_member(o, "decisions"));
	print_rows(o, "events");
	if (json_object_has_member(o, "overrides")) {
		printf("overrides (a coordinator's exceptions):\n");
		print_array(json_object_get_array_member(o, "overrides"));
	}
	print_rows(o, "messages");
	print_rows(o, "replies");
}

static void
print_table(JsonNode *node)
{
	print_array(json_node_get_array(node));
}

/* Print a report (consumed) as JSON or as text; its error if there is none. */
static int
emit(JsonNode *node, gboolean json, void (*text)(JsonNode *), GError **err)
{
	if (node == NULL) {
		fprintf(stderr, "clerkctl: %s\n", *err ? (*err)->message : "no result");
		return *err ? clerk_exitcode(*err) : EXIT_TEMPFAIL;
	}
	if (json)
		print_json(node);
	else
		text(node);
	json_node_unref(node);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr,
	    "usage: clerkctl [--config FILE] list [--status S] [--json]\n"
	    "       clerkctl [--config FILE] show REF [--json]\n"
	    "       clerkctl [--config FILE] quarantine list [--json]\n"
	    "       clerkctl [--config FILE] quarantine retry ID\n"
	    "       clerkctl [--config FILE] replies [--status queued|sent|failed|suppressed|bounced] [--json]\n"
	    "       clerkctl [--config FILE] resend ID\n"
	    "       clerkctl [--config FILE] stats [--prometheus FILE]\n"
	    "       clerkctl [--config FILE] export --csv applications|documents|assignments|waitlist\n"
	    "       clerkctl [--config FILE] export REF\n"
	    "       clerkctl [--config FILE] backup DIR\n"
	    "       clerkctl [--config FILE] restore DIR\n"
	    "       clerkctl [--config FILE] purge [--yes]\n"
	    "       clerkctl [--config FILE] digest [--html FILE]\n"
	    "       clerkctl [--config FILE] schedule BLOCK [--seed N] [--dry-run]\n"
	    "       clerkctl [--config FILE] lotteries [BLOCK] [--json]\n"
	    "       clerkctl [--config FILE] cancel REF\n"
	    "       clerkctl [--config FILE] due\n"
	    "       clerkctl [--config FILE] rules check [DIR]\n"
	    "       clerkctl [--config FILE] rules diff DIR [--json]\n"
	    "       clerkctl [--config FILE] rules apply\n"
	    "       clerkctl [--config FILE] doc list REF [--json]\n"
	    "       clerkctl [--config FILE] doc get REF ID [--output FILE]\n"
	    "       clerkctl [--config FILE] doc accept REF ID|KIND [--date YYYY-MM-DD]\n"
	    "       clerkctl [--config FILE] doc reject REF ID|KIND [--reason TEXT]\n"
	    "staff commands (the same words as by mail; README, \"Running the program by mail\"):\n"
	    "       clerkctl [--config FILE] accept REF DOC [KIND] [DATE]\n"
	    "       clerkctl [--config FILE] reject REF DOC REASON\n"
	    "       clerkctl [--config FILE] kind REF DOC KIND [DATE]\n"
	    "       clerkctl [--config FILE] positive|negative|pending REF DOC\n"
	    "       clerkctl [--config FILE] address REF NEW@ADDRESS\n"
	    "       clerkctl [--config FILE] assign REF COURSE BLOCK\n"
	    "       clerkctl [--config FILE] unassign REF COURSE BLOCK\n"
	    "       clerkctl [--config FILE] override REF RULE REASON\n"
	    "       clerkctl [--config FILE] reinstate REF\n"
	    "       clerkctl [--config FILE] merge REF OTHER-REF\n"
	    "       clerkctl [--config FILE] note REF TEXT\n"
	    "       clerkctl [--config FILE] reply REF < TEXT-FILE\n"
	    "       clerkctl [--config FILE] status REF\n"
	    "       clerkctl [--config FILE] help\n");
	return EXIT_USAGE;
}

/* cp -a, keeping what is already at the destination when asked to. */
static gboolean
copy_documents(const char *from, const char *to, gboolean keep_existing)
{
	const char *keep[] = { "cp", "-a", "-n", "--", from, to, NULL };
	const char *all[] = { "cp", "-a", "--", from, to, NULL };
	g_autoptr(GError) err = NULL;
	int rc;

	if (!g_spawn_sync(NULL, (char **)(keep_existing ? keep : all), NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &rc,
	    &err) || !g_spawn_check_wait_status(rc, &err)) {
		fprintf(stderr, "clerkctl: copying the documents: %s\n", err->message);
		return FALSE;
	}
	return TRUE;
}

/* The database (an online, consistent copy) and the documents, into a new
 * private directory; restore by stopping clerkd and copying them back. */
static int
backup(Store *st, const struct config *cfg, const char *dir)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *db = g_build_filename(dir, "clerkd.db", NULL);
	g_autofree char *docs = g_build_filename(dir, "documents", NULL);

	if (g_file_test(dir, G_FILE_TEST_EXISTS)) {
		fprintf(stderr, "clerkctl: %s exists: back up into a new directory\n", dir);
		return 1;
	}
	if (g_mkdir_with_parents(dir, 0700) == -1) {
		fprintf(stderr, "clerkctl: %s: %s\n", dir, g_strerror(errno));
		return EXIT_CONFIG;
	}
	if (!store_backup(st, db, &err)) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	/* Documents are written once and never changed: a plain copy is consistent. */
	if (!copy_documents(cfg->documents, docs, FALSE))
		return EXIT_TEMPFAIL;
	printf("backed up to %s\n", dir);
	return 0;
}

/* Retention: closed applications past [store] retention_days. A dry run
 * unless --yes. */
static int
purge(Store *st, const struct config *cfg, gboolean yes)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	int n;

	if (cfg->retention_days == 0) {
		fprintf(stderr, "clerkctl: no retention period: set [store] retention_days\n");
		return 1;
	}
	if ((n = store_purge(st, cfg->retention_days, yes, refs, files, &err)) < 0) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	for (guint i = 0; i < files->len; i++)
		docstore_remove(cfg->documents, files->pdata[i]);
	for (guint i = 0; i < refs->len; i++)
		printf("%s\n", (char *)refs->pdata[i]);
	printf("%d closed application%s older than %d days %s\n", n, n == 1 ? "" : "s",
	    cfg->retention_days, yes ? "purged" : "would be purged (dry run: add --yes)");
	return 0;
}

/* A backup back in place: the database over the live one (online), and any
 * document that is missing. clerkd must be stopped first (what it did since
 * would be lost, and replies it sent since would go again): restore takes the
 * store's lock, as clerkd does, and refuses while clerkd holds it. */
static int
restore(Store *st, const struct config *cfg, const char *dir)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *db = g_build_filename(dir, "clerkd.db", NULL);
	g_autofree char *docs = g_build_filename(dir, "documents", ".", NULL);

	if (!g_file_test(db, G_FILE_TEST_IS_REGULAR)) {
		fprintf(stderr, "clerkctl: %s: no backup there\n", dir);
		return 1;
	}
	if (!util_lock_store(cfg->database, "clerkctl restore", &err)) {
		fprintf(stderr, "clerkctl: %s%s\n", err->message,
		    err->code == CLERK_ERROR_TEMP ? ": stop it before restoring" : "");
		return clerk_exitcode(err);
	}
	if (!store_restore(st, db, &err)) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	/* The journal of replies sent (DATABASE-sent) names rows of the store
	 * replaced: against the backup its ids may name other replies. */
	{
		g_autofree char *journal = g_strconcat(cfg->database, "-sent", NULL);
		if (truncate(journal, 0) == -1 && errno != ENOENT) {
			fprintf(stderr, "clerkctl: %s: %s\n", journal, g_strerror(errno));
			return EXIT_TEMPFAIL;
		}
	}
	if (!copy_documents(docs, cfg->documents, TRUE))
		return EXIT_TEMPFAIL;
	printf("restored from %s\n", dir);
	return 0;
}

static gboolean
parse_id(const char *s, gint64 *id)
{
	char *end;

	*id = g_ascii_strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' && *id > 0;
}

/* A change staff asked for, made in one transaction. */
static int
act(Store *st, gboolean (*fn)(Store *, gint64, GError **), const char *arg, const char *what)
{
	g_autoptr(GError) err = NULL;
	gint64 id;

	if (!parse_id(arg, &id))
		return usage();
	if (!store_begin(st, &err) || !fn(st, id, &err) || !store_commit(st, &err)) {
		store_rollback(st);
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	printf("%s %s: clerkd takes it up on its next pass\n", what, arg);
	return 0;
}

/* The staff digest of today, as it is or would be mailed (digest.h). */
static int
digest(struct config *cfg, Store *st, const char *html_path)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *today = util_today(cfg->timezone), *text = NULL, *html = NULL;
	gboolean news;

	if (!config_check_rules(cfg, &err))
		g_clear_error(&err);	/* the lists without the seats and lotteries */
	if (!digest_render(cfg, st, today, &text, &html, &news, &err) ||
	    (html_path != NULL && !g_file_set_contents(html_path, html, -1, &err))) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return err->domain == CLERK_ERROR ? clerk_exitcode(err) : EXIT_TEMPFAIL;
	}
	fputs(text, stdout);
	if (!news)
		printf("\nNothing new and nothing waiting: clerkd sends no digest today.\n");
	return 0;
}

int
main(int argc, char **argv)
{
	g_autofree char *config_path = NULL, *status = NULL, *prometheus = NULL;
	g_autofree char *date = NULL, *reason = NULL, *output = NULL, *seed = NULL;
	g_autofree char *html = NULL;
	gboolean dry_run = FALSE;
	gboolean json = FALSE, csv = FALSE, yes = FALSE;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "Configuration file", "FILE" },
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print JSON", NULL },
		{ "status", 's', 0, G_OPTION_ARG_STRING, &status, "Only applications with this status", "S" },
		{ "yes", 0, 0, G_OPTION_ARG_NONE, &yes, "purge: do it (without: a dry run)", NULL },
		{ "csv", 0, 0, G_OPTION_ARG_NONE, &csv, "export: CSV of applications or documents", NULL },
		{ "prometheus", 0, 0, G_OPTION_ARG_FILENAME, &prometheus, "stats: also write FILE in the Prometheus text format", "FILE" },
		{ "date", 0, 0, G_OPTION_ARG_STRING, &date, "doc accept: the document's date", "YYYY-MM-DD" },
		{ "reason", 0, 0, G_OPTION_ARG_STRING, &reason, "doc reject: why, for the student", "TEXT" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "doc get: write to FILE", "FILE" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &seed, "schedule: the lottery's seed", "N" },
		{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, "schedule: draw and print, change nothing", NULL },
		{ "html", 0, 0, G_OPTION_ARG_FILENAME, &html, "digest: also write the HTML version to FILE", "FILE" },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("COMMAND [ARGS] - clerkd staff tool");
	g_autoptr(GError) err = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) st = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	if (argc < 2)
		return usage();
	util_log_init("clerkctl", FALSE);
	if (config_path == NULL)
		config_path = g_build_filename(SYSCONFDIR, "clerkd", "clerkd.conf", NULL);
	if ((cfg = config_load(config_path, &err)) == NULL) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	if (status != NULL) {
		AppStatus s;
		gboolean replies = strcmp(argv[1], "replies") == 0;
		gboolean ok = !replies && app_status_parse(status, &s);
		for (int i = OUTBOX_QUEUED; replies && i <= OUTBOX_BOUNCED; i++)
			ok |= strcmp(status, outbox_state_str(i)) == 0;
		if (!ok) {
			fprintf(stderr, "clerkctl: unknown status '%s'\n", status);
			return EXIT_USAGE;
		}
	}
	if ((st = store_open(cfg->database, 0, &err)) == NULL) {
		fprintf(stderr, "clerkctl: %s\n", err->message);
		return clerk_exitcode(err);
	}
	if (strcmp(argv[1], "rules") == 0 || strcmp(argv[1], "doc") == 0) {
		struct staffctl_opts o = { json, date, reason, output, seed, dry_run };
		return (strcmp(argv[1], "rules") == 0 ? staffctl_rules : staffctl_doc)(cfg, st,
		    argc - 2, argv + 2, &o);
	}
	if (strcmp(argv[1], "schedule") == 0 || strcmp(argv[1], "cancel") == 0 ||
	    strcmp(argv[1], "due") == 0) {
		struct staffctl_opts o = { json, date, reason, output, seed, dry_run };
		return staffctl_schedule(cfg, st, argc - 1, argv + 1, &o);
	}
	{
		CmdVerb verb;
		if (cmdparse_verb(argv[1], &verb))
			return staffctl_command(cfg, st, argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "list") == 0 && argc == 2)
		return emit(report_list(st, status, &err), json, print_list, &err);
	if (strcmp(argv[1], "lotteries") == 0 && argc <= 3)
		return emit(report_lotteries(st, argc == 3 ? argv[2] : NULL, &err), json, print_table, &err);
	if (strcmp(argv[1], "quarantine") == 0 && argc == 3 && strcmp(argv[2], "list") == 0)
		return emit(report_quarantine(st, &err), json, print_table, &err);
	if (strcmp(argv[1], "quarantine") == 0 && argc == 4 && strcmp(argv[2], "retry") == 0)
		return act(st, ledger_request_retry, argv[3], "message");
	if (strcmp(argv[1], "replies") == 0 && argc == 2)
		return emit(report_replies(st, status, &err), json, print_table, &err);
	if (strcmp(argv[1], "stats") == 0 && argc == 2) {
		JsonNode *node = report_stats(st, &err);
		if (node != NULL && prometheus != NULL) {
			g_autofree char *text = report_stats_prometheus(node);
			g_autofree char *tmp = g_strconcat(prometheus, ".tmp", NULL);
			if (!g_file_set_contents(tmp, text, -1, &err) || rename(tmp, prometheus) == -1) {
				fprintf(stderr, "clerkctl: %s: %s\n", prometheus, err ? err->message : g_strerror(errno));
				json_node_unref(node);
				return EXIT_TEMPFAIL;
			}
		}
		return emit(node, TRUE, NULL, &err);
	}
	if (strcmp(argv[1], "export") == 0 && argc == 3 && csv) {
		g_autofree char *text = report_csv(st, argv[2], &err);
		if (text == NULL) {
			fprintf(stderr, "clerkctl: %s\n", err->message);
			return clerk_exitcode(err);	/* an unknown name: usage (64) */
		}
		fputs(text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "digest") == 0 && argc == 2)
		return digest(cfg, st, html);
	if (strcmp(argv[1], "purge") == 0 && argc == 2)
		return purge(st, cfg, yes);
	if (strcmp(argv[1], "backup") == 0 && argc == 3)
		return backup(st, cfg, argv[2]);
	if (strcmp(argv[1], "restore") == 0 && argc == 3)
		return restore(st, cfg, argv[2]);
	if (strcmp(argv[1], "resend") == 0 && argc == 3)
		return act(st, outboxdb_requeue, argv[2], "reply");
	/* show REF; export REF is everything held about one student, as JSON. */
	if ((strcmp(argv[1], "show") == 0 || strcmp(argv[1], "export") == 0) && argc == 3) {
		JsonNode *node = report_show(st, argv[2], &err);
		if (node == NULL && err == NULL) {
			fprintf(stderr, "clerkctl: no application %s\n", argv[2]);
			return 1;
		}
		return emit(node, json || strcmp(argv[1], "export") == 0, print_show, &err);
	}
	return usage();
}
