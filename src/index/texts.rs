//! Held texts and changed copies: each held record keeps its article's text
//! (deflated), so an incoming copy of a held article can be compared with
//! it by the merger's rule ([`Merger::changes`]); a copy whose facts differ
//! gets the verdict `changed_copy`. Also the one re-read of an incoming
//! batch (event terms and packed texts).

use std::io::{Read, Write};
use std::path::Path;

use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use rayon::prelude::*;

use super::file::{damaged, DOCS, IDS};
use super::record::load_doc_as;
use super::{Index, IndexSettings, Verdict};
use crate::dedup::{DedupOutcome, OnError};
use crate::error::{Error, Result};
use crate::events::dates::{ArticleDay, DayFrom};
use crate::events::evidence::article_evidence;
use crate::events::places::{venue_set, Gazetteer, Place};
use crate::ingest::Corpus;
use crate::merge::{MergeConfig, Merger};
use crate::progress::{Progress, Stage};

/// Rows of a batch whose copies are compared with what they copy at a time.
const COMPARED_AT_ONCE: usize = 4096;

/// An incoming article as the index needs it beyond its signature.
#[derive(Debug, Clone, Default)]
pub(super) struct Incoming {
    /// Event terms: key, kind and title flag, count.
    pub terms: Vec<(u64, u8, u32)>,
    /// Its day (days since 1970-01-01): the `published` field, else a date
    /// read from the text ([`crate::events::dates::article_day`]).
    pub day: Option<ArticleDay>,
    /// Its venues, as `cluster` compares them ([`venue_set`]).
    pub venues: Vec<Place>,
    /// The article's text, deflated ([`pack`]).
    pub text: Vec<u8>,
}

impl Incoming {
    /// Its day when it came from the `published` field.
    pub fn published_day(&self) -> Option<i32> {
        self.day
            .as_ref()
            .filter(|d| d.from == DayFrom::Published)
            .map(|d| d.day)
    }
}

/// A text deflated for storage.
pub(super) fn pack(text: &str) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::fast());
    encoder
        .write_all(text.as_bytes())
        .expect("writing to memory cannot fail");
    encoder.finish().expect("writing to memory cannot fail")
}

/// A stored text, or an error naming the record when it does not inflate.
pub(super) fn unpack(packed: &[u8], record: &str, path: &Path) -> Result<String> {
    let mut text = String::new();
    DeflateDecoder::new(packed)
        .read_to_string(&mut text)
        .map_err(|e| damaged(path, record, format!("its text cannot be read ({e})")))?;
    Ok(text)
}

/// The event terms and packed text of every row of a signed batch (one
/// more pass over it).
pub(super) fn read_batch(
    corpus: &Corpus,
    batch: &DedupOutcome,
    settings: &IndexSettings,
    progress: &dyn Progress,
) -> Result<Vec<Incoming>> {
    let boilerplate = settings.dedup_config(OnError::Skip).boilerplate;
    let mut out = vec![Incoming::default(); batch.table.len()];
    progress.begin(Stage::Vectors, Some(corpus.total_bytes()));
    // No corpus line frequencies: a batch is too small to learn them, and
    // held articles must weigh the same whichever batch brought them.
    batch.map_rows(
        corpus,
        progress,
        |_| true,
        |_, article| {
            let evidence = article_evidence(&article, &boilerplate, None, None, true);
            let gazetteer = Gazetteer::shipped();
            Incoming {
                terms: evidence
                    .terms
                    .0
                    .into_iter()
                    .map(|t| (t.key, t.kind.code(t.in_title), t.count))
                    .collect(),
                day: evidence.day,
                venues: venue_set(&evidence.venues)
                    .into_iter()
                    .map(|id| gazetteer.place(id).clone())
                    .collect(),
                text: pack(&article.text),
            }
        },
        |row, incoming| {
            out[row as usize] = incoming;
            Ok(())
        },
    )?;
    progress.end();
    Ok(out)
}

impl Index {
    /// Compares every incoming copy of a held article with the held text,
    /// and every copy within the batch with the incoming article it copies,
    /// and turns its verdict into [`Verdict::ChangedCopy`] or
    /// [`Verdict::ChangedCopyOfIncoming`] when facts differ. Incoming texts come from `incoming` when the batch was
    /// re-read already, else from one re-read of the copies.
    ///
    /// # Errors
    /// Reading the index or the corpus; a held text that does not inflate.
    pub(super) fn compare_copies(
        &self,
        corpus: &Corpus,
        batch: &DedupOutcome,
        verdicts: &mut [Verdict],
        incoming: &[Incoming],
        progress: &dyn Progress,
    ) -> Result<()> {
        // Rows whose text is needed: copies of held articles, copies within
        // the batch and the incoming articles they copy.
        let mut needed = vec![false; verdicts.len()];
        for (row, v) in verdicts.iter().enumerate() {
            match v {
                Verdict::CopyOfHeld { .. } => needed[row] = true,
                Verdict::CopyOfIncoming { row: kept, .. } => {
                    needed[row] = true;
                    needed[*kept as usize] = true;
                }
                _ => {}
            }
        }
        if !needed.contains(&true) {
            return Ok(());
        }
        let mut texts: Vec<Option<String>> = vec![None; verdicts.len()];
        // From the re-read batch when there was one (a text handed to the
        // index by `--add` is gone from it: an empty packed text), else
        // read again.
        for row in (0..verdicts.len()).filter(|&r| needed[r]) {
            if let Some(packed) = incoming.get(row).filter(|i| !i.text.is_empty()) {
                let record = format!("incoming row {row}");
                texts[row] = Some(unpack(&packed.text, &record, &self.path)?);
            }
        }
        let missing: Vec<bool> = (0..verdicts.len())
            .map(|r| needed[r] && texts[r].is_none())
            .collect();
        let reread = missing.contains(&true);
        progress.begin(Stage::CompareCopies, reread.then(|| corpus.total_bytes()));
        if reread {
            batch.map_rows(
                corpus,
                progress,
                |row| missing[row as usize],
                |_, a| a.text,
                |row, text| {
                    texts[row as usize] = Some(text);
                    Ok(())
                },
            )?;
        }
        let merger = Merger::new(MergeConfig {
            boilerplate: self.settings.dedup_config(OnError::Skip).boilerplate,
            ..MergeConfig::default()
        })?;
        let e = |e: redb::Error| Error::index("cannot read", &self.path, e);
        let txn = self.handle().begin_read().map_err(|x| e(x.into()))?;
        let docs = txn.open_table(DOCS).map_err(|x| e(x.into()))?;
        let ids = txn.open_table(IDS).map_err(|x| e(x.into()))?;
        // In slices of rows, so that only a slice's held texts are unpacked
        // at a time.
        for start in (0..verdicts.len()).step_by(COMPARED_AT_ONCE) {
            // Each copy with the text it is compared with: the held article's
            // (read here, in row order) or the incoming one it copies.
            let mut pairs: Vec<(usize, std::borrow::Cow<'_, str>, &str)> = Vec::new();
            for (row, verdict) in verdicts
                .iter()
                .enumerate()
                .skip(start)
                .take(COMPARED_AT_ONCE)
            {
                let Some(text) = texts[row].as_deref() else {
                    continue;
                };
                match verdict {
                    Verdict::CopyOfHeld { held, .. } => {
                        let doc = ids
                            .get(held.id.as_str())
                            .map_err(|x| e(x.into()))?
                            .map(|g| g.value())
                            .ok_or_else(|| {
                                damaged(&self.path, format!("id {:?}", held.id), "it is gone")
                            })?;
                        let stored = load_doc_as(&docs, doc, &held.id, &self.path)?;
                        let held_text =
                            unpack(&stored.text, &format!("document {doc}"), &self.path)?;
                        pairs.push((row, held_text.into(), text));
                    }
                    Verdict::CopyOfIncoming { row: kept, .. } => {
                        if let Some(original) = texts[*kept as usize].as_deref() {
                            pairs.push((row, original.into(), text));
                        }
                    }
                    _ => {}
                }
            }
            // The comparisons on all threads; verdicts change in row order.
            let changes: Vec<_> = pairs
                .par_iter()
                .map(|(row, original, copy)| (*row, merger.changes(original, copy, None)))
                .collect();
            for (row, changes) in changes {
                if changes.is_empty() {
                    continue;
                }
                verdicts[row] = match &verdicts[row] {
                    Verdict::CopyOfHeld {
                        held,
                        similarity,
                        containment,
                    } => Verdict::ChangedCopy {
                        held: held.clone(),
                        similarity: *similarity,
                        containment: *containment,
                        changes,
                    },
                    &Verdict::CopyOfIncoming {
                        row: kept,
                        similarity,
                        containment,
                    } => Verdict::ChangedCopyOfIncoming {
                        row: kept,
                        similarity,
                        containment,
                        changes,
                    },
                    _ => unreachable!("only copies are compared"),
                };
            }
        }
        progress.end();
        Ok(())
    }
}
