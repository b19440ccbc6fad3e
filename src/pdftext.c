/* pdftext.c: see pdftext.h. */
#include "pdftext.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <poppler.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PDFTEXT_ERROR g_quark_from_static_string("pdftext")
#define MAX_NAME 100

gboolean
pdftext_is_pdf(const void *data, gsize len)
{
	gsize n = MIN(len, 1024);

	if (data == NULL || n < 5)
		return FALSE;
	for (gsize i = 0; i + 5 <= n; i++)
		if (memcmp((const char *)data + i, "%PDF-", 5) == 0)
			return TRUE;
	return FALSE;
}

/* The form's name for a field's fully qualified name: its last part without
 * an array index ("topmostSubform[0].Page1[0].FullName[0]" -> "Full Name"),
 * "choice.1" -> "choice 1", words of a CamelCase name split. NULL if
 * nothing is left. */
static char *
field_label(const char *qualified)
{
	g_auto(GStrv) parts = NULL;
	GString *s = g_string_new(NULL);
	guint n;
	const char *last, *prev = NULL;

	if (qualified == NULL || !g_utf8_validate(qualified, -1, NULL)) {
		g_string_free(s, TRUE);
		return NULL;
	}
	parts = g_strsplit(qualified, ".", 32);
	for (guint i = 0; parts[i] != NULL; i++) {
		char *br = strchr(parts[i], '[');
		if (br != NULL)
			*br = '\0';
	}
	n = g_strv_length(parts);
	while (n > 0 && *parts[n - 1] == '\0')
		n--;
	if (n == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	last = parts[n - 1];
	if (strspn(last, "0123456789") == strlen(last) && n > 1)
		prev = parts[n - 2];
	if (prev != NULL)
		g_string_append_printf(s, "%s ", prev);
	for (const char *p = last; *p; p++) {
		if (s->len > 0 && g_ascii_isupper(*p) && g_ascii_islower(s->str[s->len - 1]))
			g_string_append_c(s, ' ');
		else if (s->len > 0 && g_ascii_isdigit(*p) && g_ascii_isalpha(s->str[s->len - 1]))
			g_string_append_c(s, ' ');
		g_string_append_c(s, *p == ':' || *p == '\n' || *p == '\r' ? ' ' : *p);
	}
	g_strstrip(s->str);
	if (*s->str == '\0' || strlen(s->str) > MAX_NAME) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

/* A field's value on one line: its lines joined with ", ", control
 * characters dropped. NULL if empty. */
static char *
one_line(const char *v)
{
	g_auto(GStrv) lines = NULL;
	GString *s = g_string_new(NULL);

	if (v == NULL) {
		g_string_free(s, TRUE);
		return NULL;
	}
	lines = g_strsplit_set(v, "\r\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_strstrip(lines[i]);
		if (*lines[i] == '\0')
			continue;
		if (s->len > 0)	/* "a,\nb" -> "a, b"; "a\nb" -> "a, b" */
			g_string_append(s, s->str[s->len - 1] == ',' || s->str[s->len - 1] == ';' ?
			    " " : ", ");
		g_string_append(s, lines[i]);
	}
	if (s->len == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	{
		char *clean = util_utf8_clean(s->str, s->len, PDFTEXT_MAX_VALUE + 8);
		g_string_free(s, TRUE);
		for (char *p = clean; *p; p++)
			if (*p == '\t')
				*p = ' ';
		return clean;
	}
}

/* The value of a field, as written in the form; NULL if empty or not a
 * field that holds a value. *bad: it has a value that could not be read. */
static char *
field_value(PopplerFormField *ff, gboolean *bad)
{
	g_autofree char *raw = NULL;

	*bad = FALSE;
	switch (poppler_form_field_get_field_type(ff)) {
	case POPPLER_FORM_FIELD_TEXT:
		raw = poppler_form_field_text_get_text(ff);
		break;
	case POPPLER_FORM_FIELD_CHOICE: {
		GString *s = g_string_new(NULL);
		gint n = poppler_form_field_choice_get_n_items(ff);
		if (poppler_form_field_choice_is_editable(ff))
			raw = poppler_form_field_choice_get_text(ff);
		for (gint i = 0; raw == NULL && i < n && i < PDFTEXT_MAX_FIELDS; i++) {
			if (!poppler_form_field_choice_is_item_selected(ff, i))
				continue;
			g_autofree char *item = poppler_form_field_choice_get_item(ff, i);
			if (item == NULL)
				continue;
			if (s->len > 0)
				g_string_append(s, ", ");
			g_string_append(s, item);
		}
		if (raw == NULL && s->len > 0)
			raw = g_string_free(s, FALSE);
		else
			g_string_free(s, TRUE);
		break;
	}
	case POPPLER_FORM_FIELD_BUTTON:
		if (poppler_form_field_button_get_button_type(ff) == POPPLER_FORM_BUTTON_CHECK &&
		    poppler_form_field_button_get_state(ff))
			raw = g_strdup("yes");
		break;
	default:
		break;
	}
	if (raw == NULL)
		return NULL;
	if (!g_utf8_validate(raw, -1, NULL) || strlen(raw) > PDFTEXT_MAX_VALUE) {
		*bad = TRUE;
		return NULL;
	}
	return one_line(raw);
}

/* "Name: value" lines of the filled fields of the first pages. */
static void
read_fields(PopplerDocument *doc, int pages, GString *out, GPtrArray *unread)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guint fields = 0;

	for (int p = 0; p < pages && fields < PDFTEXT_MAX_FIELDS; p++) {
		PopplerPage *page = poppler_document_get_page(doc, p);
		GList *map;
		if (page == NULL)
			continue;
		map = poppler_page_get_form_field_mapping(page);
		for (GList *l = map; l != NULL && fields < PDFTEXT_MAX_FIELDS; l = l->next) {
			PopplerFormFieldMapping *m = l->data;
			g_autofree char *qualified = NULL, *label = NULL, *value = NULL;
			gboolean bad;
			if (m->field == NULL)
				continue;
			fields++;
			/* The field's own name; a widget of a field (one of its /Kids)
			 * has none: then the qualified name. That one walks /Parent
			 * links and loops forever on a cycle (poppler 22.12): the
			 * daemon reads PDFs in a child process that is killed then;
			 * the fuzzer (in process) does without it. */
			qualified = poppler_form_field_get_partial_name(m->field);
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
			if (qualified == NULL)
				qualified = poppler_form_field_get_name(m->field);
#endif
			if ((label = field_label(qualified)) == NULL)
				continue;
			value = field_value(m->field, &bad);
			if (bad && unread != NULL && !g_hash_table_contains(seen, label))
				g_ptr_array_add(unread, g_strdup(label));
			/* One line per field: a field's other widgets (its /Kids) say the same. */
			if (value == NULL || g_hash_table_contains(seen, label))
				continue;
			g_hash_table_add(seen, g_strdup(label));
			if (out->len + strlen(label) + strlen(value) + 3 > PDFTEXT_MAX_TEXT)
				break;
			g_string_append_printf(out, "%s: %s\n", label, value);
		}
		poppler_page_free_form_field_mapping(map);
		g_object_unref(page);
	}
}

static void
read_pages(PopplerDocument *doc, int pages, GString *out)
{
	for (int p = 0; p < pages && out->len < PDFTEXT_MAX_TEXT; p++) {
		PopplerPage *page = poppler_document_get_page(doc, p);
		g_autofree char *t = page ? poppler_page_get_text(page) : NULL;
		if (page != NULL)
			g_object_unref(page);
		if (t == NULL)
			continue;
		g_string_append_len(out, t, MIN(strlen(t), PDFTEXT_MAX_TEXT - out->len));
		g_string_append_c(out, '\n');
	}
}

char *
pdftext_read_here(const void *data, gsize len, GPtrArray *unread, GError **err)
{
	g_autoptr(GBytes) bytes = NULL;
	PopplerDocument *doc;
	g_autoptr(GError) perr = NULL;
	GString *s;
	int pages;

	if (len > PDFTEXT_MAX_FILE) {
		g_set_error(err, PDFTEXT_ERROR, 3, "the file is too large");
		return NULL;
	}
	if (!pdftext_is_pdf(data, len)) {
		g_set_error(err, PDFTEXT_ERROR, 4, "the file is damaged or not a PDF");
		return NULL;
	}
	bytes = g_bytes_new_static(data, len);
	if ((doc = poppler_document_new_from_bytes(bytes, NULL, &perr)) == NULL) {
		if (g_error_matches(perr, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
			g_set_error(err, PDFTEXT_ERROR, 2, "the file is protected by a password");
		else
			g_set_error(err, PDFTEXT_ERROR, 4, "the file is damaged or not a PDF");
		return NULL;
	}
	pages = MIN(poppler_document_get_n_pages(doc), PDFTEXT_MAX_PAGES);
	s = g_string_new(NULL);
	read_fields(doc, pages, s, unread);
	if (s->len == 0)
		read_pages(doc, pages, s);
	g_object_unref(doc);
	{
		char *clean = util_utf8_clean(s->str, s->len, PDFTEXT_MAX_TEXT);
		g_string_free(s, TRUE);
		return clean;
	}
}

/* In a child process: the text, then NUL-separated unread field names, or
 * 'E' and the error code. */
static void G_GNUC_NORETURN
child(int fd, const void *data, gsize len)
{
	struct rlimit cpu = { PDFTEXT_MAX_SECONDS, PDFTEXT_MAX_SECONDS + 1 };
	GPtrArray *unread = g_ptr_array_new_with_free_func(g_free);
	GError *err = NULL;
	GString *out = g_string_new(NULL);
	char *text;
	int code = 0;

	/* Poppler's complaints are not for the parent's stdout or log. */
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(null);
	}
	setrlimit(RLIMIT_CPU, &cpu);
	alarm(PDFTEXT_MAX_SECONDS * 2);	/* also if it waits on a lock */
	if ((text = pdftext_read_here(data, len, unread, &err)) == NULL)
		g_string_append_printf(out, "E%d", err ? err->code : 4);
	else {
		g_string_append_c(out, 'T');
		g_string_append(out, text);
		g_free(text);
		for (guint i = 0; i < unread->len; i++) {
			g_string_append_c(out, '\0');
			g_string_append(out, g_ptr_array_index(unread, i));
		}
	}
	for (gsize done = 0; done < out->len;) {
		ssize_t n = write(fd, out->str + done, out->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			code = 1;
			break;
		}
		done += (gsize)n;
	}
	/* Freed before _exit(), which runs no cleanup: a leak checker following
	 * the child (valgrind) has nothing to say. */
	g_ptr_array_unref(unread);
	g_clear_error(&err);
	g_string_free(out, TRUE);
	_exit(code);
}

char *
pdftext_read(const void *data, gsize len, GPtrArray *unread, GError **err)
{
	static const char *const why[] = { "", "", "the file is protected by a password",
	    "the file is too large", "the file is damaged or not a PDF" };
	g_autoptr(GByteArray) got = NULL;	/* made after the fork: the child never returns */
	gint64 deadline = g_get_monotonic_time() + (PDFTEXT_MAX_SECONDS * 2 + 1) * G_USEC_PER_SEC;
	int fds[2], status = 0;
	pid_t pid;

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	if (TRUE)	/* the fuzzer sees poppler's code in its own process */
#else
	if (len > PDFTEXT_MAX_FILE || !pdftext_is_pdf(data, len))
#endif
		return pdftext_read_here(data, len, unread, err);
	/* Poppler's types registered here, not in a child forked while another
	 * thread (fetch.c) might hold GLib's type lock. */
	g_type_ensure(POPPLER_TYPE_DOCUMENT);
	g_type_ensure(POPPLER_TYPE_PAGE);
	g_type_ensure(POPPLER_TYPE_FORM_FIELD);
	if (pipe(fds) != 0) {
		g_set_error(err, PDFTEXT_ERROR, 5, "the file could not be read: %s", g_strerror(errno));
		return NULL;
	}
	if ((pid = fork()) < 0) {
		g_set_error(err, PDFTEXT_ERROR, 5, "the file could not be read: %s", g_strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], data, len);
	}
	close(fds[1]);
	got = g_byte_array_new();
	for (;;) {
		struct pollfd p = { fds[0], POLLIN, 0 };
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;
		guint8 buf[16384];
		ssize_t n;
		if (left <= 0)
			break;
		if (poll(&p, 1, (int)MIN(left, 1000)) < 0 && errno != EINTR)
			break;
		if ((n = read(fds[0], buf, sizeof buf)) < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0 || got->len + (gsize)n > PDFTEXT_MAX_TEXT * 2)
			break;
		g_byte_array_append(got, buf, (guint)n);
	}
	close(fds[0]);
	kill(pid, SIGKILL);	/* gone already, unless it overran */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got->len == 0) {
		g_set_error(err, PDFTEXT_ERROR, 6, "the file is damaged or too complex to read");
		return NULL;
	}
	if (got->data[0] == 'E') {
		int code = got->len > 1 ? got->data[1] - '0' : 4;
		g_set_error(err, PDFTEXT_ERROR, code, "%s", why[code >= 2 && code <= 4 ? code : 4]);
		return NULL;
	}
	g_byte_array_append(got, (const guint8 *)"", 1);
	{
		const char *p = (const char *)got->data + 1, *end = (const char *)got->data + got->len;
		char *text = g_strdup(p);
		for (p += strlen(p) + 1; p < end; p += strlen(p) + 1)
			if (unread != NULL && *p != '\0')
				g_ptr_array_add(unread, g_strdup(p));
		return text;
	}
}
