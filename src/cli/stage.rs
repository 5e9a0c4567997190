//! `newsdedup stage`: one stage of the dedup job on a shard or on what a
//! cluster engine shuffled (stdin → stdout), for `spark/newsdedup_dedup.py`.

use std::fs::File;
use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use newsdedup::ingest::Shard;
use newsdedup::stages::{self, ShardFiles};
use newsdedup::{Corpus, Deduplicator};

use super::args::{ShardArgs, StageCommand, StageSettings};

fn dedup(settings: &StageSettings) -> anyhow::Result<Deduplicator> {
    Deduplicator::new(settings.config()).context("invalid settings")
}

fn open_shard(shard: &ShardArgs, max_bytes: u64) -> anyhow::Result<(Corpus, Shard)> {
    let range = Shard {
        start: shard.start,
        end: shard.end,
        first_line: shard.first_line,
    };
    let name = shard
        .name
        .clone()
        .unwrap_or_else(|| shard.path.display().to_string());
    let corpus = Corpus::open_shard(&shard.path, &name, range)?.with_max_bytes(max_bytes);
    Ok((corpus, range))
}

pub fn run(command: &StageCommand) -> anyhow::Result<ExitCode> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    match command {
        StageCommand::Sketch {
            shard,
            corpus_bytes,
            output,
            settings,
        } => {
            let (corpus, range) = open_shard(shard, settings.max_bytes)?;
            let dedup = dedup(settings)?;
            let lines =
                stages::sketch_shard(&dedup, &shard.path, &corpus, range, *corpus_bytes, output)?;
            writeln!(out, "{}", serde_json::json!({ "lines": lines }))?;
        }
        StageCommand::MergeSketches { output, inputs } => {
            stages::merge_sketches(inputs, output)?;
        }
        StageCommand::Sign {
            shard,
            sketch,
            work,
            settings,
        } => {
            let (corpus, _) = open_shard(shard, settings.max_bytes)?;
            let dedup = dedup(settings)?;
            let files = ShardFiles::new(work, shard.shard);
            let records = stages::sign_shard(&dedup, &corpus, &files, sketch.as_deref())?;
            writeln!(out, "{}", serde_json::json!({ "records": records }))?;
        }
        StageCommand::Verify { work, settings } => {
            stages::verify_pairs(&dedup(settings)?, work, &mut input, &mut out)?;
        }
        StageCommand::Components => {
            stages::components(&mut input, &mut out)?;
        }
        StageCommand::Place { work, settings } => {
            stages::place_components(&dedup(settings)?, work, &mut input, &mut out)?;
        }
        StageCommand::RejectIds => {
            stages::reject_duplicate_ids(&mut input, &mut out)?;
        }
        StageCommand::Apply {
            shard,
            output,
            max_bytes,
        } => {
            let (corpus, _) = open_shard(shard, *max_bytes)?;
            let mut dropped = Vec::new();
            for line in input.lines() {
                let line = line?;
                if !line.trim().is_empty() {
                    dropped.push(line.trim().parse::<usize>().with_context(|| {
                        format!("apply: {line:?} on stdin is not a record number")
                    })?);
                }
            }
            dropped.sort_unstable();
            let file = File::create(output)
                .with_context(|| format!("cannot create {}", output.display()))?;
            let mut w = BufWriter::with_capacity(1 << 20, file);
            stages::apply_shard(&corpus, &dropped, &mut w, output)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
