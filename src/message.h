/* message.h: a raw RFC 5322 message in, plain facts out (GMime). */
#ifndef CLERK_MESSAGE_H
#define CLERK_MESSAGE_H

#include "facts.h"

#define MESSAGE_MAX_TEXT (1024 * 1024)
#define MESSAGE_MAX_ATTACHMENTS 64

/* Call once before message_parse. */
void message_init(void);

/* Parse; NULL with a CLERK_ERROR_FINAL error if it is not a message at all. */
struct facts *message_parse(const char *data, gsize len, GError **err);

#endif
