#!/usr/bin/env bash
# What `index compact` gives back (README § Checking incoming feeds):
# a mixed corpus of N articles (default 10000) added in five batches, then
# compacted; prints the sizes and the time.
#
#   benches/index_compact.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
cargo build --release --quiet
B=$PWD/target/release/newsdedup
W=target/index-compact
rm -rf "$W" && mkdir -p "$W"
"$B" generate --from testdata/ecbplus/docs.jsonl --tier mixed --scale "$n" -o "$W/corpus.jsonl" 2>/dev/null
split -n l/5 -d --additional-suffix=.jsonl "$W/corpus.jsonl" "$W/part"
"$B" index create "$W/held.db" 2>/dev/null
for part in "$W"/part0*.jsonl; do "$B" index add "$W/held.db" "$part" 2>/dev/null; done
/usr/bin/time -f 'index compact: %e s, peak %M KB' "$B" index compact "$W/held.db"
