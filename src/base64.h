/* base64.h: base64 decoding, fast. GMime's decoder takes each character
 * through a state machine, and on mail that is mostly attachments that one
 * loop was the largest item in clerkd's profile; this one decodes 32
 * characters at a time where the CPU has AVX2 (6.2 GB/s on mail-style lines,
 * against 3.2 for whole quartets and about 1 for GMime's), else whole
 * quartets, and falls back to the character loop only at line ends and
 * oddities. Its output is GMime 3.2's, byte for byte, for any input split
 * anywhere (tests/test_base64.c holds it to that): characters outside the
 * alphabet are skipped, and '=' ends the data. */
#ifndef CLERK_BASE64_H
#define CLERK_BASE64_H

#include <glib.h>

/* Decode len bytes of in into out (room for len * 3 / 4 + 3 bytes), carrying
 * what is left of a quartet in *state and *save (both 0 to begin). Returns the
 * bytes written. */
gsize base64_decode_step(const guchar *in, gsize len, guchar *out, int *state, guint32 *save);

#endif
