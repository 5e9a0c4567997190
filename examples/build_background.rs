//! Builds a background table (`data/background/en.tsv.gz`) from a word-frequency list, and compares its modelled document shares with a JSON Lines corpus.
//!
//! Run by `scripts/background/build.sh`, which exports wordfreq's English
//! list as `word<TAB>frequency` lines (frequencies are proportions of all
//! running words). Stems are made by the crate's own code
//! ([`newsdedup::events::background::StemCounts`]), so they match the event vectors'
//! word terms exactly.
//!
//! ```text
//! cargo run --example build_background -- build --freqs FREQS --out en.tsv.gz --header source=… …
//! cargo run --example build_background -- compare --freqs FREQS --docs docs.jsonl
//! ```

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use newsdedup::events::background::{stem_key, Background, ShareModel, StemCounts};
use newsdedup::events::{extract, TermKind};
use newsdedup::sketch::shingle::{words, Language};

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes the gzip-compressed table.
    Build {
        /// Word list: `word<TAB>frequency` per line, frequency a proportion of all running words.
        #[arg(long)]
        freqs: PathBuf,
        /// Output file (`.gz`: gzip-compressed).
        #[arg(long)]
        out: PathBuf,
        /// Language code of the word list.
        #[arg(long, default_value = "en")]
        language: String,
        /// Typical article length in tokens (L).
        #[arg(long, default_value_t = 500.0)]
        article_len: f64,
        /// Smallest share kept in the table.
        #[arg(long, default_value_t = 0.001)]
        floor: f64,
        /// Header lines `key=value`, in order.
        #[arg(long = "header")]
        headers: Vec<String>,
    },
    /// Prints modelled against actual document shares on a JSON Lines corpus.
    Compare {
        #[arg(long)]
        freqs: PathBuf,
        /// JSON Lines with `text` (and optionally `title`).
        #[arg(long)]
        docs: PathBuf,
        #[arg(long, default_value = "en")]
        language: String,
        #[arg(long, default_value_t = 500.0)]
        article_len: f64,
        /// Words to list.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "said,minister,talks,police,year,people,government,president,killed,court,week,official,reported,told,lavrov,aleppo,hamburg"
        )]
        words: Vec<String>,
        /// A built table to check against (shares after rounding and the floor).
        #[arg(long)]
        table: Option<PathBuf>,
    },
}

fn main() -> Result<()> {
    match Args::parse().command {
        Command::Build {
            freqs,
            out,
            language,
            article_len,
            floor,
            headers,
        } => build(&freqs, &out, &language, article_len, floor, &headers),
        Command::Compare {
            freqs,
            docs,
            language,
            article_len,
            words,
            table,
        } => compare(
            &freqs,
            &docs,
            &language,
            article_len,
            &words,
            table.as_deref(),
        ),
    }
}

fn read_freqs(path: &Path) -> Result<Vec<(String, f64)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let n = i + 1;
        let Some((word, freq)) = line.rsplit_once('\t') else {
            bail!("{}:{n}: not `word<TAB>frequency`", path.display());
        };
        let freq: f64 = freq
            .parse()
            .with_context(|| format!("{}:{n}: frequency {freq:?}", path.display()))?;
        if !(freq > 0.0 && freq < 1.0) {
            bail!(
                "{}:{n}: frequency {freq} is not a proportion in (0, 1)",
                path.display()
            );
        }
        out.push((word.to_string(), freq));
    }
    Ok(out)
}

fn stem_counts(freqs: &Path, language: &str) -> Result<StemCounts> {
    let entries = read_freqs(freqs)?;
    let lang = Language::from_code(Some(language));
    Ok(StemCounts::from_word_freqs(
        lang,
        entries.iter().map(|(w, f)| (w.as_str(), *f)),
    ))
}

fn build(
    freqs: &Path,
    out: &Path,
    language: &str,
    article_len: f64,
    floor: f64,
    headers: &[String],
) -> Result<()> {
    let counts = stem_counts(freqs, language)?;
    let header: Vec<(&str, &str)> = headers
        .iter()
        .map(|h| h.split_once('=').context("a --header is key=value"))
        .collect::<Result<_>>()?;
    let model = ShareModel { article_len, floor };
    let text = counts.to_table(language, &header, &model);
    let text_len = text.len();
    let bytes = if out.extension().is_some_and(|e| e == "gz") {
        // mtime 0 and no file name: the same input gives the same bytes.
        let mut gz = flate2::GzBuilder::new()
            .mtime(0)
            .write(Vec::new(), flate2::Compression::best());
        gz.write_all(text.as_bytes())?;
        gz.finish()?
    } else {
        text.into_bytes()
    };
    let table = Background::parse(Language::from_code(Some(language)), &bytes)
        .context("the table just built does not parse")?;
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "{}: {} stems ({} stems in the list; {} entries make no word term, {} split into words), {} bytes ({} of text), total frequency {:.6}",
        out.display(),
        table.len(),
        counts.stems.len(),
        counts.not_terms,
        counts.split,
        bytes.len(),
        text_len,
        counts.total
    );
    Ok(())
}

fn compare(
    freqs: &Path,
    docs: &Path,
    language: &str,
    article_len: f64,
    list: &[String],
    table: Option<&Path>,
) -> Result<()> {
    let lang = Language::from_code(Some(language));
    let counts = stem_counts(freqs, language)?;
    let freq_of: HashMap<u64, f64> = counts.stems.iter().map(|s| (s.stem, s.freq)).collect();
    let table = match table {
        Some(p) => Some(Background::parse(lang, &std::fs::read(p)?)?),
        None => None,
    };

    // Document frequency of every word-term stem, as event vectors extract them.
    let text =
        std::fs::read_to_string(docs).with_context(|| format!("reading {}", docs.display()))?;
    let mut df: HashMap<u64, usize> = HashMap::new();
    let mut n_docs = 0usize;
    let mut tokens = 0usize;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let body = v["text"].as_str().unwrap_or("");
        let title = v["title"].as_str();
        tokens += body.lines().map(|l| words(l).count()).sum::<usize>();
        let terms = extract(title, body.lines(), lang);
        let stems: HashSet<u64> = terms
            .0
            .iter()
            .filter(|t| t.kind == TermKind::Word)
            .map(|t| stem_key(&t.surface, lang))
            .collect();
        for s in stems {
            *df.entry(s).or_default() += 1;
        }
        n_docs += 1;
    }
    if n_docs == 0 {
        bail!("{} holds no document", docs.display());
    }
    println!(
        "{}: {n_docs} documents, mean length {:.0} tokens",
        docs.display(),
        tokens as f64 / n_docs as f64
    );
    let model = ShareModel {
        article_len,
        floor: 0.0,
    };
    println!("\nword        actual  modelled(L={article_len})  table");
    for word in list {
        let stem = stem_key(&word.to_lowercase(), lang);
        let actual = df.get(&stem).copied().unwrap_or(0) as f64 / n_docs as f64;
        let modelled = freq_of
            .get(&stem)
            .map(|&f| format!("{:.4}", counts.share(f, &model)))
            .unwrap_or_else(|| "absent".into());
        let in_table = table
            .as_ref()
            .map(|t| t.share(stem).map_or("absent".into(), |s| format!("{s:.4}")))
            .unwrap_or_default();
        println!("{word:<10} {actual:>7.3}  {modelled:>9}  {in_table:>9}");
    }

    // Every stem that is in at least 10% of the corpus: how far the model is off.
    println!("\nstems in >= 10% of the documents (and in the list):");
    println!("   L   stems  median modelled/actual  within x2  mean |log ratio|");
    for l in [250.0, 329.0, 400.0, 500.0, 750.0, 1000.0] {
        let m = ShareModel {
            article_len: l,
            floor: 0.0,
        };
        let mut ratios: Vec<f64> = df
            .iter()
            .filter(|&(_, &d)| d * 10 >= n_docs)
            .filter_map(|(s, &d)| {
                let f = *freq_of.get(s)?;
                Some(counts.share(f, &m) / (d as f64 / n_docs as f64))
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        let within = ratios.iter().filter(|r| (0.5..=2.0).contains(*r)).count();
        let mean_log = ratios.iter().map(|r| r.ln().abs()).sum::<f64>() / ratios.len() as f64;
        println!(
            "{l:>5} {:>6}  {:>22.2}  {:>8.0}%  {:>16.2}",
            ratios.len(),
            ratios[ratios.len() / 2],
            100.0 * within as f64 / ratios.len() as f64,
            mean_log
        );
    }
    let missing = df
        .iter()
        .filter(|&(s, &d)| d * 10 >= n_docs && !freq_of.contains_key(s))
        .count();
    println!("({missing} stems in >= 10% of the documents are not in the list)");

    // Which of those stems the model is furthest off for, at the chosen L.
    let word_of: HashMap<u64, &str> = counts
        .stems
        .iter()
        .map(|s| (s.stem, s.word.as_str()))
        .collect();
    let mut off: Vec<(f64, &str, f64, f64)> = df
        .iter()
        .filter(|&(_, &d)| d * 10 >= n_docs)
        .filter_map(|(s, &d)| {
            let actual = d as f64 / n_docs as f64;
            let modelled = counts.share(*freq_of.get(s)?, &model);
            Some((modelled / actual, *word_of.get(s)?, actual, modelled))
        })
        .collect();
    off.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let show = |rows: &[(f64, &str, f64, f64)]| {
        rows.iter()
            .map(|(r, w, a, m)| format!("{w} {a:.3}/{m:.3} (x{r:.2})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let n = off.len().min(10);
    println!("\nfurthest off at L={article_len} (word actual/modelled):");
    println!("lowest:  {}", show(&off[..n]));
    let mut high = off[off.len() - n..].to_vec();
    high.reverse();
    println!("highest: {}", show(&high));
    Ok(())
}
