/* docstore.c: write once, under the digest, never under a name from the mail. */
#include "docstore.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A document stored since the last docstore_sync(): a batch that stored
 * none (small mail, a single reply in daemon mode) skips the syncfs, which
 * waits for everything every process wrote to the file system. */
static gint docs_dirty;

static gboolean
fail(GError **err, const char *path)
{
	int e = errno;
	g_set_error(err, CLERK_ERROR, e == ENOSPC || e == EDQUOT || e == EIO ?
	    CLERK_ERROR_TEMP : CLERK_ERROR_CONFIG, "%s: %s", path, g_strerror(e));
	return FALSE;
}

gboolean
docstore_init(const char *dir, GError **err)
{
	g_autofree char *spool = docstore_spool_dir(dir);

	if (g_mkdir_with_parents(dir, 0700) == -1 || chmod(dir, 0700) == -1)
		return fail(err, dir);
	if (g_mkdir_with_parents(spool, 0700) == -1 || chmod(spool, 0700) == -1)
		return fail(err, spool);
	return TRUE;
}

char *
docstore_spool_dir(const char *dir)
{
	return g_build_filename(dir, ".spool", NULL);
}

/* DIR/ab for a document: there after the first few hundred. Those seen made
 * or present are remembered, by ab (a mkdir each cost 2 % of a backlog of
 * documents); one that went away since fails the rename, which then makes
 * it again. */
static char *subs_seen[256];
G_LOCK_DEFINE_STATIC(subs_seen);

static gboolean
make_sub(const char *sub, GError **err)
{
	gsize n = strlen(sub);
	int hi = n >= 2 ? g_ascii_xdigit_value(sub[n - 2]) : -1;
	int lo = n >= 2 ? g_ascii_xdigit_value(sub[n - 1]) : -1;
	guint h = hi >= 0 && lo >= 0 ? (guint)(hi * 16 + lo) : 0;
	gboolean seen;

	G_LOCK(subs_seen);
	seen = g_strcmp0(subs_seen[h], sub) == 0;
	G_UNLOCK(subs_seen);
	if (seen)
		return TRUE;
	if (mkdir(sub, 0700) == 0 || errno == EEXIST || g_mkdir_with_parents(sub, 0700) == 0) {
		G_LOCK(subs_seen);
		g_free(subs_seen[h]);
		subs_seen[h] = g_strdup(sub);
		G_UNLOCK(subs_seen);
		return TRUE;
	}
	return fail(err, sub);
}

gboolean
docstore_adopt(const char *dir, const char *sha256, const char *path, GError **err)
{
	g_autofree char *dest = docstore_path(dir, sha256);
	g_autofree char *sub = g_path_get_dirname(dest);

	/* Over a document already there, if it is: the same bytes, by its name. */
	g_atomic_int_set(&docs_dirty, 1);
	if (!make_sub(sub, err))
		return FALSE;
	if (rename(path, dest) == -1 && (errno != ENOENT || !g_file_test(path, G_FILE_TEST_EXISTS) ||
	    g_mkdir_with_parents(sub, 0700) == -1 || rename(path, dest) == -1))
		return fail(err, dest);
	return TRUE;
}

/* O_DIRECT wants buffer, offset and length aligned to the device's block. */
#define DOCFILE_ALIGN 4096
#define DOCFILE_BUF (1024 * 1024)
/* Smaller documents go through the page cache whole, written out by the
 * batch's syncfs. At 16 KB, the two ~20 KB PDFs of a typical application
 * each waited for the device in the main thread: 1.92 -> 1.60 s CPU for
 * 1,000 such applications (bench/run.sh's mid backlog). */
#define DOCFILE_DIRECT_MIN (256 * 1024)

struct docstore_file {
	int fd;
	char *path;
	guint8 *buf;		/* DOCFILE_ALIGN-aligned, DOCFILE_BUF long */
	gsize fill;
	goffset size;		/* bytes given so far */
	goffset written;	/* bytes written to the file */
	gboolean direct;	/* O_DIRECT is on */
	gboolean tried;		/* it was asked for */
};

/* One buffer kept for the next file: allocating 1 MB afresh for each
 * document cost a page fault per 4 KB. */
static gpointer spare_buf;

static void
buf_put(guint8 *buf)
{
	if (buf != NULL && (buf = g_atomic_pointer_exchange(&spare_buf, buf)) != NULL)
		free(buf);
}

DocstoreFile *
docstore_file_new(const char *spool_dir, GError **err)
{
	DocstoreFile *f = g_new0(DocstoreFile, 1);
	void *buf = g_atomic_pointer_exchange(&spare_buf, NULL);

	f->path = g_build_filename(spool_dir, "part.XXXXXX", NULL);
	f->fd = g_mkstemp_full(f->path, O_WRONLY | O_CLOEXEC, 0600);
	if (f->fd == -1 || (buf == NULL && posix_memalign(&buf, DOCFILE_ALIGN, DOCFILE_BUF) != 0)) {
		fail(err, f->path);
		buf_put(buf);
		if (f->fd != -1) {
			close(f->fd);
			g_unlink(f->path);
		}
		g_free(f->path);
		g_free(f);
		return NULL;
	}
	f->buf = buf;
	return f;
}

/* Around the page cache from here on, where the file system allows. */
static void
go_direct(DocstoreFile *f)
{
	if (!f->tried) {
		f->tried = TRUE;
		f->direct = fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) | O_DIRECT) == 0;
	}
}

/* Write the buffer's first len bytes (a multiple of DOCFILE_ALIGN while
 * direct) at the end of what is written. */
static gboolean
docfile_flush(DocstoreFile *f, gsize len)
{
	gboolean ok = util_pwrite_all(f->fd, f->buf, len, f->written);

	if (!ok && errno == EINVAL && f->direct) {
		/* Refused after all (alignment): again, through the page cache. */
		f->direct = FALSE;
		ok = fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_DIRECT) != -1 &&
		    util_pwrite_all(f->fd, f->buf, len, f->written);
	}
	if (ok)
		f->written += len;
	return ok;
}

gboolean
docstore_file_write(DocstoreFile *f, const void *data, gsize len, GError **err)
{
	const guint8 *p = data;

	while (len > 0) {
		gsize n = MIN(len, DOCFILE_BUF - f->fill);
		memcpy(f->buf + f->fill, p, n);
		f->fill += n;
		f->size += n;
		p += n;
		len -= n;
		if (f->fill == DOCFILE_BUF) {
			go_direct(f);
			if (!docfile_flush(f, DOCFILE_BUF))
				return fail(err, f->path);
			f->fill = 0;
		}
	}
	return TRUE;
}

void
docstore_file_abandon(DocstoreFile *f)
{
	if (f == NULL)
		return;
	close(f->fd);
	g_unlink(f->path);
	g_free(f->path);
	buf_put(f->buf);
	g_free(f);
}

char *
docstore_file_close(DocstoreFile *f, GError **err)
{
	gsize whole;
	gboolean ok;
	char *path;

	if (f->size >= DOCFILE_DIRECT_MIN)
		go_direct(f);
	whole = f->direct ? f->fill / DOCFILE_ALIGN * DOCFILE_ALIGN : f->fill;

	/* The whole blocks direct; the last partial one through the page cache
	 * (cheaper than padding it and cutting the file back). The batch's
	 * syncfs writes what is in the page cache out, all at once. */
	ok = whole == 0 || docfile_flush(f, whole);
	if (ok && whole < f->fill) {
		memmove(f->buf, f->buf + whole, f->fill - whole);
		if (f->direct && fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_DIRECT) == -1)
			ok = FALSE;
		f->direct = FALSE;
		ok = ok && docfile_flush(f, f->fill - whole);
	}
	if (!ok)
		fail(err, f->path);
	if (close(f->fd) == -1 && ok)
		ok = fail(err, f->path);
	if (!ok)
		g_unlink(f->path);
	path = ok ? f->path : (g_free(f->path), NULL);
	buf_put(f->buf);
	g_free(f);
	return path;
}

gboolean
docstore_sync(const char *dir, GError **err)
{
	int fd;

	if (!g_atomic_int_exchange(&docs_dirty, 0))
		return TRUE;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || syncfs(fd) == -1) {
		g_atomic_int_set(&docs_dirty, 1);
		if (fd != -1)
			close(fd);
		return fail(err, dir);
	}
	close(fd);
	return TRUE;
}

gboolean
docstore_pending(void)
{
	return g_atomic_int_get(&docs_dirty) != 0;
}

char *
docstore_path(const char *dir, const char *sha256)
{
	char sub[3] = { sha256[0], sha256[1], '\0' };
	return g_build_filename(dir, sub, sha256, NULL);
}

void
docstore_remove(const char *dir, const char *sha256)
{
	g_autofree char *path = NULL;

	if (strlen(sha256) != 64 || strspn(sha256, "0123456789abcdef") != 64)
		return;
	path = docstore_path(dir, sha256);
	g_unlink(path);
}

gboolean
docstore_put(const char *dir, const char *sha256, GBytes *data, GError **err)
{
	g_autofree char *path = docstore_path(dir, sha256);
	g_autofree char *sub = g_path_get_dirname(path);
	g_autofree char *tmp = g_strconcat(path, ".XXXXXX", NULL);
	gsize len;
	const char *p = g_bytes_get_data(data, &len);
	int fd;

	g_return_val_if_fail(strlen(sha256) == 64, FALSE);
	g_atomic_int_set(&docs_dirty, 1);	/* also when there: it may be from a batch rolled back */
	if (g_file_test(path, G_FILE_TEST_EXISTS))
		return TRUE;
	if (!make_sub(sub, err))
		return FALSE;
	if ((fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600)) == -1)
		return fail(err, tmp);
	if (!util_write_all(fd, p, len))
		goto bad;
	/* Start writing it out now, so that the batch's syncfs has less to wait for. */
	sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	if (close(fd) == -1) {
		fd = -1;
		goto bad;
	}
	if (rename(tmp, path) == -1) {
		fd = -1;
		goto bad;
	}
	return TRUE;
bad:
	fail(err, tmp);
	if (fd != -1)
		close(fd);
	g_unlink(tmp);
	return FALSE;
}
