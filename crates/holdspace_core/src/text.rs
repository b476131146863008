//! Text normalisation shared by the lexicon, paraphrase scoring and reply matching.
//!
//! Speech recognisers drop apostrophes and punctuation and typed replies vary in
//! case, so everything is compared as lower-case words with apostrophes removed
//! ("you're" → "youre"), split into sentences on `.`, `?`, `!`, `;` and line breaks.

/// A sentence as normalised words, with whether it ended in a question mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// Lower-case words, apostrophes removed.
    pub words: Vec<String>,
    /// The sentence ended with `?`.
    pub question_mark: bool,
}

/// Splits text into normalised sentences; empty sentences are dropped.
pub fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        match ch {
            '.' | '?' | '!' | ';' | '\n' => {
                push_sentence(&mut out, &current, ch == '?');
                current.clear();
            }
            _ => current.push(ch),
        }
    }
    push_sentence(&mut out, &current, false);
    out
}

fn push_sentence(out: &mut Vec<Sentence>, raw: &str, question_mark: bool) {
    let words = words(raw);
    if !words.is_empty() {
        out.push(Sentence { words, question_mark });
    }
}

/// Lower-case words of `text`, apostrophes removed, other punctuation as spaces.
pub fn words(text: &str) -> Vec<String> {
    let mut cleaned = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch == '\'' || ch == '’' || ch == '‘' {
            continue;
        }
        if ch.is_alphanumeric() {
            cleaned.extend(ch.to_lowercase());
        } else {
            cleaned.push(' ');
        }
    }
    cleaned.split_whitespace().map(str::to_owned).collect()
}

/// A crude English stem so "arrived", "arrives" and "arriving" compare equal.
/// Good enough for overlap scoring; it is never shown to anyone.
pub fn stem(word: &str) -> String {
    let w = word;
    for suffix in ["ing", "ed", "es", "ly", "s"] {
        if let Some(base) = w.strip_suffix(suffix)
            && base.chars().count() >= 3
        {
            return base.trim_end_matches('e').to_owned();
        }
    }
    w.trim_end_matches('e').to_owned()
}

/// Common function words that carry no content for paraphrase scoring.
const STOPWORDS: &[&str] = &[
    "a", "about", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "cant",
    "could", "did", "didnt", "do", "does", "dont", "for", "from", "get", "got", "had", "has", "have", "he", "her",
    "here", "hes", "him", "his", "how", "i", "id", "if", "ill", "im", "in", "into", "is", "isnt", "it", "itll", "its",
    "ive", "just", "know", "let", "like", "me", "my", "no", "not", "now", "of", "oh", "ok", "okay", "on", "one", "or",
    "our", "out", "really", "right", "said", "say", "see", "she", "shes", "so", "some", "still", "that", "thats",
    "the", "their", "them", "then", "there", "theres", "they", "theyre", "theyve", "this", "to", "too", "uh", "um",
    "up", "us", "very", "was", "wasnt", "we", "wed", "well", "were", "weve", "what", "whats", "when", "where", "which",
    "who", "why", "will", "with", "would", "yes", "you", "youd", "youll", "your", "youre", "youve",
];

/// Whether a normalised word is a function word.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// Content-word stems of `text`, in order of first appearance, without repeats.
pub fn content_stems(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words(text) {
        // Short numbers ("28", "63") are content: amounts and dates are what customers repeat.
        let number = w.chars().all(|c| c.is_ascii_digit());
        if (w.chars().count() < 3 && !number) || is_stopword(&w) {
            continue;
        }
        let s = stem(&w);
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Whether `needle` occurs as a contiguous run of words in `hay`.
pub fn contains_phrase(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        let mut sorted = STOPWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOPWORDS);
    }

    #[test]
    fn words_drop_apostrophes_and_case() {
        assert_eq!(
            words("You're RIGHT, I don’t know!"),
            ["youre", "right", "i", "dont", "know"]
        );
    }

    #[test]
    fn sentences_split_and_mark_questions() {
        let s = sentences("Sorry. What's happening on Friday? OK");
        assert_eq!(s.len(), 3);
        assert!(s[1].question_mark);
        assert!(!s[2].question_mark);
        assert_eq!(s[1].words[0], "whats");
    }

    #[test]
    fn stems_collapse_inflections() {
        assert_eq!(stem("arrived"), stem("arrive"));
        assert_eq!(stem("parcels"), stem("parcel"));
        assert_eq!(stem("waiting"), stem("wait"));
    }

    #[test]
    fn content_stems_skip_function_words() {
        assert_eq!(
            content_stems("I need it by Friday, it's for the funeral"),
            ["need", "friday", "funeral"]
        );
    }
}
