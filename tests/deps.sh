#!/bin/sh
# No include or call circle among the modules of src/ (contrib/deps.py): data
# flows one way, from the entry points through the domain to the store.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
if out=$(python3 "$top_srcdir/contrib/deps.py" "$top_builddir" 2>&1); then
	echo "ok 1 - no include or call circle among src/ modules"
else
	echo "not ok 1 - circles among src/ modules"
	echo "$out" | sed 's/^/# /'
fi
echo "1..1"
