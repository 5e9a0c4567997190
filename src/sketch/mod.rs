//! Sketches of a text: hashed word n-grams, MinHash signatures, LSH bands.

pub mod lsh;
pub mod minhash;
pub mod shingle;
