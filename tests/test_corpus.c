/* test_corpus: every tests/data/NAME.eml parsed and classified, compared with
 * NAME.facts; and every message of the shared robustness corpus, if present,
 * parsed without harm: bounded, valid UTF-8, classified. */
#include "classify.h"
#include "form.h"
#include "message.h"
#include "util.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static char *srcdir;

static char *
read_all(const char *path, gsize *len)
{
	char *data = NULL;
	g_assert_true(g_file_get_contents(path, &data, len, NULL));
	return data;
}

static Form *
form_of(const struct facts *f)
{
	Form *form = form_parse(f->text);
	for (guint i = 0; form == NULL && i < f->attachments->len; i++) {
		const struct attachment *a = g_ptr_array_index(f->attachments, i);
		gsize len;
		const char *d = g_bytes_get_data(a->data, &len);
		if (g_str_has_prefix(a->content_type, "text/plain")) {
			g_autofree char *t = util_utf8_clean(d, len, 65536);
			form = form_parse(t);
		}
	}
	return form;
}

/* The same message spooled (message_parse_fd, attachments decoded into files)
 * must say the same: documents of attached messages included. */
static void
check_spooled(const char *raw, gsize len, const struct facts *f)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *dir = g_dir_make_tmp("clerk-spool-XXXXXX", &err);
	g_autofree char *path = NULL;
	int fd;

	g_assert_no_error(err);
	path = g_build_filename(dir, "msg", NULL);
	g_assert_true(g_file_set_contents(path, raw, len, NULL));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	g_assert_cmpint(fd, >=, 0);
	{
		g_autoptr(Facts) s = message_parse_fd(fd, dir, &err);
		g_assert_no_error(err);
		g_assert_nonnull(s);
		g_assert_cmpstr(s->text, ==, f->text);
		g_assert_cmpuint(s->attachments->len, ==, f->attachments->len);
		for (guint i = 0; i < f->attachments->len; i++) {
			const struct attachment *a = g_ptr_array_index(f->attachments, i);
			const struct attachment *b = g_ptr_array_index(s->attachments, i);
			g_assert_cmpstr(a->filename, ==, b->filename);
			g_assert_cmpstr(a->content_type, ==, b->content_type);
			g_assert_cmpuint(a->size, ==, b->size);
			g_assert_cmpstr(a->sha256, ==, b->sha256);
			g_assert_nonnull(b->path);
		}
		g_assert_cmpuint(g_strv_length(s->auth_results), ==, g_strv_length(f->auth_results));
		g_assert_true((s->forward == NULL) == (f->forward == NULL));
		if (f->forward != NULL)
			g_assert_cmpstr(s->forward->from_addr, ==, f->forward->from_addr);
	}
	close(fd);
	unlink(path);
	g_assert_cmpint(g_rmdir(dir), ==, 0);	/* every spooled part removed with the facts */
}

static void
check_case(gconstpointer data)
{
	const char *name = data;
	g_autofree char *eml = g_strdup_printf("%s/tests/data/%s.eml", srcdir, name);
	g_autofree char *fpath = g_strdup_printf("%s/tests/data/%s.facts", srcdir, name);
	gsize len, flen;
	g_autofree char *raw = read_all(eml, &len);
	g_autofree char *expect = read_all(fpath, &flen);
	g_autoptr(GError) err = NULL;
	g_autoptr(Facts) f = message_parse(raw, len, &err);
	g_auto(GStrv) lines = g_strsplit(expect, "\n", -1);
	g_autoptr(Form) form = NULL;
	guint att = 0;
	const char *why;

	g_assert_no_error(err);
	g_assert_nonnull(f);
	g_assert_true(g_utf8_validate(f->text, -1, NULL));
	check_spooled(raw, len, f);
	form = form_of(f);
	for (int i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip(lines[i]);
		char *colon = strstr(line, ": ");
		if (*line == '#' || *line == '\0')
			continue;
		g_assert_nonnull(colon);
		*colon = '\0';
		const char *key = line, *val = colon + 2;

		if (strcmp(key, "from") == 0)
			g_assert_cmpstr(f->from_addr, ==, val);
		else if (strcmp(key, "from-name") == 0)
			g_assert_cmpstr(f->from_name, ==, val);
		else if (strcmp(key, "subject") == 0)
			g_assert_cmpstr(f->subject, ==, val);
		else if (strcmp(key, "class") == 0) {
			MsgClass c = classify(f, "clerkship@example.edu", form != NULL, &why);
			const char *want = strcmp(val, "first-contact") == 0 ? "correspondence" : val;
			g_assert_cmpstr(classify_str(c), ==, want);
		} else if (strcmp(key, "text-contains") == 0) {
			if (strstr(f->text, val) == NULL)
				g_test_message("text is:\n%s", f->text);
			g_assert_nonnull(strstr(f->text, val));
		} else if (strcmp(key, "text-lacks") == 0)
			g_assert_null(strstr(f->text, val));
		else if (strcmp(key, "attachments") == 0)
			g_assert_cmpuint(f->attachments->len, ==, atoi(val));
		else if (strcmp(key, "attachment") == 0) {
			g_auto(GStrv) parts = g_strsplit(val, "|", 3);
			g_assert_cmpuint(att, <, f->attachments->len);
			const struct attachment *a = g_ptr_array_index(f->attachments, att++);
			g_assert_cmpstr(a->filename, ==, parts[0]);
			g_assert_cmpstr(a->content_type, ==, parts[1]);
			g_assert_cmpuint(a->size, ==, g_ascii_strtoull(parts[2], NULL, 10));
			g_assert_cmpuint(strlen(a->sha256), ==, 64);
		} else if (strcmp(key, "forward-from") == 0) {
			/* "none": no forward at all; "-": a forward without a usable address */
			if (strcmp(val, "none") == 0)
				g_assert_null(f->forward);
			else {
				g_assert_nonnull(f->forward);
				g_assert_cmpstr(f->forward->from_addr, ==, strcmp(val, "-") == 0 ? NULL : val);
			}
		} else if (strcmp(key, "forward-name") == 0) {
			g_assert_nonnull(f->forward);
			g_assert_cmpstr(f->forward->from_name, ==, val);
		} else if (strcmp(key, "forward-subject") == 0) {
			g_assert_nonnull(f->forward);
			g_assert_cmpstr(f->forward->subject, ==, val);
		} else if (strcmp(key, "forward-note-contains") == 0) {
			g_assert_nonnull(f->forward);
			g_assert_nonnull(strstr(f->forward->note, val));
		} else if (strcmp(key, "auth-results") == 0)
			g_assert_cmpuint(g_strv_length(f->auth_results), ==, atoi(val));
		else if (strcmp(key, "auth-result") == 0) {
			/* "N|value": the Nth header (0 = topmost) as collected */
			g_auto(GStrv) parts = g_strsplit(val, "|", 2);
			g_assert_cmpuint(atoi(parts[0]), <, g_strv_length(f->auth_results));
			g_assert_cmpstr(f->auth_results[atoi(parts[0])], ==, parts[1]);
		} else if (g_str_has_prefix(key, "form.")) {
			g_assert_nonnull(form);
			g_assert_cmpstr(form_get(form, key + 5), ==, val);
		} else
			g_error("%s: unknown key '%s'", fpath, key);
	}
}

static void
check_robust(gconstpointer data)
{
	const char *path = data;
	gsize len;
	g_autofree char *raw = read_all(path, &len);
	g_autoptr(GError) err = NULL;
	g_autoptr(Facts) f = message_parse(raw, len, &err);
	const char *why;

	if (f == NULL) {
		g_assert_nonnull(err);	/* refused with a reason, never a crash */
		return;
	}
	g_assert_true(g_utf8_validate(f->text, -1, NULL));
	g_assert_true(g_utf8_validate(f->subject, -1, NULL));
	g_assert_cmpuint(strlen(f->text), <=, MESSAGE_MAX_TEXT);
	g_assert_cmpuint(f->attachments->len, <=, MESSAGE_MAX_ATTACHMENTS);
	g_assert_nonnull(f->auth_results);
	g_assert_cmpuint(g_strv_length(f->auth_results), <=, 16);
	for (guint i = 0; f->auth_results[i] != NULL; i++) {
		g_assert_cmpuint(strlen(f->auth_results[i]), <=, 4096);
		g_assert_true(g_utf8_validate(f->auth_results[i], -1, NULL));
	}
	if (f->forward != NULL) {
		const char *v[] = { f->forward->from_addr, f->forward->from_name,
		    f->forward->subject, f->forward->date };
		for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
			g_assert_true(v[i] == NULL || g_utf8_validate(v[i], -1, NULL));
			g_assert_true(v[i] == NULL || strlen(v[i]) <= FORWARD_MAX_VALUE);
			g_assert_true(v[i] == NULL || strchr(v[i], '\n') == NULL);
		}
		g_assert_nonnull(f->forward->note);
		g_assert_cmpuint(strlen(f->forward->note), <=, FORWARD_MAX_NOTE);
	}
	if (f->from_name)
		g_assert_true(g_utf8_validate(f->from_name, -1, NULL));
	for (guint i = 0; i < f->attachments->len; i++) {
		const struct attachment *a = g_ptr_array_index(f->attachments, i);
		g_assert_nonnull(a->content_type);
		g_assert_true(a->filename == NULL || strchr(a->filename, '/') == NULL);
	}
	g_autoptr(Form) form = form_of(f);
	classify(f, "clerkship@example.edu", form != NULL, &why);
	g_assert_nonnull(why);
}

static void
add_dir(const char *dir, const char *suffix, const char *prefix, gboolean robust, const char *sub)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	const char *n;

	if (d == NULL)
		return;
	while ((n = g_dir_read_name(d)) != NULL)
		if (suffix == NULL ? strstr(n, "__") != NULL : g_str_has_suffix(n, suffix))
			g_ptr_array_add(names, g_strdup(n));
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	for (guint i = 0; i < names->len; i++) {
		char *name = g_ptr_array_index(names, i);
		g_autofree char *path = g_strdup_printf("%s%s", prefix, name);
		if (robust)
			g_test_add_data_func_full(path, g_build_filename(dir, name, NULL), check_robust, g_free);
		else {
			name[strlen(name) - strlen(suffix)] = '\0';
			g_test_add_data_func_full(path, g_strconcat(sub, name, NULL), check_case, g_free);
		}
		g_free(name);
	}
}

int
main(int argc, char **argv)
{
	g_autofree char *data = NULL, *shared = NULL;

	g_test_init(&argc, &argv, NULL);
	srcdir = g_strdup(g_getenv("top_srcdir") ? g_getenv("top_srcdir") : ".");
	data = g_build_filename(srcdir, "tests", "data", NULL);
	add_dir(data, ".eml", "/corpus/", FALSE, "");
	{
		/* Staff forwards: kept apart, the end-to-end tests answer every
		 * message of tests/data as a student's. */
		g_autofree char *fwd = g_build_filename(data, "forward", NULL);
		add_dir(fwd, ".eml", "/corpus/forward/", FALSE, "forward/");
	}
	{
		g_autofree char *broken = g_build_filename(data, "broken", NULL);
		add_dir(broken, ".eml", "/robust/broken/", TRUE, NULL);
	}
	/* The shared robustness corpus sits beside the project when present. */
	shared = g_getenv("CLERKD_SHARED_CORPUS") ? g_strdup(g_getenv("CLERKD_SHARED_CORPUS")) :
	    g_build_filename(srcdir, "..", "shared", "corpus", NULL);
	{
		g_autofree char *ruby = g_build_filename(shared, "mail-ruby", NULL);
		g_autofree char *mimekit = g_build_filename(shared, "mimekit", NULL);
		add_dir(ruby, NULL, "/robust/mail-ruby/", TRUE, NULL);
		add_dir(mimekit, NULL, "/robust/mimekit/", TRUE, NULL);
	}
	int rc = g_test_run();
	g_free(srcdir);
	return rc;
}
