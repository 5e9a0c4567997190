//! Coverage and precision of `newsdedup::text::dateline` on real text.
//!
//! ```text
//! cargo run --release --example dateline_coverage -- [--show KIND] [ECB_JSONL] [AEB_DIR]
//! ```
//! Defaults: `testdata/ecbplus/docs.jsonl` and `/work/shared/data/aeb`. Prints, per set, how many
//! articles get a publication date and a dateline place, and where a truth exists, how many of
//! the dates agree with it (same day, or one day off for time zones):
//! - ECB+ `text`: truth is the date in the article's URL (`/2013/05/03/`, `/2013/may/03/`,
//!   `2013-09-18`), for the articles whose URL has one;
//! - AEB `articleBody` (the annotated story text of 181 pages);
//! - AEB page text (every visible text node of the saved HTML, one block per line): truth is
//!   the page's `datePublished` / `article:published_time` metadata.
//!
//! `--show ecb-dates | ecb-mentions | ecb-places | aeb-dates | aeb-places | page-dates | page-places | misses`
//! lists what was read, for
//! spot checks (`misses`: dated ECB+ URLs where no date, or a different one, was read;
//! `page-undated`: pages with metadata but no date read, and their lines holding the year;
//! `page-text` with `DL_KEY=<hash prefix>`: one page's text).

use chrono::{Datelike, NaiveDate};
use flate2::read::GzDecoder;
use newsdedup::text::dateline::{dateline_place, mentioned_days, published_from_text};
use scraper::{ElementRef, Html, Node};
use std::io::{BufRead, Read};

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut show = String::new();
    if let Some(p) = args.iter().position(|a| a == "--show") {
        show = args.get(p + 1).cloned().unwrap_or_default();
        args.drain(p..(p + 2).min(args.len()));
    }
    let ecb = args
        .first()
        .cloned()
        .unwrap_or_else(|| "testdata/ecbplus/docs.jsonl".into());
    let aeb = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "/work/shared/data/aeb".into());

    // ECB+
    let file = std::io::BufReader::new(std::fs::File::open(&ecb)?);
    let (mut n, mut dated, mut placed) = (0, 0, 0);
    let (mut truth, mut truth_dated, mut truth_right) = (0, 0, 0);
    for line in file.lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let text = v["text"].as_str().unwrap_or("");
        let id = v["id"].as_str().unwrap_or("");
        let url = v["url"].as_str().unwrap_or("");
        n += 1;
        let d = published_from_text(text);
        let p = dateline_place(text);
        dated += usize::from(d.is_some());
        placed += usize::from(p.is_some());
        let t = url_date(url);
        if let Some(t) = t {
            truth += 1;
            if let Some(d) = &d {
                truth_dated += 1;
                truth_right += usize::from(close(d.day, t));
            }
        }
        match show.as_str() {
            "ecb-dates" => {
                if let Some(d) = &d {
                    println!("{id}\t{}\turl {:?}", d.describe(text), t);
                }
            }
            "ecb-mentions" => {
                if let Some(d) = &d {
                    for (day, span) in mentioned_days(text, Some(d.day)) {
                        let from = text[..span.start]
                            .char_indices()
                            .rev()
                            .nth(40)
                            .map_or(0, |(i, _)| i);
                        let to = text[span.end..]
                            .char_indices()
                            .nth(30)
                            .map_or(text.len(), |(i, _)| span.end + i);
                        let ctx = text[from..to].replace('\n', " / ");
                        println!("{id}\tanchor {}\t{day}\t{:?}\t…{ctx}…", d.day, &text[span]);
                    }
                }
            }
            "ecb-places" => {
                if let Some(p) = &p {
                    println!("{id}\t{}", p.describe(text));
                }
            }
            "misses" => {
                if let Some(t) = t {
                    if d.as_ref().is_none_or(|d| !close(d.day, t)) {
                        let head: Vec<&str> = text.lines().take(4).collect();
                        println!(
                            "{id}\turl {t}\tread {:?}\n    {:?}",
                            d.map(|d| d.describe(text)),
                            head
                        );
                    }
                }
            }
            _ => {}
        }
    }
    if show.is_empty() {
        println!(
            "ECB+ text ({ecb}): {n} articles, date {dated} ({:.1}%), place {placed} ({:.1}%)",
            pct(dated, n),
            pct(placed, n)
        );
        println!("  with a date in the URL: {truth}; dated {truth_dated}; agrees (±1 day) {truth_right} = {:.1}% precision, {:.1}% recall",
            pct(truth_right, truth_dated), pct(truth_right, truth));
    }

    // AEB
    let gt: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!(
        "{aeb}/ground-truth.json"
    ))?)?;
    let map = gt.as_object().cloned().unwrap_or_default();
    let (mut n, mut dated, mut placed) = (0, 0, 0);
    let (mut pn, mut pdated, mut pplaced, mut ptruth, mut ptruth_dated, mut ptruth_right) =
        (0, 0, 0, 0, 0, 0);
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for k in keys {
        let body = map[k]["articleBody"].as_str().unwrap_or("");
        n += 1;
        let d = published_from_text(body);
        let p = dateline_place(body);
        dated += usize::from(d.is_some());
        placed += usize::from(p.is_some());
        if show == "aeb-places" {
            if let Some(p) = &p {
                println!("{}\t{}", &k[..10], p.describe(body));
            }
        }
        if show == "aeb-dates" {
            if let Some(d) = &d {
                println!("{}\t{}", &k[..10], d.describe(body));
            }
        }
        let path = format!("{aeb}/html/{k}.html.gz");
        let Ok(f) = std::fs::File::open(&path) else {
            continue;
        };
        let mut raw = Vec::new();
        GzDecoder::new(f).read_to_end(&mut raw)?;
        let html = String::from_utf8_lossy(&raw);
        let (page, meta) = page_text(&html);
        pn += 1;
        let d = published_from_text(&page);
        pdated += usize::from(d.is_some());
        let pp = dateline_place(&page);
        pplaced += usize::from(pp.is_some());
        if show == "page-places" {
            if let Some(p) = &pp {
                println!("{}\t{}", &k[..10], p.describe(&page));
            }
        }
        if let Some(t) = meta {
            ptruth += 1;
            if let Some(d) = &d {
                ptruth_dated += 1;
                ptruth_right += usize::from(close(d.day, t));
            }
        }
        if show == "page-undated" && d.is_none() {
            if let Some(t) = meta {
                let y = t.format("%Y").to_string();
                let mut pos = 0;
                let mut shown = 0;
                for (i, l) in page.lines().enumerate() {
                    if l.contains(&y) && l.len() < 200 && shown < 3 {
                        println!("{}\tmeta {t}\tline {} byte {pos}: {l}", &k[..10], i + 1);
                        shown += 1;
                    }
                    pos += l.len() + 1;
                }
                if shown == 0 {
                    println!("{}\tmeta {t}\t(no line with the year)", &k[..10]);
                }
            }
        }
        if show == "page-text" && std::env::var("DL_KEY").is_ok_and(|p| k.starts_with(&p)) {
            println!("{page}");
        }
        if show == "page-dates" {
            println!(
                "{}\tmeta {:?}\t{}",
                &k[..10],
                meta,
                d.map(|d| d.describe(&page)).unwrap_or_else(|| "-".into())
            );
        }
    }
    if show.is_empty() {
        println!(
            "AEB articleBody ({aeb}): {n} articles, date {dated} ({:.1}%), place {placed} ({:.1}%)",
            pct(dated, n),
            pct(placed, n)
        );
        println!(
            "AEB page text: {pn} pages, date {pdated} ({:.1}%), place {pplaced} ({:.1}%)",
            pct(pdated, pn),
            pct(pplaced, pn)
        );
        println!("  with a published date in the page metadata: {ptruth}; dated {ptruth_dated}; agrees (±1 day) {ptruth_right} = {:.1}% precision, {:.1}% recall",
            pct(ptruth_right, ptruth_dated), pct(ptruth_right, ptruth));
    }
    Ok(())
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

fn close(a: NaiveDate, b: NaiveDate) -> bool {
    (a - b).num_days().abs() <= 1
}

/// `/2013/05/03/`, `/2013/may/03/`, `2013-09-18`, `/20070503/` in a URL.
fn url_date(url: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = url.split(['/', '_', '.']).collect();
    for w in parts.windows(3) {
        if let (Ok(y), Some(m), Ok(d)) = (w[0].parse::<i32>(), month(w[1]), w[2].parse::<u32>()) {
            if (1990..2030).contains(&y) {
                if let Some(x) = NaiveDate::from_ymd_opt(y, m, d) {
                    return Some(x);
                }
            }
        }
    }
    for p in &parts {
        if p.len() == 8 && p.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(x) = NaiveDate::parse_from_str(p, "%Y%m%d") {
                if (1990..2030).contains(&x.year()) {
                    return Some(x);
                }
            }
        }
        for piece in p.split(|c: char| !c.is_ascii_digit() && c != '-') {
            let f: Vec<&str> = piece.split('-').collect();
            if f.len() >= 3 && f[0].len() == 4 && f[1].len() == 2 && f[2].len() == 2 {
                if let (Ok(y), Ok(m), Ok(d)) = (f[0].parse(), f[1].parse(), f[2].parse()) {
                    if let Some(x) = NaiveDate::from_ymd_opt(y, m, d) {
                        return Some(x);
                    }
                }
            }
        }
    }
    None
}

fn month(s: &str) -> Option<u32> {
    if let Ok(m) = s.parse::<u32>() {
        return (1..=12).contains(&m).then_some(m);
    }
    let names = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    names
        .iter()
        .position(|n| s.eq_ignore_ascii_case(n))
        .map(|i| i as u32 + 1)
}

/// Visible text of a page (one line per block element) and its published date from metadata.
fn page_text(html: &str) -> (String, Option<NaiveDate>) {
    let doc = Html::parse_document(html);
    let mut out = String::new();
    walk(doc.root_element(), &mut out);
    let mut lines: Vec<String> = Vec::new();
    for l in out.lines() {
        let l = l.split_whitespace().collect::<Vec<_>>().join(" ");
        if !l.is_empty() {
            lines.push(l);
        }
    }
    let meta = meta_date(html);
    (lines.join("\n"), meta)
}

fn walk(el: ElementRef, out: &mut String) {
    let name = el.value().name();
    if matches!(
        name,
        "script" | "style" | "noscript" | "template" | "svg" | "head" | "iframe"
    ) {
        return;
    }
    let block = matches!(
        name,
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "footer"
            | "section"
            | "article"
            | "nav"
            | "aside"
            | "time"
            | "figure"
            | "figcaption"
            | "blockquote"
            | "tr"
            | "table"
            | "main"
            | "form"
            | "button"
            | "td"
            | "dd"
            | "dt"
    );
    if block {
        out.push('\n');
    }
    for c in el.children() {
        if let Node::Text(t) = c.value() {
            out.push_str(t);
        } else if let Some(e) = ElementRef::wrap(c) {
            walk(e, out);
        }
    }
    if block {
        out.push('\n');
    }
}

fn meta_date(html: &str) -> Option<NaiveDate> {
    for key in [
        "article:published_time",
        "\"datePublished\"",
        "itemprop=\"datePublished\"",
        "article.published",
        "name=\"pubdate\"",
        "name=\"date\"",
    ] {
        let Some(i) = html.find(key) else { continue };
        let mut end = (i + 400).min(html.len());
        while !html.is_char_boundary(end) {
            end -= 1;
        }
        let rest = &html[i..end];
        let bytes = rest.as_bytes();
        for j in 0..bytes.len().saturating_sub(10) {
            if let Some(s) = rest.get(j..j + 10) {
                if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                    if d.year() < 1990 {
                        continue;
                    }
                    return Some(d);
                }
            }
        }
    }
    None
}
