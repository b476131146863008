//! The pronouncing dictionary the recogniser listens with (CMUdict, as Debian's
//! `pocketsphinx-en-us` ships it), plus pronunciations derived for words it lacks but
//! whose parts it has: possessives and plurals ("fee's", "payees") and compounds
//! ("postcode" = post + code). A word that cannot be derived is reported, so authors learn
//! at validation time that the recogniser could never hear it.

use std::collections::HashMap;
use std::path::Path;

/// Where Debian's `pocketsphinx-en-us` puts the dictionary.
pub const DEBIAN_DICT: &str = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";

/// Words and their phones (ARPAbet, upper case, as CMUdict writes them).
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    words: HashMap<String, String>,
}

impl Dictionary {
    /// Parses dictionary text: `word PH ON ES` per line; `word(2)` variants are skipped
    /// (the first pronunciation is enough to derive from).
    pub fn parse(text: &str) -> Dictionary {
        let mut words = HashMap::new();
        for line in text.lines() {
            let mut parts = line.splitn(2, char::is_whitespace);
            let (Some(word), Some(phones)) = (parts.next(), parts.next()) else {
                continue;
            };
            if word.ends_with(')') {
                continue;
            }
            words.entry(word.to_owned()).or_insert_with(|| phones.trim().to_owned());
        }
        Dictionary { words }
    }

    /// Reads a dictionary file.
    pub fn load(path: &Path) -> std::io::Result<Dictionary> {
        Ok(Dictionary::parse(&std::fs::read_to_string(path)?))
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether it has no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether the dictionary itself has the word.
    pub fn has(&self, word: &str) -> bool {
        self.words.contains_key(word)
    }

    /// The word's phones: from the dictionary, or derived from its parts. `None` when
    /// the recogniser cannot be taught it.
    pub fn phones(&self, word: &str) -> Option<String> {
        if let Some(p) = self.words.get(word) {
            return Some(p.clone());
        }
        // Possessive or contraction of "is"/"has": fee's, flat's.
        if let Some(stem) = word.strip_suffix("'s") {
            return self.words.get(stem).map(|p| format!("{p} {}", plural_ending(p)));
        }
        // Plural: payees, lettings.
        if let Some(stem) = word.strip_suffix('s')
            && let Some(p) = self.words.get(stem)
        {
            return Some(format!("{p} {}", plural_ending(p)));
        }
        // Compound of two dictionary words, longest first part first: postcode, passcode.
        for split in (2..word.len().saturating_sub(1)).rev() {
            if !word.is_char_boundary(split) {
                continue;
            }
            let (a, b) = word.split_at(split);
            if b.len() >= 2
                && let (Some(pa), Some(pb)) = (self.words.get(a), self.words.get(b))
            {
                return Some(format!("{pa} {pb}"));
            }
        }
        None
    }
}

/// The plural/possessive ending after these phones: IH Z after a sibilant, S after a
/// voiceless sound, Z otherwise.
fn plural_ending(phones: &str) -> &'static str {
    match phones.split_whitespace().last().unwrap_or("") {
        "S" | "Z" | "SH" | "ZH" | "CH" | "JH" => "IH Z",
        "P" | "T" | "K" | "F" | "TH" => "S",
        _ => "Z",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DICT: &str = "fee F IY\nflat F L AE T\npayee P EY IY\nletting L EH T IH NG\npost P OW S T\ncode K OW D\npass P AE S\nbus B AH S\nread R IY D\nread(2) R EH D\n";

    #[test]
    fn known_words_come_from_the_dictionary() {
        let d = Dictionary::parse(DICT);
        assert_eq!(d.phones("read").as_deref(), Some("R IY D"));
        assert_eq!(d.len(), 9);
    }

    #[test]
    fn possessives_plurals_and_compounds_are_derived() {
        let d = Dictionary::parse(DICT);
        assert_eq!(d.phones("fee's").as_deref(), Some("F IY Z"));
        assert_eq!(d.phones("flat's").as_deref(), Some("F L AE T S"));
        assert_eq!(d.phones("buses").as_deref(), None, "not a simple +s plural");
        assert_eq!(d.phones("bus's").as_deref(), Some("B AH S IH Z"));
        assert_eq!(d.phones("payees").as_deref(), Some("P EY IY Z"));
        assert_eq!(d.phones("lettings").as_deref(), Some("L EH T IH NG Z"));
        assert_eq!(d.phones("postcode").as_deref(), Some("P OW S T K OW D"));
        assert_eq!(d.phones("passcode").as_deref(), Some("P AE S K OW D"));
        assert_eq!(d.phones("zxqv"), None);
    }

    #[test]
    fn debians_dictionary_has_the_everyday_words() {
        let Ok(d) = Dictionary::load(Path::new(DEBIAN_DICT)) else {
            panic!("{DEBIAN_DICT} is missing: install pocketsphinx-en-us (scripts/setup.sh does)");
        };
        assert!(d.len() > 100_000);
        for w in [
            "friday",
            "what's",
            "parcel",
            "sorry",
            "postcode",
            "redelivery",
            "payees",
            "fee's",
        ] {
            assert!(d.phones(w).is_some(), "{w}");
        }
    }
}
