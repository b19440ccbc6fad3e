#!/bin/bash
# The command-line contract: exit codes and messages, no servers needed.
. "$top_srcdir/tests/lib.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/clerkd-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
IMAP_PORT=1 SMTP_PORT=2
printf 'pw\n' >"$T/imap.pass"
chmod 600 "$T/imap.pass"
write_config

ok "--check-config accepts the test config" "$CLERKD" --config "$T/clerkd.conf" --check-config

sed 's/^user = clerk$/user clerk/' "$T/clerkd.conf" >"$T/bad.conf"
"$CLERKD" --config "$T/bad.conf" --once 2>"$T/err"
is "a malformed line exits 78" "$?" 78
ok "the message names file and line" grep -q -F "$T/bad.conf:4: expected 'key = value'" "$T/err"

sed 's/^\[store\]$/[store]\ncolour = blue/' "$T/clerkd.conf" >"$T/bad.conf"
"$CLERKD" --config "$T/bad.conf" --check-config 2>"$T/err"
is "an unknown key exits 78" "$?" 78
ok "the unknown key is named with its line" grep -q -F "$T/bad.conf:13: unknown key 'colour'" "$T/err"

chmod 644 "$T/imap.pass"
"$CLERKD" --config "$T/clerkd.conf" --check-config 2>"$T/err"
is "a password file others can read exits 78" "$?" 78
ok "and says why" grep -q "chmod 600" "$T/err"
chmod 600 "$T/imap.pass"

mkdir -p "$T/norules"
cp -r "$top_srcdir/rules/." "$T/norules/"
rm -r "$T/norules/templates"
sed "s|^directory = .*|directory = $T/norules|" "$T/clerkd.conf" >"$T/norules.conf"
"$CLERKD" --config "$T/norules.conf" --check-config 2>"$T/err" >/dev/null
is "a rules directory without templates falls back to the shipped ones" "$?" 0
ok "and says so" grep -q "missing; using" "$T/err"
ok "clerkctl rules check calls the missing templates errors" bash -c "! '$CLERKCTL' --config '$T/norules.conf' rules check >'$T/out' 2>&1"
ok "naming them" grep -q -F "$T/norules/templates/receipt.txt:0: missing template" "$T/out"
ok "the shipped rules pass clerkctl rules check" "$CLERKCTL" --config "$T/clerkd.conf" rules check
ok "clerkd --check-config loads the rules" "$CLERKD" --config "$T/clerkd.conf" --check-config

# A broken rule is named with its file and line, by both commands.
mkdir -p "$T/badrules"
cp -r "$top_srcdir/rules/." "$T/badrules/"
sed -i 's/^require = choices >= 1$/require = choices >= 1 AND/' "$T/badrules/eligibility.ini"
line=$(grep -n '^require = choices >= 1 AND$' "$T/badrules/eligibility.ini" | cut -d: -f1)
sed "s|^directory = .*|directory = $T/badrules|" "$T/clerkd.conf" >"$T/badrules.conf"
"$CLERKCTL" --config "$T/badrules.conf" rules check >"$T/out" 2>&1
is "a condition SQLite cannot prepare: rules check exits 1" "$?" 1
ok "with its file and line" grep -q -F "$T/badrules/eligibility.ini:$line: require" "$T/out"
"$CLERKD" --config "$T/badrules.conf" --check-config 2>"$T/err" >/dev/null
is "clerkd --check-config refuses it (exit 78)" "$?" 78
ok "naming the line too" grep -q -F "eligibility.ini:$line:" "$T/err"
cp "$top_srcdir/rules/eligibility.ini" "$T/badrules/eligibility.ini"
printf '\n[Virus scan]\ntitle = Virus scan\n' >>"$T/badrules/documents.ini"
sed -i "s/docs('tdap') >= 1/docs('tdapp') >= 1/" "$T/badrules/documents.ini"
"$CLERKCTL" --config "$T/badrules.conf" rules check >"$T/out" 2>&1
is "unknown kinds: rules check exits 1" "$?" 1
ok "a section that cannot be a kind id, with its line" grep -q -E "documents.ini:[0-9]+: \[Virus scan\]: a kind id is" "$T/out"
ok "an unknown kind in a condition, with its line" grep -q -E "documents.ini:[0-9]+: met: unknown document kind 'tdapp'" "$T/out"
cp "$top_srcdir/rules/documents.ini" "$T/badrules/documents.ini"
# explain-* texts: SQL like the conditions, their kinds checked; a bad month.
sed -i "s/^explain-apart = CASE WHEN docs('tb-ppd')/explain-apart = CASE WHEN docs('tb-ppdd')/; s/^explain-season = CASE WHEN/explain-season = CASE WHEN WHEN/; s/^required = 0$/required = 0\nexplain- = 'x'/" "$T/badrules/documents.ini"
sed -i "s/^flu_season_start_month = .*/flu_season_start_month = 13/" "$T/badrules/policy.ini"
"$CLERKCTL" --config "$T/badrules.conf" rules check >"$T/out" 2>&1
is "bad explain-* and flu_season_start_month: rules check exits 1" "$?" 1
ok "an unknown kind in an explain-*, with its line" grep -q -E "documents.ini:[0-9]+: explain-apart: unknown document kind 'tb-ppdd'" "$T/out"
ok "an explain-* SQLite cannot prepare, with its line" grep -q -E "documents.ini:[0-9]+: explain-season = " "$T/out"
ok "explain- without a name is an unknown key" grep -q -E "documents.ini:[0-9]+: unknown key 'explain-'" "$T/out"
ok "flu_season_start_month is a month" grep -q -E "policy.ini:[0-9]+: flu_season_start_month must be a month, 1 to 12" "$T/out"
cp "$top_srcdir/rules/documents.ini" "$T/badrules/documents.ini"
cp "$top_srcdir/rules/policy.ini" "$T/badrules/policy.ini"
printf 'code,title\nMED-401,x\n' >"$T/badrules/catalog.csv"
printf 'id,start,end\n2027-13,2027-03-01,2027-03-26\n' >"$T/badrules/blocks.csv"
sed -i 's/^toefl_minimum = .*/toefl_minimum = 100\nspeling = x\nbroken line/' "$T/badrules/policy.ini"
"$CLERKCTL" --config "$T/badrules.conf" rules check >"$T/out" 2>&1
is "bad data files: rules check exits 1" "$?" 1
ok "the catalog header" grep -q -F "$T/badrules/catalog.csv:1: the header must be" "$T/out"
ok "a bad block id, with its line" grep -q -F "$T/badrules/blocks.csv:2: block id '2027-13'" "$T/out"
ok "a line that is not key = value" grep -q -E "policy.ini:[0-9]+: expected 'key = value'" "$T/out"

# A text naming a setting policy.ini does not have: refused, by file and line.
mkdir -p "$T/typo"
cp -r "$top_srcdir/rules/." "$T/typo/"
sed -i 's/{{setting:max_choices}}/{{setting:max_choice}}/' "$T/typo/templates/first-contact.txt"
sed -i 's/{{setting:toefl_minimum}}/{{setting:toefl_min}}/' "$T/typo/eligibility.ini"
tline=$(grep -n 'setting:max_choice}}' "$T/typo/templates/first-contact.txt" | cut -d: -f1)
eline=$(grep -n 'setting:toefl_min}}' "$T/typo/eligibility.ini" | cut -d: -f1)
"$CLERKCTL" --config "$T/clerkd.conf" rules check "$T/typo" >"$T/out" 2>&1
is "an unknown {{setting:NAME}}: rules check exits 1" "$?" 1
ok "  in a template, with its file and line" grep -q -F "$T/typo/templates/first-contact.txt:$tline: unknown setting 'max_choice'" "$T/out"
ok "  in a reason, with its file and line" grep -q -F "$T/typo/eligibility.ini:$eline: unknown setting 'toefl_min'" "$T/out"
sed "s|^directory = .*|directory = $T/typo|" "$T/clerkd.conf" >"$T/typo.conf"
rc=0; "$CLERKD" --config "$T/typo.conf" --check-config >"$T/out" 2>&1 || rc=$?
is "  clerkd refuses to start on it" "$rc" 78

mkdir -p "$T/store"
sqlite3 "$T/store/clerkd.db" "PRAGMA user_version = 99"
"$CLERKD" --config "$T/clerkd.conf" --once 2>"$T/err"
is "a database from a newer clerkd is refused (exit 78)" "$?" 78
ok "saying so" grep -q "schema version 99 is newer" "$T/err"
rm -f "$T/store/clerkd.db"

# Migrations: a database of every earlier version, with an application in it,
# opened by this clerkctl: brought up to date, nothing lost.
for v in 1 2 3; do
	db="$T/store/clerkd.db"
	rm -f "$db"
	sqlite3 "$db" <"$DATA/schema-v$v.sql"
	sqlite3 "$db" "INSERT INTO applications (reference, email, name, school, status, form)
		VALUES ('ECP-2026-00042', 'old@example.org', 'Olga Old', 'Example University School of Medicine',
		'received', '{\"full_name\":\"Olga Old\"}');
		INSERT INTO documents (application_id, sha256, filename, size, received)
		VALUES (1, 'ab', 'old.pdf', 3, '2026-01-01')"
	# Complete already (a decision says since when): the day is kept for the
	# documents deadline (v8).
	[ "$v" -ge 2 ] && sqlite3 "$db" "UPDATE applications SET status = 'complete';
		INSERT INTO decisions (application_id, previous, status, missing, reasons, cause, at)
		VALUES (1, 'incomplete', 'complete', '[]', '[]', 'documents received', '2026-11-02 10:00:00')"
	ok "a version $v database opens" "$CLERKCTL" --config "$T/clerkd.conf" list
	is "  and is migrated to the current version" "$(sqlite3 "$db" 'PRAGMA user_version')" 12
	is "  the day it became complete, from its decisions" "$(sqlite3 "$db" 'SELECT complete_on FROM applications')" \
		"$([ "$v" -ge 2 ] && echo 2026-11-02)"
	ok "  its application still there" grep -q '"reference" : "ECP-2026-00042"' <("$CLERKCTL" --config "$T/clerkd.conf" show ECP-2026-00042 --json)
	ok "  with its document" grep -q '"filename" : "old.pdf"' <("$CLERKCTL" --config "$T/clerkd.conf" show ECP-2026-00042 --json)
	is "  and the new tables" "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE name IN ('decisions', 'lotteries', 'assignments', 'waitlist', 'confirmations', 'reminders', 'offers')")" 7
	# A lookup that reads the whole table costs every new application as much
	# as all the earlier ones.
	ok "  the same-person lookup uses an index" grep -q "USING INDEX applications_person" \
		<(sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT reference FROM applications WHERE id <> 1 AND name = 'x' COLLATE NOCASE AND school = 'y' COLLATE NOCASE AND email <> 'z' ORDER BY id LIMIT 1")
	ok "  and so does the lookup by reference" grep -q "USING INDEX applications_reference" \
		<(sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT id, email FROM applications WHERE reference = 'ecp-2026-00042' COLLATE NOCASE")
done
rm -f "$T/store/clerkd.db"

"$CLERKD" --config "$T/missing.conf" --check-config 2>/dev/null
is "a missing config file exits 78" "$?" 78

"$CLERKD" --config "$T/clerkd.conf" --bogus 2>/dev/null
is "an unknown option exits 64" "$?" 64

"$CLERKCTL" --config "$T/clerkd.conf" 2>/dev/null
is "clerkctl without a command exits 64" "$?" 64
"$CLERKCTL" --config "$T/clerkd.conf" list --status nonsense 2>/dev/null
is "clerkctl rejects an unknown status" "$?" 64
is "clerkctl list --json on an empty store is []" "$("$CLERKCTL" --config "$T/clerkd.conf" list --json)" "[]"
"$CLERKCTL" --config "$T/clerkd.conf" show ECP-2026-00001 2>/dev/null
is "clerkctl show of an unknown reference exits 1" "$?" 1

# Every setting of policy.ini (and every one clerkd has a default for) is
# explained for coordinators in rules/README, "Settings, one by one".
sed -n '/^Settings, one by one$/,/^Settings in texts$/p' "$top_srcdir/rules/README" >"$T/explained"
settings=$( (sed -n 's/^\([a-z_][a-z0-9_]*\) *=.*/\1/p' "$top_srcdir/rules/policy.ini"
	sed -n '/^static const char \*const setting_defaults/,/^};/p' "$top_srcdir/src/rules.c" |
		grep -o '{ "[a-z_0-9]*"' | cut -d'"' -f2) | sort -u)
ok "policy.ini has settings to explain" test "$(echo "$settings" | wc -l)" -ge 20
unexplained=""
for s in $settings; do
	grep -q "^$s (default" "$T/explained" || unexplained="$unexplained $s"
done
is "rules/README explains each setting, with its default" "$unexplained" ""

# IMAP unreachable: a temporary failure, exit 75, nothing lost.
"$CLERKD" --config "$T/clerkd.conf" --once 2>"$T/err"
is "an unreachable IMAP server exits 75" "$?" 75
ok "and the log says so" grep -q "IMAP connect" "$T/err"
ok "no secret in the log" bash -c "! grep -q -w pw '$T/err'"
done_testing
