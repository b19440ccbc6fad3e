/* faq.h: the program's answers to frequent questions (rules/faq), matched on
 * the words of a question. Pure. */
#ifndef CLERK_FAQ_H
#define CLERK_FAQ_H

#include <glib.h>

typedef struct faq Faq;

/* Load path; problems ("FILE:LINE: message") are added to errors. A missing
 * file is an empty FAQ. */
Faq *faq_load(const char *path, GPtrArray *errors);
void faq_free(Faq *faq);
/* The best answer for text (its question in *question), NULL if none
 * matches well: at least one key phrase, the most matched winning. */
const char *faq_answer(const Faq *faq, const char *text, const char **question);
guint faq_size(const Faq *faq);
/* Replace each answer by fn(path, the line of its A:, answer, data) (a new
 * string, never NULL). */
typedef char *(*FaqRewriteFn)(const char *path, int line, const char *answer, gpointer data);
void faq_rewrite(Faq *faq, FaqRewriteFn fn, gpointer data);

#endif
