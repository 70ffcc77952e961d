//! Placeholder lines: a BOM line whose model says it is still to be chosen ("4U storage
//! recording server (model to be chosen)", as `camscope generate` writes for hardware its
//! catalog knows only as a class).
//!
//! Such a line is not a quote that forgot its maker: it says what is still to be decided. The
//! Section 889 and TAA checks give it its own code (`to-be-chosen`) with what to do about it, and
//! it stays a finding: a product not yet chosen is not clear. Pure.

use crate::LineFacts;
use crate::normalize;

/// The words a placeholder's model carries, as folded tokens.
const TO_BE_CHOSEN: [&str; 4] = ["model", "to", "be", "chosen"];

/// What a placeholder line is, as both checks' reasons open.
const PLACEHOLDER: &str = "placeholder line: the model is still to be chosen";

/// What a procurement officer does about a placeholder line without a maker (Section 889).
pub(crate) fn what_to_do_889() -> String {
    format!(
        "{PLACEHOLDER}; choose a product whose maker the data clears under §889 and state its country of origin before ordering."
    )
}

/// What a procurement officer does about a placeholder line without an origin (TAA).
pub(crate) fn what_to_do_taa() -> String {
    format!(
        "{PLACEHOLDER}; state the chosen product's country of origin (where it is last substantially transformed) before ordering: TAA compliance cannot be judged until then."
    )
}

/// Whether the line's model says the model is still to be chosen.
pub(crate) fn is_to_be_chosen(line: &LineFacts) -> bool {
    line.model.as_deref().is_some_and(|model| {
        normalize::tokens(model)
            .windows(TO_BE_CHOSEN.len())
            .any(|w| w == TO_BE_CHOSEN)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_model_that_says_so_is_a_placeholder() {
        let line = |model: &str| LineFacts::default().model(model);
        assert!(is_to_be_chosen(&line(
            "4U storage recording server (model to be chosen)"
        )));
        assert!(is_to_be_chosen(&line("Switch — MODEL TO BE CHOSEN")));
        assert!(!is_to_be_chosen(&line("NW-4U36")));
        assert!(!is_to_be_chosen(&line("model chosen later")));
        assert!(!is_to_be_chosen(
            &LineFacts::default().description("model to be chosen")
        ));
    }
}
