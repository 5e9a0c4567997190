#!/usr/bin/env python3
"""Builds the example crawl of testdata/html from its pages (Python 3, standard
library only; deterministic: the same bytes on every run):

- crawl.warc.gz: a WARC with one gzip member per record, as crawlers write
  them: a warcinfo record, a request and a response per page, the first page
  again under another site's chrome (menu, banner, footer) at another URL, a
  redirect and an image;
- pages.jsonl.gz: the same five pages as JSON Lines records with an `html`
  field.

    python3 scripts/html/make_crawl.py
"""
import gzip
import io
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "testdata" / "html"
SITE = "https://news.example/"


def pages():
    """(label, html) of each page, the first again under other chrome."""
    out = []
    for path in sorted((ROOT / "pages").glob("*.html.gz")):
        out.append(("p" + path.name[:8], gzip.decompress(path.read_bytes()).decode("utf-8")))
    first_label, first = out[0]
    out.insert(1, (first_label + "-mirror", other_chrome(first)))
    return out


def other_chrome(html):
    body = html.index("<body")
    open_end = html.index(">", body) + 1
    close = html.rindex("</body>")
    return (
        html[:open_end]
        + '<header><nav><a href="/">Mirror News</a> <a href="/world">World</a> '
        + '<a href="/sport">Sport</a></nav></header>'
        + '<div class="banner">Subscribe to Mirror News for daily updates</div>'
        + html[open_end:close]
        + "<footer><p>Copyright 2019 Mirror News Network. All rights reserved.</p>"
        + "<p>Privacy policy | Terms of use</p></footer>"
        + html[close:]
    )


def record(kind, uri, content_type, block, n):
    head = (
        f"WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>\r\n"
        f"WARC-Date: 2019-11-20T12:00:00Z\r\n"
        + (f"WARC-Target-URI: {uri}\r\n" if uri else "")
        + f"Content-Type: {content_type}\r\nContent-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def response(uri, status, content_type, body, n):
    http = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return record("response", uri, "application/http; msgtype=response", http.encode() + body, n)


def member(data):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def main():
    records = [record("warcinfo", None, "application/warc-fields", b"software: make_crawl.py\r\n", 0)]
    lines = []
    for label, html in pages():
        uri = SITE + label
        request = f"GET /{label} HTTP/1.1\r\nHost: news.example\r\n\r\n".encode()
        records.append(record("request", uri, "application/http; msgtype=request", request, len(records)))
        records.append(response(uri, "200 OK", "text/html; charset=utf-8", html.encode(), len(records)))
        lines.append(json.dumps({"id": label, "url": uri, "html": html}, ensure_ascii=False))
    records.append(response(SITE + "moved", "301 Moved Permanently", "text/html", b"", len(records)))
    records.append(response(SITE + "logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n", len(records)))
    (ROOT / "crawl.warc.gz").write_bytes(b"".join(member(r) for r in records))
    (ROOT / "pages.jsonl.gz").write_bytes(member(("\n".join(lines) + "\n").encode("utf-8")))


if __name__ == "__main__":
    main()
