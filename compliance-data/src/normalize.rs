//! Text normalization shared by the data indexes and the matcher.
//!
//! Names arrive as typed by distributors: any case, full-width letters, accents, `Co.,Ltd.`,
//! `Hik-Vision`, Chinese without spaces. Both the data and the input go through the same
//! functions, so a record matches exactly the inputs its aliases describe. Matching is on whole
//! tokens, never substrings, which is what keeps "Aztec" from containing "ZTE".

use unicode_normalization::UnicodeNormalization;

/// Tokens that say what kind of company something is, not which one. They are dropped from
/// names so that "Dahua Technology Co., Ltd." and "Dahua" compare equal.
const LEGAL_WORDS: &[&str] = &[
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "lp",
    "plc",
    "gmbh",
    "ag",
    "ab",
    "sa",
    "sau",
    "srl",
    "spa",
    "bv",
    "nv",
    "pvt",
    "pte",
    "kk",
    "technology",
    "technologies",
    "tech",
    "digital",
    "group",
    "holding",
    "holdings",
    "international",
    "intl",
    "the",
];

/// Whether a character is written without spaces between words (Han, kana, Hangul), so each
/// one has to be its own token.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF)
}

/// NFKC, Latin accents removed, lower case, `&` read as "and", dots and apostrophes dropped
/// (so `P.R.C.` is `prc`), all other punctuation turned into spaces, spaces collapsed.
pub(crate) fn fold(text: &str) -> String {
    let decomposed: String = text
        .nfkc()
        .collect::<String>()
        .nfd()
        .filter(|c| !matches!(*c as u32, 0x0300..=0x036F))
        .nfc()
        .collect();
    let mut out = String::with_capacity(decomposed.len());
    for c in decomposed.chars().flat_map(char::to_lowercase) {
        match c {
            '.' | '\'' | '\u{2019}' | '\u{00B4}' => {}
            '&' | '\u{FF06}' => out.push_str(" and "),
            c if c.is_alphanumeric() => {
                if is_unspaced_script(c) {
                    out.push(' ');
                    out.push(c);
                    out.push(' ');
                } else {
                    out.push(c);
                }
            }
            _ => out.push(' '),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The tokens of [`fold`].
pub(crate) fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Tokens of a company or brand name with legal and generic words removed.
pub(crate) fn name_tokens(text: &str) -> Vec<String> {
    tokens(text)
        .into_iter()
        .filter(|t| !LEGAL_WORDS.contains(&t.as_str()))
        .collect()
}

/// Where `needle` occurs as a contiguous run of whole tokens in `hay`.
pub(crate) fn find_run(hay: &[String], needle: &[String]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether a token is Latin-ish enough for edit-distance matching (CJK tokens are single
/// characters and would match everything).
pub(crate) fn is_fuzzable(token: &str) -> bool {
    token.chars().count() >= 5
        && token.chars().all(|c| c.is_ascii_alphanumeric())
        && token.chars().any(|c| c.is_ascii_alphabetic())
}

/// The largest Damerau–Levenshtein distance still treated as a likely misspelling of a name
/// of this length. Short names get no tolerance at all: "ZTE" has too many neighbours.
pub(crate) fn fuzzy_budget(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Counts of each ASCII letter (case-folded) and digit in a token; other characters are
/// ignored.
pub(crate) fn histogram(token: &str) -> [u8; 36] {
    let mut h = [0u8; 36];
    for b in token.bytes() {
        let slot = match b {
            b'a'..=b'z' => usize::from(b - b'a'),
            b'A'..=b'Z' => usize::from(b - b'A'),
            b'0'..=b'9' => 26 + usize::from(b - b'0'),
            _ => continue,
        };
        h[slot] = h[slot].saturating_add(1);
    }
    h
}

/// The L1 distance between two histograms: one edit moves it by at most two.
pub(crate) fn histogram_distance(a: &[u8; 36], b: &[u8; 36]) -> usize {
    a.iter()
        .zip(b)
        .map(|(x, y)| usize::from(x.abs_diff(*y)))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_width_accents_and_punctuation() {
        assert_eq!(fold("ＨＩＫＶＩＳＩＯＮ"), "hikvision");
        assert_eq!(fold("Türkiye"), "turkiye");
        assert_eq!(fold("P.R.C."), "prc");
        assert_eq!(fold("St. Kitts & Nevis"), "st kitts and nevis");
        assert_eq!(fold("Hik-Vision, Co.,Ltd."), "hik vision co ltd");
        assert_eq!(fold("People's Republic"), "peoples republic");
    }

    #[test]
    fn cjk_characters_are_single_tokens() {
        assert_eq!(
            tokens("杭州海康威视"),
            vec!["杭", "州", "海", "康", "威", "视"]
        );
        assert_eq!(tokens("海康威视 DS"), vec!["海", "康", "威", "视", "ds"]);
    }

    #[test]
    fn legal_words_are_dropped_from_names() {
        assert_eq!(
            name_tokens("Zhejiang Dahua Technology Co., Ltd."),
            vec!["zhejiang", "dahua"]
        );
        assert_eq!(name_tokens("The Group Inc"), Vec::<String>::new());
    }

    #[test]
    fn runs_are_whole_tokens() {
        let hay = tokens("Aztec Camera Systems");
        assert_eq!(find_run(&hay, &tokens("ZTE")), None);
        assert_eq!(find_run(&tokens("ZTE USA"), &tokens("ZTE")), Some(0));
    }
}
