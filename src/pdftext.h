/* pdftext.h: the application form in a PDF, read with poppler-glib from
 * memory (never from a path): its AcroForm fields as "Name: value" lines,
 * or, with no filled fields, the text layer of its pages. Bounded: damaged,
 * encrypted or oversized files are an error, never a crash. */
#ifndef CLERK_PDFTEXT_H
#define CLERK_PDFTEXT_H

#include <glib.h>

#define PDFTEXT_MAX_FILE (16 * 1024 * 1024)	/* the PDF itself */
#define PDFTEXT_MAX_PAGES 50			/* pages looked at */
#define PDFTEXT_MAX_FIELDS 256			/* form fields looked at */
#define PDFTEXT_MAX_VALUE 2048			/* one field's value */
#define PDFTEXT_MAX_TEXT (256 * 1024)		/* text returned */
#define PDFTEXT_MAX_SECONDS 5			/* CPU seconds for one PDF */

#define PDFTEXT_ERROR g_quark_from_static_string("pdftext")
#define PDFREAD_NAME "clerkd-pdfread"		/* the reader (src/pdfread.c) */

/* Do the bytes look like a PDF ("%PDF-" in the first 1,024 bytes)? */
gboolean pdftext_is_pdf(const void *data, gsize len);

/* The form's text as UTF-8: one "Name: value" line per filled field (the
 * last part of a dotted name, "form.Full name" -> "Full name"), or the text
 * of the pages when no field is filled. unread (may be NULL) gets the names
 * (char *, owned) of fields whose value could not be read. NULL and err if
 * the bytes are not a readable PDF. Poppler runs in the reader
 * clerkd-pdfread, a process of its own (PDF on its input, the answer on its
 * output), at most PDFTEXT_MAX_SECONDS of CPU (twice that of time): a PDF
 * that makes it loop or crash is an error here, nothing worse, and clerkd
 * itself never loads poppler. (Built for libFuzzer, with
 * -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION: in this process.) */
char *pdftext_read(const void *data, gsize len, GPtrArray *unread, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;
/* The same in this process, unconfined (src/pdfpoppler.c: the reader and
 * the fuzzer). */
char *pdftext_read_here(const void *data, gsize len, GPtrArray *unread, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

#endif
