#!/usr/bin/env bash
# Are the outputs of the working tree byte-identical to those of another commit?
#
#   scripts/compare-outputs.sh BASE            # e.g. scripts/compare-outputs.sh main~3
#   KEEP=1 scripts/compare-outputs.sh BASE     # keep target/compare/ for inspection
#
# Builds BASE (in a temporary git worktree, its own target directory) and the
# working tree, both in release mode, runs the same commands with each binary
# and compares every output file and stdout byte for byte:
#   - generate: the gentle, heavy and mixed tiers from ECB+
#   - dedup of each tier: cleaned corpus, removal report, stdout
#   - cluster of ECB+ (-o and the summary), of the seeds folder
#   - merge of ECB+ (--format json), of the seeds
#   - index add of the ECB+ originals, check --format json of the heavy
#     copies, check --level event --format json
# Prints one line per output (same / DIFFERENT) and exits 1 when any differs.
# For refactors that must not change behaviour.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: scripts/compare-outputs.sh BASE_COMMIT}
base_sha=$(git rev-parse --verify "$base^{commit}")
work=target/compare
rm -rf "$work"
mkdir -p "$work/base" "$work/head"
tree="$work/base-tree"
git worktree add --detach --force "$tree" "$base_sha" >/dev/null 2>&1
trap 'git worktree remove --force "$tree" >/dev/null 2>&1 || true' EXIT

echo "building $base ($base_sha) and the working tree" >&2
(cd "$tree" && CARGO_TARGET_DIR="$PWD/../../compare-base-target" cargo build --release --quiet)
cargo build --release --quiet
bin_base=target/compare-base-target/release/newsdedup
bin_head=${CARGO_TARGET_DIR:-target}/release/newsdedup

run_all() {
  # Both binaries write to the same place (paths appear in reports), then
  # their outputs are moved aside.
  local bin=$1 dest=$2 out="$work/run"
  rm -rf "$out" && mkdir -p "$out"
  local ecb=testdata/ecbplus/docs.jsonl
  for tier in gentle heavy mixed; do
    "$bin" generate --from "$ecb" --tier "$tier" -o "$out/$tier.jsonl" 2>/dev/null
    # Both binaries dedup the base's tier, so a difference in generate
    # does not hide one in dedup.
    "$bin" dedup "$work/input/$tier.jsonl" -o "$out/$tier-clean.jsonl" \
      --report "$out/$tier-report.jsonl" >"$out/$tier-dedup.txt" 2>/dev/null
  done
  "$bin" cluster "$ecb" -o "$out/ecb-clusters.jsonl" --summary "$out/ecb-summary.txt" \
    >"$out/ecb-cluster.txt" 2>/dev/null
  "$bin" cluster testdata/seeds >"$out/seeds-cluster.txt" 2>/dev/null
  "$bin" dedup testdata/seeds testdata/incoming.jsonl >"$out/seeds-dedup.txt" 2>/dev/null
  "$bin" merge "$ecb" --format json -o "$out/ecb-merge.jsonl" >/dev/null 2>&1
  "$bin" merge testdata/seeds.jsonl --format json >"$out/seeds-merge.jsonl" 2>/dev/null
  python3 - "$work/input/heavy.jsonl" "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
out = sys.argv[2]
with open(out + '/held.jsonl', 'w') as f:
    f.writelines(json.dumps(r) + '\n' for r in rows if r['variant'] == 'original')
with open(out + '/incoming.jsonl', 'w') as f:
    f.writelines(json.dumps(r) + '\n' for r in rows if r['variant'] != 'original')
PY
  "$bin" index create "$out/held.db" 2>/dev/null
  "$bin" index add "$out/held.db" "$out/held.jsonl" >"$out/index-add.txt" 2>/dev/null
  "$bin" check "$out/held.db" "$out/incoming.jsonl" --format json \
    >"$out/check.json" 2>/dev/null || true
  "$bin" check "$out/held.db" "$ecb" --level event --format json \
    >"$out/check-event.json" 2>/dev/null || true
  rm -f "$out/held.db"
  mv "$out"/* "$dest"/
}

mkdir -p "$work/input"
for tier in gentle heavy mixed; do
  "$bin_base" generate --from testdata/ecbplus/docs.jsonl --tier "$tier" \
    -o "$work/input/$tier.jsonl" 2>/dev/null
done
echo "running $base" >&2
run_all "$bin_base" "$work/base"
echo "running the working tree" >&2
run_all "$bin_head" "$work/head"

status=0
for f in "$work"/base/*; do
  name=$(basename "$f")
  if cmp -s "$f" "$work/head/$name"; then
    echo "same       $name"
  else
    echo "DIFFERENT  $name"
    status=1
  fi
done
[ "${KEEP:-}" = 1 ] || rm -rf "$work"
exit $status
