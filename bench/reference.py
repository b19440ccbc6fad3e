#!/usr/bin/env python3
"""bench/reference.py: the Python peer of clerkd for bench/run.sh: same job,
standard library only.

One pass over an IMAP inbox, as `clerkd --once` does it: fetch every message
in batches, fingerprint and parse it, tell applications, first contacts and
automatic mail apart, file applications and their documents in SQLite and on
disk, queue receipts in an outbox table, then per batch COMMIT, UID MOVE the
batch to "Processed" and send the batch's replies over one SMTP connection.
It is a yardstick, not a product: no retries, no daemon mode, no TLS.
"""
import argparse, email, email.policy, email.utils, hashlib, html, imaplib
import json, os, re, smtplib, sqlite3, sys, time
from email.message import EmailMessage

KNOWN = {"full_name", "email", "medical_school", "school_country", "year_of_study",
         "expected_graduation", "degree_held", "core_clerkships_completed",
         "request_type", "english_proficiency", "faculty_contact"}
FORM_LINE = re.compile(r"^[ \t*]*([A-Za-z0-9][A-Za-z0-9 _-]{0,39}?)[ \t*]*:[ \t]*(.*)$")
TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.S | re.I)
BREAK = re.compile(r"<\s*(br|/?p|/div|/tr|/li|/h[1-6])\b[^>]*>", re.I)
BLANK_FORM = """Full name:
Email:
Medical school:
School country:
Year of study:
Expected graduation:          (YYYY-MM)
Degree held:
Core clerkships completed:
Request type:                 clerkship
English proficiency:
Choice 1:                     (course code and block, e.g. MED-401 2027-03)
Choice 2:
Choice 3:
Faculty contact:"""
# CRLF line ends; long headers (Message-IDs in References) left unfolded, not encoded.
REPLY_POLICY = email.policy.SMTP.clone(max_line_length=998)
SCHEMA = """
CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS applications(id INTEGER PRIMARY KEY, reference TEXT UNIQUE,
  email TEXT, name TEXT, school TEXT, form_json TEXT, created_at TEXT);
CREATE TABLE IF NOT EXISTS ledger(id INTEGER PRIMARY KEY, uid INTEGER, message_id TEXT,
  sha256 TEXT, class TEXT);
CREATE INDEX IF NOT EXISTS ledger_identity ON ledger(sha256, message_id);
CREATE TABLE IF NOT EXISTS documents(id INTEGER PRIMARY KEY, application_id INTEGER,
  sha256 TEXT, filename TEXT, content_type TEXT, size INTEGER);
CREATE TABLE IF NOT EXISTS outbox(id INTEGER PRIMARY KEY, message_id TEXT, recipient TEXT,
  raw BLOB, sent_at TEXT);
"""


def clean(s, one_line=False):
    """Text safe to store and to send: raw 8-bit bytes (surrogates) become "?"."""
    s = s.encode("utf-8", "replace").decode("utf-8")
    return re.sub(r"[\x00-\x1f\x7f]+", " ", s).strip() if one_line else s


def header(msg, name):
    """A header as one line of text, or "" when absent or when parsing it raises."""
    try:
        v = msg[name]
        return "" if v is None else clean(str(v), one_line=True)
    except Exception:
        return ""


def part_text(part):
    try:
        return clean(part.get_content())
    except Exception:  # unknown charset, broken transfer encoding, ...
        data = part.get_payload(decode=True) or b""
        return data.decode("utf-8", "replace")


def html_to_text(s):
    s = BREAK.sub("\n", re.sub(r"\s+", " ", s))  # source line ends are spaces in HTML
    return html.unescape(TAG.sub("", s)).replace("\xa0", " ")


def is_attachment(part):
    if part.is_multipart():
        return False
    disp = (part.get_content_disposition() or "").lower()
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if disp == "inline" and part.get("Content-ID"):  # a signature logo, not a document
        return False
    return disp == "attachment" or bool(name)


def find_form(text):
    form = {}
    for line in text.splitlines():
        if line.startswith(">"):
            continue
        m = FORM_LINE.match(line)
        if not m:
            continue
        key = re.sub(r"[ \t_-]+", "_", m.group(1).strip().lower())
        value = m.group(2).strip().strip("*").strip()
        if value.startswith("(") and value.endswith(")"):
            value = ""  # the blank form's hint, not an answer
        form.setdefault(key, value)
    filled = [k for k, v in form.items() if v and (k in KNOWN or k.startswith("choice_"))]
    return form if form.get("full_name") and len(filled) >= 3 else None


def is_automatic(msg):
    auto = header(msg, "Auto-Submitted").lower()
    try:
        null_path = any(str(rp).strip() == "<>" for rp in msg.get_all("Return-Path", []))
    except Exception:
        null_path = False
    return ((auto != "" and not auto.startswith("no")) or null_path
            or header(msg, "Precedence").lower() in ("bulk", "junk", "list")
            or any(k.lower().startswith("list-") for k in msg.keys())
            or "X-Auto-Response-Suppress" in msg
            or msg.get_content_type() == "multipart/report")


def next_reference(db, year):
    db.execute("INSERT OR IGNORE INTO counters VALUES (?, 0)", (str(year),))
    db.execute("UPDATE counters SET value = value + 1 WHERE name = ?", (str(year),))
    n = db.execute("SELECT value FROM counters WHERE name = ?", (str(year),)).fetchone()[0]
    return "ECP-%d-%05d" % (year, n)


def build_reply(args, msg, to, reference, body):
    r = EmailMessage(policy=REPLY_POLICY)
    r["From"] = args.sender
    r["To"] = to
    subject = header(msg, "Subject")
    if not subject.lower().startswith("re:"):
        subject = "Re: " + subject
    r["Subject"] = "%s [%s]" % (subject, reference)
    msgid = header(msg, "Message-ID")
    if msgid:
        r["In-Reply-To"] = msgid
        r["References"] = msgid
    r["Auto-Submitted"] = "auto-replied"
    r["Date"] = email.utils.formatdate(localtime=True)
    r["Message-ID"] = email.utils.make_msgid(domain="example.edu")
    r.set_content(body, charset="utf-8")
    return r["Message-ID"], r.as_bytes()


def store_document(docdir, data):
    sha = hashlib.sha256(data).hexdigest()
    path = os.path.join(docdir, sha[:2], sha)
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        tmp = path + ".tmp"
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # durable before the transaction that names it commits
        os.rename(tmp, path)
    return sha


def process(args, db, uid, raw):
    """File one message in the open transaction; queue its reply if it gets one."""
    sha = hashlib.sha256(raw).hexdigest()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    msgid = header(msg, "Message-ID")

    def ledger(cls):
        db.execute("INSERT INTO ledger(uid, message_id, sha256, class) VALUES (?,?,?,?)",
                   (uid, msgid, sha, cls))
    if db.execute("SELECT 1 FROM ledger WHERE sha256 = ? AND message_id = ?",
                  (sha, msgid)).fetchone():
        return ledger("duplicate")
    if is_automatic(msg):
        return ledger("automatic")
    text, html_text, attachments = None, None, []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if is_attachment(part):
            attachments.append(part)
        elif ctype == "text/plain" and text is None:
            text = part_text(part)
        elif ctype == "text/html" and html_text is None:
            html_text = part_text(part)
    if text is None:
        text = html_to_text(html_text) if html_text is not None else ""
    form = find_form(text)
    for part in attachments:
        if form is None and part.get_content_type() == "text/plain":
            data = part.get_payload(decode=True) or b""
            if len(data) <= 65536:
                form = find_form(data.decode("utf-8", "replace"))
    try:
        address = msg["From"].addresses[0]
        name, sender = clean(address.display_name, True), clean(address.addr_spec, True)
    except Exception:
        name, sender = email.utils.parseaddr(header(msg, "From"))
    if not sender or "@" not in sender:
        return ledger("no-sender")
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    reference = next_reference(db, time.localtime().tm_year)
    ledger("application" if form else "first-contact")
    if form:
        app_id = db.execute(
            "INSERT INTO applications(reference, email, name, school, form_json, created_at)"
            " VALUES (?,?,?,?,?,?)", (reference, sender, form["full_name"],
                                      form.get("medical_school", ""), json.dumps(form), now)).lastrowid
        listed = []
        for part in attachments:
            data = part.get_payload(decode=True) or b""
            try:
                filename = clean(part.get_filename() or "unnamed", one_line=True)
            except Exception:
                filename = "unnamed"
            db.execute("INSERT INTO documents(application_id, sha256, filename, content_type, size)"
                       " VALUES (?,?,?,?,?)", (app_id, store_document(args.documents, data),
                                               filename, part.get_content_type(), len(data)))
            listed.append("  - %s (%s, %d bytes)" % (filename, part.get_content_type(), len(data)))
        choices = ["  %s: %s" % (k.replace("_", " ").capitalize(), v)
                   for k, v in sorted(form.items()) if k.startswith("choice_") and v]
        body = "\n".join([
            "Dear %s," % form["full_name"], "",
            "Thank you: we have received your application for a visiting clerkship.",
            "Your reference is %s. Please quote it in every message to us." % reference, "",
            "Documents received (%d):" % len(listed)] + (listed or ["  (none)"]) + [
            "", "Your choices:"] + (choices or ["  (none given)"]) + [
            "", "We will write again once the registrar has reviewed your file.",
            "This is an automatic receipt; you can reply to it.", "",
            "Exchange Clerkship Program", ""])
    else:
        body = "\n".join([
            "Dear %s," % (name or "applicant"), "",
            "Thank you for your message (reference %s)." % reference,
            "To apply for a visiting clerkship, reply with the form below filled in",
            "and attach your documents (transcript, Dean's letter, immunisations).", "",
            BLANK_FORM, "", "Exchange Clerkship Program", ""])
    out_id, out_raw = build_reply(args, msg, sender, reference, body)
    db.execute("INSERT INTO outbox(message_id, recipient, raw) VALUES (?,?,?)",
               (out_id, sender, out_raw))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--imap-host", default="127.0.0.1")
    p.add_argument("--imap-port", type=int, default=143)
    p.add_argument("--user", required=True)
    p.add_argument("--password-file", required=True)
    p.add_argument("--smtp-host", default="127.0.0.1")
    p.add_argument("--smtp-port", type=int, default=25)
    p.add_argument("--db", required=True)
    p.add_argument("--documents", required=True)
    p.add_argument("--from", dest="sender", required=True)
    p.add_argument("--batch", type=int, default=100)
    args = p.parse_args()
    with open(args.password_file) as f:
        password = f.readline().rstrip("\r\n")
    envelope_from = email.utils.parseaddr(args.sender)[1]

    start = time.monotonic()
    db = sqlite3.connect(args.db, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    os.makedirs(args.documents, mode=0o700, exist_ok=True)

    imap = imaplib.IMAP4(args.imap_host, args.imap_port)
    imap.login(args.user, password)
    imap.create("Processed")  # a NO when it exists already is fine
    typ, _ = imap.select("INBOX")
    if typ != "OK":
        raise SystemExit("reference: cannot select INBOX")
    typ, data = imap.uid("SEARCH", "ALL")
    uids = data[0].split() if data and data[0] else []
    smtp = smtplib.SMTP(args.smtp_host, args.smtp_port)
    smtp.ehlo()

    total = 0
    for i in range(0, len(uids), args.batch):
        uidset = b",".join(uids[i:i + args.batch]).decode()
        typ, data = imap.uid("FETCH", uidset, "(BODY.PEEK[])")
        if typ != "OK":
            raise SystemExit("reference: UID FETCH failed: %r" % data)
        db.execute("BEGIN")
        for item in data:
            if not isinstance(item, tuple):
                continue  # the closing ")" of each response
            m = re.search(rb"UID (\d+)", item[0])
            uid = int(m.group(1)) if m else 0
            db.execute("SAVEPOINT message")
            try:
                process(args, db, uid, item[1])
            except Exception as e:  # file it as unprocessable and go on
                print("reference: UID %d: %s: %s" % (uid, type(e).__name__, e), file=sys.stderr)
                db.execute("ROLLBACK TO message")
                db.execute("INSERT INTO ledger(uid, sha256, class) VALUES (?,?,?)",
                           (uid, hashlib.sha256(item[1]).hexdigest(), "error"))
            db.execute("RELEASE message")
            total += 1
        db.execute("COMMIT")
        typ, data = imap.uid("MOVE", uidset, "Processed")
        if typ != "OK":
            raise SystemExit("reference: UID MOVE failed: %r" % data)
        pending = db.execute("SELECT id, recipient, raw FROM outbox WHERE sent_at IS NULL"
                             " ORDER BY id").fetchall()
        sent = []
        for oid, rcpt, raw in pending:
            smtp.sendmail(envelope_from, [rcpt], raw)
            sent.append((time.strftime("%Y-%m-%d %H:%M:%S"), oid))
        db.execute("BEGIN")
        db.executemany("UPDATE outbox SET sent_at = ? WHERE id = ?", sent)
        db.execute("COMMIT")

    imap.close()
    imap.logout()
    smtp.quit()
    db.close()
    secs = time.monotonic() - start
    print("reference: %d messages, %.2f seconds, %.1f msg/s"
          % (total, secs, total / secs if secs > 0 else 0.0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
