//! Identifiers of site instances and cameras, unique by construction.
//!
//! A camera id is `<site instance>/<group>-<n>`; it names the camera's RTSP paths, its Frigate
//! entry and its topology node, so two cameras sharing one would be one camera in every file
//! after the manifest. Names are turned into lowercase ASCII words joined by hyphens, with
//! non-ASCII letters transliterated ("Entrée Nord" → `entree-nord`, "日本 カメラ" →
//! `ri-ben-kamera`) rather than dropped; a name that still gives nothing takes a numbered
//! fallback (`group-3`). When two names give the same word ("Gate A", "Gate-A", "Gate.A"), the
//! first in file order keeps it and each later one takes the first free `-2`, `-3` … suffix that
//! no other name wants either; the renaming is returned so that `generate` reports it.
//!
//! Uniqueness of camera ids follows from uniqueness of the group words: the camera number never
//! holds a hyphen, so `<group>-<n>` splits at its last hyphen back into one group and one number.

use std::collections::BTreeSet;

/// Lowercase ASCII words joined by single hyphens; non-ASCII letters transliterated first.
pub fn slug(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut out = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// A name whose word was taken by an earlier name, and the word it got instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    /// The name, as written.
    pub name: String,
    /// The earlier name that gave the same word.
    pub clashes_with: String,
    /// The word both names give.
    pub wanted: String,
    /// The word this name uses.
    pub used: String,
}

/// The words of `names`, in order, all distinct and non-empty, with every renaming made.
/// `fallback` names an entry whose name gives no word at all (`fallback(2)` → "group-3").
pub fn unique_words(
    names: &[&str],
    fallback: impl Fn(usize) -> String,
) -> (Vec<String>, Vec<Renamed>) {
    let wanted: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let w = slug(n);
            if w.is_empty() { fallback(i) } else { w }
        })
        .collect();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut first_owner: Vec<(String, usize)> = Vec::new();
    let mut words = Vec::with_capacity(names.len());
    let mut renamed = Vec::new();
    for (i, w) in wanted.iter().enumerate() {
        if taken.insert(w.clone()) {
            first_owner.push((w.clone(), i));
            words.push(w.clone());
            continue;
        }
        // Taken: the first free suffix that no other name wants either.
        let used = (2..)
            .map(|n: usize| format!("{w}-{n}"))
            .find(|c| !taken.contains(c) && !wanted.contains(c))
            .unwrap_or_default();
        taken.insert(used.clone());
        let owner = first_owner
            .iter()
            .find(|(word, _)| word == w)
            .map_or(0, |(_, o)| *o);
        renamed.push(Renamed {
            name: names[i].to_string(),
            clashes_with: names[owner].to_string(),
            wanted: w.clone(),
            used: used.clone(),
        });
        words.push(used);
    }
    (words, renamed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_names_are_transliterated_not_emptied() {
        assert_eq!(slug("Entrée Nord"), "entree-nord");
        assert!(!slug("日本 カメラ").is_empty());
        assert_eq!(slug("Loading docks"), "loading-docks");
    }

    #[test]
    fn colliding_names_get_distinct_words_and_are_reported() {
        let names = ["Gate A", "Gate-A", "Gate.A", "Gate A B", "Gate A 3"];
        let (words, renamed) = unique_words(&names, |i| format!("group-{}", i + 1));
        assert_eq!(words[0], "gate-a");
        let set: BTreeSet<&String> = words.iter().collect();
        assert_eq!(set.len(), names.len(), "{words:?}");
        assert_eq!(renamed.len(), 2);
        assert_eq!(renamed[0].clashes_with, "Gate A");
        assert_eq!(renamed[0].name, "Gate-A");
        assert_eq!(words[1], "gate-a-2");
        assert_eq!(words[3], "gate-a-b");
        // "Gate A 3" wants gate-a-3: the renamed "Gate.A" must not take it.
        assert_eq!(words[2], "gate-a-4");
        assert_eq!(words[4], "gate-a-3");
    }

    #[test]
    fn a_name_with_no_letters_takes_the_fallback() {
        let (words, _) = unique_words(&["!!!", ""], |i| format!("group-{}", i + 1));
        assert_eq!(words, ["group-1", "group-2"]);
    }
}
