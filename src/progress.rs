//! Progress reporting seam: the library says what it is doing, the binary
//! decides whether and how to show it.

use std::fmt;

/// A long-running stage of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Counting line frequencies to learn boilerplate (bytes).
    LearnBoilerplate,
    /// Normalizing, shingling and signing articles (bytes).
    Sign,
    /// Finding and verifying candidate pairs (bands).
    Candidates,
    /// Placing copies with the articles they copy (components).
    Group,
    /// Building event vectors (articles).
    Vectors,
    /// Building the nearest-neighbour graph (articles).
    Neighbours,
    /// Linking clusters (steps).
    Linkage,
    /// Looking up or storing articles in a persistent index (articles).
    Index,
    /// Comparing copies with the articles they copy (bytes of the texts
    /// re-read, when they are).
    CompareCopies,
    /// Writing outputs (bytes).
    Write,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::LearnBoilerplate => "learning boilerplate",
            Stage::Sign => "signing articles",
            Stage::Candidates => "verifying candidates",
            Stage::Group => "grouping copies",
            Stage::Vectors => "building event vectors",
            Stage::Neighbours => "finding neighbours",
            Stage::Linkage => "linking events",
            Stage::Index => "updating index",
            Stage::CompareCopies => "comparing copies",
            Stage::Write => "writing output",
        })
    }
}

/// Receives progress events. All methods default to doing nothing.
pub trait Progress: Sync {
    /// A stage starts; `total` is in the stage's unit when known.
    fn begin(&self, _stage: Stage, _total: Option<u64>) {}
    /// `n` more units of the current stage are done.
    fn advance(&self, _n: u64) {}
    /// The current stage is done.
    fn end(&self) {}
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}
