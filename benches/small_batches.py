#!/usr/bin/env python3
"""Event clustering on small batches of ECB+ (README § Event clustering).

    cargo build --release && benches/small_batches.py [extra cluster flags]

For each ECB+ event, its first two and its first three reports are clustered
alone (`newsdedup cluster`): how often they come out as one event; and for
each topic, the first report of each of its two largest events: how often
they are kept apart.
"""
import collections
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "newsdedup")
extra = sys.argv[1:]
rows = [json.loads(l) for l in open(os.path.join(ROOT, "testdata", "ecbplus", "docs.jsonl"))]
by = collections.defaultdict(lambda: collections.defaultdict(list))
for r in rows:
    by[r["topic"]][r["event"]].append(r)
work = tempfile.mkdtemp()


def one_event(docs):
    batch, out = os.path.join(work, "in.jsonl"), os.path.join(work, "out.jsonl")
    with open(batch, "w") as f:
        f.writelines(json.dumps(d) + "\n" for d in docs)
    subprocess.run([BIN, "cluster", batch, "-o", out] + extra, check=True, capture_output=True)
    return len({json.loads(l)["event"] for l in open(out)}) == 1


pairs = triples = apart = 0
n_pairs = n_triples = n_apart = 0
for topic, events in sorted(by.items()):
    for members in events.values():
        if len(members) >= 2:
            n_pairs += 1
            pairs += one_event(members[:2])
        if len(members) >= 3:
            n_triples += 1
            triples += one_event(members[:3])
    largest = sorted(events.values(), key=len, reverse=True)
    if len(largest) >= 2:
        n_apart += 1
        apart += not one_event([largest[0][0], largest[1][0]])
print(f"pairs of one event together {pairs}/{n_pairs}; triples {triples}/{n_triples}; "
      f"two events of one topic apart {apart}/{n_apart}")
