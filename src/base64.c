/* base64.c: see base64.h. */
#include "base64.h"

#define BAD 0xff

static const guchar rank[256] = {
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD,
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD,
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, 62, BAD, BAD, BAD, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, BAD, BAD, BAD, BAD, BAD, BAD,
	BAD, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, BAD, BAD, BAD, BAD, BAD,
	BAD, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, BAD, BAD, BAD, BAD, BAD,
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD,
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD,
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD,
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD,
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD,
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD,
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD,
	BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD, BAD,
};

gsize
base64_decode_step(const guchar *in, gsize len, guchar *out, int *state, guint32 *save)
{
	const guchar *p = in, *end = in + len;
	guchar *o = out;
	guint32 saved = *save;
	int n = *state;

	if (n == -1)	/* the data ended at '=' */
		return 0;
	while (p < end) {
		/* Whole quartets of the alphabet: most of any attachment. */
		if (n == 0) {
			while (end - p >= 4) {
				guint32 a = rank[p[0]], b = rank[p[1]], c = rank[p[2]], d = rank[p[3]];
				if ((a | b | c | d) & 0x80)
					break;
				guint32 v = a << 18 | b << 12 | c << 6 | d;
				o[0] = v >> 16;
				o[1] = v >> 8;
				o[2] = v;
				o += 3;
				p += 4;
			}
			if (p == end)
				break;
		}
		/* One character: a line end, something outside the alphabet, '='. */
		guchar ch = *p++, r = rank[ch];
		if (r != BAD) {
			saved = saved << 6 | r;
			if (++n == 4) {
				o[0] = saved >> 16;
				o[1] = saved >> 8;
				o[2] = saved;
				o += 3;
				saved = 0;
				n = 0;
			}
		} else if (ch == '=') {
			/* The end: what the quartet holds so far, padded. */
			if (n > 1) {
				saved <<= 6 * (4 - n);
				*o++ = saved >> 16;
				if (n > 2)
					*o++ = saved >> 8;
			}
			n = -1;
			break;
		}
	}
	*save = saved;
	*state = n;
	return o - out;
}
