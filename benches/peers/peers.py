"""Run one near-duplicate tool on a JSON Lines corpus and print one JSON line:
articles, seconds, articles/s, peak RSS and pairwise precision/recall/F1
against the corpus's `dup_group` labels. Used by run.sh; one process per tool
so peak memory is the tool's own.

Peers use their idiomatic Python APIs with the same shingling (lowercased
word 3-grams), 128 permutations and the same Jaccard threshold; a document
is a duplicate of the earlier documents its LSH query returns. A peer's time
includes reading the corpus in Python (its input path); newsdedup is timed as
the child process that reads the file itself. `--tool floor` times the
floor program (benches/floor.rs: read, parse and tokenize, nothing else)
the same way; it finds no copies, so it has no scores.
"""
import argparse, collections, json, re, resource, subprocess, sys, time

WORD = re.compile(r"\w+")


def shingles(text, n=3):
    w = WORD.findall(text.lower())
    if len(w) < n:
        return [" ".join(w)] if w else []
    return [" ".join(w[i:i + n]) for i in range(len(w) - n + 1)]


def read(path):
    ids, texts, gold = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            ids.append(d["id"]); texts.append(d["text"]); gold.append(d["dup_group"])
    return ids, texts, gold


class UnionFind:
    def __init__(self, n):
        self.p = list(range(n))

    def find(self, x):
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]; x = self.p[x]
        return x

    def union(self, a, b):
        a, b = self.find(a), self.find(b)
        if a != b:
            self.p[max(a, b)] = min(a, b)


def pairwise(pred, gold):
    c2 = lambda n: n * (n - 1) // 2
    tp = sum(c2(v) for v in collections.Counter(zip(pred, gold)).values())
    pp = sum(c2(v) for v in collections.Counter(pred).values())
    gp = sum(c2(v) for v in collections.Counter(gold).values())
    p = tp / pp if pp else 1.0
    r = tp / gp if gp else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run_datasketch(texts, threshold, uf):
    from datasketch import MinHash, MinHashLSH
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    for i, t in enumerate(texts):
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([s.encode("utf-8") for s in shingles(t)])
        for j in lsh.query(m):
            uf.union(i, j)
        lsh.insert(i, m)


def run_rensa(texts, threshold, uf):
    from rensa import RMinHash, RMinHashLSH
    lsh = RMinHashLSH(threshold=threshold, num_perm=128, num_bands=16)
    for i, t in enumerate(texts):
        m = RMinHash(num_perm=128, seed=1)
        m.update(shingles(t))
        for j in lsh.query(m):
            uf.union(i, j)
        lsh.insert(i, m)


def run_gaoya(texts, threshold, uf):
    from gaoya.minhash import MinHashStringIndex
    index = MinHashStringIndex(hash_size=32, jaccard_threshold=threshold, num_bands=16, band_size=8,
                               analyzer="word", lowercase=True, ngram_range=(3, 3))
    index.par_bulk_insert_docs(list(range(len(texts))), texts)
    for i, found in enumerate(index.par_bulk_query(texts)):
        for j in found:
            uf.union(i, j)


def run_child(command):
    """Runs a command that reads the corpus itself; only the child is timed.
    Returns its seconds."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def run_newsdedup(path, binary):
    """Returns the report (each removed article's kept one) and seconds."""
    report = path + ".removed.jsonl"
    seconds = run_child([binary, "dedup", path, "-o", "/dev/null", "--report", report])
    return report, seconds


def cpu_seconds(who):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def join_report(report, uf, ids):
    row = {id_: i for i, id_ in enumerate(ids)}
    with open(report) as f:
        for line in f:
            d = json.loads(line)
            if d.get("status") == "duplicate":
                uf.union(row[d["id"]], row[d["duplicate_of"]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus"); ap.add_argument("--tool", required=True)
    ap.add_argument("--threshold", type=float, default=0.5); ap.add_argument("--binary")
    a = ap.parse_args()
    scores = True
    if a.tool == "floor":
        seconds = run_child([a.binary, a.corpus])
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        cpu = cpu_seconds(resource.RUSAGE_CHILDREN)
        ids, _, gold = read(a.corpus)
        uf = UnionFind(len(ids))
        scores = False
    elif a.tool == "newsdedup":
        # The binary reads the file itself and runs before this process parses
        # the corpus for scoring, so neither that parse's time nor its memory
        # (a forked child starts with its parent's pages) is counted.
        report, seconds = run_newsdedup(a.corpus, a.binary)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        cpu = cpu_seconds(resource.RUSAGE_CHILDREN)
        ids, _, gold = read(a.corpus)
        uf = UnionFind(len(ids))
        join_report(report, uf, ids)
    else:
        # A peer's time includes reading the corpus in Python: its input path.
        start = time.perf_counter()
        ids, texts, gold = read(a.corpus)
        uf = UnionFind(len(ids))
        {"datasketch": run_datasketch, "rensa": run_rensa, "gaoya": run_gaoya}[a.tool](texts, a.threshold, uf)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        seconds = time.perf_counter() - start
        cpu = cpu_seconds(resource.RUSAGE_SELF)
    p, r, f1 = pairwise([uf.find(i) for i in range(len(ids))], gold) if scores else (None,) * 3
    print(json.dumps({"tool": a.tool, "threshold": a.threshold if a.tool not in ("newsdedup", "floor") else "default",
                      "articles": len(ids), "seconds": round(seconds, 2),
                      "articles_per_s": round(len(ids) / seconds), "cpu_per_wall": round(cpu / seconds, 2),
                      "peak_rss_mb": round(rss / 1024),
                      "precision": p and round(p, 4), "recall": r and round(r, 4), "f1": f1 and round(f1, 4)}))


if __name__ == "__main__":
    sys.exit(main())
