//! Flags of `eval` and `generate`.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

use super::{DetectArgs, EventArgs};

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

    /// Synthetic originals of 2-5 kB instead of 4-15 sentences (a corpus of
    /// longer articles, for speed measurements).
    #[arg(long)]
    pub long: bool,

    /// Output file (default: stdout).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}
