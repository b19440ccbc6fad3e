/* test_base64: our decoder says what GMime's says, byte for byte, for any
 * input and any way of cutting it into pieces: clean mail base64, line ends
 * of every kind, characters outside the alphabet, '=' early or doubled. */
#include "base64.h"

#include <gmime/gmime.h>
#include <string.h>

static GByteArray *
decode_ours(const guchar *in, gsize len, GRand *cuts)
{
	GByteArray *out = g_byte_array_new();
	int state = 0;
	guint32 save = 0;

	for (gsize off = 0; off < len;) {
		gsize n = cuts ? (gsize)g_rand_int_range(cuts, 1, 200) : len;
		n = MIN(n, len - off);
		gsize at = out->len;
		g_byte_array_set_size(out, at + n * 3 / 4 + 3);
		g_byte_array_set_size(out, at + base64_decode_step(in + off, n, out->data + at, &state, &save));
		off += n;
	}
	return out;
}

static GByteArray *
decode_gmime(const guchar *in, gsize len)
{
	GByteArray *out = g_byte_array_new();
	int state = 0;
	guint32 save = 0;

	g_byte_array_set_size(out, len * 3 / 4 + 3);
	g_byte_array_set_size(out, g_mime_encoding_base64_decode_step(in, len, out->data, &state, &save));
	return out;
}

static void
same(const guchar *in, gsize len, GRand *cuts)
{
	g_autoptr(GByteArray) a = decode_ours(in, len, cuts);
	g_autoptr(GByteArray) b = decode_gmime(in, len);

	g_assert_cmpmem(a->data, a->len, b->data, b->len);
}

static void
test_known(void)
{
	const struct { const char *in, *out; } cases[] = {
		{ "TWFu", "Man" }, { "TWE=", "Ma" }, { "TQ==", "M" }, { "TWFu\r\nTWFu", "ManMan" },
		{ "TW Fu", "Man" }, { "TWE=TWFu", "Ma" },	/* '=' ends it */
		{ "", "" }, { "T", "" }, { "TW", "" },	/* a broken quartet says nothing */
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GByteArray) a = decode_ours((const guchar *)cases[i].in, strlen(cases[i].in), NULL);
		g_assert_cmpmem(a->data, a->len, cases[i].out, strlen(cases[i].out));
		same((const guchar *)cases[i].in, strlen(cases[i].in), NULL);
	}
}

/* What mail clients send: 76 characters a line, CRLF or LF. */
static void
test_mail(void)
{
	GRand *r = g_rand_new_with_seed(7);

	for (int round = 0; round < 200; round++) {
		gsize n = g_rand_int_range(r, 0, 5000);
		g_autofree guchar *raw = g_malloc(n + 1);
		for (gsize i = 0; i < n; i++)
			raw[i] = g_rand_int_range(r, 0, 256);
		g_autofree char *b64 = g_base64_encode(raw, n);
		GString *text = g_string_new(NULL);
		const char *eol = round % 2 ? "\r\n" : "\n";
		for (gsize i = 0, len = strlen(b64); i < len; i += 76) {
			g_string_append_len(text, b64 + i, MIN(76, len - i));
			g_string_append(text, eol);
		}
		g_autoptr(GByteArray) a = decode_ours((guchar *)text->str, text->len, r);
		g_assert_cmpmem(a->data, a->len, raw, n);
		same((guchar *)text->str, text->len, r);
		g_string_free(text, TRUE);
	}
	g_rand_free(r);
}

/* Anything at all: alphabet, junk, spaces, '=' anywhere. */
static void
test_noise(void)
{
	static const char pool[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	    "\r\n\t -_.,:;!?*\x80\xff=";
	GRand *r = g_rand_new_with_seed(11);

	for (int round = 0; round < 2000; round++) {
		gsize n = g_rand_int_range(r, 0, 600);
		g_autofree guchar *in = g_malloc(n + 1);
		gboolean no_eq = round % 3 != 0;	/* most rounds run to the end */
		for (gsize i = 0; i < n; i++) {
			do
				in[i] = pool[g_rand_int_range(r, 0, sizeof pool - 1)];
			while (no_eq && in[i] == '=');
		}
		same(in, n, r);
		same(in, n, NULL);
	}
	g_rand_free(r);
}

/* Long clean runs with one odd byte: every byte value at every place of a
 * 32-character block (where the fast path decides), then junk sprinkled
 * sparsely, as in mail from a sloppy encoder. */
static void
test_runs(void)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	GRand *r = g_rand_new_with_seed(13);
	guchar in[160];

	for (int v = 0; v < 256; v++)
		for (int at = 0; at < 64; at++) {
			for (gsize i = 0; i < sizeof in; i++)
				in[i] = abc[g_rand_int_range(r, 0, 64)];
			in[8 + at] = v;
			same(in, sizeof in, NULL);
			same(in, sizeof in, r);
		}
	for (int round = 0; round < 500; round++) {
		gsize n = g_rand_int_range(r, 0, 20000);
		g_autofree guchar *text = g_malloc(n + 1);
		for (gsize i = 0; i < n; i++)
			text[i] = g_rand_int_range(r, 0, 300) ? abc[g_rand_int_range(r, 0, 64)] :
			    g_rand_int_range(r, 0, 256);
		same(text, n, NULL);
		same(text, n, r);
	}
	g_rand_free(r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	g_test_add_func("/base64/known", test_known);
	g_test_add_func("/base64/mail", test_mail);
	g_test_add_func("/base64/noise", test_noise);
	g_test_add_func("/base64/runs", test_runs);
	return g_test_run();
}
