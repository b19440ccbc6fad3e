/* cmdparse.h: staff commands as written in a mail body or on clerkctl's
 * command line (DESIGN.md, Config and CLI: staff commands by mail). Pure:
 * text in, commands out; commands.c runs them. A line is a command when it
 * starts with a verb followed by a reference (ECP-YYYY-NNNNN), or is `help`
 * alone, so "Kind regards," is a signature, not a `kind` command. Only the
 * lines above quoted text count (a "> " line, "On ... wrote:", an Outlook
 * or Gmail forward or reply block, a "-- " signature). */
#ifndef CLERK_CMDPARSE_H
#define CLERK_CMDPARSE_H

#include <glib.h>

typedef enum {
	CMD_ACCEPT, CMD_REJECT, CMD_KIND, CMD_POSITIVE, CMD_NEGATIVE, CMD_PENDING,
	CMD_ADDRESS, CMD_ASSIGN, CMD_UNASSIGN, CMD_OVERRIDE, CMD_REINSTATE, CMD_MERGE,
	CMD_NOTE, CMD_REPLY, CMD_STATUS, CMD_HELP,
	CMD_N_VERBS
} CmdVerb;

/* Most commands one message may carry, and the longest reply text kept. */
#define CMDPARSE_MAX 50
#define CMDPARSE_BODY_MAX (32 * 1024)

struct command {
	CmdVerb verb;
	char *line;	/* owned: the line as written, trimmed (at most 300 bytes) */
	char *ref;	/* owned: the reference, upper case; NULL for help */
	char **args;	/* owned: the words after the reference ("..." keeps spaces
			 * together); never NULL */
	char *rest;	/* owned: the line after the reference, trimmed; never NULL */
	char *body;	/* owned: reply only, the text below the line; else NULL */
};
void command_free(struct command *c);

/* The verb's word ("accept"), and how it is written ("accept REF DOC [KIND] [DATE]"). */
const char *cmdparse_verb_str(CmdVerb v);
const char *cmdparse_usage(CmdVerb v);
/* The verb a word names (any case): TRUE and *v set. */
gboolean cmdparse_verb(const char *word, CmdVerb *v);

/* One line as a command, or NULL when it is not one. */
struct command *cmdparse_line(const char *line);

/* The commands in a message body (struct command *, owned by the array;
 * empty when there are none). Lines that are not commands are skipped; a
 * `reply REF` line takes the rest of the text as its body (and ends the
 * commands). More than CMDPARSE_MAX commands: *too_many is set and the
 * first CMDPARSE_MAX are returned. */
GPtrArray *cmdparse_text(const char *text, gboolean *too_many);

/* Split words, "double quotes" keeping spaces (new vector). */
char **cmdparse_words(const char *s);

#endif
