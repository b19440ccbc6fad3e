/* clerkd: the daemon. A thin main: options, config, then passes over the inbox. */
#include "config.h"
#include "docstore.h"
#include "message.h"
#include "outbox.h"
#include "pipeline.h"
#include "store.h"
#include "util.h"

#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const templates[] = { "receipt", "first-contact", "acknowledgement", "over-limit" };

struct daemon {
	const struct config *cfg;
	Store *st;
	Outbox *ob;
	GMainLoop *loop;
	guint backoff;		/* seconds to wait after a failed pass */
};

static gboolean
check_rules(const struct config *cfg, GError **err)
{
	for (gsize i = 0; i < G_N_ELEMENTS(templates); i++) {
		g_autofree char *file = g_strdup_printf("%s.txt", templates[i]);
		g_autofree char *path = g_build_filename(cfg->rules_dir, "templates", file, NULL);
		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
			g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "%s: missing template", path);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
run_pass(struct daemon *d)
{
	struct pass_stats ps;
	g_autoptr(GError) err = NULL;
	gboolean ok = pipeline_pass(d->cfg, d->st, d->ob, &ps, &err);

	if (!ok)
		g_warning("pass interrupted: %s", err ? err->message : "unknown error");
	g_message("pass: %d in inbox, %d handled, %d moved, %d failed, %d quarantined; "
	    "replies %d sent, %d deferred, %d failed", ps.seen, ps.handled, ps.moved, ps.failed,
	    ps.quarantined, ps.out.sent, ps.out.deferred, ps.out.failed);
	return ok && ps.out.deferred == 0;
}

static gboolean on_timer(gpointer data);

static void
schedule(struct daemon *d, guint seconds)
{
	g_timeout_add_seconds(seconds, on_timer, d);
}

static gboolean
on_timer(gpointer data)
{
	struct daemon *d = data;

	if (run_pass(d)) {
		d->backoff = 0;
		schedule(d, d->cfg->poll_seconds);
	} else {
		d->backoff = d->backoff ? MIN(d->backoff * 2, 600) : 5;
		g_message("retrying in %us", d->backoff);
		schedule(d, d->backoff);
	}
	return G_SOURCE_REMOVE;
}

static gboolean
on_signal(gpointer data)
{
	struct daemon *d = data;

	g_message("signal received: stopping");
	g_main_loop_quit(d->loop);
	return G_SOURCE_CONTINUE;
}

int
main(int argc, char **argv)
{
	g_autofree char *config_path = NULL;
	gboolean once = FALSE, verbose = FALSE, check = FALSE, version = FALSE;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "Configuration file", "FILE" },
		{ "once", 0, 0, G_OPTION_ARG_NONE, &once, "Process the mailbox and the outbox once, then exit", NULL },
		{ "check-config", 0, 0, G_OPTION_ARG_NONE, &check, "Validate the configuration and exit", NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debug detail (never secrets)", NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- answer the clerkship program's mail");
	g_autoptr(GError) err = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) st = NULL;
	g_autoptr(Outbox) ob = NULL;
	struct daemon d = { 0 };

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "clerkd: %s\n", err->message);
		return EXIT_USAGE;
	}
	if (version) {
		printf("clerkd %s\n", PACKAGE_VERSION);
		return 0;
	}
	util_log_init("clerkd", verbose);
	if (config_path == NULL)
		config_path = g_build_filename(SYSCONFDIR, "clerkd", "clerkd.conf", NULL);
	if ((cfg = config_load(config_path, &err)) == NULL || !check_rules(cfg, &err)) {
		fprintf(stderr, "clerkd: %s\n", err->message);
		return EXIT_CONFIG;
	}
	if (check) {
		printf("%s: OK\n", config_path);
		return 0;
	}
	if (!docstore_init(cfg->documents, &err) || (st = store_open(cfg->database, cfg->max_database_size, &err)) == NULL) {
		fprintf(stderr, "clerkd: %s\n", err->message);
		return err->code == CLERK_ERROR_TEMP ? EXIT_TEMPFAIL : EXIT_CONFIG;
	}
	message_init();
	ob = outbox_new(cfg);
	d.cfg = cfg;
	d.st = st;
	d.ob = ob;
	if (once)
		return run_pass(&d) ? 0 : EXIT_TEMPFAIL;

	d.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_signal, &d);
	g_unix_signal_add(SIGINT, on_signal, &d);
	g_message("clerkd %s started: %s, polling every %ds", PACKAGE_VERSION, cfg->mailbox,
	    cfg->poll_seconds);
	g_idle_add(on_timer, &d);
	g_main_loop_run(d.loop);
	g_main_loop_unref(d.loop);
	return 0;
}
