#!/bin/bash
# bench/fifty.sh [HISTORY]: the 50-year store rows of issue #19 (bench/fifty.c):
# each operation on a store with only this term and on one with 50 years of
# history before it (HISTORY applications, default 100,000, ten messages and
# one reply each). About 1-2 minutes, most of it making the big store once.
# Prints one line per operation, for bench/run.sh to copy into its table:
#   fifty: <op> empty <cpu s> s, 50 years <cpu s> s, ratio <r> (target <= 1.2) <ok|OVER>; wall <s> s, <s> s, ratio <r>
# op is message, list, show, status, digest; the ratio judged is CPU seconds
# (medians of 11 runs), the wall one is printed beside it. Exit 0 when all are
# within 1.2, 2 when one is over, 1 when it could not run.
set -u
cd "$(dirname "$0")/.." || exit 1
make -s bench/fifty >&2 || exit 1
top_srcdir=$(pwd) exec bench/fifty "${1:-100000}"
