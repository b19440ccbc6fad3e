/* base64.c: see base64.h. */
#include "base64.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

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

#ifdef HAVE_AVX2_PATH
/* 32 characters of the alphabet at a time into 24 bytes, with AVX2: the
 * method of Wojciech Muła and Daniel Lemire ("Faster Base64 Encoding and
 * Decoding Using AVX2 Instructions", 2018), as in Alfred Klomp's libbase64.
 * The nibble tables flag any character outside the alphabet, '=' included;
 * a block holding one is left to the loops below, so that the output is the
 * same as theirs. The store writes 32 bytes for 24: the caller has room
 * (len * 3 / 4 + 3), as long as 44 or more characters remain. */
__attribute__((target("avx2"))) static gsize
decode_avx2(const guchar **pp, const guchar *end, guchar *o)
{
	const __m256i lut_lo = _mm256_setr_epi8(
	    0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a,
	    0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a);
	const __m256i lut_hi = _mm256_setr_epi8(
	    0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
	    0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
	const __m256i lut_roll = _mm256_setr_epi8(
	    0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
	const __m256i pack = _mm256_setr_epi8(
	    2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
	    2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
	const __m256i mask_2f = _mm256_set1_epi8(0x2f);
	const guchar *p = *pp;
	guchar *start = o;

	while (end - p >= 44) {
		__m256i str = _mm256_loadu_si256((const __m256i *)p);
		__m256i hi_nibbles = _mm256_and_si256(_mm256_srli_epi32(str, 4), mask_2f);
		__m256i lo_nibbles = _mm256_and_si256(str, mask_2f);
		__m256i hi = _mm256_shuffle_epi8(lut_hi, hi_nibbles);
		__m256i lo = _mm256_shuffle_epi8(lut_lo, lo_nibbles);
		if (!_mm256_testz_si256(lo, hi))
			break;
		__m256i eq_2f = _mm256_cmpeq_epi8(str, mask_2f);
		__m256i roll = _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(eq_2f, hi_nibbles));
		str = _mm256_add_epi8(str, roll);	/* each character's six bits */
		str = _mm256_maddubs_epi16(str, _mm256_set1_epi32(0x01400140));
		str = _mm256_madd_epi16(str, _mm256_set1_epi32(0x00011000));
		str = _mm256_shuffle_epi8(str, pack);
		str = _mm256_permutevar8x32_epi32(str, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, -1, -1));
		_mm256_storeu_si256((__m256i *)o, str);
		o += 24;
		p += 32;
	}
	*pp = p;
	return o - start;
}

static gboolean
have_avx2(void)
{
	static int have = -1;

	if (have == -1)
		have = __builtin_cpu_supports("avx2") ? 1 : 0;
	return have == 1;
}
#endif

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
#ifdef HAVE_AVX2_PATH
			if (end - p >= 44 && have_avx2())
				o += decode_avx2(&p, end, o);
#endif
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
