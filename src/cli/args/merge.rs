//! Flags of `merge` and `merge-eval`.

use clap::{Args, ValueEnum};
use newsdedup::merge::MergeConfig;
use std::path::PathBuf;

use super::finite_f32;
use super::{DetectArgs, EventArgs};

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
        next_help_heading = "Duplicate detection (copies are listed with their source and compared with it, not merged as sources)"
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

    /// Merge copies as sources of their own instead of comparing each with
    /// the article it copies.
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

    /// Events with fewer distinct sources are not merged (unless a copy
    /// changed a fact of their source).
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

    /// Copy mode: each article with a copy that changed one fact (a run per
    /// kind) or made neutral edits only, merged by `merge` at its defaults:
    /// dedup must find the copy and the merger what it changed.
    #[arg(long)]
    pub copies: bool,
}
