"""Markdown table of peers.py results with ratios against the fastest peer."""
import json, platform, sys, datetime

rows = [json.loads(l) for l in open(sys.argv[1])]
peers = [r for r in rows if r["tool"] != "newsdedup"]
fastest = max(peers, key=lambda r: r["articles_per_s"])
leanest = min(peers, key=lambda r: r["peak_rss_mb"])
print(f"{rows[0]['articles']} articles, {datetime.date.today()}, {platform.machine()}, {sys.argv[2]} cores")
print("| tool | threshold | articles/s | vs fastest peer | peak RSS MB | vs leanest peer | precision | recall | F1 |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    print(f"| {r['tool']} | {r['threshold']} | {r['articles_per_s']:,} | {r['articles_per_s'] / fastest['articles_per_s']:.2f}x"
          f" | {r['peak_rss_mb']:,} | {r['peak_rss_mb'] / leanest['peak_rss_mb']:.2f}x"
          f" | {r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} |")
print(f"fastest peer: {fastest['tool']} at {fastest['threshold']}; leanest peer: {leanest['tool']} at {leanest['threshold']}")
