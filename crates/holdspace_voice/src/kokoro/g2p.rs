//! Text to Kokoro's phonemes by looking words up in misaki's lexicons (hexgrad,
//! Apache-2.0): the pronunciations Kokoro was trained with, stress marked, in its own
//! phoneme alphabet. A direct lookup (gold, then silver, with case fallbacks), the rules
//! misaki itself applies to "the", "a" and "I", the -s, -'s, -ed and -ing endings of a
//! known stem, and numbers said as words cover the customer's lines; a word that is still
//! unknown is spelled out letter by letter, and `validate` warns about it first.
//!
//! Why not a phonemiser: espeak-ng (what misaki falls back on) is GPL, and the lines are
//! authored, so every word can be checked ahead.

use std::collections::HashMap;
use std::path::Path;

use crate::error::VoiceError;
use crate::kokoro::numbers::say_number;

/// Which lexicons a voice reads with: American voices (`af_`, `am_`) or British (`bf_`, `bm_`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Accent {
    /// misaki's `us_gold` and `us_silver`.
    American,
    /// misaki's `gb_gold` and `gb_silver`.
    British,
}

impl Accent {
    /// The accent of a Kokoro voice, from its name's first letter.
    pub fn of_voice(name: &str) -> Accent {
        if name.starts_with('b') {
            Accent::British
        } else {
            Accent::American
        }
    }

    fn files(self) -> [&'static str; 2] {
        match self {
            Accent::American => ["us_gold.json", "us_silver.json"],
            Accent::British => ["gb_gold.json", "gb_silver.json"],
        }
    }
}

/// One accent's pronunciations: the gold lexicon's, then the silver's where gold has none.
#[derive(Debug, Clone)]
pub struct Lexicon {
    accent: Accent,
    words: HashMap<String, String>,
}

/// A text as Kokoro reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Phonemes {
    /// The phoneme string (words separated by spaces, punctuation kept).
    pub text: String,
    /// For each spoken word, the index (in characters of `text`) just past its last phoneme.
    pub word_ends: Vec<usize>,
    /// Words no rule could pronounce, spelled out instead.
    pub unknown: Vec<String>,
}

/// Punctuation Kokoro's vocabulary has, which shapes its intonation and pauses.
fn kept_punctuation(c: char) -> Option<char> {
    match c {
        ';' | ':' | ',' | '.' | '!' | '?' | '—' | '…' | '(' | ')' => Some(c),
        '–' => Some('—'),
        _ => None,
    }
}

fn is_vowel_phoneme(c: char) -> bool {
    "AIOQWYaiuæɑɒɔəɛɜɪʊʌᵊɐeoɚ".contains(c)
}

impl Lexicon {
    /// Reads an accent's two lexicons from `dir` (the voice folder's `lexicon/`).
    pub fn load(dir: &Path, accent: Accent) -> Result<Lexicon, VoiceError> {
        let mut words = HashMap::new();
        for file in accent.files() {
            let path = dir.join(file);
            let bytes = std::fs::read(&path).map_err(|e| VoiceError::Neural(format!("{}: {e}", path.display())))?;
            let raw: HashMap<String, serde_json::Value> =
                serde_json::from_slice(&bytes).map_err(|e| VoiceError::Neural(format!("{}: {e}", path.display())))?;
            for (word, value) in raw {
                // A heteronym is keyed by part of speech; without a tagger its default is
                // the best guess (the lines can be respelled where it is wrong).
                let phonemes = match value {
                    serde_json::Value::String(s) => Some(s),
                    serde_json::Value::Object(tags) => tags.get("DEFAULT").and_then(|v| v.as_str()).map(str::to_owned),
                    _ => None,
                };
                if let Some(p) = phonemes {
                    // Gold is read first: silver only fills its gaps.
                    words.entry(word).or_insert(p);
                }
            }
        }
        Ok(Lexicon { accent, words })
    }

    /// A lexicon from explicit entries (tests).
    pub fn from_entries(accent: Accent, entries: &[(&str, &str)]) -> Lexicon {
        Lexicon {
            accent,
            words: entries
                .iter()
                .map(|(w, p)| ((*w).to_owned(), (*p).to_owned()))
                .collect(),
        }
    }

    /// Which accent this lexicon is for.
    pub fn accent(&self) -> Accent {
        self.accent
    }

    fn exact(&self, word: &str) -> Option<String> {
        let lower = word.to_lowercase();
        let mut capital = lower.clone();
        if let Some(first) = capital.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        [word, lower.as_str(), capital.as_str()]
            .into_iter()
            .find_map(|w| self.words.get(w).cloned())
    }

    /// A word's phonemes, or `None` when no rule knows it.
    pub fn word(&self, word: &str) -> Option<String> {
        let word = word.replace('’', "'");
        if let Some(p) = self.exact(&word) {
            return Some(p);
        }
        let lower = word.to_lowercase();
        if let Some(stem) = lower.strip_suffix("'s") {
            return self.word(stem).map(|p| self.with_s(&p));
        }
        // Contractions the lexicon lacks: "that'll", "that'd", "box'll".
        for (ending, sound) in [("'ll", "ᵊl"), ("'d", "d"), ("'ve", "v")] {
            if let Some(stem) = lower.strip_suffix(ending)
                && let Some(p) = self.exact(stem)
            {
                return Some(format!("{p}{sound}"));
            }
        }
        if let Some(stem) = lower.strip_suffix("s'") {
            return self.word(stem).map(|p| self.with_s(&p));
        }
        if let Some(stem) = lower.strip_suffix('s').filter(|s| s.len() > 2) {
            if let Some(p) = self.exact(stem) {
                return Some(self.with_s(&p));
            }
            if let Some(p) = stem.strip_suffix('e').and_then(|s| self.exact(s)) {
                return Some(self.with_s(&p));
            }
        }
        if let Some(stem) = lower.strip_suffix("ed").filter(|s| s.len() > 2) {
            let known = self
                .exact(stem)
                .or_else(|| self.exact(&format!("{stem}e")))
                .or_else(|| undouble(stem).and_then(|s| self.exact(s)));
            if let Some(p) = known {
                return Some(self.with_ed(&p));
            }
        }
        if let Some(stem) = lower.strip_suffix("ing").filter(|s| s.len() > 2) {
            let known = self
                .exact(stem)
                .or_else(|| self.exact(&format!("{stem}e")))
                .or_else(|| undouble(stem).and_then(|s| self.exact(s)));
            if let Some(p) = known {
                return Some(format!("{p}ɪŋ"));
            }
        }
        if word.contains('-') {
            let parts: Option<Vec<String>> = word
                .split('-')
                .filter(|p| !p.is_empty())
                .map(|p| self.word(p))
                .collect();
            return parts.map(|p| p.join(" "));
        }
        None
    }

    /// misaki's rule for a plural or possessive: /s/ after a voiceless sound, /ɪz/ after
    /// a sibilant, /z/ otherwise.
    fn with_s(&self, stem: &str) -> String {
        let schwa = self.schwa();
        match stem.chars().last() {
            Some('p' | 't' | 'k' | 'f' | 'θ') => format!("{stem}s"),
            Some('s' | 'z' | 'ʃ' | 'ʒ' | 'ʧ' | 'ʤ') => format!("{stem}{schwa}z"),
            _ => format!("{stem}z"),
        }
    }

    /// misaki's rule for a past tense: /t/ after a voiceless sound, /ɪd/ after t or d,
    /// /d/ otherwise.
    fn with_ed(&self, stem: &str) -> String {
        let schwa = self.schwa();
        match stem.chars().last() {
            Some('p' | 'k' | 'f' | 'θ' | 'ʃ' | 's' | 'ʧ') => format!("{stem}t"),
            Some('t' | 'd') => format!("{stem}{schwa}d"),
            _ => format!("{stem}d"),
        }
    }

    fn schwa(&self) -> char {
        match self.accent {
            Accent::American => 'ᵻ',
            Accent::British => 'ɪ',
        }
    }

    /// Letter by letter, for a word no rule knows (a code, a name not in the lexicon).
    fn spelled(&self, word: &str) -> String {
        let letters: Vec<String> = word
            .chars()
            .filter(|c| c.is_alphanumeric())
            .filter_map(|c| self.exact(&c.to_uppercase().to_string()))
            .collect();
        letters.join(" ")
    }

    /// A text as Kokoro's phonemes, word by word.
    pub fn phonemes(&self, text: &str) -> Phonemes {
        let mut words: Vec<Piece> = Vec::new();
        for token in tokens(text) {
            match token {
                Token::Word(w) => match say_number(&w) {
                    Some(said) => words.extend(tokens(&said).into_iter().filter_map(|t| match t {
                        Token::Word(w) => Some(Piece::Word(w)),
                        Token::Mark(_) => None,
                    })),
                    None => words.push(Piece::Word(w)),
                },
                Token::Mark(m) => words.push(Piece::Mark(m)),
            }
        }
        let mut out = Phonemes {
            text: String::new(),
            word_ends: Vec::new(),
            unknown: Vec::new(),
        };
        let mut length = 0usize;
        for i in 0..words.len() {
            match &words[i] {
                Piece::Mark(m) => {
                    out.text.push(*m);
                    length += 1;
                }
                Piece::Word(w) => {
                    let next_starts_with_vowel = words[i + 1..]
                        .iter()
                        .find_map(|p| match p {
                            Piece::Word(n) => Some(self.word(n).is_some_and(|p| {
                                p.chars()
                                    .find(|c| !matches!(c, 'ˈ' | 'ˌ'))
                                    .is_some_and(is_vowel_phoneme)
                            })),
                            Piece::Mark(_) => None,
                        })
                        .unwrap_or(false);
                    let said = match w.to_lowercase().as_str() {
                        // misaki's special cases: "the" before a vowel is /ði/, else /ðə/;
                        // "a" as an article is the weak /ɐ/, not the letter's name.
                        "the" if next_starts_with_vowel => "ði".to_owned(),
                        "the" => "ðə".to_owned(),
                        "a" if w != "A" || i + 1 < words.len() => "ɐ".to_owned(),
                        _ => match self.word(w) {
                            Some(p) => p,
                            // Capitals alone ("QT", "HX") are letters to be read out.
                            None if w.chars().count() <= 4 && w.chars().all(|c| c.is_ascii_uppercase()) => {
                                self.spelled(w)
                            }
                            None => {
                                out.unknown.push(w.clone());
                                self.spelled(w)
                            }
                        },
                    };
                    if said.is_empty() {
                        continue;
                    }
                    if !out.text.is_empty() {
                        out.text.push(' ');
                        length += 1;
                    }
                    out.text.push_str(&said);
                    length += said.chars().count();
                    out.word_ends.push(length);
                }
            }
        }
        out
    }
}

/// "stopped" → "stop", "running" → "run".
fn undouble(stem: &str) -> Option<&str> {
    let b = stem.as_bytes();
    (b.len() > 2 && b[b.len() - 1] == b[b.len() - 2]).then(|| &stem[..stem.len() - 1])
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Mark(char),
}

enum Piece {
    Word(String),
    Mark(char),
}

/// Words (letters, digits, apostrophes, inner hyphens, a decimal point or thousands comma
/// between digits) and the punctuation Kokoro reads; everything else is a word break.
fn tokens(text: &str) -> Vec<Token> {
    let text = text.replace("...", "…");
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        let w = word.trim_matches(['-', '\'', '’']).to_owned();
        if !w.is_empty() {
            out.push(Token::Word(w));
        }
        word.clear();
    };
    for (i, &c) in chars.iter().enumerate() {
        let between_digits = |c: char| {
            matches!(c, '.' | ',')
                && i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit)
        };
        if c.is_alphanumeric() || matches!(c, '\'' | '’' | '-') || between_digits(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            if let Some(m) = kept_punctuation(c) {
                out.push(Token::Mark(m));
            }
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> Lexicon {
        Lexicon::from_entries(
            Accent::American,
            &[
                ("where", "wˌɛɹ"),
                ("is", "ɪz"),
                ("my", "mI"),
                ("parcel", "pˈɑɹsᵊl"),
                ("apple", "ˈæpᵊl"),
                ("pay", "pˈA"),
                ("wait", "wˈAt"),
                ("mum", "mˈʌm"),
                ("bus", "bˈʌs"),
                ("stop", "stˈɑp"),
                ("third", "θˈɜɹd"),
                ("H", "ˈAʧ"),
                ("X", "ˈɛks"),
                ("next", "nˈɛkst"),
                ("day", "dˈA"),
            ],
        )
    }

    #[test]
    fn words_are_looked_up_with_punctuation_kept() {
        let p = lexicon().phonemes("Where is my parcel?");
        assert_eq!(p.text, "wˌɛɹ ɪz mI pˈɑɹsᵊl?");
        assert_eq!(p.word_ends.len(), 4);
        assert_eq!(p.word_ends[3], "wˌɛɹ ɪz mI pˈɑɹsᵊl".chars().count());
        assert!(p.unknown.is_empty());
    }

    #[test]
    fn the_and_a_follow_misakis_rules() {
        let l = lexicon();
        assert_eq!(l.phonemes("the apple").text, "ði ˈæpᵊl");
        assert_eq!(l.phonemes("the parcel").text, "ðə pˈɑɹsᵊl");
        assert_eq!(l.phonemes("a parcel").text, "ɐ pˈɑɹsᵊl");
    }

    #[test]
    fn endings_of_known_stems_are_pronounced() {
        let l = lexicon();
        assert_eq!(l.word("mum's").as_deref(), Some("mˈʌmz"));
        assert_eq!(l.word("parcels").as_deref(), Some("pˈɑɹsᵊlz"));
        assert_eq!(l.word("buses").as_deref(), Some("bˈʌsᵻz"));
        assert_eq!(l.word("paid"), None);
        assert_eq!(l.word("waited").as_deref(), Some("wˈAtᵻd"));
        assert_eq!(l.word("stopped").as_deref(), Some("stˈɑpt"));
        assert_eq!(l.word("waiting").as_deref(), Some("wˈAtɪŋ"));
        assert_eq!(l.word("next-day").as_deref(), Some("nˈɛkst dˈA"));
    }

    #[test]
    fn numbers_are_said_and_unknown_words_spelled_and_reported() {
        let l = lexicon();
        assert_eq!(l.phonemes("the 3rd").text, "ðə θˈɜɹd");
        let p = l.phonemes("HX");
        assert_eq!(p.text, "ˈAʧ ˈɛks");
        assert!(p.unknown.is_empty(), "capitals are read as letters");
        assert_eq!(l.phonemes("Hxqz").unknown, ["Hxqz"]);
        assert_eq!(l.word("mum'll").as_deref(), Some("mˈʌmᵊl"));
    }
}
