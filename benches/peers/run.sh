#!/usr/bin/env bash
# Peer comparison: newsdedup vs datasketch, rensa and gaoya on generated
# corpora (real ECB+ text plus syndicated copies, mixed tiers: `mixed` with
# the usual 4-15 sentence synthetic originals, `long` with 2-5 kB ones), same
# shingling (word 3-grams), 128 permutations, same threshold; and the floor
# (benches/floor.rs: read, parse and tokenize the corpus, nothing else).
# Prints one JSON line per run and a table per corpus with ratios to the
# fastest peer and the floor; then an HTML row (extraction pages/s and F1
# against Python trafilatura, extraction.py).
#
#   benches/peers/run.sh [ARTICLES]      (default 200000)
#   THRESHOLDS="0.5 0.3" benches/peers/run.sh   (peer thresholds; default 0.5)
#   CORPORA=long benches/peers/run.sh    (corpora; default "mixed long")
#   TOOLS="floor newsdedup" benches/peers/run.sh   (skip the peers)
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
(cd "$root" && cargo build --release --quiet && cargo build --release --quiet --example floor)
bin="$root/target/release/newsdedup"
floor="$root/target/release/examples/floor"
for kind in ${CORPORA:-mixed long}; do
  case "$kind" in
    mixed) corpus="$work/corpus-$n.jsonl"; flags=() ;;
    long) corpus="$work/long-$n.jsonl"; flags=(--long) ;;
    *) echo "unknown corpus $kind (mixed or long)" >&2; exit 2 ;;
  esac
  [ -f "$corpus" ] || "$bin" generate --from "$root/testdata/ecbplus/docs.jsonl" --tier mixed --scale "$n" "${flags[@]}" -o "$corpus"
  results="$work/results-$kind-$n.jsonl"
  : > "$results"
  for tool in ${TOOLS:-floor newsdedup rensa gaoya datasketch}; do
    case "$tool" in
      floor) "$venv/bin/python" "$here/peers.py" "$corpus" --tool floor --binary "$floor" | tee -a "$results" ;;
      newsdedup) "$venv/bin/python" "$here/peers.py" "$corpus" --tool newsdedup --binary "$bin" | tee -a "$results" ;;
      *) for t in ${THRESHOLDS:-0.5}; do
           "$venv/bin/python" "$here/peers.py" "$corpus" --tool "$tool" --threshold "$t" | tee -a "$results"
         done ;;
    esac
  done
  "$venv/bin/python" "$here/table.py" "$results" "$(nproc)" "$kind corpus:"
done
# HTML row: main-text extraction, pages/s and F1, on the article extraction
# benchmark's pages when they are there (AEB=dir to name them).
aeb="${AEB:-$root/../shared/data/aeb}"
if [ -f "$aeb/ground-truth.json" ]; then
  "$venv/bin/python" "$here/extraction.py" "$aeb" --binary "$bin"
fi
