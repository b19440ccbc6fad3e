/* form.h: the application form of DESIGN.md, found in plain text. Pure. */
#ifndef CLERK_FORM_H
#define CLERK_FORM_H

#include <glib.h>

typedef struct form Form;

#define FORM_MAX_FIELDS 64
#define FORM_MAX_VALUE 512
#define FORM_MAX_CHOICES 15

/* Parse text; NULL when it holds no form ("Full name:" and two more known fields).
 * Keys are normalized: lower case, runs of spaces, '-' and '_' become one '_'. */
Form *form_parse(const char *text);
void form_free(Form *form);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Form, form_free)

/* The value of a field, or NULL. */
const char *form_get(const Form *form, const char *key);
/* How many fields there are, and field i of them (in the order they were
 * written): its key and value, both the form's. */
guint form_size(const Form *form);
void form_field(const Form *form, guint i, const char **key, const char **value);

/* Choices "Choice N: CODE YYYY-MM", ranked by N. Unparseable choices are skipped
 * and counted in *bad. */
struct form_choice {
	int rank;
	char course[16];
	char block[8];
};
GArray *form_choices(const Form *form, int *bad);
/* Does the form have a "Choice N:" line with something written on it? */
gboolean form_has_choices(const Form *form);
/* The "Choice N: CODE YYYY-MM" lines of any text (a message asking to change
 * choices, with no form around them), as form_choices() reads them. */
GArray *form_choice_lines(const char *text, int *bad);

/* What a body says of its attachments, one "FILE = KIND [DATE] [pending|positive]"
 * each, on "Documents:" lines or lines of their own: "PPD_2.pdf = tb-ppd 2026-10-12".
 * Also "Document: KIND [DATE]" alone (a staff note: every attachment is that
 * kind), with filename NULL. The kind is as written (lower case), unchecked. */
#define FORM_MAX_DOCS 64
struct form_doc {
	char *filename;		/* NULL: every attachment */
	char *kind;
	char *date;		/* YYYY-MM-DD, or NULL */
	gboolean pending, positive;
};
GPtrArray *form_documents(const char *text);

/* The blank form for first-contact replies. */
const char *form_blank(void);

#endif
