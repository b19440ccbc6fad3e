/* mailcat: print a message as its reader would see it: the main headers decoded,
 * then the text. "mailcat -h NAME FILE" prints one header's decoded value.
 * Used by the end-to-end tests and the demo to read what clerkd sent. */
#include "message.h"

#include <gmime/gmime.h>
#include <stdio.h>
#include <string.h>

static char *
decoded(GMimeObject *msg, const char *name)
{
	const char *raw = g_mime_object_get_header(msg, name);

	if (raw == NULL)
		return NULL;
	if (!g_ascii_strcasecmp(name, "From") || !g_ascii_strcasecmp(name, "To")) {
		InternetAddressList *l = internet_address_list_parse(NULL, raw);
		char *s = l ? internet_address_list_to_string(l, NULL, FALSE) : g_strdup(raw);
		if (l)
			g_object_unref(l);
		return s;
	}
	return g_mime_utils_header_decode_text(NULL, raw);
}

int
main(int argc, char **argv)
{
	const char *only = NULL, *path;
	static const char *const shown[] = {
		"From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Auto-Submitted",
	};
	g_autofree char *data = NULL;
	gsize len;

	if (argc == 4 && strcmp(argv[1], "-h") == 0)
		only = argv[2];
	else if (argc != 2) {
		fprintf(stderr, "usage: mailcat [-h HEADER] FILE\n");
		return 64;
	}
	path = argv[argc - 1];
	if (!g_file_get_contents(path, &data, &len, NULL)) {
		fprintf(stderr, "mailcat: cannot read %s\n", path);
		return 66;
	}
	message_init();
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(stream);
	if (msg == NULL)
		return 65;
	if (only != NULL) {
		g_autofree char *v = decoded(GMIME_OBJECT(msg), only);
		g_object_unref(msg);
		if (v == NULL)
			return 1;
		printf("%s\n", g_strstrip(v));
		return 0;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(shown); i++) {
		g_autofree char *v = decoded(GMIME_OBJECT(msg), shown[i]);
		if (v != NULL)
			printf("%s: %s\n", shown[i], g_strstrip(v));
	}
	g_object_unref(msg);
	struct facts *f = message_parse(data, len, NULL);
	if (f != NULL) {
		printf("\n%s", f->text);
		facts_free(f);
	}
	return 0;
}
