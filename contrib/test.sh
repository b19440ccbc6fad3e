#!/bin/sh
# contrib/test.sh: set up, then run the whole test suite: unit, corpus and
# end-to-end tests against a real Dovecot and SMTP receiver (make check), the
# same under AddressSanitizer and UBSan, and make distcheck.
#   contrib/test.sh          everything
#   contrib/test.sh --quick  make check only
# Test logs: tests/*.log, _build/asan/tests/*.log.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
contrib/setup.sh || exit 1

status=0
make -j"$(nproc)" check || status=1
[ "${1:-}" = --quick ] && exit $status

# The sanitizer build, from a clean copy of the sources.
rm -rf _build/asan
mkdir -p _build
make distdir distdir=_build/asan >/dev/null || exit 1
(
	cd _build/asan &&
	./configure --enable-werror --enable-sanitizers >/dev/null &&
	make -j"$(nproc)" >/dev/null &&
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	CLERKD_SHARED_CORPUS="$top/../shared/corpus" \
	make -j"$(nproc)" check
) || status=1

make distcheck >_build/distcheck.log 2>&1 || { tail -40 _build/distcheck.log; status=1; }
grep -E '^(=+|clerkd-.* archives ready)' _build/distcheck.log | tail -3
exit $status
