/* doctext.h: the text of a Word (.docx) or OpenDocument (.odt) file, read
 * with libarchive (the zip package) and libxml2 (its XML), or of a PDF
 * (pdftext.h, poppler: its form fields or its text). Pure, bounded:
 * damaged, encrypted or oversized files are an error, never a crash. */
#ifndef CLERK_DOCTEXT_H
#define CLERK_DOCTEXT_H

#include <glib.h>

#define DOCTEXT_MAX_FILE (16 * 1024 * 1024)	/* the package itself */
#define DOCTEXT_MAX_MEMBER (4 * 1024 * 1024)	/* the XML member, uncompressed */
#define DOCTEXT_MAX_ENTRIES 4096		/* zip entries looked at */
#define DOCTEXT_MAX_TEXT (256 * 1024)		/* text returned */

typedef enum { DOCTEXT_NONE, DOCTEXT_DOCX, DOCTEXT_ODT, DOCTEXT_PDF } DoctextKind;

/* Is this attachment (by file name or content type) a .docx, .odt or .pdf? */
DoctextKind doctext_kind(const char *filename, const char *content_type);

/* The document's text as UTF-8, one line per paragraph (a PDF, known by its
 * "%PDF-" header: as pdftext_read()); NULL and err if the bytes are not a
 * readable .docx, .odt or PDF. */
char *doctext_read(const void *data, gsize len, GError **err) G_GNUC_WARN_UNUSED_RESULT;

#endif
