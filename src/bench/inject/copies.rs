//! The copy mode of the injected-discrepancy benchmark: real articles, each
//! with a copy that changed one fact (one run per kind) or made only neutral
//! edits, run through the `merge` job at its settings, so `dedup` must find
//! the copy and the merger must say what it changed. Each article and its
//! copy form one event (the `pair` field), so runs do not mix articles.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;

use super::{make_copy, score_copy, KindScore, Miss, Pair};
use crate::article::Article;
use crate::error::{Error, Result};
use crate::ingest::{Corpus, InputSpec};
use crate::merge::{Discrepancy, DiscrepancyKind, EventSource, MergeJob, Relation};
use crate::progress::Silent;

/// What the copy mode measured.
#[derive(Debug, Clone, Default)]
pub struct CopyScores {
    /// Per kind: edits injected and found, changes reported and correct
    /// (over every run, the neutral one included).
    pub scores: BTreeMap<DiscrepancyKind, KindScore>,
    pub misses: Vec<Miss>,
    /// Every generated pair (copies of each kind, then neutral copies).
    pub pairs: Vec<Pair>,
    /// Copies with neutral edits only, and how many of them were reported
    /// as changed.
    pub neutral: usize,
    pub neutral_flagged: usize,
    /// Pairs whose copy `dedup` did not find as a copy of its article.
    pub not_copies: usize,
    /// The originals used: those `dedup` keeps (copies among the originals
    /// would be copies of each other's pairs).
    pub originals: usize,
}

/// A temporary JSON Lines file of `values`, opened as a corpus.
fn temp_corpus(
    values: impl Iterator<Item = serde_json::Value>,
) -> Result<(tempfile::NamedTempFile, Corpus)> {
    let mut file =
        tempfile::NamedTempFile::new().map_err(|e| Error::io("create", std::env::temp_dir(), e))?;
    for value in values {
        writeln!(file, "{value}").map_err(|e| Error::io("write", file.path(), e))?;
    }
    file.flush()
        .map_err(|e| Error::io("write", file.path(), e))?;
    let corpus = Corpus::open(&[InputSpec::Path(file.path().to_path_buf())])?;
    Ok((file, corpus))
}

/// Runs the copy mode over `originals` (those `dedup` keeps) with the dedup and merge settings of `job` (its event source is
/// replaced by the pairs).
///
/// # Errors
/// Writing or reading the generated corpus.
pub fn score_copies(originals: &[Article], seed: u64, job: &MergeJob) -> Result<CopyScores> {
    let mut out = CopyScores::default();
    let (_file, corpus) = temp_corpus(originals.iter().map(Article::to_json))?;
    let first = job.dedup.run(&corpus, &Silent)?;
    let kept: HashSet<&str> = (0..first.table.len() as u32)
        .filter(|&row| first.duplicate_of(row).is_none())
        .map(|row| first.table.id(row))
        .collect();
    let originals: Vec<&Article> = originals
        .iter()
        .filter(|a| kept.contains(a.id.as_str()))
        .collect();
    out.originals = originals.len();
    let kinds = DiscrepancyKind::ALL.map(Some);
    for kind in kinds.into_iter().chain([None]) {
        let pairs: Vec<Pair> = originals
            .iter()
            .filter_map(|a| make_copy(a, seed, kind))
            .collect();
        let (_file, corpus) = temp_corpus(pairs.iter().flat_map(Pair::to_json))?;
        let run = MergeJob {
            events: EventSource::Field("pair".into()),
            keep_copies: false,
            only: None,
            ..job.clone()
        };
        let merged = run.run(&corpus, &Silent)?;
        let changes: HashMap<&str, Vec<&Discrepancy>> = merged
            .stories
            .iter()
            .map(|s| {
                let copy = s
                    .discrepancies
                    .iter()
                    .filter(|d| d.relation == Relation::Copy);
                (s.event.as_str(), copy.collect())
            })
            .collect();
        let table = &merged.dedup.table;
        let row_of: HashMap<&str, u32> =
            (0..table.len() as u32).map(|r| (table.id(r), r)).collect();
        for pair in &pairs {
            let (a, b) = (
                row_of[pair.original.id.as_str()],
                row_of[pair.edited.id.as_str()],
            );
            let copy_of = |x: u32| merged.dedup.duplicate_of(x).map(|(rep, _)| rep);
            if copy_of(a) != Some(b) && copy_of(b) != Some(a) {
                out.not_copies += 1;
            }
            let found = changes
                .get(pair.original.id.as_str())
                .map_or(&[][..], Vec::as_slice);
            let flagged = score_copy(pair, found, &mut out.scores, &mut out.misses);
            if kind.is_none() {
                out.neutral += 1;
                out.neutral_flagged += usize::from(flagged);
            }
        }
        out.pairs.extend(pairs);
    }
    Ok(out)
}
