//! Flags of `extract`.

use clap::Args;
use std::path::PathBuf;

use super::ReadArgs;

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Inputs: HTML pages, WARC files, JSON Lines (records with `html` or
    /// `text`), .txt articles, directories of them, or - for stdin.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// Write the extracted fields here, one JSON object per record with the
    /// file and line or byte offset it came from (default: stdout, unless
    /// --score is given).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write the records that gave no article (rejected, skipped, no
    /// article text) here as JSON Lines.
    #[arg(long, value_name = "FILE")]
    pub rejected: Option<PathBuf>,

    /// Score the extracted text against annotated bodies (a ground-truth
    /// file of the article extraction benchmark: {"<file stem>":
    /// {"articleBody": …, "url": …}}); pages are matched by file stem, else URL.
    #[arg(long, value_name = "GROUND_TRUTH")]
    pub score: Option<PathBuf>,

    #[command(flatten)]
    pub reading: ReadArgs,
}
