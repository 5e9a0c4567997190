#!/usr/bin/env python3
"""A local-news development set for event clustering (README § Event clustering).

    cargo build --release
    benches/local_incidents.py --aeb ../shared/data/aeb [--same-city] [--lead N] [cluster flags] [-- more flag sets]

Held-out local news (many incidents of one kind, reported within days of
each other by one to three sites whose chrome is left in) is not something we
can ship, so this builds its likeness from real text with clear licences:

- the incidents are the ECB+ events (CC BY 3.0) of its crime and accident
  topics (shootings, murders, fires, robberies, arrests: 32 events in 16
  topics, two of one kind per topic), each reported by 1 to 4 of its articles
  (40% one, 30% two, 20% three, 10% four: mostly one or two, as in local news);
- every article gets a `published` day in one week, so dates cannot tell
  incidents apart (the text's own dates are not read when `published` is
  given);
- every article is given one of 12 sites (`LOCAL_SITES`), and the site's chrome is put around
  its text: the lines before and after the article body of one real page of
  the article extraction benchmark (MIT; `--aeb DIR` is its folder holding
  `html/*.html.gz` and `ground-truth.json`, from GitHub
  scrapinghub/article-extraction-benchmark), at most 15 lines on each side.
  Pages of different incidents on one site share that chrome.

Harder variants, each a flag before the cluster flags:

- `--same-city`: in each topic the second event's city (the gazetteer city
  most of its reports name) is replaced by the first event's, so the two
  incidents of one kind happen in one city, as in local news;
- `--lead N`: each ECB+ text is cut to its first N lines (a headline and a
  few sentences, as in short local reports), so the site's chrome outweighs
  the story;
- `LOCAL_SITES=K` in the environment: K sites instead of 12, so each site
  holds more pages and its chrome repeats more often.

For each flag set, prints the mean adjusted Rand index, pairwise precision
and recall (`newsdedup eval --level event --gold-field event`) over five
samples (seeds 0-4), and how many of the pages `dedup` removed as copies were
put with a page of another incident (over all five). `LOCAL_KEEP=DIR` keeps
the samples there.
"""
import collections
import glob
import gzip
import html.parser
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
TOPICS = {3, 8, 13, 14, 16, 18, 19, 21, 22, 23, 24, 26, 32, 33, 35, 45}
SITES = int(os.environ.get("LOCAL_SITES", "12"))
SIDE = 15

args = sys.argv[1:]
same_city = "--same-city" in args
args = [a for a in args if a != "--same-city"]
lead = None
if "--lead" in args:
    i = args.index("--lead")
    lead = int(args[i + 1])
    if lead < 1:
        sys.exit("--lead N: N must be at least 1 (lines kept of each report)")
    args = args[:i] + args[i + 2:]
if "--aeb" not in args:
    sys.exit("usage: benches/local_incidents.py --aeb DIR [flags] [-- flags ...]")
i = args.index("--aeb")
aeb = args[i + 1]
args = args[:i] + args[i + 2:]
flag_sets = flagsets.flag_sets(args)


class Text(html.parser.HTMLParser):
    """Visible text of a page, one line per block element."""

    BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section",
             "article", "header", "footer", "nav", "aside", "ul", "ol", "figcaption", "span"}
    SKIP = {"script", "style", "noscript", "template", "svg"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.cur, self.skip = [], [], 0

    def flush(self):
        line = re.sub(r"\s+", " ", "".join(self.cur)).strip()
        if line:
            self.lines.append(line)
        self.cur = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.flush()

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.cur.append(data)


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def site_chrome(aeb):
    truth = json.load(open(os.path.join(aeb, "ground-truth.json")))
    chrome = []
    for path in sorted(glob.glob(os.path.join(aeb, "html", "*.html.gz"))):
        key = os.path.basename(path).split(".")[0]
        if key not in truth:
            continue
        body = {norm(l) for l in truth[key]["articleBody"].split("\n") if norm(l)}
        p = Text()
        p.feed(gzip.open(path, "rt", encoding="utf-8", errors="replace").read())
        p.flush()
        at = [k for k, l in enumerate(p.lines) if l in body]
        if len(at) < 3:
            continue
        head = [l for l in p.lines[: at[0]] if l not in body][-SIDE:]
        foot = [l for l in p.lines[at[-1] + 1:] if l not in body][:SIDE]
        if len(head) + len(foot) >= 6:
            chrome.append((head, foot))
    return chrome


def dominant_city(texts, gazetteer):
    """The city (gazetteer name) most of an event's reports name, if any."""
    counts = collections.Counter()
    for t in texts:
        counts.update({w for w in re.findall(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)?\b", t)
                       if w in gazetteer})
    # Most named first, ties by name: the same city on every run.
    for city, n in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
        if n >= 0.6 * len(texts) and city not in NOT_PLACES:
            return city
    return None


# Capitalised words the gazetteer holds as towns that ECB+ uses otherwise.
NOT_PLACES = {"Police", "March", "Central", "George", "Man", "University", "Vincent",
              "Gigante", "Toyota", "Alice", "Lopez", "Jackson", "Gary"}


def move_to_one_city(rows):
    """`--same-city`: in each topic, the second event's city (the one most of
    its reports name) is replaced by the first event's, so that two incidents
    of one kind happen in one city, as in local news."""
    gazetteer = set()
    for line in gzip.open(os.path.join(ROOT, "data", "places", "places.tsv.gz"), "rt"):
        if not line.startswith("#"):
            name, kind = line.split("\t")[:2]
            if kind == "city":
                gazetteer.add(name)
    by = collections.defaultdict(lambda: collections.defaultdict(list))
    for r in rows:
        if r["topic"] in TOPICS:
            by[r["topic"]][r["event"]].append(r)
    moved = []
    for topic, events in by.items():
        first, second = sorted(events)[:2]
        a = dominant_city([r["text"] for r in events[first]], gazetteer)
        b = dominant_city([r["text"] for r in events[second]], gazetteer)
        if a and b and a != b:
            for r in events[second]:
                r["text"] = re.sub(r"\b%s\b" % re.escape(b), a, r["text"])
            moved.append(f"{topic}: {b} -> {a}")
    return moved


def sample(rows, chrome, seed):
    rng = random.Random(seed)
    sites = rng.sample(chrome, SITES)
    by = collections.defaultdict(list)
    for r in rows:
        if r["topic"] in TOPICS:
            by[r["event"]].append(r)
    out = []
    for event in sorted(by):
        n = rng.choices([1, 2, 3, 4], weights=[4, 3, 2, 1])[0]
        for r in rng.sample(by[event], min(n, len(by[event]))):
            site = rng.randrange(SITES)
            head, foot = sites[site]
            out.append({
                "id": r["id"],
                "event": r["event"],
                "site": site,
                "published": f"2018-03-{rng.randrange(5, 12):02d}",
                "text": "\n".join(head + [r["text"]] + foot),
            })
    rng.shuffle(out)
    return out


def evaluate(path, flags):
    """ARI, pairwise precision and recall, and the duplicates `dedup` put
    with a page of another incident (their share of all duplicates)."""
    p = subprocess.run([BIN, "eval", path, "--level", "event", "--gold-field", "event"] + flags,
                       check=True, capture_output=True, text=True)
    text = p.stdout + p.stderr
    ari = float(re.search(r"adjusted Rand index\s+(-?[\d.]+)", text).group(1))
    prec, rec = map(float, re.search(r"pairwise\s+([\d.]+)\s+([\d.]+)", text).groups())
    out = path + ".clusters"
    subprocess.run([BIN, "cluster", path, "-o", out] + flags, check=True, capture_output=True)
    gold = {json.loads(l)["id"]: json.loads(l)["event"] for l in open(path)}
    dups = [json.loads(l) for l in open(out)]
    dups = [d for d in dups if d["status"] == "duplicate"]
    wrong = sum(gold[d["id"]] != gold[d["group"]] for d in dups)
    return ari, prec, rec, wrong, len(dups)


rows = [json.loads(l) for l in open(DOCS)]
if same_city:
    print("same city: " + "; ".join(move_to_one_city(rows)))
if lead is not None:
    for r in rows:
        r["text"] = "\n".join(r["text"].split("\n")[:lead])
chrome = site_chrome(aeb)
work = os.environ.get("LOCAL_KEEP") or tempfile.mkdtemp()
paths = []
for seed in range(5):
    path = os.path.join(work, f"local-{seed}.jsonl")
    docs = sample(rows, chrome, seed)
    with open(path, "w") as f:
        f.writelines(json.dumps(d) + "\n" for d in docs)
    paths.append((path, len(docs)))
print(f"{len(chrome)} pages with chrome; samples of "
      + ", ".join(str(n) for _, n in paths) + " articles")
print(f"{'flags':<40}{'ARI':>8}{'prec':>8}{'recall':>8}   copies of another incident")
for flags in flag_sets:
    scores = [evaluate(p, flags) for p, _ in paths]
    mean = [sum(s[k] for s in scores) / len(scores) for k in range(3)]
    wrong, dups = sum(s[3] for s in scores), sum(s[4] for s in scores)
    print(f"{' '.join(flags) or '(defaults)':<40}" + "".join(f"{m:>8.3f}" for m in mean)
          + f"   {wrong} of {dups}")
