/* fuzz_pdf: any bytes -> the application form read from a PDF (pdftext.c,
 * poppler: its fields or its text layer; in this process when built for
 * libFuzzer, where the daemon forks), then parsed as a form. */
#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "pdftext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GPtrArray) unread = g_ptr_array_new_with_free_func(g_free);
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	g_autofree char *text = pdftext_read_here(data, size, unread, NULL);
#else	/* the seed replay of make check: as the daemon reads them */
	g_autofree char *text = pdftext_read(data, size, unread, NULL);
#endif
	Form *form = text ? form_parse(text) : NULL;

	if (form != NULL)
		form_free(form);
	return 0;
}
