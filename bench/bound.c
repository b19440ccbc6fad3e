/* bound: the speed limit set by the mail servers. It fetches the same
 * messages over IMAP with the same library, streaming fetch and batching as
 * clerkd (batches of batch_size or 16 MB) and sends one reply per message over
 * SMTP with the same libcurl handle, and does nothing else: no parsing, no
 * database, no documents, no move. clerkd / bound is the share of the servers'
 * speed that clerkd achieves. */
#include "config.h"
#include "imap.h"
#include "outbox.h"
#include "util.h"

#include <stdio.h>

#define BATCH_BYTES (16 * 1024 * 1024)	/* as clerkd's pipeline.c */

struct count {
	guint64 bytes;
	guint n;
};

static gboolean
count_bytes(const char *data, gsize len, gpointer user)
{
	((struct count *)user)->bytes += len;
	return TRUE;
}

static void
count_msg(guint32 uid, gpointer user)
{
	((struct count *)user)->n++;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(Config) cfg = NULL;
	g_autoptr(Imap) im = NULL;
	g_autoptr(Outbox) ob = NULL;
	g_autoptr(GArray) list = NULL;
	g_autoptr(GArray) batch = g_array_new(FALSE, FALSE, sizeof(guint32));
	struct count c = { 0 };
	const struct imap_stream_cb cb = { count_bytes, count_msg, NULL, &c };
	guint32 uv;
	gint64 t0;
	guint sent = 0;
	guint64 batch_bytes = 0;
	const char reply[] =
	    "From: Exchange Clerkship Program <clerkship@example.edu>\r\n"
	    "To: <applicant@example.org>\r\nSubject: Re: application [ECP-2027-00001]\r\n"
	    "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "Dear applicant,\r\n\r\nThank you for your application.\r\n";
	g_autoptr(GBytes) raw = g_bytes_new_static(reply, sizeof reply - 1);

	if (argc != 2) {
		fprintf(stderr, "usage: bound CONFIG\n");
		return 64;
	}
	util_log_init("bound", FALSE);
	if ((cfg = config_load(argv[1], &err)) == NULL) {
		fprintf(stderr, "bound: %s\n", err->message);
		return 78;
	}
	t0 = g_get_monotonic_time();
	ob = outbox_new(cfg);
	if ((im = imap_connect(cfg, &err)) == NULL || !imap_select(im, cfg->mailbox, &uv, &err) ||
	    (list = imap_list(im, &err)) == NULL)
		goto fail;
	for (guint i = 0; i <= list->len; i++) {
		struct imap_msg *m = i < list->len ? &g_array_index(list, struct imap_msg, i) : NULL;
		if (m != NULL) {
			g_array_append_val(batch, m->uid);
			batch_bytes += m->size;
		}
		if (batch->len > 0 && (m == NULL || batch->len >= (guint)cfg->batch_size ||
		    batch_bytes >= BATCH_BYTES)) {
			if (!imap_fetch_stream(im, (guint32 *)batch->data, batch->len, &cb, &err))
				goto fail;
			g_array_set_size(batch, 0);
			batch_bytes = 0;
		}
		for (; sent < c.n; sent++)
			if (!outbox_send(ob, "applicant@example.org", raw, &err))
				goto fail;
	}
	{
		double s = (g_get_monotonic_time() - t0) / 1e6;
		printf("bound: %u messages, %.1f MB, %.3f s, %.1f msg/s\n", c.n, c.bytes / 1e6, s,
		    c.n / s);
	}
	return 0;
fail:
	fprintf(stderr, "bound: %s\n", err->message);
	return 75;
}
