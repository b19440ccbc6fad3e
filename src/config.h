/* config.h: clerkd.conf, read with GKeyFile (see clerkd.conf(5)). */
#ifndef CLERK_CONFIG_H
#define CLERK_CONFIG_H

#include <glib.h>

enum config_auth {
	CONFIG_AUTH_PASSWORD,		/* LOGIN / SMTP AUTH with a password */
	CONFIG_AUTH_XOAUTH2,		/* SASL XOAUTH2 with a token from [oauth2] */
};

enum config_grant {
	CONFIG_GRANT_CLIENT_CREDENTIALS,
	CONFIG_GRANT_REFRESH_TOKEN,
};

struct config {
	char *path;			/* owned; every field below is owned */

	char *imap_url;			/* imap://host:port or imaps://host:port */
	char *imap_user;
	char *imap_password;		/* secret: never logged */
	enum config_auth imap_auth;
	char *imap_ca_file;		/* extra trusted CAs (PEM), or NULL */
	char *mailbox;
	char *processed_mailbox;
	char *quarantine_mailbox;
	gboolean idle;
	int poll_seconds;
	int batch_size;			/* messages fetched per round trip */
	gsize max_message_size;		/* larger messages get a polite refusal */
	int max_attempts;		/* failures before quarantine */
	int max_attachments;		/* [limits]: more get a polite refusal */
	gsize max_attachment_size;
	gsize max_header_size;
	gsize max_line_length;

	char *smtp_url;
	char *smtp_user;		/* NULL: no AUTH */
	char *smtp_password;		/* secret */
	enum config_auth smtp_auth;
	char *smtp_ca_file;
	char *from;			/* "Name <addr>" as configured */
	char *from_addr;		/* normalized address part of from */
	char *bounce_address;		/* envelope sender; NULL means <> */
	int max_per_recipient_hour;	/* loop guard: replies to one address an hour */
	int max_per_hour;		/* circuit breaker: replies sent an hour */
	int max_per_minute;		/* pacing: sends spaced 60/n s apart; 0: none */

	char *database;
	gsize max_database_size;	/* 0: no cap; over it, writes fail as on a full disk */
	int retention_days;		/* closed applications purged after; 0: never */
	char *documents;
	char *rules_dir;
	char *timezone;			/* [program]: IANA zone for dates and deadlines; NULL: local */
	int digest_hour;		/* [digest] hour: the staff digest from this hour (0-23); -1: off */

	char **staff;			/* normalized addresses */
	char *trusted_authserv_id;

	/* [oauth2]: read only when an auth is xoauth2 (oauth2_token_url NULL otherwise) */
	char *oauth2_token_url;		/* https://, or http:// to loopback */
	enum config_grant oauth2_grant;
	char *oauth2_client_id;
	char *oauth2_client_secret;	/* secret; NULL: a public client */
	char *oauth2_refresh_token;	/* secret; for CONFIG_GRANT_REFRESH_TOKEN */
	char *oauth2_scope;		/* NULL: none sent */
	int oauth2_renew_before;	/* seconds before expiry a token is renewed */

	char *account;			/* user@host: the ledger's account key */

	struct rules *rules;		/* loaded by config_check_rules() */
	GHashTable *templates;		/* name -> text, filled by config_template() */
};

/* Load and validate; on failure the error message starts with "FILE:LINE: ". */
struct config *config_load(const char *path, GError **err);
void config_free(struct config *cfg);
/* A reply template: the rules directory's own, else the installed one, else
 * the source tree's (new string, NULL if none exists). */
char *config_template_path(const struct config *cfg, const char *name);
/* The text of a reply template, read once for this configuration (a reload
 * reads them afresh) with the settings of its rules in it (rules_expand());
 * NULL with an error if there is none. */
const char *config_template(const struct config *cfg, const char *name, GError **err);
/* Load the rules of rules_dir into cfg->rules, and check that every reply
 * template can be found (falling back, with a warning, on the shipped ones).
 * On failure cfg->rules is unchanged. */
gboolean config_check_rules(struct config *cfg, GError **err);
/* Is addr (normalized) on the staff list? */
gboolean config_is_staff(const struct config *cfg, const char *addr);
/* The names of the reply templates, NULL-terminated. */
extern const char *const config_templates[];
typedef struct config Config;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Config, config_free)

#endif
