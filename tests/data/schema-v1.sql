-- The schema of clerkd's store at version 1, as released: for the migration
-- tests (tests/cli.sh), which open a database like this with the current clerkd.
CREATE TABLE IF NOT EXISTS mailboxes (  account TEXT NOT NULL, mailbox TEXT NOT NULL, uidvalidity INTEGER NOT NULL,  first_seen TEXT NOT NULL DEFAULT (datetime('now')),  PRIMARY KEY (account, mailbox, uidvalidity));
CREATE TABLE IF NOT EXISTS ledger (  id INTEGER PRIMARY KEY,  account TEXT NOT NULL, mailbox TEXT NOT NULL,  uidvalidity INTEGER NOT NULL, uid INTEGER NOT NULL,  message_id TEXT, sha256 TEXT, size INTEGER,  state TEXT NOT NULL, class TEXT, reason TEXT, sender TEXT, subject TEXT,  attempts INTEGER NOT NULL DEFAULT 0, error TEXT,  application_id INTEGER, duplicate_of INTEGER,  q_uidvalidity INTEGER, q_uid INTEGER,  received_at TEXT NOT NULL DEFAULT (datetime('now')),  updated_at TEXT NOT NULL DEFAULT (datetime('now')),  UNIQUE (account, mailbox, uidvalidity, uid));
CREATE INDEX IF NOT EXISTS ledger_identity ON ledger (sha256, message_id);
CREATE TABLE IF NOT EXISTS ref_counter (year INTEGER PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reserved_refs (  email TEXT PRIMARY KEY, reference TEXT NOT NULL UNIQUE,  created_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE IF NOT EXISTS applications (  id INTEGER PRIMARY KEY, reference TEXT NOT NULL UNIQUE,  email TEXT NOT NULL, name TEXT NOT NULL, school TEXT, country TEXT,  status TEXT NOT NULL DEFAULT 'received', flags TEXT, form TEXT,  ledger_id INTEGER,  created_at TEXT NOT NULL DEFAULT (datetime('now')),  updated_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE INDEX IF NOT EXISTS applications_email ON applications (email);
CREATE TABLE IF NOT EXISTS choices (  application_id INTEGER NOT NULL REFERENCES applications(id),  rank INTEGER NOT NULL, course TEXT NOT NULL, block TEXT NOT NULL,  PRIMARY KEY (application_id, rank));
CREATE TABLE IF NOT EXISTS documents (  id INTEGER PRIMARY KEY,  application_id INTEGER NOT NULL REFERENCES applications(id),  ledger_id INTEGER, sha256 TEXT NOT NULL, filename TEXT, content_type TEXT,  size INTEGER NOT NULL, kind TEXT, doc_date TEXT, received TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS documents_app ON documents (application_id);
CREATE TABLE IF NOT EXISTS events (  id INTEGER PRIMARY KEY, application_id INTEGER, ledger_id INTEGER,  at TEXT NOT NULL DEFAULT (datetime('now')), what TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (  id INTEGER PRIMARY KEY, ledger_id INTEGER, application_id INTEGER,  kind TEXT NOT NULL, rcpt TEXT NOT NULL, message_id TEXT NOT NULL UNIQUE,  state TEXT NOT NULL DEFAULT 'queued',  attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL DEFAULT 0,  last_error TEXT,  created_at TEXT NOT NULL DEFAULT (datetime('now')), sent_at TEXT);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt);
CREATE TABLE IF NOT EXISTS outbox_raw (  outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id), raw BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS outbox_rcpt ON outbox (rcpt, created_at);
CREATE INDEX IF NOT EXISTS outbox_sent ON outbox (sent_at);
CREATE TABLE IF NOT EXISTS bounces (  id INTEGER PRIMARY KEY, outbox_id INTEGER NOT NULL REFERENCES outbox(id),  address TEXT NOT NULL, status TEXT, ledger_id INTEGER,  at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE INDEX IF NOT EXISTS bounces_address ON bounces (address);
CREATE TABLE IF NOT EXISTS passes (  id INTEGER PRIMARY KEY, at TEXT NOT NULL DEFAULT (datetime('now')),  seen INTEGER, handled INTEGER, moved INTEGER, failed INTEGER, quarantined INTEGER,  sent INTEGER, deferred INTEGER, replies_failed INTEGER, ok INTEGER);
PRAGMA user_version = 1;
