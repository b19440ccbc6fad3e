#!/bin/bash
# The manual pages: each renders without a warning, clerkctl(1)'s synopsis
# names every command clerkctl's usage names, and every staff command word
# (src/cmdparse.c) is in clerkctl(1) and in the staff page clerkd-staff(7).
. "$top_srcdir/tests/lib.sh"
MAN="$top_srcdir/man"

for page in clerkctl.1 clerkd-staff.7 clerkd.8 clerkd.conf.5; do
	is "$page renders without warnings (groff -ww)" "$(groff -man -Tutf8 -ww -z "$MAN/$page" 2>&1 | head -3)" ""
	if command -v man >/dev/null; then
		is "  and with man -l" "$(MANWIDTH=80 man --warnings -l "$MAN/$page" 2>&1 >/dev/null | head -3)" ""
	fi
done
ok "clerkd-staff.7 is installed (Makefile.am)" grep -q "man/clerkd-staff.7" "$top_srcdir/Makefile.am"
ok "README points to it" grep -q "clerkd-staff(7)" "$top_srcdir/README"

# The page as a reader sees it.
synopsis=$(MANWIDTH=200 man -l "$MAN/clerkctl.1" 2>/dev/null | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p')
staff=$(MANWIDTH=200 man -l "$MAN/clerkd-staff.7" 2>/dev/null)
# Every command clerkctl's usage names: its first word after the options.
cmds=$("$CLERKCTL" 2>&1 | sed -n 's/^.*clerkctl \[--config FILE\] \([a-z|]*\).*$/\1/p' | tr '|' '\n' | sort -u)
ok "clerkctl's usage names at least 30 commands" test "$(echo "$cmds" | grep -c .)" -ge 30
for c in $cmds; do
	ok "clerkctl(1) synopsis: $c" grep -q -E "clerkctl \[--config file\] ([a-z]+\|)*$c( |\||$)" <<<"$synopsis"
done
# The verbs of the staff commands, from the parser's table.
verbs=$(sed -n 's/^\t\[CMD_[A-Z]*\] = { "\([a-z]*\)".*/\1/p' "$top_srcdir/src/cmdparse.c")
ok "the parser has 16 verbs" test "$(echo "$verbs" | grep -c .)" = 16
for v in $verbs; do
	ok "clerkctl(1) synopsis: the staff command $v" grep -q -E "clerkctl \[--config file\] ([a-z]+\|)*$v( |\||$)" <<<"$synopsis"
	ok "clerkd-staff(7): $v, with an example or a description" grep -q -E "^ +([a-z]+\|)*$v( |\||$)" <<<"$staff"
done
done_testing
