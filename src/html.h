/* html.h: HTML mail bodies as plain text (libxml2's forgiving HTML parser). Pure. */
#ifndef CLERK_HTML_H
#define CLERK_HTML_H

#include <glib.h>

#define HTML_MAX_INPUT (4 * 1024 * 1024)
#define HTML_MAX_TEXT (1024 * 1024)

/* UTF-8 HTML in, UTF-8 text out: block elements end lines, <br> breaks them,
 * <head>, <style> and <script> are dropped, whitespace is collapsed. Never NULL. */
char *html_to_text(const char *html, gsize len);
/* Once, on the main thread, before html_to_text() runs on any other. */
void html_init(void);

#endif
