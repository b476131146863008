//! Text normalisation shared by the lexicon, paraphrase scoring and reply matching.
//!
//! Speech recognisers drop apostrophes and punctuation and typed replies vary in
//! case, so everything is compared as lower-case words with apostrophes removed
//! ("you're" → "youre"), split into sentences on `.`, `?`, `!`, `;` and line breaks,
//! and sentences into clauses. Two spellings of one thing compare equal: negative
//! contractions are spelled out ("can't" → "can not", "didn't" → "did not") so a
//! negation is always the word "not", and numbers said or written are digits
//! ("twenty-four" = "24", "a grand" = "1000", "£1,000" = "1000", "28th" = "28").

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

/// Lower-case words of `text`, apostrophes removed, other punctuation as spaces,
/// negative contractions spelled out and numbers as digits (see the module docs).
pub fn words(text: &str) -> Vec<String> {
    let mut cleaned = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut last = ' ';
    while let Some(ch) = chars.next() {
        if ch == '\'' || ch == '’' || ch == '‘' {
            continue;
        }
        // "1,000" and "1.5" stay one token: a thousands comma is not a clause break.
        if (ch == ',' || ch == '.') && last.is_ascii_digit() && chars.peek().is_some_and(char::is_ascii_digit) {
            if ch == '.' {
                cleaned.push('.');
            }
            continue;
        }
        if ch.is_alphanumeric() {
            cleaned.extend(ch.to_lowercase());
        } else {
            cleaned.push(' ');
        }
        last = ch;
    }
    let mut out: Vec<String> = Vec::new();
    for raw in cleaned.split_whitespace() {
        let raw = raw.trim_end_matches('.');
        if let Some(parts) = expand_pronoun(raw) {
            out.extend(parts.iter().map(|p| (*p).to_owned()));
            continue;
        }
        match expand_negative(raw) {
            Some((head, tail)) => {
                out.push(head.to_owned());
                out.push(tail.to_owned());
            }
            None => out.push(raw.to_owned()),
        }
    }
    crate::analysis::numbers::to_digits(out)
}

/// "youve" → "you have": contractions of a pronoun or a modal, spelled out so that
/// "you've got your money back" and "you have got" read alike ("at least you…"), and
/// "should've" is "should have". Ambiguous ones ("were", "its", "id", "ill", "well")
/// are left as they are.
fn expand_pronoun(word: &str) -> Option<&'static [&'static str]> {
    Some(match word {
        "im" => &["i", "am"],
        "ive" => &["i", "have"],
        "youre" => &["you", "are"],
        "youve" => &["you", "have"],
        "youll" => &["you", "will"],
        "youd" => &["you", "would"],
        "weve" => &["we", "have"],
        "theyre" => &["they", "are"],
        "theyve" => &["they", "have"],
        "shouldve" => &["should", "have"],
        "couldve" => &["could", "have"],
        "wouldve" => &["would", "have"],
        "mustve" => &["must", "have"],
        "thats" => &["that", "is"],
        "theres" => &["there", "is"],
        "whats" => &["what", "is"],
        "hows" => &["how", "is"],
        "wheres" => &["where", "is"],
        "whos" => &["who", "is"],
        "gonna" => &["going", "to"],
        "wanna" => &["want", "to"],
        _ => return None,
    })
}

/// "cant" → ("can", "not"): negative contractions (apostrophe already removed) spelled
/// out, so scope checks look for one word.
fn expand_negative(word: &str) -> Option<(&'static str, &'static str)> {
    let pair = match word {
        "cant" | "cannot" => "can",
        "wont" => "will",
        "dont" => "do",
        "didnt" => "did",
        "doesnt" => "does",
        "isnt" | "aint" => "is",
        "arent" => "are",
        "wasnt" => "was",
        "werent" => "were",
        "havent" => "have",
        "hasnt" => "has",
        "hadnt" => "had",
        "wouldnt" => "would",
        "couldnt" => "could",
        "shouldnt" => "should",
        "mustnt" => "must",
        "neednt" => "need",
        _ => return None,
    };
    Some((pair, "not"))
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

/// Sounds and words that fill a turn without saying anything. A reply made only of
/// these is a non-answer.
const FILLERS: &[&str] = &[
    "ah", "alright", "eh", "er", "erm", "hm", "hmm", "mhm", "mm", "mmm", "oh", "ok", "okay", "right", "so", "uh",
    "uhh", "uhm", "um", "umm", "well", "yeah", "yep", "yes",
];

/// Whether a normalised word only fills time ("um", "right", "okay").
pub fn is_filler(word: &str) -> bool {
    FILLERS.binary_search(&word).is_ok()
}

/// Words that open a clause without changing what it does ("so what happened" asks
/// what "what happened" asks), skipped before a phrase anchored at the clause start.
const DISCOURSE_MARKERS: &[&str] = &[
    "ah", "alright", "and", "er", "erm", "listen", "look", "now", "ok", "okay", "oh", "right", "so", "uh", "um", "well",
];

/// A clause: the words between commas, dashes, colons and contrast words ("but",
/// "although"), within one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// Lower-case normalised words.
    pub words: Vec<String>,
    /// How many leading words are discourse markers ("so", "okay", "well").
    pub lead: usize,
    /// The sentence this clause is in ended with `?`.
    pub in_question: bool,
    /// The clause follows a contrast word ("but", "though", "however") in its sentence:
    /// what it says outweighs what came before ("you've been patient, but it's only a dress").
    pub after_contrast: bool,
    /// Index of the sentence the clause belongs to.
    pub sentence: usize,
}

impl Clause {
    /// The words after the leading discourse markers.
    pub fn core(&self) -> &[String] {
        self.words.get(self.lead..).unwrap_or_default()
    }
}

/// Words that turn a sentence: the clause after one carries the weight.
const CONTRAST: &[&str] = &["although", "but", "however", "though"];

/// Splits text into clauses (see [`Clause`]).
pub fn clauses(text: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut sentence_index = 0;
    let mut sentence = String::new();
    let flush = |raw: &str, question: bool, index: usize, out: &mut Vec<Clause>| -> bool {
        let mut any = false;
        let mut after_contrast = false;
        for part in raw.split([',', ':', '—', '–', '(', ')']).flat_map(|p| p.split(" - ")) {
            let mut current: Vec<String> = Vec::new();
            for word in words(part) {
                if CONTRAST.contains(&word.as_str()) {
                    any |= push_clause(out, std::mem::take(&mut current), question, after_contrast, index);
                    after_contrast = true;
                    continue;
                }
                current.push(word);
            }
            any |= push_clause(out, current, question, after_contrast, index);
        }
        any
    };
    for ch in text.chars() {
        match ch {
            '.' | '?' | '!' | ';' | '\n' | '…' => {
                if flush(&sentence, ch == '?', sentence_index, &mut out) {
                    sentence_index += 1;
                }
                sentence.clear();
            }
            _ => sentence.push(ch),
        }
    }
    flush(&sentence, false, sentence_index, &mut out);
    out
}

fn push_clause(
    out: &mut Vec<Clause>,
    words: Vec<String>,
    in_question: bool,
    after_contrast: bool,
    sentence: usize,
) -> bool {
    if words.is_empty() {
        return false;
    }
    let lead = words
        .iter()
        .take_while(|w| DISCOURSE_MARKERS.contains(&w.as_str()))
        .count()
        .min(words.len().saturating_sub(1));
    out.push(Clause {
        words,
        lead,
        in_question,
        after_contrast,
        sentence,
    });
    true
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
    let all = words(text);
    for (i, w) in all.iter().enumerate() {
        // Short numbers ("28", "63") are content: amounts and dates are what customers repeat.
        let number = w.chars().all(|c| c.is_ascii_digit());
        if (w.chars().count() < 3 && !number) || is_stopword(w) {
            continue;
        }
        // "I'm going to pretend…" marks the future, as "will" does; "what's going on"
        // keeps its "going", which is content there.
        if w == "going" && all.get(i + 1).is_some_and(|n| n == "to") {
            continue;
        }
        let s = stem(w);
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
            ["you", "are", "right", "i", "do", "not", "know"]
        );
    }

    #[test]
    fn sentences_split_and_mark_questions() {
        let s = sentences("Sorry. What's happening on Friday? OK");
        assert_eq!(s.len(), 3);
        assert!(s[1].question_mark);
        assert!(!s[2].question_mark);
        assert_eq!(s[1].words[0], "what");
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
        // The future's "going to" is no content; "what's going on" is.
        assert_eq!(content_stems("I'm going to sort Friday"), ["sort", "friday"]);
        assert!(content_stems("what's going on on Friday").len() == 2);
    }
}
