//! Text before it is compared: Unicode folding, and site chrome left out.

pub mod boilerplate;
pub mod dateline;
pub mod normalize;
