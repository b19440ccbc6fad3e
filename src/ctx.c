/* ctx.c: the domain's context (ctx.h). */
#include "ctx.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void
process_ctx_init(struct process_ctx *pc, const struct config *cfg, Store *st)
{
	const char *lt = strchr(cfg->from, '<');
	g_autofree char *name = lt ? g_strndup(cfg->from, lt - cfg->from) : g_strdup("");

	memset(pc, 0, sizeof *pc);
	pc->cfg = cfg;
	pc->st = st;
	pc->today = util_today(cfg->timezone);
	pc->year = atoi(pc->today);
	g_strstrip(name);
	if (*name == '"' && strlen(name) > 1 && name[strlen(name) - 1] == '"') {
		name[strlen(name) - 1] = '\0';
		memmove(name, name + 1, strlen(name));
	}
	pc->program = *name ? g_strdup(name) : g_strdup("Exchange Clerkship Program");
}

void
process_ctx_clear(struct process_ctx *pc)
{
	g_clear_pointer(&pc->effects, g_ptr_array_unref);	/* never applied */
	g_clear_pointer(&pc->seat_changes, g_array_unref);
	g_clear_pointer(&pc->today, g_free);
	g_clear_pointer(&pc->program, g_free);
}
