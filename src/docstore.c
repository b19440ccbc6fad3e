/* docstore.c: write once, under the digest, never under a name from the mail. */
#include "docstore.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

gboolean
docstore_adopt(const char *dir, const char *sha256, const char *path, GError **err)
{
	g_autofree char *dest = docstore_path(dir, sha256);
	g_autofree char *sub = g_path_get_dirname(dest);

	if (g_file_test(dest, G_FILE_TEST_EXISTS)) {
		g_unlink(path);
		return TRUE;
	}
	if (g_mkdir_with_parents(sub, 0700) == -1)
		return fail(err, sub);
	if (rename(path, dest) == -1)
		return fail(err, dest);
	return TRUE;
}

gboolean
docstore_sync(const char *dir, GError **err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1 || syncfs(fd) == -1) {
		if (fd != -1)
			close(fd);
		return fail(err, dir);
	}
	close(fd);
	return TRUE;
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
	if (g_file_test(path, G_FILE_TEST_EXISTS))
		return TRUE;
	if (g_mkdir_with_parents(sub, 0700) == -1)
		return fail(err, sub);
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
