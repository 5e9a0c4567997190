//! Flags of event clustering (`cluster`, and the event settings other commands share).

use clap::{Args, ValueEnum};
use newsdedup::events::VectorConfig;
use newsdedup::events::{ClusterConfig, Linkage, NeighbourSearch};
use std::path::PathBuf;

use super::finite_f32;
use super::DetectArgs;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SearchArg {
    Postings,
    Hnsw,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LinkageArg {
    Graph,
    Exact,
}

/// Flags of event clustering (shared by `cluster`, `dedup --events` and `eval`).
#[derive(Debug, Args, Clone)]
pub struct EventArgs {
    /// Clusters merge while the average cosine similarity of their articles'
    /// event vectors is at least this.
    #[arg(long, default_value_t = ClusterConfig::default().threshold, value_name = "S", allow_negative_numbers = true, value_parser = finite_f32)]
    pub event_threshold: f32,

    /// Cluster similarity: graph (mean over all pairs of the neighbour-graph
    /// edge similarities, 0 for pairs that are not neighbours) or exact (mean
    /// cosine over all pairs).
    #[arg(long, value_enum, default_value_t = LinkageArg::Graph)]
    pub linkage: LinkageArg,

    /// Nearest neighbours looked up per article.
    #[arg(long, default_value_t = ClusterConfig::default().neighbours, value_name = "K", allow_negative_numbers = true)]
    pub neighbours: usize,

    /// How candidate neighbours are found: postings (an inverted index of
    /// each article's heaviest terms, exact) or hnsw (approximate graphs).
    #[arg(long, value_enum, default_value_t = SearchArg::Postings)]
    pub search: SearchArg,

    /// Heaviest terms per article the search uses (its proposals are
    /// re-ranked on whole vectors).
    #[arg(long, default_value_t = ClusterConfig::default().index_terms, value_name = "N", allow_negative_numbers = true)]
    pub index_terms: usize,

    /// Postings search: articles kept per term (the ones it weighs most).
    #[arg(long, default_value_t = ClusterConfig::default().postings_cap, value_name = "N", allow_negative_numbers = true)]
    pub postings_cap: usize,

    /// HNSW links per node and layer (2-256).
    #[arg(long, default_value_t = ClusterConfig::default().max_connections, value_name = "M", allow_negative_numbers = true)]
    pub max_connections: usize,

    /// HNSW candidate list size while building the index.
    #[arg(long, default_value_t = ClusterConfig::default().ef_construction, value_name = "EF", allow_negative_numbers = true)]
    pub ef_construction: usize,

    /// HNSW candidate list size while searching.
    #[arg(long, default_value_t = ClusterConfig::default().ef_search, value_name = "EF", allow_negative_numbers = true)]
    pub ef_search: usize,

    /// Two clusters whose `published` days are more than this many days
    /// apart (the gap between their date ranges) never merge: reports a
    /// few days apart chain a story that runs for weeks. 0 ignores dates.
    #[arg(
        long,
        default_value_t = 7,
        value_name = "DAYS",
        allow_negative_numbers = true
    )]
    pub window_days: u32,

    /// The same for days read from the text (no `published` field): page
    /// dates are less exact, and follow-up reports come months later. 0
    /// ignores dates read from text.
    #[arg(long, default_value_t = 730, value_name = "DAYS")]
    pub text_window_days: u32,

    /// Similarity decays with the distance of publication days (either
    /// source): an edge between articles D days apart keeps exp(-D / DAYS)
    /// of its weight (365: 92% a month apart, 5% three years apart). 0
    /// (default) turns it off.
    #[arg(long, default_value_t = 0, value_name = "DAYS")]
    pub date_decay: u32,

    /// Do not read venues (dateline, "in Hamburg" in the lead) nor keep
    /// clusters with incompatible venues apart.
    #[arg(long)]
    pub no_places: bool,

    /// Let hub articles (close to several articles that are unrelated to
    /// each other: a roundup) take part in linkage.
    #[arg(long)]
    pub no_hubs: bool,

    #[command(flatten)]
    pub vectors: VectorArgs,
}

/// How text becomes an event vector (shared by `cluster` and `check --level event`).
#[derive(Debug, Args, Clone)]
pub struct VectorArgs {
    /// Weight factor of names (capitalised words and runs).
    #[arg(long, default_value_t = VectorConfig::default().name_boost, value_name = "X", allow_negative_numbers = true, value_parser = finite_f32)]
    pub name_boost: f32,

    /// Weight factor of numbers.
    #[arg(long, default_value_t = VectorConfig::default().number_boost, value_name = "X", allow_negative_numbers = true, value_parser = finite_f32)]
    pub number_boost: f32,

    /// Weight factor of terms that occur in the title.
    #[arg(long, default_value_t = VectorConfig::default().title_boost, value_name = "X", allow_negative_numbers = true, value_parser = finite_f32)]
    pub title_boost: f32,

    /// Heaviest terms kept per article vector.
    #[arg(long, default_value_t = VectorConfig::default().max_terms, value_name = "N", allow_negative_numbers = true)]
    pub max_terms: usize,

    /// Weight of the shipped background term statistics (English news word
    /// shares) in document frequencies: as if the input held this many more
    /// articles of general news. 0 uses the input alone.
    #[arg(long, default_value_t = VectorConfig::default().background_docs, value_name = "N", allow_negative_numbers = true, value_parser = finite_f32)]
    pub background_docs: f32,

    /// How much terms no other article has count in each vector's norm, as
    /// a factor of their weight: 0 gives the cosine of the shared terms
    /// only, 1 the cosine over all terms; auto: M / (N + M), M the
    /// background documents and N the articles of the input (near 1 for a
    /// few articles, near 0 for a corpus far larger than M).
    #[arg(long, default_value = "auto", value_name = "X|auto", value_parser = auto_or_factor)]
    pub unshared_norm: Auto,

    /// Two articles that both have at least two name or number terms and
    /// whose detail vectors' (names and numbers only) cosine is under this
    /// disagree on the incident: their similarity is multiplied by
    /// --detail-factor. In (0, 1].
    #[arg(long, default_value_t = VectorConfig::default().detail_agreement, value_name = "COSINE", allow_negative_numbers = true, value_parser = finite_f32)]
    pub detail_agreement: f32,

    /// Factor on the similarity of two articles whose details disagree
    /// (1 turns the rule off).
    #[arg(long, default_value_t = VectorConfig::default().detail_factor, value_name = "X", allow_negative_numbers = true, value_parser = finite_f32)]
    pub detail_factor: f32,
}

impl VectorArgs {
    pub fn config(&self) -> VectorConfig {
        VectorConfig {
            name_boost: self.name_boost,
            number_boost: self.number_boost,
            title_boost: self.title_boost,
            max_terms: self.max_terms,
            background_docs: self.background_docs,
            unshared_norm: self.unshared_norm.0,
            detail_agreement: self.detail_agreement,
            detail_factor: self.detail_factor,
        }
    }
}

impl EventArgs {
    pub fn config(&self) -> ClusterConfig {
        ClusterConfig {
            vectors: self.vectors.config(),
            threshold: self.event_threshold,
            linkage: match self.linkage {
                LinkageArg::Graph => Linkage::Graph,
                LinkageArg::Exact => Linkage::Exact,
            },
            neighbours: self.neighbours,
            search: match self.search {
                SearchArg::Postings => NeighbourSearch::Postings,
                SearchArg::Hnsw => NeighbourSearch::Hnsw,
            },
            index_terms: self.index_terms,
            postings_cap: self.postings_cap,
            max_connections: self.max_connections,
            ef_construction: self.ef_construction,
            ef_search: self.ef_search,
            window_days: (self.window_days > 0).then_some(self.window_days),
            text_window_days: (self.text_window_days > 0).then_some(self.text_window_days),
            date_decay_days: (self.date_decay > 0).then_some(self.date_decay),
            places: !self.no_places,
            hubs: !self.no_hubs,
        }
    }
}

#[derive(Debug, Args)]
pub struct ClusterArgs {
    #[command(
        flatten,
        next_help_heading = "Duplicate detection (copies join their kept article's event)"
    )]
    pub detect: DetectArgs,

    #[command(flatten, next_help_heading = "Event clustering")]
    pub events: EventArgs,

    /// Write one JSON line per input article: id, event, group, status.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Events shown in the readable summary, largest first (0: all).
    #[arg(
        long,
        default_value_t = 20,
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub top: usize,

    /// Write the readable summary of all events to this file.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,

    /// Explain why this article joined its event: nearest neighbours, their
    /// similarities and the shared weighted terms.
    #[arg(long, value_name = "ID")]
    pub explain: Option<String>,

    /// Also measure the neighbour search: for N articles spread over the
    /// input, the share of their exact k nearest neighbours (brute force over
    /// every article) the neighbour graph holds; printed to stderr.
    #[arg(long, value_name = "N")]
    pub check_recall: Option<usize>,
}

/// `auto`, or a fixed factor (`--unshared-norm`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Auto(pub Option<f32>);

fn auto_or_factor(s: &str) -> Result<Auto, String> {
    if s == "auto" {
        Ok(Auto(None))
    } else {
        finite_f32(s).map(|v| Auto(Some(v)))
    }
}
