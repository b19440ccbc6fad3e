/* clerkd-pdfread: the application form in one PDF, read with poppler in a
 * process of its own (pdftext.h). The PDF comes on standard input (at most
 * PDFTEXT_MAX_FILE bytes); on standard output goes 'T', the text, then the
 * NUL-separated names of fields it could not read; or 'E' and the error's
 * code. At most PDFTEXT_MAX_SECONDS of CPU and twice that of time: a PDF
 * that makes poppler loop ends here, not in clerkd. Exit 0 when it
 * answered, 1 when it could not. */
#include "pdftext.h"

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

static gboolean
write_all(int fd, const char *p, gsize len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALSE;
		p += n;
		len -= (gsize)n;
	}
	return TRUE;
}

int
main(void)
{
	struct rlimit cpu = { PDFTEXT_MAX_SECONDS, PDFTEXT_MAX_SECONDS + 1 };
	g_autoptr(GByteArray) in = g_byte_array_new();
	g_autoptr(GPtrArray) unread = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) err = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	g_autofree char *text = NULL;
	guint8 buf[65536];
	ssize_t n;

	setrlimit(RLIMIT_CPU, &cpu);
	alarm(PDFTEXT_MAX_SECONDS * 2);	/* also if it waits for something */
	while ((n = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return 1;
		g_byte_array_append(in, buf, (guint)n);
		if (in->len > PDFTEXT_MAX_FILE)
			break;	/* pdftext_read_here says "too large" */
	}
	if ((text = pdftext_read_here(in->data, in->len, unread, &err)) == NULL)
		g_string_append_printf(out, "E%d", err != NULL ? err->code : 4);
	else {
		g_string_append_c(out, 'T');
		g_string_append(out, text);
		for (guint i = 0; i < unread->len; i++) {
			g_string_append_c(out, '\0');
			g_string_append(out, g_ptr_array_index(unread, i));
		}
	}
	return write_all(STDOUT_FILENO, out->str, out->len) ? 0 : 1;
}
