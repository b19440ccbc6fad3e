/* fuzz_doctext: any bytes -> the text of a .docx or .odt (doctext.c:
 * libarchive opens the zip, libxml2 reads its XML), then parsed as a form. */
#include <stddef.h>
#include <stdint.h>

#include "doctext.h"
#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = doctext_read(data, size, NULL);
	Form *form = text ? form_parse(text) : NULL;

	if (form != NULL)
		form_free(form);
	return 0;
}
