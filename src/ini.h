/* ini.h: an INI file read with GKeyFile, plus the line of every group and key,
 * so that every complaint about a rules file can name its line. */
#ifndef CLERK_INI_H
#define CLERK_INI_H

#include <glib.h>

typedef struct ini Ini;

/* Load path; on failure the message starts with "PATH:LINE: ". Whole-line
 * comments start with # or ;. A key given twice in a group is an error. */
Ini *ini_load(const char *path, GError **err);
void ini_free(Ini *ini);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ini, ini_free)

GKeyFile *ini_keyfile(Ini *ini);
const char *ini_path(Ini *ini);
/* The line of a key (key NULL: of the group header); 0 if unknown. */
int ini_line(Ini *ini, const char *group, const char *key);
/* A stripped string value, NULL if absent or empty. */
char *ini_get(Ini *ini, const char *group, const char *key);

#endif
