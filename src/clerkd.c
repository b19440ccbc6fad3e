/* clerkd: the daemon. A thin main: options, config, then passes over the inbox. */
#include "config.h"
#include "daemon.h"
#include "docstore.h"
#include "message.h"
#include "outbox.h"
#include "store.h"
#include "util.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#ifdef M_MMAP_THRESHOLD
	/* Message buffers of a few MB come and go all day: keep them in the heap
	 * and keep the heap, rather than map fresh memory for each (a page fault
	 * per 4 KB, the largest kernel cost in a backlog after the fetch itself). */
	mallopt(M_MMAP_THRESHOLD, 16 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
#endif
	store_process_init();
	g_autoptr(GError) err = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) st = NULL;
	g_autoptr(Outbox) ob = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "clerkd: %s\n", err->message);
		return clerk_exitcode(err);
	}
	if (version) {
		printf("clerkd %s\n", PACKAGE_VERSION);
		return 0;
	}
	util_log_init("clerkd", verbose);
	if (config_path == NULL)
		config_path = g_build_filename(SYSCONFDIR, "clerkd", "clerkd.conf", NULL);
	if ((cfg = config_load(config_path, &err)) == NULL || !config_check_rules(cfg, &err)) {
		fprintf(stderr, "clerkd: %s\n", err->message);
		return clerk_exitcode(err);
	}
	if (check) {
		printf("%s: OK\n", config_path);
		return 0;
	}
	/* One clerkd per store, for as long as it runs: two would send the same
	 * queued replies and share the journal of replies sent. */
	if (!util_lock_store(cfg->database, "clerkd", &err)) {
		fprintf(stderr, "clerkd: %s%s%s\n", err->code == CLERK_ERROR_TEMP ? "another " : "",
		    err->message, err->code == CLERK_ERROR_TEMP ? "; not starting" : "");
		return clerk_exitcode(err);
	}
	if (!docstore_init(cfg->documents, &err) || (st = store_open(cfg->database, cfg->max_database_size, &err)) == NULL) {
		fprintf(stderr, "clerkd: %s\n", err->message);
		return clerk_exitcode(err);
	}
	message_init();
	ob = outbox_new(cfg);
	if (once)
		return daemon_once(cfg, st, ob) ? 0 : EXIT_TEMPFAIL;
	return daemon_run(config_path, g_steal_pointer(&cfg), st, ob);
}
