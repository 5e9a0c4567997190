//! Word lists of the merger: calendar words, number words, verbs (of
//! speech and of action), prepositions, auxiliaries — one place for each list.

pub(super) const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

pub(super) const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

pub(super) fn month(word: &str) -> Option<u8> {
    const SHORT: &[&str] = &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sept", "oct", "nov", "dec",
    ];
    MONTHS
        .iter()
        .position(|m| *m == word)
        .or_else(|| SHORT.iter().position(|m| *m == word))
        .or_else(|| (word == "sep").then_some(8))
        .map(|i| i as u8 + 1)
}

pub(super) fn weekday(word: &str) -> Option<u8> {
    WEEKDAYS.iter().position(|d| *d == word).map(|i| i as u8)
}

pub(super) const NUMBER_WORDS: &[(&str, f64)] = &[
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("thirteen", 13.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("sixteen", 16.0),
    ("seventeen", 17.0),
    ("eighteen", 18.0),
    ("nineteen", 19.0),
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("fifty", 50.0),
    ("sixty", 60.0),
    ("seventy", 70.0),
    ("eighty", 80.0),
    ("ninety", 90.0),
    ("hundred", 100.0),
    ("dozen", 12.0),
];

/// A number written as a word ("seven", "dozen").
pub(super) fn is_number_word(w: &str) -> bool {
    NUMBER_WORDS.iter().any(|(n, _)| *n == w)
}

pub(super) const MULTIPLIERS: &[(&str, f64)] = &[
    ("hundred", 1e2),
    ("thousand", 1e3),
    ("million", 1e6),
    ("billion", 1e9),
    ("trillion", 1e12),
];

/// Units of relative time references.
pub(super) const PERIODS: &[&str] = &[
    "afternoon",
    "autumn",
    "evening",
    "fall",
    "month",
    "morning",
    "night",
    "spring",
    "summer",
    "week",
    "weekend",
    "winter",
    "year",
];

/// Verbs whose speaker a quotation names.
pub(super) const SPEECH_VERBS: &[&str] = &[
    "added",
    "announced",
    "asked",
    "claimed",
    "declared",
    "explained",
    "insisted",
    "noted",
    "replied",
    "said",
    "says",
    "stated",
    "stressed",
    "tells",
    "told",
    "warned",
    "wrote",
];

/// Irregular past forms and common present forms taken as verbs after a name.
pub(super) const VERBS: &[&str] = &[
    "accuses",
    "agrees",
    "announces",
    "asks",
    "became",
    "began",
    "blocks",
    "bought",
    "brought",
    "calls",
    "came",
    "chose",
    "claims",
    "denies",
    "drew",
    "fell",
    "fought",
    "found",
    "gave",
    "got",
    "grew",
    "held",
    "hit",
    "holds",
    "kept",
    "knew",
    "launches",
    "leads",
    "led",
    "left",
    "lost",
    "made",
    "meets",
    "met",
    "plans",
    "put",
    "ran",
    "rejects",
    "rose",
    "said",
    "sank",
    "saw",
    "says",
    "sent",
    "set",
    "shot",
    "sought",
    "spoke",
    "stood",
    "struck",
    "threw",
    "told",
    "took",
    "urges",
    "vetoes",
    "wants",
    "warns",
    "went",
    "won",
    "wrote",
];

/// Words before a name that make it an object, not an actor.
pub(super) const PREPOSITIONS: &[&str] = &[
    "about", "against", "among", "at", "between", "by", "for", "from", "in", "into", "of", "on",
    "over", "than", "to", "toward", "towards", "under", "with", "without",
];

pub(super) const AUXILIARIES: &[&str] = &[
    "can", "could", "did", "does", "had", "has", "have", "is", "may", "might", "must", "shall",
    "should", "was", "were", "will", "would",
];

/// Words that may stand between an actor and its verb.
pub(super) const BETWEEN: &[&str] = &[
    "again",
    "already",
    "also",
    "earlier",
    "finally",
    "first",
    "itself",
    "jointly",
    "just",
    "later",
    "never",
    "now",
    "reportedly",
    "themselves",
    "then",
    "today",
    "yesterday",
];

/// A lowercase word taken as a verb after a name: a listed verb, or a
/// regular past form ("-ed", not "-eed").
pub(super) fn is_verb(w: &str) -> bool {
    VERBS.binary_search(&w).is_ok()
        || SPEECH_VERBS.binary_search(&w).is_ok()
        || (w.len() > 4 && w.ends_with("ed") && !w.ends_with("eed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted() {
        for list in [SPEECH_VERBS, VERBS, AUXILIARIES, BETWEEN, PREPOSITIONS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    #[test]
    fn regular_past_forms_are_verbs_but_not_words_ending_in_eed() {
        assert!(is_verb("denied") && is_verb("met") && is_verb("said"));
        assert!(!is_verb("agreed"), "-eed is not taken as a past form");
        assert!(!is_verb("need") && !is_verb("speed") && !is_verb("red"));
    }
}
