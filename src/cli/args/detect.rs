//! Flags of duplicate detection shared by every command (inputs, matching, reading) and `dedup`'s own.

use clap::{Args, ValueEnum};
use newsdedup::sketch::lsh::LshParams;
use newsdedup::text::boilerplate::BoilerplateConfig;
use newsdedup::{
    Corpus, DedupConfig, InputFormat, InputSpec, KeepRule, MinHashParams, OnError, Scheme,
};
use std::path::PathBuf;

use super::finite_f64;
use super::EventArgs;

/// Flags shared by every command that runs duplicate detection.
#[derive(Debug, Args, Clone)]
pub struct DetectArgs {
    /// Inputs: JSON Lines files, .txt articles (first line is the title, file
    /// stem the id), HTML pages, WARC files, directories of them, or - for stdin.
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

    /// How input files are read: from their names (auto: .jsonl, .txt,
    /// .html/.htm, .warc, each optionally .gz), or all (stdin too) as one format.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto, value_name = "FORMAT")]
    pub input_format: InputFormatArg,
}

/// `--input-format`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum InputFormatArg {
    Auto,
    Jsonl,
    Txt,
    Html,
    Warc,
}

impl ReadArgs {
    pub fn input_format(&self) -> InputFormat {
        match self.input_format {
            InputFormatArg::Auto => InputFormat::Auto,
            InputFormatArg::Jsonl => InputFormat::JsonLines,
            InputFormatArg::Txt => InputFormat::Text,
            InputFormatArg::Html => InputFormat::Html,
            InputFormatArg::Warc => InputFormat::Warc,
        }
    }

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

    /// Not copies when each text has an unshared middle (a run of 30 or more
    /// shingles between shared ones) of at least this share of its length:
    /// two pages of one site share its header and footer around different
    /// stories. 1 turns it off.
    #[arg(long, default_value_t = 0.2, value_name = "SHARE", allow_negative_numbers = true, value_parser = finite_f64)]
    pub unshared_middle: f64,

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

    /// Use the rules of the sharded stages (`stage`, spark/): line
    /// frequencies summed over shards (count-min without conservative
    /// update) and LSH buckets over 64 articles compared with their first
    /// 64 articles. The Spark job gives the same output as dedup with this.
    #[arg(long)]
    pub shardable: bool,
}

/// `dedup --output-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormatArg {
    Auto,
    Records,
    Fields,
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
        crate::cli::open_corpus(&self.inputs, &self.reading)
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
            unshared_middle: self.unshared_middle,
            candidate_threshold: self.candidate_threshold,
            rare_bucket: self.rare_bucket,
            shardable: self.shardable,
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

    /// Write the cleaned corpus (one kept article per group, all fields as
    /// read; for HTML/WARC inputs see --output-format).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// What -o holds: the kept records as read (JSON Lines as read; WARC
    /// records byte for byte into a WARC file; HTML files copied into a
    /// directory) or their fields as JSON Lines (extracted from pages, with
    /// file and line or offset). auto: records, except fields for HTML or
    /// WARC inputs written to a .jsonl or .ndjson name.
    #[arg(long, value_enum, default_value_t = OutputFormatArg::Auto, value_name = "FORMAT")]
    pub output_format: OutputFormatArg,

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

    /// Compare each removed copy with the article kept for it and list the
    /// facts it changed (numbers, dates, names, quotes, actors, time
    /// references) in --report, the text report and the summary.
    #[arg(long)]
    pub changes: bool,

    /// Also cluster the kept articles into events and write each article's
    /// event and group to this file (JSON Lines).
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,

    #[command(flatten, next_help_heading = "Event clustering (with --events)")]
    pub event_flags: EventArgs,
}
