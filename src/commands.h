/* commands.h: staff commands (cmdparse.h) carried out, by mail or from
 * clerkctl, the same code for both (DESIGN.md, Config and CLI). One batch
 * runs in a savepoint of the caller's transaction: every command takes
 * effect, or, if one is refused, none does. Each student affected is told
 * once, at the end, in one mail. */
#ifndef CLERK_COMMANDS_H
#define CLERK_COMMANDS_H

#include "cmdparse.h"
#include "ctx.h"
#include "facts.h"

/* Run cmds (struct command *) inside the caller's transaction. actor names
 * who gave them, for the history ("staff <addr>", "clerkctl"); ledger_id
 * the message (0 from clerkctl); seed makes the Message-IDs of the mails to
 * students. report gets each command and its outcome; *refused says how
 * many were refused: then nothing changed and no mail was asked for. FALSE
 * on a store error (nothing changed either). */
gboolean commands_run(struct process_ctx *pc, gint64 ledger_id, const char *actor,
    const char *seed, GPtrArray *cmds, GString *report, guint *refused, GError **err)
    G_GNUC_WARN_UNUSED_RESULT;

/* A staff message the staff check passed: if its own text (above quoted or
 * forwarded text) carries commands, run them and reply to its sender with
 * the outcome (*handled TRUE); else *handled is FALSE and nothing is done. */
gboolean commands_mail(struct process_ctx *pc, gint64 ledger_id, const struct facts *f,
    const char *sha256, gboolean *handled, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* Does a message carry commands that change something (any verb but status
 * and help)? For mail that is not from authenticated staff. */
gboolean commands_claimed(const struct facts *f);

/* Commands from a sender who is not authenticated staff: nothing changes,
 * the staff list gets one notice, the sender no reply. */
gboolean commands_refuse(struct process_ctx *pc, gint64 ledger_id, const struct facts *f,
    const char *sha256, const char *why, GError **err) G_GNUC_WARN_UNUSED_RESULT;

/* The commands, one a line with what each does (new string), for `help`. */
char *commands_help(void);

#endif
