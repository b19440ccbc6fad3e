/* fuzz_message: raw bytes -> facts -> form -> class, as clerkd reads a message. */
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "form.h"
#include "message.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct facts *f = message_parse((const char *)data, size, NULL);
	const char *why;

	if (f == NULL)
		return 0;
	Form *form = form_parse(f->text);
	for (guint i = 0; form == NULL && i < f->attachments->len; i++) {
		const struct attachment *a = g_ptr_array_index(f->attachments, i);
		gsize len;
		const char *d = g_bytes_get_data(a->data, &len);
		g_autofree char *t = util_utf8_clean(d, len, 65536);
		form = form_parse(t);
	}
	classify(f, "clerkship@example.edu", form != NULL, &why);
	form_free(form);
	facts_free(f);
	return 0;
}
