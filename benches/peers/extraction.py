"""HTML row of the peer comparison: main-text extraction on the article
extraction benchmark's pages (../shared/data/aeb by default), newsdedup's
`extract --score` against Python trafilatura (single process, as it is
usually run), scored with the same metric (newsdedup's `bench::extraction`
is that benchmark's evaluate.py; here it is evaluate.py's own code, so both
rows are scored by the reference). Prints one JSON line per tool.

    python extraction.py AEB_DIR --binary target/release/newsdedup
"""
import argparse
import collections
import gzip
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def shingles(text, n=4):
    tokens = TOKEN.findall(text or "")
    grams = [tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))]
    return collections.Counter(g for g in grams if g)


def match(true, pred):
    t, p = shingles(true), shingles(pred)
    tp = sum(min(c, p.get(k, 0)) for k, c in t.items())
    fp = sum(max(0, c - t.get(k, 0)) for k, c in p.items())
    fn = sum(max(0, c - p.get(k, 0)) for k, c in t.items())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def score(truth, predicted):
    rows = [match(v.get("articleBody", ""), predicted.get(k, "")) for k, v in truth.items()]
    prec = [1.0 if fp == fn == 0 else tp / (tp + fp) for tp, fp, fn in rows if tp + fp > 0]
    rec = [1.0 if fp == fn == 0 else tp / (tp + fn) for tp, fp, fn in rows if tp + fn > 0]
    p, r = sum(prec) / len(prec), sum(rec) / len(rec)
    return p, r, 2 * p * r / (p + r)


def run_newsdedup(aeb, binary):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pages.jsonl"
        start = time.perf_counter()
        subprocess.run([binary, "extract", str(aeb / "html"), "-o", str(out)], check=True,
                       stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        predicted = {}
        for line in out.read_text().splitlines():
            d = json.loads(line)
            predicted[Path(d["file"]).name.split(".")[0]] = d["text"]
    return predicted, seconds


def run_trafilatura(aeb):
    import trafilatura
    start = time.perf_counter()
    predicted = {}
    for path in sorted((aeb / "html").glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes())
        predicted[path.name.split(".")[0]] = trafilatura.extract(html) or ""
    return predicted, time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("aeb", type=Path)
    ap.add_argument("--binary", required=True)
    a = ap.parse_args()
    truth = json.loads((a.aeb / "ground-truth.json").read_text())
    for tool in ("newsdedup", "trafilatura"):
        if tool == "newsdedup":
            predicted, seconds = run_newsdedup(a.aeb, a.binary)
        else:
            predicted, seconds = run_trafilatura(a.aeb)
        p, r, f1 = score(truth, predicted)
        print(json.dumps({"tool": tool, "pages": len(truth), "seconds": round(seconds, 2),
                          "pages_per_s": round(len(truth) / seconds), "precision": round(p, 3),
                          "recall": round(r, 3), "f1": round(f1, 3)}))


if __name__ == "__main__":
    sys.exit(main())
