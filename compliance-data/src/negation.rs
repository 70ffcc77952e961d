//! Denials in free text: "SoC not HiSilicon", "no HiSilicon or other covered components",
//! "non-HiSilicon", "without Huawei components", "HiSilicon-free".
//!
//! A vendor's statement that a part is absent is not evidence that it is present, so the matcher
//! reads components and descriptions with the denied stretches blanked out. A denial is only a
//! statement, never proof of absence either: it removes evidence, it never adds a clear.

use std::sync::OnceLock;

use regex::Regex;

/// Words that open a denial; the denial runs to the end of the clause.
fn opener() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // Built from a fixed literal; it compiles or the crate's tests fail.
        #[allow(clippy::unwrap_used)]
        Regex::new(
            r"(?i)\b(?:no|not|non|nor|none|without|w/o|excluding|excludes|exclude|never|neither|free\s+of|absent|zero)\b",
        )
        .unwrap()
    })
}

/// Words that end a denial's clause ("no Wi-Fi, but a HiSilicon SoC").
fn clause_end() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        #[allow(clippy::unwrap_used)]
        Regex::new(
            r"(?i)[.;:|()\[\]]|\b(?:but|however|except|although|though|yet|only|uses|using|with)\b",
        )
        .unwrap()
    })
}

/// A word directly followed by "-free" or " free" ("HiSilicon-free").
fn suffix_free() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        #[allow(clippy::unwrap_used)]
        Regex::new(r"(?i)[\p{L}\p{N}]+[- ]free\b").unwrap()
    })
}

/// The text with every denied stretch replaced by spaces (byte offsets are kept, so matches in
/// the result point at the same place in the original).
pub(crate) fn affirmed(text: &str) -> String {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    while let Some(m) = opener().find_at(text, from) {
        let end = clause_end()
            .find_at(text, m.end())
            .map_or(text.len(), |e| e.start());
        spans.push((m.start(), end));
        from = end.max(m.end());
        if from >= text.len() {
            break;
        }
    }
    for m in suffix_free().find_iter(text) {
        // Only the word right before "free" is denied: "Hi3516 SoC, HiSilicon-free radio"
        // keeps "Hi3516 SoC".
        spans.push((m.start(), m.end()));
    }
    if spans.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if spans.iter().any(|&(s, e)| i >= s && i < e) {
            for _ in 0..c.len_utf8() {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether the text is nothing but a denial.
#[cfg(test)]
fn only_denies(text: &str) -> bool {
    affirmed(text).trim().is_empty() && !text.trim().is_empty()
}

/// Whether the text contains a denial at all.
pub(crate) fn has_denial(text: &str) -> bool {
    affirmed(text) != text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denials_are_blanked() {
        assert_eq!(affirmed("SoC not HiSilicon").trim(), "SoC");
        assert!(only_denies("no HiSilicon or other covered components"));
        assert!(
            !affirmed("Vendor statement: no HiSilicon or other covered components")
                .contains("HiSilicon")
        );
        assert!(!affirmed("non-HiSilicon").contains("HiSilicon"));
        assert!(!affirmed("without Huawei components").contains("Huawei"));
        assert!(!affirmed("HiSilicon-free design").contains("HiSilicon"));
    }

    #[test]
    fn presence_outside_the_denial_is_kept() {
        assert!(affirmed("Hi3516 SoC, no Wi-Fi").contains("Hi3516"));
        assert!(affirmed("no Wi-Fi module; HiSilicon Hi3516").contains("Hi3516"));
        assert!(affirmed("not Ambarella but HiSilicon").contains("HiSilicon"));
        assert_eq!(affirmed("Hi3516EV300"), "Hi3516EV300");
    }
}
