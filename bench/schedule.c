/* bench/schedule: the lottery at full size. 2,500 complete applicants with
 * 15 ranked choices each (over at most 3 blocks) for 300 courses and 12
 * blocks: first the pure draw (schedule.c) alone, then the whole of
 * `clerkctl schedule` for each block (store, seats, waitlists, statuses and
 * one rendered mail per applicant, in one transaction per block).
 *   bench/schedule [APPLICANTS]          prints the figures; target: well under 1 s */
#include "config.h"
#include "letter.h"
#include "placement.h"
#include "process.h"
#include "schedule.h"
#include "settle.h"
#include "store.h"
#include "util.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COURSES 300
#define BLOCKS 12
#define CHOICES 15

static void
write_file(const char *dir, const char *name, const char *text)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) err = NULL;

	if (!g_file_set_contents(path, text, -1, &err))
		g_error("%s", err->message);
}

/* A rules directory: the shipped one with a catalog and blocks of this size. */
static char *
make_rules(const char *top, const char *dir)
{
	g_autofree char *rules = g_build_filename(dir, "rules", NULL);
	g_autofree char *cmd = g_strdup_printf("cp -r '%s/rules' '%s'", top, dir);
	GString *cat = g_string_new("code,title,hospital,department,seats,prerequisites\n");
	GString *blk = g_string_new("id,start,end\n");
	GString *co = g_string_new("course,email\n");

	if (system(cmd) != 0)
		g_error("cannot copy the rules");
	for (int c = 0; c < COURSES; c++)
		g_string_append_printf(cat, "C%03d-%d,Course %d,Hospital %d,Department %d,%d,\n", c, c % 10,
		    c, c % 7, c % 12, 1 + c % 4);
	for (int c = 0; c < COURSES; c++)	/* every course has a coordinator: a roster each */
		g_string_append_printf(co, "C%03d-%d,coord%d@example.edu\n", c, c % 10, c % 40);
	for (int b = 0; b < BLOCKS; b++)
		g_string_append_printf(blk, "2027-%02d,2027-%02d-01,2027-%02d-26\n", b + 1, b + 1, b + 1);
	write_file(rules, "catalog.csv", cat->str);
	write_file(rules, "blocks.csv", blk->str);
	write_file(rules, "coordinators.csv", co->str);
	write_file(rules, "seats.csv", "course,block,seats\n");
	g_string_free(co, TRUE);
	g_string_free(cat, TRUE);
	g_string_free(blk, TRUE);
	return g_steal_pointer(&rules);
}

static double
now(void)
{
	return g_get_monotonic_time() / 1e6;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2500;
	const char *top = g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".";
	g_autofree char *dir = g_dir_make_tmp("clerkd-bench-XXXXXX", NULL);
	g_autofree char *rules = make_rules(top, dir);
	g_autofree char *conf = g_build_filename(dir, "clerkd.conf", NULL);
	g_autofree char *text = g_strdup_printf("[imap]\nurl = imap://127.0.0.1:1\nuser = b\n"
	    "password_file = pass\n[smtp]\nurl = smtp://127.0.0.1:2\nfrom = Bench <b@example.edu>\n"
	    "max_per_recipient_hour = 1000000\n[store]\ndatabase = clerkd.db\n[rules]\ndirectory = %s\n",
	    rules);
	g_autoptr(GError) err = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Store) st = NULL;
	g_autoptr(GRand) rng = g_rand_new_with_seed(1);
	struct process_ctx pc;
	double t0, pure = 0, full;
	int seated = 0, waits = 0, mails = 0;

	g_setenv("CLERKD_NOW", "2026-10-01", TRUE);
	util_log_init("bench", FALSE);
	write_file(dir, "clerkd.conf", text);
	write_file(dir, "pass", "x\n");
	g_chmod(g_build_filename(dir, "pass", NULL), 0600);
	if ((cfg = config_load(conf, &err)) == NULL || !config_check_rules(cfg, &err) ||
	    (st = store_open(cfg->database, 0, &err)) == NULL)
		g_error("%s", err->message);

	/* The applicants, straight into the store. */
	sqlite3 *db = store_db(st);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (int a = 0; a < n; a++) {
		g_autofree char *sql = g_strdup_printf("INSERT INTO applications (id, reference, email,"
		    " name, school, status, form) VALUES (%d, 'ECP-2027-%05d', 's%d@example.org',"
		    " 'Student %d', 'School', 'complete', '{}')", a + 1, a + 1, a, a);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
		int b0 = g_rand_int_range(rng, 0, BLOCKS - 2);
		for (int c = 0; c < CHOICES; c++) {
			int course = g_rand_int_range(rng, 0, COURSES);
			g_autofree char *ch = g_strdup_printf("INSERT OR IGNORE INTO choices VALUES (%d, %d, 'C%03d-%d',"
			    " '2027-%02d')", a + 1, c + 1, course, course % 10, b0 + 1 + c % 3);
			sqlite3_exec(db, ch, NULL, NULL, NULL);
		}
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);

	/* The pure draw, for each block, on the same data. */
	for (int b = 0; b < BLOCKS; b++) {
		g_autofree char *block = g_strdup_printf("2027-%02d", b + 1);
		g_autofree char *sql = g_strdup_printf("SELECT application_id, course FROM choices"
		    " WHERE block = '%s' ORDER BY application_id, rank", block);
		g_autoptr(GArray) apps = g_array_new(FALSE, TRUE, sizeof(struct sched_app));
		g_autoptr(GArray) codes = g_array_new(FALSE, TRUE, SCHEDULE_CODE);
		g_autoptr(GArray) first = g_array_new(FALSE, TRUE, sizeof(guint));
		g_autoptr(GHashTable) seats = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		sqlite3_stmt *s;
		sqlite3_prepare_v2(db, sql, -1, &s, NULL);
		while (sqlite3_step(s) == SQLITE_ROW) {
			gint64 id = sqlite3_column_int64(s, 0);
			char code[SCHEDULE_CODE] = "";
			g_strlcpy(code, (const char *)sqlite3_column_text(s, 1), sizeof code);
			if (apps->len == 0 || g_array_index(apps, struct sched_app, apps->len - 1).id != id) {
				struct sched_app a = { id, FALSE, FALSE, 0, NULL };
				g_array_append_val(apps, a);
				g_array_append_val(first, codes->len);
			}
			g_array_index(apps, struct sched_app, apps->len - 1).ncourses++;
			g_array_append_vals(codes, code, 1);
			if (!g_hash_table_contains(seats, code))
				g_hash_table_insert(seats, g_strdup(code), GINT_TO_POINTER(1 + atoi(code + 1) % 4));
		}
		sqlite3_finalize(s);
		for (guint i = 0; i < apps->len; i++)
			g_array_index(apps, struct sched_app, i).courses =
			    (const char (*)[SCHEDULE_CODE])(codes->data + g_array_index(first, guint, i) * SCHEDULE_CODE);
		struct sched_result r;
		schedule_result_init(&r);
		t0 = now();
		schedule_draw((struct sched_app *)apps->data, apps->len, seats, NULL, b + 1, &r);
		pure += now() - t0;
		schedule_result_clear(&r);
	}

	/* The whole of clerkctl schedule, block by block. */
	process_ctx_init(&pc, cfg, st);
	t0 = now();
	for (int b = 0; b < BLOCKS; b++) {
		g_autofree char *block = g_strdup_printf("2027-%02d", b + 1);
		g_autoptr(GString) report = g_string_new(NULL);
		if (!store_begin(st, &err) || !placement_lottery(&pc, block, TRUE, b + 1, FALSE, report, &err) ||
		    !settle_apply(&pc, &err) ||
		    !store_commit(st, &err))
			g_error("%s", err->message);
	}
	full = now() - t0;
	process_ctx_clear(&pc);
	{
		sqlite3_stmt *s;
		sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM assignments), (SELECT count(*) FROM"
		    " waitlist), (SELECT count(*) FROM outbox)", -1, &s, NULL);
		if (sqlite3_step(s) == SQLITE_ROW) {
			seated = sqlite3_column_int(s, 0);
			waits = sqlite3_column_int(s, 1);
			mails = sqlite3_column_int(s, 2);
		}
		sqlite3_finalize(s);
	}
	printf("lottery: %d applicants x %d choices, %d courses, %d blocks\n", n, CHOICES, COURSES, BLOCKS);
	printf("  pure draw (schedule.c), all blocks:        %8.4f s\n", pure);
	printf("  clerkctl schedule path, all blocks:        %8.4f s  (%d seats, %d waitlist places,"
	    " %d mails queued)\n", full, seated, waits, mails);
	printf("  letters given again from letter_pdf's cache: %u\n", letter_cache_hits());
	printf("  target: well under 1 s   full/target = %.2f\n", full / 1.0);
	{
		g_autofree char *rm = g_strdup_printf("rm -rf '%s'", dir);
		if (system(rm) != 0)
			return 1;
	}
	return 0;
}
