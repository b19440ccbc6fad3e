/* imap.c: libetpan. Every failure here is temporary for the caller: the
 * message stays in the inbox and is tried again. */
#include "imap.h"
#include "oauth2.h"
#include "util.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>
#include <string.h>

struct imap {
	mailimap *s;
	char *host;
	gint64 renew_at;	/* logged in with a token due for renewal then (monotonic); 0: a password */
	gboolean has_move;
	gboolean has_uidplus;
};

/* The keyword clerkd sets on a message it copied out of the inbox but could
 * not expunge (see imap_move). */
#define COPIED_KEYWORD "$ClerkdProcessed"

static gboolean
imap_fail(GError **err, int rc, const char *what)
{
	g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "IMAP %s failed (libetpan error %d)", what, rc);
	return FALSE;
}

static gboolean
parse_url(const char *url, char **host, guint16 *port, gboolean *tls)
{
	const char *p;
	g_autofree char *hostport = NULL;
	char *colon;

	*tls = g_str_has_prefix(url, "imaps://");
	p = strstr(url, "://") + 3;
	hostport = g_strndup(p, strcspn(p, "/"));
	*port = *tls ? 993 : 143;
	if (hostport[0] == '[') {
		char *end = strchr(hostport, ']');
		if (end == NULL)
			return FALSE;
		*host = g_strndup(hostport + 1, end - hostport - 1);
		if (end[1] == ':')
			*port = atoi(end + 2);
	} else if ((colon = strrchr(hostport, ':')) != NULL) {
		*host = g_strndup(hostport, colon - hostport);
		*port = atoi(colon + 1);
	} else
		*host = g_strdup(hostport);
	return **host != '\0' && *port != 0;
}

static void
set_sni(struct mailstream_ssl_context *ctx, void *data)
{
	mailstream_ssl_set_server_name(ctx, data);
}

/* libetpan does not verify certificates: check the chain against the system's
 * trust store and the host name before anything secret is sent. */
static gboolean
verify_chain(Imap *im, const char *ca_file, GError **err)
{
	carray *chain = mailstream_get_certificate_chain(im->s->imap_stream);
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_x509_crt_t *crts = NULL;
	unsigned n = chain ? carray_count(chain) : 0, status = 1, ok = 0;
	int rc = -1;

	if (n == 0)
		goto out;
	crts = g_new0(gnutls_x509_crt_t, n);
	for (unsigned i = 0; i < n; i++) {
		MMAPString *der = carray_get(chain, i);
		gnutls_datum_t d = { (unsigned char *)der->str, (unsigned)der->len };
		gnutls_x509_crt_init(&crts[i]);
		if (gnutls_x509_crt_import(crts[i], &d, GNUTLS_X509_FMT_DER) < 0)
			goto out;
		ok = i + 1;
	}
	if (gnutls_x509_trust_list_init(&tl, 0) < 0 ||
	    gnutls_x509_trust_list_add_system_trust(tl, 0, 0) < 0 ||
	    (ca_file != NULL &&
	    gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0) <= 0))
		goto out;
	rc = gnutls_x509_trust_list_verify_crt(tl, crts, n, 0, &status, NULL);
	if (rc == 0 && status == 0 && !gnutls_x509_crt_check_hostname(crts[0], im->host))
		status = GNUTLS_CERT_UNEXPECTED_OWNER;
out:
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);	/* and the CAs it holds */
	for (unsigned i = 0; i < ok; i++)
		gnutls_x509_crt_deinit(crts[i]);
	g_free(crts);
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	if (rc == 0 && status == 0)
		return TRUE;
	g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP,
	    "IMAP server %s: certificate not trusted (status 0x%x)", im->host, status);
	return FALSE;
}

/* SASL XOAUTH2 (AUTHENTICATE XOAUTH2 with an initial response). libetpan
 * marks the command private, so its protocol logger never sees the token. */
static gboolean
login_xoauth2(Imap *im, const struct config *cfg, GError **err)
{
	g_autoptr(GError) lerr = NULL;
	char *token;
	int rc;

	if (im->s->imap_connection_info == NULL || im->s->imap_connection_info->imap_capability == NULL) {
		struct mailimap_capability_data *cap = NULL;
		if (mailimap_capability(im->s, &cap) == MAILIMAP_NO_ERROR && cap != NULL)
			mailimap_capability_data_free(cap);
	}
	if (!mailimap_has_xoauth2(im->s)) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP,
		    "IMAP server %s does not offer AUTH=XOAUTH2", im->host);
		return FALSE;
	}
	if ((token = oauth2_token(cfg, &lerr)) == NULL) {
		g_set_error(err, CLERK_ERROR, lerr->code == CLERK_ERROR_CONFIG ? CLERK_ERROR_CONFIG :
		    CLERK_ERROR_TEMP, "IMAP login as %s at %s: %s", cfg->imap_user, im->host, lerr->message);
		return FALSE;
	}
	rc = mailimap_oauth2_authenticate(im->s, cfg->imap_user, token);
	oauth2_token_free(token);
	if (rc == MAILIMAP_NO_ERROR) {
		im->renew_at = oauth2_renew_at(cfg);
		return TRUE;
	}
	if (rc == MAILIMAP_ERROR_LOGIN) {
		/* Refused: perhaps revoked early. The next attempt fetches a new one. */
		oauth2_invalidate();
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP,
		    "IMAP XOAUTH2 login as %s at %s refused (the token was not accepted)",
		    cfg->imap_user, im->host);
		return FALSE;
	}
	return imap_fail(err, rc, "AUTHENTICATE XOAUTH2");
}

Imap *
imap_connect(const struct config *cfg, GError **err)
{
	g_autoptr(Imap) im = g_new0(Imap, 1);
	gboolean tls;
	guint16 port;
	int rc;

	if (!parse_url(cfg->imap_url, &im->host, &port, &tls)) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_CONFIG, "bad IMAP url '%s'", cfg->imap_url);
		return NULL;
	}
	im->s = mailimap_new(0, NULL);
	mailimap_set_timeout(im->s, 60);
	if (tls)
		rc = mailimap_ssl_connect_with_callback(im->s, im->host, port, set_sni, im->host);
	else
		rc = mailimap_socket_connect(im->s, im->host, port);
	if (rc != MAILIMAP_NO_ERROR_NON_AUTHENTICATED && rc != MAILIMAP_NO_ERROR_AUTHENTICATED) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "IMAP connect to %s:%u failed (%d)",
		    im->host, port, rc);
		return NULL;
	}
	if (!tls && !util_host_is_loopback(im->host)) {
		/* imap:// means STARTTLS, required except on loopback. */
		if ((rc = mailimap_socket_starttls(im->s)) != MAILIMAP_NO_ERROR) {
			imap_fail(err, rc, "STARTTLS");
			return NULL;
		}
		tls = TRUE;
	}
	/* Whenever there is TLS, the certificate is checked, loopback or not. */
	if (tls && !verify_chain(im, cfg->imap_ca_file, err))
		return NULL;
	if (cfg->imap_auth == CONFIG_AUTH_XOAUTH2) {
		if (!login_xoauth2(im, cfg, err))
			return NULL;
	} else if ((rc = mailimap_login(im->s, cfg->imap_user, cfg->imap_password)) != MAILIMAP_NO_ERROR) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_TEMP, "IMAP login as %s at %s refused",
		    cfg->imap_user, im->host);
		return NULL;
	}
	if (im->s->imap_connection_info == NULL || im->s->imap_connection_info->imap_capability == NULL) {
		struct mailimap_capability_data *cap = NULL;
		if (mailimap_capability(im->s, &cap) == MAILIMAP_NO_ERROR && cap != NULL)
			mailimap_capability_data_free(cap);
	}
	im->has_move = mailimap_has_extension(im->s, "MOVE");
	im->has_uidplus = mailimap_has_extension(im->s, "UIDPLUS");
	return g_steal_pointer(&im);
}

void
imap_logout(Imap *im)
{
	if (im == NULL)
		return;
	if (im->s != NULL) {
		if (im->s->imap_state != MAILIMAP_STATE_DISCONNECTED)
			mailimap_logout(im->s);
		mailimap_free(im->s);
	}
	g_free(im->host);
	g_free(im);
}

gboolean
imap_ensure_mailbox(Imap *im, const char *name, GError **err)
{
	clist *list = NULL;
	int rc = mailimap_list(im->s, "", name, &list);
	gboolean exists = rc == MAILIMAP_NO_ERROR && list != NULL && clist_count(list) > 0;

	if (list != NULL)
		mailimap_list_result_free(list);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail(err, rc, "LIST");
	if (exists)
		return TRUE;
	if ((rc = mailimap_create(im->s, name)) != MAILIMAP_NO_ERROR)
		return imap_fail(err, rc, "CREATE");
	g_message("created mailbox %s", name);
	return TRUE;
}

gboolean
imap_select(Imap *im, const char *mailbox, guint32 *uidvalidity, GError **err)
{
	int rc = mailimap_select(im->s, mailbox);

	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail(err, rc, "SELECT");
	*uidvalidity = im->s->imap_selection_info ? im->s->imap_selection_info->sel_uidvalidity : 0;
	return TRUE;
}

/* Walk a fetch result: each message's UID, size, body section, if any, and
 * whether its flags carry COPIED_KEYWORD. */
typedef void (*att_cb)(guint32 uid, guint32 size, const char *data, gsize len, gboolean copied,
    gpointer user);

static gboolean
has_copied_keyword(const struct mailimap_msg_att_dynamic *dyn)
{
	if (dyn == NULL || dyn->att_list == NULL)
		return FALSE;
	for (clistiter *it = clist_begin(dyn->att_list); it != NULL; it = clist_next(it)) {
		const struct mailimap_flag_fetch *ff = clist_content(it);
		if (ff->fl_type == MAILIMAP_FLAG_FETCH_OTHER && ff->fl_flag != NULL &&
		    ff->fl_flag->fl_type == MAILIMAP_FLAG_KEYWORD &&
		    g_ascii_strcasecmp(ff->fl_flag->fl_data.fl_keyword, COPIED_KEYWORD) == 0)
			return TRUE;
	}
	return FALSE;
}

static void
walk_fetch(clist *result, att_cb cb, gpointer user)
{
	for (clistiter *it = clist_begin(result); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);
		guint32 uid = 0, size = 0;
		const char *data = NULL;
		gsize len = 0;
		gboolean copied = FALSE;

		for (clistiter *j = clist_begin(ma->att_list); j != NULL; j = clist_next(j)) {
			struct mailimap_msg_att_item *item = clist_content(j);
			if (item->att_type == MAILIMAP_MSG_ATT_ITEM_DYNAMIC) {
				copied = copied || has_copied_keyword(item->att_data.att_dyn);
				continue;
			}
			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
				continue;
			struct mailimap_msg_att_static *sa = item->att_data.att_static;
			switch (sa->att_type) {
			case MAILIMAP_MSG_ATT_UID:
				uid = sa->att_data.att_uid;
				break;
			case MAILIMAP_MSG_ATT_RFC822_SIZE:
				size = sa->att_data.att_rfc822_size;
				break;
			case MAILIMAP_MSG_ATT_BODY_SECTION:
				data = sa->att_data.att_body_section->sec_body_part;
				len = sa->att_data.att_body_section->sec_length;
				break;
			default:
				break;
			}
		}
		if (uid != 0)
			cb(uid, size, data, len, copied, user);
	}
}

static void
collect_uid(guint32 uid, guint32 size, const char *data, gsize len, gboolean copied,
    gpointer user)
{
	struct imap_msg m = { uid, size, copied };
	g_array_append_val((GArray *)user, m);
}

static gint
msg_cmp(gconstpointer a, gconstpointer b)
{
	guint32 x = ((const struct imap_msg *)a)->uid, y = ((const struct imap_msg *)b)->uid;
	return x < y ? -1 : x > y;
}

GArray *
imap_list(Imap *im, GError **err)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct imap_msg));
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	clist *result = NULL;
	int rc;

	if (im->s->imap_selection_info != NULL && im->s->imap_selection_info->sel_exists == 0) {
		/* Ask anyway: EXISTS may have grown since SELECT; NOOP brings it up to date. */
		mailimap_noop(im->s);
		if (im->s->imap_selection_info->sel_exists == 0)
			return out;
	}
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_rfc822_size());
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_flags());
	set = mailimap_set_new_interval(1, 0);
	rc = mailimap_uid_fetch(im->s, set, ft, &result);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (rc != MAILIMAP_NO_ERROR) {
		g_array_free(out, TRUE);
		imap_fail(err, rc, "UID FETCH (list)");
		return NULL;
	}
	walk_fetch(result, collect_uid, out);
	mailimap_fetch_list_free(result);
	g_array_sort(out, msg_cmp);
	return out;
}

struct fetch_ctx {
	imap_msg_cb cb;
	gpointer user;
};

static void
deliver(guint32 uid, guint32 size, const char *data, gsize len, gboolean copied, gpointer user)
{
	struct fetch_ctx *fc = user;

	if (data != NULL)
		fc->cb(uid, data, len, fc->user);
}

static struct mailimap_set *
uid_set(const guint32 *uids, guint n)
{
	struct mailimap_set *set = mailimap_set_new_empty();

	for (guint i = 0; i < n; i++)
		mailimap_set_add_single(set, uids[i]);
	return set;
}

/* UID FETCH (UID att) for set (consumed), each message's bytes to cb. */
static gboolean
fetch_section(Imap *im, struct mailimap_set *set, struct mailimap_fetch_att *att,
    imap_msg_cb cb, gpointer user, GError **err)
{
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	struct fetch_ctx fc = { cb, user };
	clist *result = NULL;
	int rc;

	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft, att);
	rc = mailimap_uid_fetch(im->s, set, ft, &result);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail(err, rc, "UID FETCH");
	walk_fetch(result, deliver, &fc);
	mailimap_fetch_list_free(result);
	return TRUE;
}

/* A streaming fetch: libetpan hands each literal's bytes to body_chunk as they
 * come off the network and each finished message's attributes to msg_done, so
 * that nothing is held whole and each message is handled while the server is
 * already sending the next. */
struct stream_ctx {
	const struct imap_stream_cb *cb;
	gboolean got_body;	/* bytes of the current message came through body_chunk */
	gboolean refused;	/* body() said stop: the rest of this message is only read */
};

static bool
body_chunk(int type, struct mailimap_msg_att_body_section *section, const char *bytes,
    size_t len, void *user)
{
	struct stream_ctx *sc = user;

	sc->got_body = TRUE;
	if (!sc->refused && !sc->cb->body(bytes, len, sc->cb->user))
		sc->refused = TRUE;
	return true;	/* read on to the end of the response either way */
}

static void
msg_done(struct mailimap_msg_att *ma, void *user)
{
	struct stream_ctx *sc = user;
	guint32 uid = 0;
	const struct mailimap_msg_att_body_section *body = NULL;

	for (clistiter *j = clist_begin(ma->att_list); j != NULL; j = clist_next(j)) {
		struct mailimap_msg_att_item *item = clist_content(j);
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		struct mailimap_msg_att_static *sa = item->att_data.att_static;
		if (sa->att_type == MAILIMAP_MSG_ATT_UID)
			uid = sa->att_data.att_uid;
		else if (sa->att_type == MAILIMAP_MSG_ATT_BODY_SECTION)
			body = sa->att_data.att_body_section;
	}
	/* A server may send a small body as a quoted string rather than a literal. */
	if (body != NULL && !sc->got_body && body->sec_body_part != NULL && body->sec_length > 0 &&
	    !sc->refused && !sc->cb->body(body->sec_body_part, body->sec_length, sc->cb->user))
		sc->refused = TRUE;
	/* Unsolicited FETCH (flags changed elsewhere) has no body; BODY[] NIL has none either. */
	if (uid != 0 && body != NULL && (sc->got_body || body->sec_body_part != NULL) && !sc->refused)
		sc->cb->done(uid, sc->cb->user);
	else if (uid != 0 && body != NULL && sc->cb->abandon != NULL)
		sc->cb->abandon(sc->cb->user);
	sc->got_body = sc->refused = FALSE;
}

static void
no_progress(size_t current, size_t maximum, void *context)
{
}

gboolean
imap_fetch_stream(Imap *im, const guint32 *uids, guint n, const struct imap_stream_cb *cb,
    GError **err)
{
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	struct mailimap_set *set = uid_set(uids, n);
	struct stream_ctx sc = { cb, FALSE, FALSE };
	clist *result = NULL;
	int rc;

	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	/* libetpan calls the message handler only while a progress function is set. */
	mailimap_set_progress_callback(im->s, no_progress, NULL, NULL);
	mailimap_set_msg_att_handler(im->s, msg_done, &sc);
	mailimap_set_msg_body_handler(im->s, body_chunk, &sc);
	rc = mailimap_uid_fetch(im->s, set, ft, &result);
	mailimap_set_msg_body_handler(im->s, NULL, NULL);
	mailimap_set_msg_att_handler(im->s, NULL, NULL);
	mailimap_set_progress_callback(im->s, NULL, NULL, NULL);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	if (result != NULL)
		mailimap_fetch_list_free(result);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail(err, rc, "UID FETCH");
	return TRUE;
}

gboolean
imap_fetch_header(Imap *im, guint32 uid, imap_msg_cb cb, gpointer user, GError **err)
{
	return fetch_section(im, uid_set(&uid, 1),
	    mailimap_fetch_att_new_body_peek_section(mailimap_section_new_header()), cb, user, err);
}

gboolean
imap_can_remove(Imap *im)
{
	return im->has_move || im->has_uidplus;
}

/* May COPIED_KEYWORD be stored for good in the selected mailbox? Without a
 * PERMANENTFLAGS answer, every flag may (RFC 3501, 7.1). */
static gboolean
keyword_allowed(Imap *im)
{
	const struct mailimap_selection_info *si = im->s->imap_selection_info;

	if (si == NULL || si->sel_perm_flags == NULL)
		return TRUE;
	for (clistiter *it = clist_begin(si->sel_perm_flags); it != NULL; it = clist_next(it)) {
		const struct mailimap_flag_perm *fp = clist_content(it);
		if (fp->fl_type == MAILIMAP_FLAG_PERM_ALL)
			return TRUE;
		if (fp->fl_type == MAILIMAP_FLAG_PERM_FLAG && fp->fl_flag != NULL &&
		    fp->fl_flag->fl_type == MAILIMAP_FLAG_KEYWORD &&
		    g_ascii_strcasecmp(fp->fl_flag->fl_data.fl_keyword, COPIED_KEYWORD) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Move by UID MOVE (RFC 6851: addressed by UID, it needs no UIDPLUS). Without
 * MOVE: COPY, then flag the originals \Deleted and COPIED_KEYWORD, then, only
 * with UIDPLUS, UID EXPUNGE exactly them.
 *
 * Never a plain EXPUNGE: it removes every \Deleted message of the mailbox,
 * also those clerkd has not handled (flagged by a person or another client,
 * or arrived since the listing), and they would be lost. So without UIDPLUS
 * the originals stay in the mailbox, flagged, copied but not expunged (a
 * person's or another client's EXPUNGE may take them: their copy is already
 * in dest). The pipeline skips them by the ledger (state moved or
 * quarantined: never answered or copied twice); the keyword, set only once
 * the COPY succeeded and never on the copy, tells the next pass that the copy
 * was made even if the ledger could not record it (a crash in between). */
gboolean
imap_move(Imap *im, const guint32 *uids, guint n, const char *dest, GError **err)
{
	struct mailimap_set *set;
	int rc;

	if (n == 0)
		return TRUE;
	set = uid_set(uids, n);
	if (im->has_move) {
		rc = mailimap_uid_move(im->s, set, dest);
		mailimap_set_free(set);
		return rc == MAILIMAP_NO_ERROR ? TRUE : imap_fail(err, rc, "UID MOVE");
	}
	rc = mailimap_uid_copy(im->s, set, dest);
	if (rc == MAILIMAP_NO_ERROR) {
		struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
		struct mailimap_store_att_flags *sf;

		mailimap_flag_list_add(fl, mailimap_flag_new_deleted());
		if (keyword_allowed(im))
			mailimap_flag_list_add(fl, mailimap_flag_new_flag_keyword(strdup(COPIED_KEYWORD)));
		sf = mailimap_store_att_flags_new_add_flags_silent(fl);
		rc = mailimap_uid_store(im->s, set, sf);
		mailimap_store_att_flags_free(sf);
		if (rc == MAILIMAP_NO_ERROR && im->has_uidplus)
			rc = mailimap_uid_expunge(im->s, set);
	}
	mailimap_set_free(set);
	return rc == MAILIMAP_NO_ERROR ? TRUE : imap_fail(err, rc, im->has_uidplus ?
	    "UID COPY/UID EXPUNGE" : "UID COPY/UID STORE");
}

gboolean
imap_expunge_copied(Imap *im, const guint32 *uids, guint n, GError **err)
{
	struct mailimap_set *set;
	int rc;

	if (n == 0 || !im->has_uidplus)
		return TRUE;
	set = uid_set(uids, n);
	rc = mailimap_uid_expunge(im->s, set);
	mailimap_set_free(set);
	return rc == MAILIMAP_NO_ERROR ? TRUE : imap_fail(err, rc, "UID EXPUNGE");
}

gboolean
imap_move_one(Imap *im, guint32 uid, const char *dest, guint32 *dest_uidvalidity,
    guint32 *dest_uid, GError **err)
{
	struct mailimap_set *set, *src = NULL, *dst = NULL;
	uint32_t uv = 0;
	int rc;

	*dest_uidvalidity = 0;
	*dest_uid = 0;
	if (!im->has_move || !im->has_uidplus)
		return imap_move(im, &uid, 1, dest, err);
	set = uid_set(&uid, 1);
	rc = mailimap_uidplus_uid_move(im->s, set, dest, &uv, &src, &dst);
	mailimap_set_free(set);
	if (rc != MAILIMAP_NO_ERROR)
		return imap_fail(err, rc, "UID MOVE");
	if (dst != NULL && clist_count(dst->set_list) > 0) {
		struct mailimap_set_item *item = clist_content(clist_begin(dst->set_list));
		*dest_uidvalidity = uv;
		*dest_uid = item->set_first;
	}
	if (src != NULL)
		mailimap_set_free(src);
	if (dst != NULL)
		mailimap_set_free(dst);
	return TRUE;
}

int
imap_idle_start(Imap *im, GError **err)
{
	int rc;

	if (!mailimap_has_idle(im->s)) {
		g_set_error(err, CLERK_ERROR, CLERK_ERROR_FINAL, "the IMAP server does not offer IDLE");
		return -1;
	}
	if ((rc = mailimap_idle(im->s)) != MAILIMAP_NO_ERROR) {
		imap_fail(err, rc, "IDLE");
		return -1;
	}
	return mailimap_idle_get_fd(im->s);
}

gboolean
imap_idle_done(Imap *im, GError **err)
{
	int rc = mailimap_idle_done(im->s);

	return rc == MAILIMAP_NO_ERROR ? TRUE : imap_fail(err, rc, "IDLE DONE");
}

gboolean
imap_idle_pending(Imap *im)
{
	return im->s->imap_stream != NULL && im->s->imap_stream->read_buffer_len > 0;
}

gboolean
imap_fresh(Imap *im)
{
	return im->renew_at == 0 || g_get_monotonic_time() < im->renew_at;
}

guint32
imap_exists(Imap *im, GError **err)
{
	int rc = mailimap_noop(im->s);

	if (rc != MAILIMAP_NO_ERROR) {
		imap_fail(err, rc, "NOOP");
		return 0;
	}
	return im->s->imap_selection_info ? im->s->imap_selection_info->sel_exists : 0;
}
