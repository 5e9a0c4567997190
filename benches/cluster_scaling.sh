#!/usr/bin/env bash
# Event clustering at growing corpus sizes: wall time and peak memory of
# `newsdedup cluster` (duplicate removal included) on the generated
# benchmark (ECB+ articles, their copies, and synthetic originals).
#
# Usage: benches/cluster_scaling.sh [SIZES...]   (default: 10000 50000 200000)
# Needs GNU time (/usr/bin/time). Work files go to $SCALING_WORK or target/scaling.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10000 50000 200000}")
read -r -a sizes <<<"${sizes[*]}"
work="${SCALING_WORK:-target/scaling}"
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/newsdedup
printf '%-9s %-10s %-8s %-9s %-10s %-12s\n' articles clustered events "wall s" "peak MB" "articles/s"
for n in "${sizes[@]}"; do
  corpus="$work/mixed-$n.jsonl"
  [ -s "$corpus" ] || "$bin" generate --from testdata/ecbplus/docs.jsonl --tier mixed --scale "$n" -o "$corpus" 2>/dev/null
  /usr/bin/time -f '%e %M' -o "$work/time-$n" "$bin" cluster "$corpus" -o "$work/clusters-$n.jsonl" --top 1 >/dev/null 2>"$work/log-$n"
  read -r wall kb <"$work/time-$n"
  summary=$(grep '^read' "$work/log-$n")
  events=$(sed -E 's/.*: ([0-9]+) events.*/\1/' <<<"$summary")
  clustered=$(sed -E 's/.* over ([0-9]+) articles.*/\1/' <<<"$summary")
  printf '%-9s %-10s %-8s %-9s %-10s %-12s\n' "$n" "$clustered" "$events" "$wall" "$((kb / 1024))" \
    "$(awk -v n="$n" -v w="$wall" 'BEGIN { printf "%.0f", n / w }')"
done
