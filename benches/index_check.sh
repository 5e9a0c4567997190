#!/usr/bin/env bash
# Quality and cost of `index` + `check`, as reported in the README.
#
#   benches/index_check.sh            # gentle and heavy tiers (seconds)
#   benches/index_check.sh 100000     # also: add 100k held articles, check a batch
#   NO_BUILD=1 benches/index_check.sh # with the release binary already built
#   RARE_SLOTS=32 benches/index_check.sh 100000   # index create --rare-slots 32
#
# Quality: the ECB+ originals of the generated benchmark are held, their
# copies are checked; a copy counts as found when it is flagged with an
# article of its own duplicate group (held or incoming).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet
B=target/release/newsdedup
W=target/index-check
mkdir -p "$W"
for tier in gentle heavy; do
  $B generate --from testdata/ecbplus/docs.jsonl --tier "$tier" -o "$W/$tier.jsonl" 2>/dev/null
  python3 - "$W/$tier.jsonl" <<'PY'
import json, sys
path = sys.argv[1]
rows = [json.loads(l) for l in open(path)]
with open(path.replace('.jsonl', '-held.jsonl'), 'w') as f:
    f.writelines(json.dumps(r) + '\n' for r in rows if r['variant'] == 'original')
with open(path.replace('.jsonl', '-incoming.jsonl'), 'w') as f:
    f.writelines(json.dumps(r) + '\n' for r in rows if r['variant'] != 'original')
PY
  rm -f "$W/$tier.db"
  $B index create "$W/$tier.db" ${RARE_SLOTS:+--rare-slots "$RARE_SLOTS"} 2>/dev/null
  $B index add "$W/$tier.db" "$W/$tier-held.jsonl" 2>/dev/null
  $B check "$W/$tier.db" "$W/$tier-incoming.jsonl" --format json -o "$W/$tier-check.json" 2>/dev/null || true
  python3 - "$tier" "$W/$tier.jsonl" "$W/$tier-check.json" <<'PY'
import json, sys
tier, gold_path, report_path = sys.argv[1:]
group = {json.loads(l)['id']: json.loads(l)['dup_group'] for l in open(gold_path)}
report = json.load(open(report_path))
tp = fp = fn = 0
for r in report['records']:
    g = group[r['id']]
    if r['status'] in ('copy_of_held', 'changed_copy'):
        other = r['held']['id']
    elif r['status'] == 'copy_of_incoming':
        other = r['incoming']['id']
    else:
        fn += 1
        continue
    if group[other] == g:
        tp += 1
    else:
        fp += 1
print(f"{tier:8} incoming {tp + fp + fn:6}  recall {tp / (tp + fn):.4f}  precision {tp / max(tp + fp, 1):.4f}")
PY
done

# Event level: every other ECB+ article held, the rest checked with
# --level event; the best held match is right when it has the same gold event.
python3 - <<'PY'
import json
rows = [json.loads(l) for l in open('testdata/ecbplus/docs.jsonl')]
open('target/index-check/ev-held.jsonl', 'w').writelines(json.dumps(r) + '\n' for i, r in enumerate(rows) if i % 2 == 0)
open('target/index-check/ev-incoming.jsonl', 'w').writelines(json.dumps(r) + '\n' for i, r in enumerate(rows) if i % 2 == 1)
PY
rm -f "$W/ev.db"
$B index create "$W/ev.db" ${RARE_SLOTS:+--rare-slots "$RARE_SLOTS"} 2>/dev/null
$B index add "$W/ev.db" "$W/ev-held.jsonl" 2>/dev/null
$B check "$W/ev.db" "$W/ev-incoming.jsonl" --level event --format json -o "$W/ev.json" 2>/dev/null || true
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
gold = {json.loads(l)['id']: json.loads(l)['event'] for l in open('testdata/ecbplus/docs.jsonl')}
held = {gold[json.loads(l)['id']] for l in open(f'{w}/ev-held.jsonl')}
report = json.load(open(f'{w}/ev.json'))
tp = fp = fn = n = 0
for r in report['records']:
    if r['status'] != 'clean':
        continue
    n += 1
    m = r.get('same_event', [])
    if m:
        if gold[m[0]['held']['id']] == gold[r['id']]:
            tp += 1
        else:
            fp += 1
    elif gold[r['id']] in held:
        fn += 1
print(f"event    incoming {n:6}  recall {tp / max(tp + fn, 1):.4f}  precision {tp / max(tp + fp, 1):.4f}  (ECB+ halves, best match's gold event)")
PY

if [ "${1:-}" != "" ]; then
  n=$1
  $B generate --from testdata/ecbplus/docs.jsonl --tier mixed --scale "$n" -o "$W/held-$n.jsonl" 2>/dev/null
  $B generate --from testdata/ecbplus/docs.jsonl --tier mixed --seed 7 -o "$W/batch.jsonl" 2>/dev/null
  rm -f "$W/held-$n.db"
  $B index create "$W/held-$n.db" ${RARE_SLOTS:+--rare-slots "$RARE_SLOTS"} 2>/dev/null
  /usr/bin/time -f "index add  $n articles: %e s, peak RSS %M KB" $B index add "$W/held-$n.db" "$W/held-$n.jsonl" 2>&1 | tail -1
  $B index stats "$W/held-$n.db" | tail -3
  /usr/bin/time -f "check $(wc -l < "$W/batch.jsonl") articles: %e s, peak RSS %M KB" \
    $B check "$W/held-$n.db" "$W/batch.jsonl" -o /dev/null 2>&1 | tail -1
fi
