//! What lets the index notice a damaged file.
//!
//! Every stored record (an article, a setting) ends with an xxh3-64
//! checksum of its bytes, seeded with its key, so a record filed under
//! another key fails too.
//!
//! Every bucket of a lookup table (content hash, LSH band, single slot,
//! posted term → documents; event term → document frequency) has a sums
//! entry in a table of its own: the number of documents and an order-free
//! sum of their entry hashes, sealed with the key. A bucket of one
//! document keeps the document in the entry and has no multimap entries
//! (most buckets hold one article), so a lookup reads the multimap only for
//! buckets of two or more. The entries form a chain in key order: each
//! names the key of the entry before it, and the chain ends with an entry
//! at `u64::MAX`. Looking up a key reads the first entry at or after it,
//! which either is the key's own or, naming a lower key as the one before
//! it, proves the key has none. A flipped byte in a bucket, in its key, in
//! its entry or in the entry's key makes some lookup that touches it
//! disagree, and what no lookup touches cannot change an answer.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::sketch::minhash::mix64;

/// Bytes of the checksum at the end of a sealed record.
const CHECKSUM_BYTES: usize = 8;

/// `bytes` followed by their checksum, seeded with `seed`.
pub(super) fn seal(mut bytes: Vec<u8>, seed: u64) -> Vec<u8> {
    let sum = xxh3_64_with_seed(&bytes, seed);
    bytes.extend_from_slice(&sum.to_le_bytes());
    bytes
}

/// The payload of a sealed record, or `None` when its checksum (with this
/// seed) does not match.
pub(super) fn unseal(sealed: &[u8], seed: u64) -> Option<&[u8]> {
    let split = sealed.len().checked_sub(CHECKSUM_BYTES)?;
    let (payload, sum) = sealed.split_at(split);
    let sum = u64::from_le_bytes(sum.try_into().ok()?);
    (xxh3_64_with_seed(payload, seed) == sum).then_some(payload)
}

/// The payload of a sealed record without checking it (to name a damaged
/// record by what it still says).
pub(super) fn unchecked_payload(sealed: &[u8]) -> &[u8] {
    &sealed[..sealed.len().saturating_sub(CHECKSUM_BYTES)]
}

/// The checksum seed of a settings record: its key.
pub(super) fn meta_seed(key: &str) -> u64 {
    xxh3_64_with_seed(key.as_bytes(), 0)
}

/// A lookup table; each has a table of sums (see [`SumEntry`]). The first
/// four are multimaps (key → documents); document frequencies have only
/// the sums table (the count is the frequency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Lookup {
    /// Hash of the cleaned text → documents.
    Content,
    /// LSH band key → documents.
    Band,
    /// Single-slot key → documents.
    Slot,
    /// Event term → documents among whose heaviest terms it is.
    Posting,
    /// Event term → number of held articles with the term.
    TermDf,
}

impl Lookup {
    /// Every table, in the order `index verify` walks them.
    pub(super) const ALL: [Lookup; 5] = [
        Lookup::Content,
        Lookup::Band,
        Lookup::Slot,
        Lookup::Posting,
        Lookup::TermDf,
    ];

    /// The table's position in [`Lookup::ALL`].
    pub(super) fn slot(self) -> usize {
        match self {
            Lookup::Content => 0,
            Lookup::Band => 1,
            Lookup::Slot => 2,
            Lookup::Posting => 3,
            Lookup::TermDf => 4,
        }
    }

    /// The table's name, for messages.
    pub(super) fn name(self) -> &'static str {
        match self {
            Lookup::Content => "content",
            Lookup::Band => "bands",
            Lookup::Slot => "slots",
            Lookup::Posting => "postings",
            Lookup::TermDf => "term_df",
        }
    }
}

/// A sums entry as stored: count, sum, the key before it, checksum.
pub(super) type SealedSums = (u64, u64, u64, u64);

/// One entry of a sums table, filed under a bucket's key: the bucket's
/// digest and the key of the entry before it. The entries form a chain in
/// key order that ends with an entry at `u64::MAX` (kept even when empty),
/// so one lookup of the first entry at or after a key either finds the
/// key's entry or proves there is none: the entry found must name a key
/// below the one looked up as the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SumEntry {
    pub digest: Digest,
    /// `None` for the first entry.
    pub before: Option<u64>,
}

impl SumEntry {
    /// The stored form of the entry under `key` (a first entry names
    /// itself as the one before it, which no other entry can).
    pub(super) fn seal(self, t: Lookup, key: u64) -> SealedSums {
        let before = self.before.unwrap_or(key);
        let Digest { count, sum } = self.digest;
        (count, sum, before, sums_check(t, key, count, sum, before))
    }

    /// The entry under `key`, or `None` when its checksum does not match.
    pub(super) fn unseal(t: Lookup, key: u64, sealed: SealedSums) -> Option<SumEntry> {
        let (count, sum, before, check) = sealed;
        if check != sums_check(t, key, count, sum, before) {
            return None;
        }
        Some(SumEntry {
            digest: Digest { count, sum },
            before: (before != key).then_some(before),
        })
    }

    /// The entry at the end of an empty table.
    pub(super) fn end() -> SumEntry {
        SumEntry {
            digest: Digest::default(),
            before: None,
        }
    }
}

/// The key of the entry every sums table ends with.
pub(super) const END: u64 = u64::MAX;

fn sums_check(t: Lookup, key: u64, count: u64, sum: u64, before: u64) -> u64 {
    let mut bytes = [0u8; 32];
    for (chunk, v) in bytes.chunks_exact_mut(8).zip([key, count, sum, before]) {
        chunk.copy_from_slice(&v.to_le_bytes());
    }
    xxh3_64_with_seed(&bytes, t.slot() as u64)
}

/// What a sums entry says of its bucket: the number of documents and the
/// wrapping sum of their entry hashes, except that a bucket of one document
/// keeps the document itself as its sum (it has no multimap entries), and a
/// document frequency is a count alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Digest {
    pub count: u64,
    pub sum: u64,
}

impl Digest {
    /// The digest of a bucket of one document, which is kept in it.
    pub(super) fn lone(doc: u64) -> Digest {
        Digest { count: 1, sum: doc }
    }

    /// The digest of a multimap bucket with these documents.
    pub(super) fn of(t: Lookup, key: u64, docs: impl IntoIterator<Item = u64>) -> Digest {
        let mut d = Digest::default();
        docs.into_iter().for_each(|v| d.add(t, key, v));
        d
    }

    /// The hash of one entry: value `value` under `key` in table `t`.
    fn entry(t: Lookup, key: u64, value: u64) -> u64 {
        mix64(mix64(key ^ ((t.slot() as u64) << 56)) ^ value)
    }

    /// One more entry: document `value` under `key` in table `t`.
    pub(super) fn add(&mut self, t: Lookup, key: u64, value: u64) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(Self::entry(t, key, value));
    }

    pub(super) fn remove(&mut self, t: Lookup, key: u64, value: u64) {
        self.count = self.count.wrapping_sub(1);
        self.sum = self.sum.wrapping_sub(Self::entry(t, key, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_changed_byte_breaks_the_seal(
            payload in proptest::collection::vec(any::<u8>(), 0..300),
            seed in any::<u64>(),
            at in any::<usize>(),
            xor in 1u8..=255,
        ) {
            let sealed = seal(payload.clone(), seed);
            prop_assert_eq!(unseal(&sealed, seed), Some(payload.as_slice()));
            let mut damaged = sealed.clone();
            let at = at % damaged.len();
            damaged[at] ^= xor;
            prop_assert_eq!(unseal(&damaged, seed), None);
            // Filed under another key, it fails too.
            prop_assert_eq!(unseal(&sealed, seed ^ 1), None);
        }

        #[test]
        fn any_changed_number_breaks_a_sums_entry(
            key in 0u64..u64::MAX,
            count in any::<u64>(),
            sum in any::<u64>(),
            before in proptest::option::of(any::<u64>()),
            field in 0usize..4,
            xor in 1u64..,
        ) {
            let before = before.filter(|&b| b < key);
            let entry = SumEntry { digest: Digest { count, sum }, before };
            let sealed = entry.seal(Lookup::Band, key);
            prop_assert_eq!(SumEntry::unseal(Lookup::Band, key, sealed), Some(entry));
            let mut parts = [sealed.0, sealed.1, sealed.2, sealed.3];
            parts[field] ^= xor;
            let damaged = (parts[0], parts[1], parts[2], parts[3]);
            prop_assert_eq!(SumEntry::unseal(Lookup::Band, key, damaged), None);
            // Under another key or in another table, it fails too.
            prop_assert_eq!(SumEntry::unseal(Lookup::Band, key ^ xor, sealed), None);
            prop_assert_eq!(SumEntry::unseal(Lookup::Slot, key, sealed), None);
        }

        #[test]
        fn a_digest_tells_buckets_apart(
            key in any::<u64>(),
            mut docs in proptest::collection::btree_set(0u64..1000, 1..20),
            other in 1000u64..2000,
        ) {
            let of = |docs: &std::collections::BTreeSet<u64>| {
                let mut d = Digest::default();
                docs.iter().for_each(|&v| d.add(Lookup::Band, key, v));
                d
            };
            let full = of(&docs);
            let first = *docs.iter().next().unwrap();
            let mut removed = full;
            removed.remove(Lookup::Band, key, first);
            docs.remove(&first);
            prop_assert_eq!(removed, of(&docs));
            prop_assert_ne!(removed, full);
            // Another member in its place (a changed value) is noticed.
            docs.insert(other);
            prop_assert_eq!(of(&docs).count, full.count);
            prop_assert_ne!(of(&docs), full);
        }
    }

    #[test]
    fn a_truncated_record_does_not_unseal() {
        assert_eq!(unseal(&[1, 2, 3], 0), None);
        assert_eq!(unseal(&seal(Vec::new(), 7)[..7], 7), None);
    }
}
