//! Text normalization: HTML entities, NFKC, case, typographic quotes and
//! dashes, invisible characters and whitespace, line by line.
//!
//! Lines are kept (one output line per input line) so boilerplate detection
//! and reports can point at the original line.

use std::borrow::Cow;

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Bumped whenever normalization output changes; recorded in signatures so
/// signatures from different normalizers refuse to compare.
pub const NORMALIZER_VERSION: u8 = 2;

/// Normalizes one line: decoded entities, NFKC, lowercase, folded quotes and
/// dashes, no invisible characters, single spaces, trimmed.
pub fn normalize_line(line: &str) -> String {
    fold_line(line, true)
}

/// Like [`normalize_line`] but keeps letter case (for finding names).
pub fn normalize_line_cased(line: &str) -> String {
    fold_line(line, false)
}

fn fold_line(line: &str, lowercase: bool) -> String {
    if line.is_ascii() && !line.contains('&') {
        fold_ascii(line.as_bytes(), lowercase)
    } else {
        fold_general(line, lowercase)
    }
}

fn fold_general(line: &str, lowercase: bool) -> String {
    let decoded = if line.contains('&') {
        html_escape::decode_html_entities(line)
    } else {
        Cow::Borrowed(line)
    };
    let mut out = String::with_capacity(decoded.len());
    let mut pending_space = false;
    let mut push = |c: char, out: &mut String| match fold_char(c) {
        Folded::Drop => {}
        Folded::Space => pending_space = !out.is_empty(),
        Folded::Char(c) => {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            if !lowercase {
                out.push(c);
            } else if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
    };
    // Before NFKC: invisible characters go (between a letter and its accent
    // they would keep the two apart), and quotes NFKC would take apart (´
    // into a space and an accent, ″ into two primes) are folded. When NFKC
    // has nothing to do, `push` folds them the same way.
    let early = |c: char| match c {
        '\u{00b4}' => Some('\''),
        '\u{2033}' => Some('"'),
        c if invisible(c) => None,
        c => Some(c),
    };
    if decoded.is_ascii() || is_nfkc_quick(decoded.chars().filter_map(early)) == IsNormalized::Yes {
        decoded.chars().for_each(|c| push(c, &mut out));
    } else {
        let nfkc = decoded.chars().filter_map(early).nfkc();
        nfkc.for_each(|c| push(c, &mut out));
    }
    if lowercase && !out.is_ascii() && is_nfkc_quick(out.chars()) != IsNormalized::Yes {
        // Lowering can leave an accent uncomposed (`W` + ring lowers to `w`
        // + ring, which is `ẘ`) or out of order (`İ` lowers to `i` and a dot
        // that belongs after a lower accent).
        out = out.nfkc().collect();
    }
    out
}

/// [`fold_line`] for an ASCII line without entities, byte by byte (most
/// lines of English news): the same folds as [`fold_char`] restricted to ASCII.
fn fold_ascii(line: &[u8], lowercase: bool) -> String {
    if is_folded_ascii(line) {
        // Nothing to fold but letter case: most lines of English news.
        let mut out = String::from_utf8(line.to_vec()).expect("ASCII is UTF-8");
        if lowercase {
            out.make_ascii_lowercase();
        }
        return out;
    }
    let mut out = Vec::with_capacity(line.len());
    let mut pending_space = false;
    for &b in line {
        match b {
            b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' => pending_space = !out.is_empty(),
            0..=0x1f | 0x7f => {}
            _ => {
                if pending_space {
                    out.push(b' ');
                    pending_space = false;
                }
                out.push(match b {
                    b'`' => b'\'',
                    b if lowercase => b.to_ascii_lowercase(),
                    b => b,
                });
            }
        }
    }
    // Only ASCII bytes were pushed.
    String::from_utf8(out).expect("ASCII is UTF-8")
}

/// Whether an ASCII line is already folded but for letter case: no
/// controls, no backquote, no whitespace other than single spaces between
/// other characters.
fn is_folded_ascii(line: &[u8]) -> bool {
    let mut after_space = true;
    for &b in line {
        if b < b' ' || b == 0x7f || b == b'`' || (b == b' ' && after_space) {
            return false;
        }
        after_space = b == b' ';
    }
    !after_space
}

/// Splits text into lines and normalizes each (see [`normalize_line`]).
pub fn normalize_lines(text: &str) -> Vec<String> {
    text.split('\n').map(normalize_line).collect()
}

enum Folded {
    Drop,
    Space,
    Char(char),
}

fn fold_char(c: char) -> Folded {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '\u{00b4}' | '`' => {
            Folded::Char('\'')
        }
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{00ab}'
        | '\u{00bb}' => Folded::Char('"'),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => Folded::Char('-'),
        '\u{2026}' => Folded::Char('.'),
        c if invisible(c) => Folded::Drop,
        c if c.is_whitespace() => Folded::Space,
        c => Folded::Char(c),
    }
}

/// Characters normalization drops: invisible ones, and controls that are
/// not whitespace.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
    ) || c.is_control() && !c.is_whitespace()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_typography_entities_and_space() {
        let cases = [
            (
                "Kerry said \u{201c}common sense\u{201d}",
                "kerry said \"common sense\"",
            ),
            ("Kerry\u{2019}s  proposal", "kerry's proposal"),
            ("a\u{00a0}b \t c ", "a b c"),
            ("Tom &amp; Jerry &#8217;", "tom & jerry '"),
            ("ﬁne \u{ff21}", "fine a"),
            ("co\u{00ad}operation\u{200b}", "cooperation"),
            ("5\u{2013}1/2", "5-1/2"),
            ("\u{feff}Title\r", "title"),
            // Found by tests/fuzz_text.rs (normalize_folds_typography): NFKC
            // used to turn ´ into a space and a combining accent.
            ("Kerry\u{00b4}s \u{2033}talks\u{2033}", "kerry's \"talks\""),
            // Found by tests/fuzz_text.rs (normalize): the output was not NFKC
            // when an invisible character stood between a letter and its
            // accent, or when lowering `İ` put its dot before a lower accent.
            ("e\u{200b}\u{301}e\u{ad}\u{308}", "\u{e9}\u{eb}"),
            ("\u{130}\u{316}", "i\u{316}\u{307}"),
            ("\u{3f9}", "\u{3c3}"),
            ("W\u{30a}", "\u{1e98}"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_line(input), want, "input {input:?}");
        }
    }

    proptest::proptest! {
        /// The byte-wise ASCII path folds exactly like the general one.
        #[test]
        fn ascii_fast_path_matches_the_general_fold(line in "[\\x00-\\x25\\x27-\\x7f]{0,80}|[a-zA-Z`' .]{0,40}") {
            for lowercase in [true, false] {
                proptest::prop_assert_eq!(
                    fold_ascii(line.as_bytes(), lowercase),
                    fold_general(&line, lowercase)
                );
            }
        }
    }

    #[test]
    fn keeps_one_output_line_per_input_line() {
        assert_eq!(normalize_lines("A\n\nB"), vec!["a", "", "b"]);
    }
}
