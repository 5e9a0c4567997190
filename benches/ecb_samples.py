#!/usr/bin/env python3
"""Event clustering on parts of ECB+ (README § Event clustering).

    cargo build --release && benches/ecb_samples.py

Mean adjusted Rand index (`newsdedup eval --level event --gold-field event`)
of three samples each, for flag sets given as arguments separated by `--`
(default: the old defaults, `--no-places`, and the defaults):
- random samples of 60, 200 and 479 articles (small inputs; 479 is the size
  of a TDT-style topic set);
- k reports of every one of the 86 events (k = 2, 3, 5): few reports per
  event, as in local news;
- all reports of one of the two events of every topic ("event/topic": 43
  events of different kinds, about 490 articles, as in a TDT-style set of
  distinct topics).

    benches/ecb_samples.py --unshared-norm 1 --event-threshold 0.18 -- (defaults)
"""
import collections
import json
import os
import random
import re
import subprocess
import sys
import tempfile

import flagsets

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "newsdedup")
DOCS = os.path.join(ROOT, "testdata", "ecbplus", "docs.jsonl")

args = sys.argv[1:]
if args:
    flag_sets = flagsets.flag_sets(args)
else:
    flag_sets = [["--unshared-norm", "0", "--no-places", "--no-hubs"], ["--no-places"], []]

lines = open(DOCS).read().splitlines(keepends=True)
rows = [json.loads(l) for l in lines]
by_event = collections.defaultdict(list)
for line, r in zip(lines, rows):
    by_event[r["event"]].append(line)
work = tempfile.mkdtemp()


def ari(sample, flags):
    path = os.path.join(work, "sample.jsonl")
    with open(path, "w") as f:
        f.writelines(sample)
    out = subprocess.run([BIN, "eval", path, "--level", "event", "--gold-field", "event"] + flags,
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"adjusted Rand index\s+(-?[0-9.]+)", out).group(1))


def samples():
    for size in (60, 200, 479):
        yield f"random {size}", [random.Random(seed).sample(lines, size) for seed in range(3)]
    for k in (2, 3, 5):
        sets = []
        for seed in range(3):
            rng = random.Random(seed)
            sets.append([l for e in sorted(by_event) for l in rng.sample(by_event[e], min(k, len(by_event[e])))])
        yield f"{k} per event", sets
    # One of the two events of every topic, all its reports: 43 events of
    # 43 different kinds, as in a TDT-style set of distinct topics.
    topic_of = {e: json.loads(by_event[e][0])["topic"] for e in by_event}
    sets = []
    for seed in range(3):
        rng = random.Random(seed)
        chosen = {}
        for e in sorted(by_event):
            chosen.setdefault(topic_of[e], []).append(e)
        sets.append([l for t in sorted(chosen) for l in by_event[rng.choice(chosen[t])]])
    yield "event/topic", sets


print("flag sets: " + " | ".join(" ".join(f) or "(defaults)" for f in flag_sets))
for name, sets in samples():
    means = [sum(ari(s, flags) for s in sets) / len(sets) for flags in flag_sets]
    print(f"{name:<14}" + "".join(f"{m:>9.3f}" for m in means))
