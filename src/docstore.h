/* docstore.h: documents on disk, content-addressed by SHA-256, private. */
#ifndef CLERK_DOCSTORE_H
#define CLERK_DOCSTORE_H

#include <glib.h>

/* Create the directory, or tighten it, to 0700. */
gboolean docstore_init(const char *dir, GError **err);
/* Store bytes under DIR/ab/abcdef... (mode 0600, made durable); a no-op if present. */
gboolean docstore_put(const char *dir, const char *sha256, GBytes *data, GError **err);
/* The path a document lives at. */
char *docstore_path(const char *dir, const char *sha256);

#endif
