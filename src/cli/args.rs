//! Argument definitions (clap derive) and their conversion to library configs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use newsdedup::events::VectorConfig;
use newsdedup::events::{ClusterConfig, Linkage};
use newsdedup::index::EventQuery;
use newsdedup::merge::MergeConfig;
use newsdedup::sketch::lsh::LshParams;
use newsdedup::text::boilerplate::BoilerplateConfig;
use newsdedup::{Corpus, DedupConfig, InputSpec, KeepRule, MinHashParams, OnError, Scheme};

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
}

const CHECK_EXAMPLES: &str = "Examples:
  newsdedup index create published.db
  newsdedup index add published.db testdata/seeds
  newsdedup check published.db incoming.jsonl
  newsdedup check published.db incoming.jsonl --add --format junit -o check.xml
  newsdedup check published.db incoming.jsonl --format github";

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Create an empty index; the detection settings are fixed here.
    Create(IndexCreateArgs),
    /// Add a batch of articles, all or none (one transaction).
    Add(IndexAddArgs),
    /// Print the index's settings and counts.
    Stats(IndexStatsArgs),
    /// Remove articles by id, all or none.
    Remove(IndexRemoveArgs),
    /// Read every record of the index and check it: exit 0 when the file is
    /// intact, 2 listing every damaged record.
    Verify(IndexVerifyArgs),
}

/// Waiting for another writer.
#[derive(Debug, Args, Clone)]
pub struct WaitArgs {
    /// When another process is writing the index, wait up to SECONDS for it
    /// (default with the flag alone: 600) instead of failing at once.
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "600", allow_negative_numbers = true)]
    pub wait: Option<u64>,
}

#[derive(Debug, Args)]
pub struct IndexCreateArgs {
    /// The index file to create (it must not exist).
    pub db: PathBuf,

    #[command(flatten)]
    pub matching: MatchArgs,
}

#[derive(Debug, Args)]
pub struct IndexAddArgs {
    /// The index file.
    pub db: PathBuf,

    /// Inputs: JSON Lines files, directories of .txt files, or - for stdin.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<String>,

    /// Replace held articles whose id comes again with other content
    /// (otherwise that is an error and nothing is added).
    #[arg(long)]
    pub replace: bool,

    #[command(flatten)]
    pub reading: ReadArgs,

    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Args)]
pub struct IndexStatsArgs {
    /// The index file.
    pub db: PathBuf,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IndexVerifyArgs {
    /// The index file.
    pub db: PathBuf,
}

#[derive(Debug, Args)]
pub struct IndexRemoveArgs {
    /// The index file.
    pub db: PathBuf,

    /// Id of an article to remove (repeat for several).
    #[arg(long = "id", value_name = "ID", required = true)]
    pub ids: Vec<String>,

    #[command(flatten)]
    pub wait: WaitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    Duplicate,
    Event,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckFormatArg {
    Text,
    Json,
    Junit,
    Github,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The index file.
    pub db: PathBuf,

    /// Incoming articles: JSON Lines files, directories of .txt files, or - for stdin.
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<String>,

    /// Add the incoming articles that are not copies, in the same transaction.
    #[arg(long)]
    pub add: bool,

    /// With --add: replace held articles whose id comes again with other content.
    #[arg(long, requires = "add")]
    pub replace: bool,

    /// Report format.
    #[arg(long, value_enum, default_value_t = CheckFormatArg::Text)]
    pub format: CheckFormatArg,

    /// duplicate: copies only. event: also list, for each incoming article
    /// that is not a copy, held articles that cover the same event (reported,
    /// never counted as copies).
    #[arg(long, value_enum, default_value_t = LevelArg::Duplicate)]
    pub level: LevelArg,

    /// With --level event: cosine similarity of event vectors (TF-IDF over
    /// the index, names and numbers boosted) at which a held article covers
    /// the same event.
    #[arg(long, default_value_t = EventQuery::default().threshold, value_name = "S", allow_negative_numbers = true, value_parser = finite_f32)]
    pub event_threshold: f32,

    /// With --level event: held articles published more than this many days
    /// apart are another event (0 ignores dates).
    #[arg(
        long,
        default_value_t = 7,
        value_name = "DAYS",
        allow_negative_numbers = true
    )]
    pub window_days: u32,

    #[command(flatten)]
    pub vectors: VectorArgs,

    /// Write the report here instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Refuse to run unless the index was made with this threshold.
    #[arg(long, value_name = "J", allow_negative_numbers = true, value_parser = finite_f64)]
    pub threshold: Option<f64>,

    /// Refuse to run unless the index was made with this containment.
    #[arg(long, value_name = "C", allow_negative_numbers = true, value_parser = finite_f64)]
    pub containment: Option<f64>,

    /// Refuse to run unless the index was made with this many MinHash slots.
    #[arg(long, value_name = "K", allow_negative_numbers = true)]
    pub num_perm: Option<usize>,

    /// Refuse to run unless the index was made with this shingle size.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub ngram: Option<usize>,

    /// Refuse to run unless the index was made with this seed.
    #[arg(long, allow_negative_numbers = true)]
    pub seed: Option<u64>,

    #[command(flatten)]
    pub reading: ReadArgs,

    #[command(flatten)]
    pub wait: WaitArgs,
}

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
  newsdedup merge-eval --from testdata/ecbplus/docs.jsonl --write-pairs pairs.jsonl";

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

/// Flags shared by every command that runs duplicate detection.
#[derive(Debug, Args, Clone)]
pub struct DetectArgs {
    /// Inputs: JSON Lines files, directories of .txt files (first line is the
    /// title, file stem the id), or - for stdin.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    #[command(flatten)]
    pub matching: MatchArgs,

    /// Which copy to keep: longest, earliest, first, or source-priority=A,B,…
    #[arg(long, default_value = "longest", value_name = "RULE")]
    pub keep: KeepRule,

    #[command(flatten)]
    pub reading: ReadArgs,
}

/// How bad and oversized records are handled.
#[derive(Debug, Args, Clone)]
pub struct ReadArgs {
    /// Bad records: skip them (listed as rejected) or fail the run.
    #[arg(long, value_enum, default_value_t = OnErrorArg::Skip)]
    pub on_error: OnErrorArg,

    /// Largest record accepted, in bytes; larger ones are rejected.
    #[arg(long, default_value_t = newsdedup::ingest::DEFAULT_MAX_BYTES, value_name = "BYTES", allow_negative_numbers = true, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_bytes: u64,
}

impl ReadArgs {
    pub fn on_error(&self) -> OnError {
        match self.on_error {
            OnErrorArg::Skip => OnError::Skip,
            OnErrorArg::Fail => OnError::Fail,
        }
    }
}

/// What makes two articles copies (and how candidates are found).
#[derive(Debug, Args, Clone)]
pub struct MatchArgs {
    /// Jaccard similarity (of shingle sets) at which two articles are copies.
    #[arg(long, default_value_t = 0.5, value_name = "J", allow_negative_numbers = true, value_parser = finite_f64)]
    pub threshold: f64,

    /// Also copies: this share of the shorter article's shingles occurs in the
    /// longer (a truncated or abridged copy). Above 1 turns it off.
    #[arg(long, default_value_t = 0.38, value_name = "C", allow_negative_numbers = true, value_parser = finite_f64)]
    pub containment: f64,

    /// A containment match must also keep the text's order: this share of the
    /// shingles the two share occur in the same order in both (reports of one
    /// event share names and phrases in other sentences). 0 turns it off.
    #[arg(long, default_value_t = 0.75, value_name = "SHARE", allow_negative_numbers = true, value_parser = finite_f64)]
    pub containment_order: f64,

    /// Jaccard the LSH bands are tuned for; lower finds more candidates.
    #[arg(long, default_value_t = 0.3, value_name = "J", allow_negative_numbers = true, value_parser = finite_f64)]
    pub candidate_threshold: f64,

    /// Rare-shingle candidates: articles sharing one MinHash slot that at most
    /// N articles share are compared (finds abridged copies); 0 turns it off.
    #[arg(
        long,
        default_value_t = 16,
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub rare_bucket: usize,

    /// Explicit LSH bands (with --rows), instead of --candidate-threshold.
    #[arg(
        long,
        requires = "rows",
        value_name = "B",
        allow_negative_numbers = true
    )]
    pub bands: Option<usize>,

    /// Explicit LSH rows per band (with --bands).
    #[arg(
        long,
        requires = "bands",
        value_name = "R",
        allow_negative_numbers = true
    )]
    pub rows: Option<usize>,

    /// MinHash slots per signature.
    #[arg(
        long,
        default_value_t = 128,
        value_name = "K",
        allow_negative_numbers = true
    )]
    pub num_perm: usize,

    /// Words per shingle.
    #[arg(
        long,
        default_value_t = 3,
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub ngram: usize,

    /// Seed of the shingle hash and MinHash.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub seed: u64,

    /// MinHash scheme.
    #[arg(long, value_enum, default_value_t = SchemeArg::OnePermutation)]
    pub scheme: SchemeArg,

    /// Drop English stopwords before shingling.
    #[arg(long)]
    pub skip_stopwords: bool,

    /// Do not strip boilerplate lines before shingling.
    #[arg(long)]
    pub no_boilerplate: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LinkageArg {
    Graph,
    Exact,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SchemeArg {
    OnePermutation,
    Permutations,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OnErrorArg {
    Skip,
    Fail,
}

impl DetectArgs {
    pub fn inputs(&self) -> Vec<InputSpec> {
        self.inputs.iter().map(|s| InputSpec::parse(s)).collect()
    }

    /// The corpus named by the inputs (an error when none is named); files
    /// a directory walk does not read are counted on stderr.
    pub fn open_corpus(&self) -> anyhow::Result<Corpus> {
        super::open_corpus(&self.inputs, self.reading.max_bytes)
    }

    pub fn config(&self) -> DedupConfig {
        DedupConfig {
            keep: self.keep.clone(),
            on_error: self.reading.on_error(),
            ..self.matching.config()
        }
    }
}

impl MatchArgs {
    pub fn config(&self) -> DedupConfig {
        DedupConfig {
            minhash: MinHashParams {
                num_perm: self.num_perm,
                ngram: self.ngram,
                seed: self.seed,
                scheme: match self.scheme {
                    SchemeArg::OnePermutation => Scheme::OnePermutation,
                    SchemeArg::Permutations => Scheme::Permutations,
                },
                ..MinHashParams::default()
            },
            skip_stopwords: self.skip_stopwords,
            threshold: self.threshold,
            containment: self.containment,
            containment_order: self.containment_order,
            candidate_threshold: self.candidate_threshold,
            rare_bucket: self.rare_bucket,
            lsh: self
                .bands
                .zip(self.rows)
                .map(|(bands, rows)| LshParams { bands, rows }),
            boilerplate: if self.no_boilerplate {
                BoilerplateConfig::disabled()
            } else {
                BoilerplateConfig::default()
            },
            ..DedupConfig::default()
        }
    }
}

#[derive(Debug, Args)]
pub struct DedupArgs {
    #[command(flatten)]
    pub detect: DetectArgs,

    /// Write the cleaned corpus (one kept article per group, all fields as read).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write one JSON line per removed article (duplicate_of, similarity).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Write rejected records here instead of into --report.
    #[arg(long, value_name = "FILE")]
    pub rejected: Option<PathBuf>,

    /// Write the boilerplate lines stripped from each article.
    #[arg(long, value_name = "FILE")]
    pub report_boilerplate: Option<PathBuf>,

    /// Print the LSH S-curve: how likely a pair at each similarity is to be found.
    #[arg(long)]
    pub explain_threshold: bool,

    /// Also cluster the kept articles into events and write each article's
    /// event and group to this file (JSON Lines).
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,

    #[command(flatten, next_help_heading = "Event clustering (with --events)")]
    pub event_flags: EventArgs,
}

/// Flags of event clustering (shared by `cluster`, `dedup --events` and `eval`).
#[derive(Debug, Args, Clone)]
pub struct EventArgs {
    /// Clusters merge while the average cosine similarity of their articles'
    /// event vectors is at least this.
    #[arg(long, default_value_t = ClusterConfig::default().threshold, value_name = "S", allow_negative_numbers = true, value_parser = finite_f32)]
    pub event_threshold: f32,

    /// Cluster similarity: graph (mean over all pairs of the neighbour-graph
    /// edge similarities, 0 for pairs that are not neighbours) or exact (mean
    /// cosine over all pairs).
    #[arg(long, value_enum, default_value_t = LinkageArg::Graph)]
    pub linkage: LinkageArg,

    /// Nearest neighbours looked up per article.
    #[arg(long, default_value_t = ClusterConfig::default().neighbours, value_name = "K", allow_negative_numbers = true)]
    pub neighbours: usize,

    /// Heaviest terms per article the HNSW index compares (its proposals are
    /// re-ranked on whole vectors).
    #[arg(long, default_value_t = ClusterConfig::default().index_terms, value_name = "N", allow_negative_numbers = true)]
    pub index_terms: usize,

    /// HNSW links per node and layer (2-256).
    #[arg(long, default_value_t = ClusterConfig::default().max_connections, value_name = "M", allow_negative_numbers = true)]
    pub max_connections: usize,

    /// HNSW candidate list size while building the index.
    #[arg(long, default_value_t = ClusterConfig::default().ef_construction, value_name = "EF", allow_negative_numbers = true)]
    pub ef_construction: usize,

    /// HNSW candidate list size while searching.
    #[arg(long, default_value_t = ClusterConfig::default().ef_search, value_name = "EF", allow_negative_numbers = true)]
    pub ef_search: usize,

    /// Articles published more than this many days apart never share an
    /// event (when both have a `published` date); 0 ignores dates.
    #[arg(
        long,
        default_value_t = 7,
        value_name = "DAYS",
        allow_negative_numbers = true
    )]
    pub window_days: u32,

    /// Articles whose publication days are further apart than this never
    /// share an event, when a day was read from the text (no `published`
    /// field): page dates are less exact, and follow-up reports come months
    /// later. 0 ignores dates read from text.
    #[arg(long, default_value_t = 730, value_name = "DAYS")]
    pub text_window_days: u32,

    /// Similarity decays with the distance of publication days (either
    /// source): an edge between articles D days apart keeps exp(-D / DAYS)
    /// of its weight (365: 92% a month apart, 5% three years apart). 0
    /// (default) turns it off.
    #[arg(long, default_value_t = 0, value_name = "DAYS")]
    pub date_decay: u32,

    #[command(flatten)]
    pub vectors: VectorArgs,
}

/// How text becomes an event vector (shared by `cluster` and `check --level event`).
#[derive(Debug, Args, Clone)]
pub struct VectorArgs {
    /// Weight factor of names (capitalised words and runs).
    #[arg(long, default_value_t = VectorConfig::default().name_boost, value_name = "X", allow_negative_numbers = true, value_parser = finite_f32)]
    pub name_boost: f32,

    /// Weight factor of numbers.
    #[arg(long, default_value_t = VectorConfig::default().number_boost, value_name = "X", allow_negative_numbers = true, value_parser = finite_f32)]
    pub number_boost: f32,

    /// Weight factor of terms that occur in the title.
    #[arg(long, default_value_t = VectorConfig::default().title_boost, value_name = "X", allow_negative_numbers = true, value_parser = finite_f32)]
    pub title_boost: f32,

    /// Heaviest terms kept per article vector.
    #[arg(long, default_value_t = VectorConfig::default().max_terms, value_name = "N", allow_negative_numbers = true)]
    pub max_terms: usize,

    /// Weight of the shipped background term statistics (English news word
    /// shares) in document frequencies: as if the input held this many more
    /// articles of general news. 0 uses the input alone.
    #[arg(long, default_value_t = VectorConfig::default().background_docs, value_name = "N", allow_negative_numbers = true, value_parser = finite_f32)]
    pub background_docs: f32,

    /// How much terms no other article has count in each vector's norm, as
    /// a factor of their weight: 0 gives the cosine of the shared terms
    /// only, 1 the cosine over all terms.
    #[arg(long, default_value_t = VectorConfig::default().unshared_norm, value_name = "X", allow_negative_numbers = true, value_parser = finite_f32)]
    pub unshared_norm: f32,
}

impl VectorArgs {
    pub fn config(&self) -> VectorConfig {
        VectorConfig {
            name_boost: self.name_boost,
            number_boost: self.number_boost,
            title_boost: self.title_boost,
            max_terms: self.max_terms,
            background_docs: self.background_docs,
            unshared_norm: self.unshared_norm,
        }
    }
}

impl EventArgs {
    pub fn config(&self) -> ClusterConfig {
        ClusterConfig {
            vectors: self.vectors.config(),
            threshold: self.event_threshold,
            linkage: match self.linkage {
                LinkageArg::Graph => Linkage::Graph,
                LinkageArg::Exact => Linkage::Exact,
            },
            neighbours: self.neighbours,
            index_terms: self.index_terms,
            max_connections: self.max_connections,
            ef_construction: self.ef_construction,
            ef_search: self.ef_search,
            window_days: (self.window_days > 0).then_some(self.window_days),
            text_window_days: (self.text_window_days > 0).then_some(self.text_window_days),
            date_decay_days: (self.date_decay > 0).then_some(self.date_decay),
        }
    }
}

#[derive(Debug, Args)]
pub struct ClusterArgs {
    #[command(
        flatten,
        next_help_heading = "Duplicate detection (copies join their kept article's event)"
    )]
    pub detect: DetectArgs,

    #[command(flatten, next_help_heading = "Event clustering")]
    pub events: EventArgs,

    /// Write one JSON line per input article: id, event, group, status.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Events shown in the readable summary, largest first (0: all).
    #[arg(
        long,
        default_value_t = 20,
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub top: usize,

    /// Write the readable summary of all events to this file.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,

    /// Explain why this article joined its event: nearest neighbours, their
    /// similarities and the shared weighted terms.
    #[arg(long, value_name = "ID")]
    pub explain: Option<String>,

    /// Also measure the neighbour search: for N articles spread over the
    /// input, the share of their exact k nearest neighbours (brute force over
    /// every article) the neighbour graph holds; printed to stderr.
    #[arg(long, value_name = "N")]
    pub check_recall: Option<usize>,
}

/// What `eval` scores.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Level {
    /// Duplicate groups.
    Duplicate,
    /// Event clusters.
    Event,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub detect: DetectArgs,

    #[command(flatten, next_help_heading = "Event clustering (with --level event)")]
    pub events: EventArgs,

    /// Score duplicate groups or event clusters.
    #[arg(long, value_enum, default_value_t = Level::Duplicate)]
    pub level: Level,

    /// Also print the figures within each value of this field (e.g. topic).
    #[arg(long, value_name = "FIELD")]
    pub by: Option<String>,

    /// Input field holding the gold duplicate label.
    #[arg(long, value_name = "FIELD")]
    pub gold_field: String,

    /// Input field of a coarser label (e.g. event): pairs sharing it but not
    /// the gold label are hard negatives, and merged ones are counted.
    #[arg(long, value_name = "FIELD")]
    pub negative_field: Option<String>,

    /// Print the scores as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Real articles (JSON Lines) to make copies of.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,

    /// Edit strength: gentle, heavy or mixed (70% gentle, 30% heavy).
    #[arg(long, default_value = "gentle")]
    pub tier: newsdedup::bench::synth::Tier,

    /// Variants per real article.
    #[arg(long, default_value_t = 2, allow_negative_numbers = true)]
    pub variants: usize,

    /// Random seed (same seed, same file).
    #[arg(long, default_value_t = 42, allow_negative_numbers = true)]
    pub seed: u64,

    /// Total records: add synthetic originals (with copies) up to this many.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub scale: Option<usize>,

    /// Output file (default: stdout).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Output formats of `merge`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum MergeFormat {
    /// One JSON line per event (spans are byte offsets into each article's text).
    Json,
    /// One Markdown document.
    Md,
    /// A directory with one self-contained page per event and an index.html.
    Html,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    #[command(
        flatten,
        next_help_heading = "Duplicate detection (copies are listed with their source, not merged again)"
    )]
    pub detect: DetectArgs,

    #[command(
        flatten,
        next_help_heading = "Event clustering (used without --event-field, --events-from or --one-event)"
    )]
    pub events: EventArgs,

    /// Take each article's event from this input field (e.g. `event`)
    /// instead of clustering; articles without it are not merged.
    #[arg(long, value_name = "FIELD", conflicts_with_all = ["events_from", "one_event"])]
    pub event_field: Option<String>,

    /// Take events from a `newsdedup cluster -o` file (its `id` and `event` fields).
    #[arg(long, value_name = "FILE", conflicts_with = "one_event")]
    pub events_from: Option<PathBuf>,

    /// Treat all input articles as one event (named 1).
    #[arg(long)]
    pub one_event: bool,

    /// Merge only this event.
    #[arg(long, value_name = "ID")]
    pub event: Option<String>,

    /// Merge copies as sources of their own (shows what a copy changed).
    #[arg(long)]
    pub keep_copies: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = MergeFormat::Md)]
    pub format: MergeFormat,

    /// Output: a file for json and md (default stdout), a directory for html
    /// (or a .html file when one event is merged).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Two claims state one fact when the IDF-weighted cosine of their
    /// content words reaches this.
    #[arg(long, default_value_t = MergeConfig::default().align_threshold, value_name = "S", allow_negative_numbers = true, value_parser = finite_f32)]
    pub align_threshold: f32,

    /// Events with fewer distinct sources are not merged.
    #[arg(
        long,
        default_value_t = 2,
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub min_sources: usize,
}

#[derive(Debug, Args)]
pub struct MergeEvalArgs {
    /// Real articles (JSON Lines) to inject discrepancies into.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,

    /// Seed of the generator.
    #[arg(long, default_value_t = 7, allow_negative_numbers = true)]
    pub seed: u64,

    /// Also write the generated pairs (JSON Lines, `pair` and `injected` fields).
    #[arg(long, value_name = "FILE")]
    pub write_pairs: Option<PathBuf>,

    /// Write every missed and spurious discrepancy to this file.
    #[arg(long, value_name = "FILE")]
    pub errors: Option<PathBuf>,
}
