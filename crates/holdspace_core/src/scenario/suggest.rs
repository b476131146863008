//! "Did you mean …?" for a misspelt id, tag, intent, band or field name: the known name
//! nearest to what was written, when it is near enough to be a slip.

/// The candidate closest to `found` by edit distance (ignoring case), if it is within a
/// third of the word's length (at least one edit) and nearer than any other candidate.
pub fn nearest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let found_lower = found.to_lowercase();
    let limit = (found.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    let mut tie = false;
    for candidate in candidates {
        if candidate == found {
            return None;
        }
        let distance = strsim::damerau_levenshtein(&found_lower, &candidate.to_lowercase());
        match best {
            Some((d, _)) if distance == d => tie = true,
            Some((d, _)) if distance > d => {}
            _ => {
                best = Some((distance, candidate));
                tie = false;
            }
        }
    }
    best.filter(|(d, _)| *d <= limit && !tie).map(|(_, c)| c)
}

/// " Did you mean `x`?" for a help text, or nothing.
pub fn did_you_mean<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    nearest(found, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_is_matched_and_a_different_word_is_not() {
        let intents = ["Paraphrase", "PolicyWall", "OpenQuestion"];
        assert_eq!(nearest("Paraphrse", intents), Some("Paraphrase"));
        assert_eq!(nearest("paraphrase", intents), Some("Paraphrase"));
        assert_eq!(nearest("PolicyWal", intents), Some("PolicyWall"));
        assert_eq!(nearest("Sarcasm", intents), None);
        assert_eq!(
            nearest("Paraphrase", intents),
            None,
            "an exact name needs no suggestion"
        );
    }

    #[test]
    fn a_tie_suggests_nothing() {
        assert_eq!(nearest("cat", ["bat", "hat"]), None);
        assert_eq!(
            did_you_mean("detials", ["details", "friday"]).as_deref(),
            Some("did you mean `details`?")
        );
    }
}
