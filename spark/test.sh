#!/usr/bin/env bash
# Equivalence test of the Spark job: on each corpus, `newsdedup dedup
# --shardable` and `spark-submit spark/newsdedup_dedup.py` (local[2], several
# shards) with the same flags must write the same cleaned corpus and the same
# removal report, byte for byte. Exit 1 on any difference.
#
# Corpora: the gentle and heavy ECB+ tiers, a 20k mixed corpus, and a small
# corpus of bad records (malformed JSON, a duplicate id in another shard,
# pages of chrome, blank lines, CRLF) run with --keep first.
#
# Environment: NEWSDEDUP_BIN (a built binary; default: cargo build --release),
# NEWSDEDUP_SPARK_VENV (default spark/.venv; pyspark 4.3.0 is installed into
# it when missing), TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

venv=${NEWSDEDUP_SPARK_VENV:-$root/spark/.venv}
if [ ! -x "$venv/bin/spark-submit" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pyspark==4.3.0
fi
if [ -z "${NEWSDEDUP_BIN:-}" ]; then
  cargo build --release --locked --quiet
  NEWSDEDUP_BIN=$root/target/release/newsdedup
fi
bin=$NEWSDEDUP_BIN

export SPARK_LOCAL_IP=127.0.0.1
export PYSPARK_PYTHON=$venv/bin/python
export PYSPARK_DRIVER_PYTHON=$venv/bin/python

tmp=$(mktemp -d "${TMPDIR:-/tmp}/newsdedup-spark.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

ecb=$root/testdata/ecbplus/docs.jsonl
"$bin" generate --from "$ecb" --tier gentle -o gentle.jsonl 2>/dev/null
"$bin" generate --from "$ecb" --tier heavy -o heavy.jsonl 2>/dev/null
"$bin" generate --from "$ecb" --tier mixed --scale 20000 -o mixed20k.jsonl 2>/dev/null
# Bad records, and ids repeated in a later shard.
{
  cat "$root/testdata/incoming.jsonl"
  printf '\n   \n'
  printf '{"id":"crlf-1","text":"A line ending in CR LF.\\nSecond line of it."}\r\n'
  printf '{"id":"chrome-1","text":"Sign In\\nWe have sent you a verification email. Please verify your email to continue.\\nCreate an account"}\n'
  printf '{"id":"","text":"no id"}\n{"id":"x-1"}\n{"id":"x-2","text":""}\n{"id": 5, "text":"number id"}\n'
  head -n 300 gentle.jsonl
  cat "$root/testdata/incoming.jsonl"
  head -n 40 heavy.jsonl
} > bad.jsonl

status=0
check() {
  local name=$1 shard_bytes=$2
  shift 2
  "$bin" dedup --shardable "$@" "$name.jsonl" -o "$name.dedup.jsonl" \
    --report "$name.dedup-removed.jsonl" 2>"$name.dedup.log"
  local t0=$SECONDS
  "$venv/bin/spark-submit" --master 'local[2]' "$root/spark/newsdedup_dedup.py" \
    "$name.jsonl" "$name.spark" --binary "$bin" --shard-bytes "$shard_bytes" "$@" \
    >"$name.spark.log" 2>&1 || { echo "spark job failed on $name:"; tail -n 30 "$name.spark.log"; status=1; return; }
  local verdict=same
  cmp -s "$name.dedup.jsonl" "$name.spark/cleaned.jsonl" || verdict=DIFFERENT
  cmp -s "$name.dedup-removed.jsonl" "$name.spark/removed.jsonl" || verdict=DIFFERENT
  # Informational: whether the --shardable rules changed dedup's own output.
  "$bin" dedup "$@" "$name.jsonl" -o "$name.plain.jsonl" --report "$name.plain-removed.jsonl" 2>/dev/null
  local plain=same
  cmp -s "$name.dedup.jsonl" "$name.plain.jsonl" && cmp -s "$name.dedup-removed.jsonl" "$name.plain-removed.jsonl" || plain=different
  printf '%-9s %s  (%s records, %s report lines, %ss; dedup without --shardable: %s)\n' \
    "$name" "$verdict" "$(wc -l <"$name.dedup.jsonl")" "$(wc -l <"$name.dedup-removed.jsonl")" \
    "$((SECONDS - t0))" "$plain"
  if [ "$verdict" != same ]; then
    status=1
    diff <(head -c 100000 "$name.dedup-removed.jsonl") <(head -c 100000 "$name.spark/removed.jsonl") | head -n 10 || true
  fi
}

check gentle 1000000
check heavy 1000000
check mixed20k 8000000
check bad 100000 --keep first
exit $status
