//! Arguments of `newsdedup stage`: the dedup job's stages on shards.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use newsdedup::{DedupConfig, KeepRule};

use super::MatchArgs;

/// The settings every stage of one run must share (the flags of `dedup`).
#[derive(Debug, Args, Clone)]
pub struct StageSettings {
    #[command(flatten)]
    pub matching: MatchArgs,

    /// Which copy to keep: longest, earliest, first, or source-priority=A,B,…
    #[arg(long, default_value = "longest", value_name = "RULE")]
    pub keep: KeepRule,

    /// Largest record accepted, in bytes; larger ones are rejected.
    #[arg(long, default_value_t = newsdedup::ingest::DEFAULT_MAX_BYTES, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_bytes: u64,
}

impl StageSettings {
    /// The dedup settings, with the sharded rules always on.
    pub fn config(&self) -> DedupConfig {
        DedupConfig {
            keep: self.keep.clone(),
            shardable: true,
            ..self.matching.config()
        }
    }
}

/// One shard of a JSON Lines file.
#[derive(Debug, Args, Clone)]
pub struct ShardArgs {
    /// The file the shard is part of.
    #[arg(long, value_name = "FILE")]
    pub path: PathBuf,
    /// The file's name in reports (as `dedup` was given it); default: --path.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The shard's number (shards are numbered in input order).
    #[arg(long, value_name = "N")]
    pub shard: u32,
    /// First byte of the shard (the start of a line).
    #[arg(long, value_name = "BYTE")]
    pub start: u64,
    /// End of the shard (just after a line break, or the file's size).
    #[arg(long, value_name = "BYTE")]
    pub end: u64,
    /// Lines of the file before the shard.
    #[arg(long, default_value_t = 0, value_name = "LINES")]
    pub first_line: u64,
}

#[derive(Debug, Subcommand)]
pub enum StageCommand {
    /// A shard's line-frequency sketch (sized for --corpus-bytes); prints
    /// the shard's line count as {"lines": N}.
    Sketch {
        #[command(flatten)]
        shard: ShardArgs,
        /// Total bytes of all input files.
        #[arg(long)]
        corpus_bytes: u64,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        settings: StageSettings,
    },
    /// Sum shard sketches into the corpus's.
    MergeSketches {
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[arg(value_name = "SKETCH")]
        inputs: Vec<PathBuf>,
    },
    /// Sign a shard: rows, keys, rejections, signatures and sets into --work.
    Sign {
        #[command(flatten)]
        shard: ShardArgs,
        /// The merged sketch (from merge-sketches).
        #[arg(long, value_name = "FILE")]
        sketch: Option<PathBuf>,
        #[arg(long, value_name = "DIR")]
        work: PathBuf,
        #[command(flatten)]
        settings: StageSettings,
    },
    /// Candidate pairs on stdin ("a b" global ids) → the verified ones on stdout.
    Verify {
        #[arg(long, value_name = "DIR")]
        work: PathBuf,
        #[command(flatten)]
        settings: StageSettings,
    },
    /// Verified pairs on stdin → "id component" lines on stdout.
    Components,
    /// Component rows on stdin (JSON) → report lines of removed copies.
    Place {
        #[arg(long, value_name = "DIR")]
        work: PathBuf,
        #[command(flatten)]
        settings: StageSettings,
    },
    /// Records with a duplicate id on stdin (JSON) → their report lines.
    RejectIds,
    /// A shard's kept records, as read, to -o; the record numbers to drop
    /// on stdin, one per line.
    Apply {
        #[command(flatten)]
        shard: ShardArgs,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Largest record accepted, in bytes (as in sign).
        #[arg(long, default_value_t = newsdedup::ingest::DEFAULT_MAX_BYTES, value_name = "BYTES")]
        max_bytes: u64,
    },
}
