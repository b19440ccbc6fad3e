/* replay: feed files (or every file in directories) to a fuzz target's entry
 * point, so that `make check` runs the seed corpora through the same code the
 * fuzzers exercise, without clang. Prints TAP. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

/* The seeds replayed when no file is named, under $top_srcdir. */
#ifndef REPLAY_SEEDS
#define REPLAY_SEEDS "tests/data"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n;

static void
run(const char *path)
{
	g_autofree char *data = NULL;
	gsize len;

	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
		const char *name;
		while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
			g_autofree char *sub = g_build_filename(path, name, NULL);
			run(sub);
		}
		return;
	}
	if (!g_file_get_contents(path, &data, &len, NULL))
		return;
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	printf("ok %d - %s\n", ++n, path);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	g_autofree char *seeds = g_build_filename(g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".",
	    REPLAY_SEEDS, NULL);

	if (argc == 1)
		run(seeds);	/* as a test: the project's corpora */
	for (int i = 1; i < argc; i++)
		run(argv[i]);
	printf("1..%d\n", n);
	return n > 0 ? 0 : 1;
}
