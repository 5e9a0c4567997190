//! Flags of `index` and `check`.

use clap::{Args, Subcommand, ValueEnum};
use newsdedup::index::EventQuery;
use std::path::PathBuf;

use super::finite_f32;
use super::finite_f64;
use super::{MatchArgs, ReadArgs, VectorArgs};

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
    /// Rewrite the index file without its free pages (left by earlier
    /// batches, replacements and removals) and print the sizes.
    Compact(IndexCompactArgs),
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

    /// File only the first N of the 128 signature slots for the rare-shingle
    /// lookup that finds abridged copies (default: all). 32 makes `index add`
    /// about 2.4x and `check` 2.3x faster and the file a third smaller, and
    /// misses 3 of 1,614 heavy-tier copies that all slots find (README).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub rare_slots: Option<usize>,
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
pub struct IndexCompactArgs {
    /// The index file.
    pub db: PathBuf,

    #[command(flatten)]
    pub wait: WaitArgs,
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

    /// With --level event: the window for days read from the text when an
    /// article has no `published` (0 ignores them).
    #[arg(long, default_value_t = 730, value_name = "DAYS")]
    pub text_window_days: u32,

    /// With --level event: do not keep held articles whose venues
    /// (dateline, "in Hamburg" in the lead) are incompatible apart.
    #[arg(long)]
    pub no_places: bool,

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
