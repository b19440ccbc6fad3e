/* docstore.h: documents on disk, content-addressed by SHA-256, private. */
#ifndef CLERK_DOCSTORE_H
#define CLERK_DOCSTORE_H

#include <glib.h>

/* Create the directory, or tighten it, to 0700. */
gboolean docstore_init(const char *dir, GError **err);
/* Store bytes under DIR/ab/abcdef... (mode 0600); a no-op if present. Durable
 * once docstore_sync() returns. */
gboolean docstore_put(const char *dir, const char *sha256, GBytes *data, GError **err);
/* Store a file already written (a spooled attachment) under its digest, by
 * renaming it into place; the file is gone from path afterwards. */
gboolean docstore_adopt(const char *dir, const char *sha256, const char *path, GError **err);
/* A new document being written into the spool dir, in pieces, for
 * docstore_adopt() once complete, through a 1 MB buffer. One of 16 KB or more
 * is written around the page cache (O_DIRECT) where the file system allows,
 * all but its last partial block: documents are written once and not read
 * again soon, and on a virtual machine whose page cache is still growing into
 * memory it never touched, filling fresh page-cache pages costs more than the
 * disk (0.6 s of system time on the 200-message backlog, against 0.3). A
 * smaller one, and the last block, go through the page cache, to disk with
 * the batch's syncfs. */
typedef struct docstore_file DocstoreFile;
DocstoreFile *docstore_file_new(const char *spool_dir, GError **err);
gboolean docstore_file_write(DocstoreFile *f, const void *data, gsize len, GError **err);
/* Finish: the file's path (caller frees), or NULL with an error (the file is
 * removed). Frees f either way. */
char *docstore_file_close(DocstoreFile *f, GError **err);
/* Give up: the file is removed. */
void docstore_file_abandon(DocstoreFile *f);

/* Where large messages and their parts are spooled: DIR/.spool, private. */
char *docstore_spool_dir(const char *dir);
/* Make every document written so far durable: one syncfs(2) for the batch,
 * before the commit that refers to them; none when no document was stored
 * (docstore_put or docstore_adopt) since the last one. */
gboolean docstore_sync(const char *dir, GError **err);
/* A document was stored since the last docstore_sync() (for tests). */
gboolean docstore_pending(void);
/* Remove a document (purge); a missing one is no error. */
void docstore_remove(const char *dir, const char *sha256);
/* The path a document lives at. */
char *docstore_path(const char *dir, const char *sha256);

#endif
