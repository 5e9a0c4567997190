//! Writers of every command's outputs: the cleaned corpus and removal report
//! of `dedup` (`corpus`), `check` reports ([`check`]), merged stories
//! ([`merge`]).

pub mod check;
mod corpus;
pub mod merge;

pub use corpus::*;
