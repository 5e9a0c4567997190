"""Markdown table of peers.py results with ratios against the fastest peer,
the leanest peer and the floor (read + parse + tokenize, benches/floor.rs)."""
import json, platform, sys, datetime

rows = [json.loads(l) for l in open(sys.argv[1])]
peers = [r for r in rows if r["tool"] not in ("newsdedup", "floor")]
floor = next((r for r in rows if r["tool"] == "floor"), None)
# Without peers (TOOLS="floor newsdedup"), ratios are to newsdedup itself.
fastest = max(peers or rows, key=lambda r: r["articles_per_s"])
leanest = min(peers or rows, key=lambda r: r["peak_rss_mb"])
label = sys.argv[3] if len(sys.argv) > 3 else ""
print(f"{label} {rows[0]['articles']} articles, {datetime.date.today()}, {platform.machine()}, {sys.argv[2]} cores".strip())
print("| tool | threshold | articles/s | vs fastest peer | time vs floor | CPU/wall | peak RSS MB | vs leanest peer | precision | recall | F1 |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
fmt = lambda v: "—" if v is None else f"{v:.4f}"
for r in rows:
    vs_floor = f"{floor['articles_per_s'] / r['articles_per_s']:.2f}x" if floor else "—"
    print(f"| {r['tool']} | {r['threshold']} | {r['articles_per_s']:,} | {r['articles_per_s'] / fastest['articles_per_s']:.2f}x"
          f" | {vs_floor} | {r.get('cpu_per_wall', 0):.2f} | {r['peak_rss_mb']:,} | {r['peak_rss_mb'] / leanest['peak_rss_mb']:.2f}x"
          f" | {fmt(r['precision'])} | {fmt(r['recall'])} | {fmt(r['f1'])} |")
print(f"fastest peer: {fastest['tool']} at {fastest['threshold']}; leanest peer: {leanest['tool']} at {leanest['threshold']}")
