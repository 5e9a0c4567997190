//! Writers of every command's outputs: the cleaned corpus and removal report
//! of `dedup` (`corpus`), `check` reports ([`check`]), merged stories
//! ([`merge`]).

pub mod check;
pub mod cluster;
mod corpus;
pub mod merge;

pub use corpus::*;
