#!/usr/bin/env bash
# Peer comparison: newsdedup vs datasketch, rensa and gaoya on one generated
# corpus (real ECB+ text plus syndicated copies, mixed tiers), same shingling
# (word 3-grams), 128 permutations, same threshold. Prints one JSON line per
# run and a table with ratios to the fastest peer; then an HTML row
# (extraction pages/s and F1 against Python trafilatura, extraction.py).
#
#   benches/peers/run.sh [ARTICLES]      (default 200000)
#   THRESHOLDS="0.5 0.3" benches/peers/run.sh   (peer thresholds; default 0.5)
#
# Needs Python 3 with venv and the network for PyPI on first run; takes
# several minutes of CPU. Not part of CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
n="${1:-200000}"
work="${PEERS_WORK:-$root/target/peers}"
mkdir -p "$work"
venv="$work/venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
(cd "$root" && cargo build --release --quiet)
bin="$root/target/release/newsdedup"
corpus="$work/corpus-$n.jsonl"
[ -f "$corpus" ] || "$bin" generate --from "$root/testdata/ecbplus/docs.jsonl" --tier mixed --scale "$n" -o "$corpus"
results="$work/results-$n.jsonl"
: > "$results"
"$venv/bin/python" "$here/peers.py" "$corpus" --tool newsdedup --binary "$bin" | tee -a "$results"
for t in ${THRESHOLDS:-0.5}; do
  for tool in rensa gaoya datasketch; do
    "$venv/bin/python" "$here/peers.py" "$corpus" --tool "$tool" --threshold "$t" | tee -a "$results"
  done
done
"$venv/bin/python" "$here/table.py" "$results" "$(nproc)"
# HTML row: main-text extraction, pages/s and F1, on the article extraction
# benchmark's pages when they are there (AEB=dir to name them).
aeb="${AEB:-$root/../shared/data/aeb}"
if [ -f "$aeb/ground-truth.json" ]; then
  "$venv/bin/python" "$here/extraction.py" "$aeb" --binary "$bin"
fi
