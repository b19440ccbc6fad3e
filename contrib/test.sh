#!/bin/sh
# contrib/test.sh: set up, then run the whole test suite:
#   1. make check: unit, corpus, fuzz-seed replay and end-to-end tests against
#      a real Dovecot and SMTP receiver                        (budget  5 min)
#   2. the same under AddressSanitizer, UBSan and LeakSanitizer (budget 10 min)
#   3. three end-to-end tests with clerkd under valgrind       (budget  5 min)
#   4. each libFuzzer target for FUZZ_SECONDS (default 60)     (budget  5 min)
#   5. make distcheck                                          (budget 10 min)
#   contrib/test.sh --quick   stage 1 only
# Logs: tests/*.log, _build/asan/tests/*.log, _build/valgrind.log, _build/fuzz/*.log.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
contrib/setup.sh || exit 1
jobs=$(nproc)
status=0
stage() { printf '\n==== %s (%s) ====\n' "$1" "$(date +%T)"; }
mark() {	# mark LOG RESULT NAME: a result line the CI summary counts
	echo "$2: $3" >>"$1"
	echo "$2: $3"
}

stage "make check"
make -j"$jobs" check || status=1
[ "${1:-}" = --quick ] && exit $status

mkdir -p _build
stage "sanitizers: ASan, UBSan, LSan"
rm -rf _build/asan
make distdir distdir=_build/asan >/dev/null || exit 1
(
	cd _build/asan &&
	./configure --enable-werror --enable-sanitizers >/dev/null &&
	make -j"$jobs" >/dev/null &&
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	CLERKD_SHARED_CORPUS="$top/../shared/corpus" \
	make -j"$jobs" check
) || status=1

stage "valgrind: end-to-end tests"
rm -f _build/valgrind.log
supp=/usr/share/glib-2.0/valgrind/glib.supp
if CLERKD_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --suppressions=$supp --suppressions=$top/tests/valgrind.supp" \
	make check TESTS="tests/e2e_basic.sh tests/e2e_rules.sh tests/e2e_schedule.sh" >/dev/null 2>&1; then
	mark _build/valgrind.log PASS "valgrind: no errors or leaks in clerkd over e2e_basic, e2e_rules, e2e_schedule"
else
	mark _build/valgrind.log FAIL "valgrind: see tests/e2e_basic.sh.log, e2e_rules.sh.log, e2e_schedule.sh.log"
	status=1
fi

stage "fuzzing, ${FUZZ_SECONDS:=60} s per target"
rm -rf _build/fuzz
make distdir distdir=_build/fuzz >/dev/null || exit 1
if (cd _build/fuzz && CC=clang ./configure --enable-werror --enable-fuzzing >/dev/null &&
	make -j"$jobs" fuzz/fuzz_message fuzz/fuzz_form fuzz/fuzz_authres fuzz/fuzz_doctext fuzz/fuzz_pdf \
	>/dev/null); then
	for t in message form authres doctext pdf; do
		mkdir -p "_build/fuzz/corpus-$t"
		# fuzz_authres reads its own format: its seeds only; the others all of tests/data.
		seeds=tests/data
		[ "$t" = authres ] && seeds=tests/data/authres
		# fuzz_doctext and fuzz_pdf: the files the tests made (tests/data/docx,
		# tests/data/pdf), and PDFs that Debian packages ship.
		[ "$t" = doctext ] && seeds=tests/data/docx
		[ "$t" = pdf ] && seeds=tests/data/pdf
		cp -r "$seeds/." "_build/fuzz/corpus-$t/"
		[ "$t" = pdf ] && find /usr/share/doc /usr/share/cups /usr/share/poppler -name '*.pdf' \
			-size -1024k 2>/dev/null | head -20 | while read -r p; do cp "$p" "_build/fuzz/corpus-$t/"; done
		if (cd _build/fuzz && ./fuzz/fuzz_$t -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=1024 \
			-max_len=65536 -timeout=10 -print_final_stats=1 "corpus-$t" >"fuzz_$t.out" 2>&1); then
			mark _build/fuzz/fuzz.log PASS "fuzz_$t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "_build/fuzz/fuzz_$t.out" | grep -o '[0-9]*$') runs in ${FUZZ_SECONDS}s, no crash"
		else
			tail -30 "_build/fuzz/fuzz_$t.out"
			mark _build/fuzz/fuzz.log FAIL "fuzz_$t: crash (see _build/fuzz/fuzz_$t.out and crash-* there)"
			status=1
		fi
	done
else
	mark _build/fuzz/fuzz.log FAIL "fuzz: the clang build failed"
	status=1
fi

stage "make distcheck"
if make distcheck >_build/distcheck.log 2>&1; then
	grep -E 'archives ready' _build/distcheck.log
else
	tail -40 _build/distcheck.log
	status=1
fi
exit $status
