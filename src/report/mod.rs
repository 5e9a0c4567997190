//! Writers of every command's outputs: the cleaned corpus and removal report
//! of `dedup` (`corpus`; for HTML and WARC inputs `pages`), `check`
//! reports ([`check`]), merged stories ([`merge`]).

pub mod check;
pub mod cluster;
mod corpus;
pub mod merge;
mod pages;

pub use corpus::*;
pub use pages::*;

/// A text on one line, runs of whitespace as one space.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
