/* fuzz_pdf: any bytes -> the application form read from a PDF (pdftext.c,
 * poppler: its fields or its text layer; in this process when built for
 * libFuzzer, in a child process as the daemon reads it in make check's
 * seed replay), then parsed as a form. */
#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "pdftext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GPtrArray) unread = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *text = pdftext_read(data, size, unread, NULL);
	Form *form = text ? form_parse(text) : NULL;

	if (form != NULL)
		form_free(form);
	return 0;
}
