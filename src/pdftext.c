/* pdftext.c: see pdftext.h. Poppler itself is in pdfpoppler.c, run by the
 * reader src/pdfread.c in a process of its own. */
#include "pdftext.h"
#include "util.h"

#include <errno.h>
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
/* The reader: $CLERKD_PDFREAD (the tests), else clerkd-pdfread beside this
 * program (a build tree), else the installed one. */
static const char *
reader_path(void)
{
	static char *path;

	if (g_once_init_enter(&path)) {
		const char *env = g_getenv("CLERKD_PDFREAD");
		g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
		g_autofree char *dir = self != NULL ? g_path_get_dirname(self) : NULL;
		g_autofree char *near = dir != NULL ? g_build_filename(dir, PDFREAD_NAME, NULL) : NULL;
		char *p;
		if (env != NULL && *env != '\0')
			p = g_strdup(env);
		else if (near != NULL && g_file_test(near, G_FILE_TEST_IS_EXECUTABLE))
			p = g_steal_pointer(&near);
		else
			p = g_build_filename(PKGLIBEXECDIR, PDFREAD_NAME, NULL);
		g_once_init_leave(&path, p);
	}
	return path;
}

/* Give the reader the PDF on its standard input and take its answer from
 * its standard output, both at once, until the deadline. FALSE if it could
 * not be run. */
static gboolean
exchange(const void *data, gsize len, GByteArray *got, GError **err)
{
	const char *argv[] = { reader_path(), NULL };
	gint64 deadline = g_get_monotonic_time() + (PDFTEXT_MAX_SECONDS * 2 + 1) * G_USEC_PER_SEC;
	g_autoptr(GError) serr = NULL;
	sigset_t pipe_set, old;
	int in = -1, out = -1, status = 0;
	gsize sent = 0;
	GPid pid;

	if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
	    G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &in, &out, NULL, &serr)) {
		g_warning("PDF reader %s: %s", argv[0], serr->message);
		g_set_error(err, PDFTEXT_ERROR, 5, "the file could not be read");
		return FALSE;
	}
	g_unix_set_fd_nonblocking(in, TRUE, NULL);
	/* A reader gone early makes a write fail with EPIPE, not kill us. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	while (out != -1) {
		struct pollfd p[2] = { { out, POLLIN, 0 }, { in, POLLOUT, 0 } };
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;
		guint8 buf[16384];
		ssize_t n;
		if (left <= 0 || (poll(p, in != -1 ? 2 : 1, (int)MIN(left, 1000)) < 0 && errno != EINTR))
			break;
		if (in != -1 && (p[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			n = write(in, (const char *)data + sent, MIN(len - sent, 65536));
			if (n > 0)
				sent += (gsize)n;
			if ((n < 0 && errno != EAGAIN && errno != EINTR) || sent == len) {
				close(in);	/* all given, or it will take no more */
				in = -1;
			}
		}
		if (p[0].revents & (POLLIN | POLLERR | POLLHUP)) {
			if ((n = read(out, buf, sizeof buf)) < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0 || got->len + (gsize)n > PDFTEXT_MAX_TEXT * 2) {
				close(out);
				out = -1;
			} else
				g_byte_array_append(got, buf, (guint)n);
		}
	}
	if (in != -1)
		close(in);
	if (out != -1)
		close(out);
	{
		struct timespec none = { 0, 0 };
		while (sigtimedwait(&pipe_set, NULL, &none) > 0)	/* a SIGPIPE of ours, if any */
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	kill(pid, SIGKILL);	/* gone already, unless it overran */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	g_spawn_close_pid(pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got->len == 0) {
		g_set_error(err, PDFTEXT_ERROR, 6, "the file is damaged or too complex to read");
		return FALSE;
	}
	return TRUE;
}

static char *
read_outside(const void *data, gsize len, GPtrArray *unread, GError **err)
{
	static const char *const why[] = { "", "", "the file is protected by a password",
	    "the file is too large", "the file is damaged or not a PDF" };
	g_autoptr(GByteArray) got = g_byte_array_new();

	if (len > PDFTEXT_MAX_FILE) {
		g_set_error(err, PDFTEXT_ERROR, 3, "%s", why[3]);
		return NULL;
	}
	if (!pdftext_is_pdf(data, len)) {
		g_set_error(err, PDFTEXT_ERROR, 4, "%s", why[4]);
		return NULL;
	}
	if (!exchange(data, len, got, err))
		return NULL;
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
#endif

char *
pdftext_read(const void *data, gsize len, GPtrArray *unread, GError **err)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	return pdftext_read_here(data, len, unread, err);	/* the fuzzer sees poppler in its process */
#else
	return read_outside(data, len, unread, err);
#endif
}
