//! Argument definitions (clap derive) and their conversion to library configs.

mod detect;
mod eval;
mod events;
mod extract;
mod index;
mod merge;
mod stage;

pub use detect::*;
pub use eval::*;
pub use events::*;
pub use extract::*;
pub use index::*;
pub use merge::*;
pub use stage::*;

use clap::{Parser, Subcommand};

/// A float flag's value: a finite number (range checks come with the
/// settings they belong to).
fn finite_f64(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err("not a finite number".into()),
        Err(e) => Err(e.to_string()),
    }
}

fn finite_f32(s: &str) -> Result<f32, String> {
    finite_f64(s).map(|v| v as f32)
}

/// Clean scraped news corpora: find copies of the same article.
#[derive(Debug, Parser)]
#[command(name = "newsdedup", version, about, propagate_version = true)]
pub struct Cli {
    /// Worker threads (default: one per core). Output does not depend on it.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(usize), allow_negative_numbers = true)]
    pub threads: Option<usize>,

    /// Print each stage's wall time to stderr when it ends.
    #[arg(long, global = true)]
    pub timings: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Remove near-duplicate articles: keep one per group, report the rest.
    #[command(after_help = DEDUP_EXAMPLES)]
    Dedup(DedupArgs),
    /// Read HTML pages and WARC records: write each one's main text and
    /// fields (title, date, source, URL, language), optionally scored.
    #[command(after_help = EXTRACT_EXAMPLES)]
    Extract(ExtractArgs),
    /// Score duplicate detection against gold labels in the input.
    #[command(after_help = EVAL_EXAMPLES)]
    Eval(EvalArgs),
    /// Group different reports of the same event (after removing copies).
    #[command(after_help = CLUSTER_EXAMPLES)]
    Cluster(ClusterArgs),
    /// Write the near-duplicate benchmark: real articles plus syndicated copies.
    #[command(after_help = GENERATE_EXAMPLES)]
    Generate(GenerateArgs),
    /// Merge the reports of each event: shared facts, claims of one source,
    /// and discrepancies (numbers, dates, quotes, names, actors, time references).
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
    /// Score the merger on injected discrepancies in real articles.
    #[command(after_help = MERGE_EVAL_EXAMPLES)]
    MergeEval(MergeEvalArgs),
    /// Keep a persistent index of published articles (for `check`).
    #[command(subcommand)]
    Index(IndexCommand),
    /// Check incoming articles against an index: exit 0 when none is a copy
    /// (of a held article or of another incoming one), 1 when some are, 2 on error.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// The dedup job's stages on shards of JSON Lines files, for a cluster
    /// engine to run (see spark/ and README "Scale out on Spark").
    #[command(subcommand)]
    Stage(StageCommand),
}

const EXTRACT_EXAMPLES: &str = "Examples:
  newsdedup extract testdata/html -o pages.jsonl
  newsdedup extract crawl.warc.gz -o pages.jsonl --rejected not-pages.jsonl
  newsdedup extract ../shared/data/aeb/html --score ../shared/data/aeb/ground-truth.json";

const CHECK_EXAMPLES: &str = "Examples:
  newsdedup index create published.db
  newsdedup index add published.db testdata/seeds
  newsdedup check published.db incoming.jsonl
  newsdedup check published.db incoming.jsonl --add --format junit -o check.xml
  newsdedup check published.db incoming.jsonl --format github";

const CLUSTER_EXAMPLES: &str = "Examples:
  newsdedup cluster testdata/seeds
  newsdedup cluster testdata/ecbplus/docs.jsonl -o clusters.jsonl --top 5
  newsdedup cluster testdata/seeds --explain 002_kerry_lavrov_hamburg
  newsdedup eval testdata/ecbplus/docs.jsonl --level event --gold-field event --by topic";

const MERGE_EXAMPLES: &str = "Examples:
  newsdedup merge testdata/seeds --event 2 --format md
  newsdedup merge testdata/seeds --format html -o merged/
  newsdedup merge testdata/ecbplus/docs.jsonl --event-field event --format json -o merged.jsonl
  newsdedup cluster feed.jsonl -o clusters.jsonl && newsdedup merge feed.jsonl --events-from clusters.jsonl --event 7
  newsdedup merge a.txt b.txt --one-event --format md";

const MERGE_EVAL_EXAMPLES: &str = "Examples:
  newsdedup merge-eval --from testdata/ecbplus/docs.jsonl
  newsdedup merge-eval --from testdata/ecbplus/docs.jsonl --write-pairs pairs.jsonl
  newsdedup merge-eval --from testdata/ecbplus/docs.jsonl --copies --errors misses.jsonl";

const DEDUP_EXAMPLES: &str = "Examples:
  newsdedup dedup testdata/seeds
  newsdedup dedup feed.jsonl -o cleaned.jsonl --report removed.jsonl
  cat feed.jsonl | newsdedup dedup - -o cleaned.jsonl --keep earliest
  newsdedup dedup --explain-threshold --threshold 0.5";

const EVAL_EXAMPLES: &str = "Examples:
  newsdedup generate --from testdata/ecbplus/docs.jsonl --tier gentle -o gentle.jsonl
  newsdedup eval gentle.jsonl --gold-field dup_group --negative-field event
  newsdedup eval testdata/ecbplus/docs.jsonl --level event --gold-field event --by topic";

const GENERATE_EXAMPLES: &str = "Examples:
  newsdedup generate --from testdata/ecbplus/docs.jsonl --tier heavy -o heavy.jsonl
  newsdedup generate --from testdata/ecbplus/docs.jsonl --tier mixed --scale 200000 -o big.jsonl";
