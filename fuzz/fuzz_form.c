/* fuzz_form: any text -> the application form, its choices, the Documents:
 * lines and a forwarded message's headers. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "forward.h"
#include "form.h"
#include "html.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = util_utf8_clean((const char *)data, size, 1 << 20);
	g_autofree char *html = html_to_text(text, strlen(text));
	Form *form = form_parse(text);
	int bad;

	if (form != NULL) {
		GArray *c = form_choices(form, &bad);
		g_array_free(c, TRUE);
		form_free(form);
	}
	if ((form = form_parse(html)) != NULL)
		form_free(form);
	g_ptr_array_unref(form_documents(text));
	forward_free(forward_find(text));
	return 0;
}
