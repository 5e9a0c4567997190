//! Duplicate groups: union-find over verified candidate pairs, and the
//! choice of one representative per group.

use std::cmp::Ordering;

use serde::Serialize;

/// Disjoint sets over article rows; the root of a set is its smallest row,
/// so the partition and its roots do not depend on the order of unions.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    /// `n` singleton sets.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    /// The root of `x`'s set (with path halving).
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    /// Joins the sets of `a` and `b`; returns false when they were one set.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[hi as usize] = lo;
        true
    }

    /// The sets with two or more members, each sorted, ordered by smallest member.
    pub fn groups(&mut self) -> Vec<Vec<u32>> {
        let n = self.parent.len();
        let mut by_root: Vec<Vec<u32>> = vec![Vec::new(); n];
        for x in 0..n as u32 {
            let r = self.find(x);
            by_root[r as usize].push(x);
        }
        by_root.into_iter().filter(|g| g.len() >= 2).collect()
    }
}

/// Which member of a duplicate group is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum KeepRule {
    /// The longest text after boilerplate removal: the most complete copy (default).
    #[default]
    Longest,
    /// The earliest `published` (ISO 8601 compares as text); undated last.
    Earliest,
    /// The first in input order.
    First,
    /// The first whose `source` is listed, in list order; then the longest.
    SourcePriority(Vec<String>),
}

impl std::str::FromStr for KeepRule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "longest" => Ok(KeepRule::Longest),
            "earliest" => Ok(KeepRule::Earliest),
            "first" => Ok(KeepRule::First),
            _ => match s.strip_prefix("source-priority=") {
                Some(list) if !list.trim().is_empty() => Ok(KeepRule::SourcePriority(
                    list.split(',').map(|x| x.trim().to_string()).collect(),
                )),
                _ => Err(format!(
                    "unknown keep rule {s:?}: use longest, earliest, first or source-priority=A,B,…"
                )),
            },
        }
    }
}

/// What the keep rule looks at for one article.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub clean_len: u32,
    pub published: Option<&'a str>,
    pub source: Option<&'a str>,
}

impl KeepRule {
    /// Orders two group members: `Less` means `a` is kept before `b`.
    /// Ties fall back to length, then input order (the caller's row order).
    pub fn compare(&self, a: &Candidate, b: &Candidate) -> Ordering {
        let longest = b.clean_len.cmp(&a.clean_len);
        match self {
            KeepRule::Longest => longest,
            KeepRule::First => Ordering::Equal,
            KeepRule::Earliest => match (a.published, b.published) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
            .then(longest),
            KeepRule::SourcePriority(list) => {
                let rank = |s: Option<&str>| {
                    s.and_then(|s| list.iter().position(|p| p.eq_ignore_ascii_case(s)))
                        .unwrap_or(usize::MAX)
                };
                rank(a.source).cmp(&rank(b.source)).then(longest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_find_roots_are_smallest_members_in_any_order() {
        let edges = [(5, 3), (3, 9), (1, 2), (9, 4)];
        let mut a = UnionFind::new(10);
        let mut b = UnionFind::new(10);
        edges.iter().for_each(|&(x, y)| {
            a.union(x, y);
        });
        edges.iter().rev().for_each(|&(x, y)| {
            b.union(y, x);
        });
        assert_eq!(a.groups(), vec![vec![1, 2], vec![3, 4, 5, 9]]);
        assert_eq!(a.groups(), b.groups());
        assert_eq!(a.find(9), 3);
    }

    #[test]
    fn keep_rules_order_candidates() {
        let c = |len, published, source| Candidate {
            clean_len: len,
            published,
            source,
        };
        let short_early = c(10, Some("2016-12-07"), Some("AFP"));
        let long_late = c(90, Some("2016-12-08"), Some("Reuters"));
        let undated = c(50, None, None);
        use Ordering::*;
        let cases = [
            ("longest", &short_early, &long_late, Greater),
            ("earliest", &short_early, &long_late, Less),
            ("earliest", &undated, &long_late, Greater),
            ("first", &short_early, &long_late, Equal),
            (
                "source-priority=reuters,afp",
                &short_early,
                &long_late,
                Greater,
            ),
            ("source-priority=AFP", &short_early, &long_late, Less),
        ];
        for (rule, a, b, want) in cases {
            let rule: KeepRule = rule.parse().unwrap();
            assert_eq!(rule.compare(a, b), want, "{rule:?}");
        }
        assert!("biggest".parse::<KeepRule>().is_err());
    }
}
