//! What the trainee says, as words a recogniser can listen for: option texts and
//! phrasings turned into spoken words (numbers, pounds and ordinals spelled out, as
//! people say them), the JSGF grammar for guided mode, the option a recognised phrase
//! stands for, which words a pronouncing dictionary lacks, and whether a transcript
//! trails off mid-sentence (`trails_off`: the turn is not over).

use std::collections::BTreeMap;

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// A whole number in words, British style ("one hundred and twelve"), up to millions.
pub fn number_words(n: u64) -> Vec<String> {
    let mut out = Vec::new();
    spell(n, &mut out);
    out
}

fn spell(n: u64, out: &mut Vec<String>) {
    let push = |out: &mut Vec<String>, w: &str| out.push(w.to_owned());
    match n {
        0..=19 => push(out, ONES[n as usize]),
        20..=99 => {
            push(out, TENS[(n / 10) as usize]);
            if !n.is_multiple_of(10) {
                push(out, ONES[(n % 10) as usize]);
            }
        }
        100..=999 => {
            push(out, ONES[(n / 100) as usize]);
            push(out, "hundred");
            if !n.is_multiple_of(100) {
                push(out, "and");
                spell(n % 100, out);
            }
        }
        1_000..=999_999 => {
            spell(n / 1_000, out);
            push(out, "thousand");
            match n % 1_000 {
                0 => {}
                r @ 1..=99 => {
                    push(out, "and");
                    spell(r, out);
                }
                r => spell(r, out),
            }
        }
        _ => {
            spell(n / 1_000_000, out);
            push(out, "million");
            if !n.is_multiple_of(1_000_000) {
                spell(n % 1_000_000, out);
            }
        }
    }
}

/// The ordinal of a number in words ("third", "twenty eighth").
pub fn ordinal_words(n: u64) -> Vec<String> {
    let mut words = number_words(n);
    if let Some(last) = words.pop() {
        let ord = match last.as_str() {
            "one" => "first".to_owned(),
            "two" => "second".to_owned(),
            "three" => "third".to_owned(),
            "five" => "fifth".to_owned(),
            "eight" => "eighth".to_owned(),
            "nine" => "ninth".to_owned(),
            "twelve" => "twelfth".to_owned(),
            w if w.ends_with('y') => format!("{}ieth", &w[..w.len() - 1]),
            w => format!("{w}th"),
        };
        words.push(ord);
    }
    words
}

/// The words a person says for `text`: lower case, punctuation dropped (apostrophes in
/// words kept), hyphenated words split, "£174.80" as "one hundred and seventy four
/// pounds eighty", "3rd" as "third", other digits as numbers ("4417" as "four thousand
/// four hundred and seventeen"; a leading zero or a long run is read digit by digit).
pub fn spoken_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.split(|c: char| c.is_whitespace() || c == '-' || c == '/' || c == '—' || c == '–') {
        let token: String = raw
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '\'' | '’' | '£' | '.' | ',' | '%'))
            .collect();
        let token = token.replace('’', "'");
        let token = token.trim_matches(|c: char| matches!(c, '.' | ',' | '\''));
        if token.is_empty() {
            continue;
        }
        let lower = token.to_lowercase();
        if let Some(amount) = lower.strip_prefix('£') {
            let amount = amount.replace(',', "");
            let (pounds, pence) = amount.split_once('.').unwrap_or((amount.as_str(), ""));
            if let Ok(p) = pounds.parse::<u64>() {
                out.extend(number_words(p));
                out.push(if p == 1 { "pound" } else { "pounds" }.to_owned());
            }
            if let Ok(pence) = pence.parse::<u64>()
                && pence > 0
            {
                out.extend(number_words(pence));
            }
            continue;
        }
        if let Some(percent) = lower.strip_suffix('%') {
            out.extend(spoken_words(percent));
            out.push("percent".to_owned());
            continue;
        }
        let digits_end = lower
            .find(|c: char| !c.is_ascii_digit() && c != ',')
            .unwrap_or(lower.len());
        if digits_end > 0 {
            let digits = lower[..digits_end].replace(',', "");
            let rest = &lower[digits_end..];
            let number: Option<u64> = digits.parse().ok();
            match (number, rest) {
                (Some(n), "st" | "nd" | "rd" | "th") => out.extend(ordinal_words(n)),
                (Some(n), "am" | "pm") => {
                    out.extend(number_words(n));
                    out.extend(rest.chars().map(|c| c.to_string()));
                }
                (Some(n), "") if !digits.starts_with('0') && digits.len() <= 7 => out.extend(number_words(n)),
                _ => {
                    // Account numbers, codes, "0800": digit by digit, then any letters.
                    out.extend(
                        digits
                            .chars()
                            .filter_map(|c| c.to_digit(10))
                            .map(|d| ONES[d as usize].to_owned()),
                    );
                    let rest = rest.trim_start_matches('.');
                    if !rest.is_empty() {
                        out.extend(spoken_words(rest));
                    }
                }
            }
            continue;
        }
        out.push(lower.replace(['.', ','], ""));
    }
    out.retain(|w| !w.is_empty());
    out
}

/// One thing the trainee can say for a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    /// The reply it stands for.
    pub reply: String,
    /// Its spoken words.
    pub words: Vec<String>,
}

/// The grammar for one set of offered replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionGrammar {
    /// JSGF text, for PocketSphinx's `ps_set_jsgf_string`.
    pub jsgf: String,
    /// Every phrase in the grammar, with its reply.
    pub phrases: Vec<Phrase>,
    /// The phrases as written (button text and phrasings, with their capitals and
    /// punctuation), for a transcriber's prompt.
    pub sentences: Vec<String>,
}

impl OptionGrammar {
    /// The grammar for replies given as `(id, button text, phrasings)`.
    pub fn new<'a>(replies: impl IntoIterator<Item = (&'a str, &'a str, &'a [String])>) -> OptionGrammar {
        let mut phrases: Vec<Phrase> = Vec::new();
        let mut sentences: Vec<String> = Vec::new();
        for (id, text, phrasings) in replies {
            for said in std::iter::once(text).chain(phrasings.iter().map(String::as_str)) {
                if !sentences.iter().any(|s| s == said.trim()) {
                    sentences.push(said.trim().to_owned());
                }
                let words = spoken_words(said);
                if !words.is_empty() && !phrases.iter().any(|p| p.words == words) {
                    phrases.push(Phrase {
                        reply: id.to_owned(),
                        words,
                    });
                }
            }
        }
        let mut by_reply: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut order: Vec<&str> = Vec::new();
        for p in &phrases {
            if !order.contains(&p.reply.as_str()) {
                order.push(&p.reply);
            }
            by_reply.entry(&p.reply).or_default().push(p.words.join(" "));
        }
        let mut jsgf = String::from("#JSGF V1.0;\ngrammar options;\n");
        let rules: Vec<String> = (0..order.len()).map(|i| format!("<r{i}>")).collect();
        jsgf.push_str(&format!(
            "public <reply> = {};\n",
            if rules.is_empty() {
                "<VOID>".to_owned()
            } else {
                rules.join(" | ")
            }
        ));
        for (i, id) in order.iter().enumerate() {
            let alternatives = by_reply.get(id).map(|v| v.join(" | ")).unwrap_or_default();
            jsgf.push_str(&format!("<r{i}> = {alternatives};\n"));
        }
        OptionGrammar {
            jsgf,
            phrases,
            sentences,
        }
    }

    /// The reply a recognised hypothesis stands for (the grammar only produces its own
    /// phrases, so an exact match of the words).
    pub fn reply_for(&self, hypothesis: &str) -> Option<&str> {
        let words: Vec<&str> = hypothesis.split_whitespace().collect();
        self.phrases
            .iter()
            .find(|p| p.words.iter().map(String::as_str).eq(words.iter().copied()))
            .map(|p| p.reply.as_str())
    }

    /// The reply whose phrase is nearest to a free transcript, with the distance
    /// ([`word_distance`]); `None` for an empty grammar.
    pub fn closest(&self, transcript: &str) -> Option<(&str, f32)> {
        let heard = expanded(&spoken_words(transcript));
        self.phrases
            .iter()
            .map(|p| (p.reply.as_str(), word_distance(&heard, &expanded(&p.words))))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// How far a free transcript is from the phrases of one reply (the nearest of them).
    pub fn distance_to(&self, reply: &str, transcript: &str) -> Option<f32> {
        let heard = expanded(&spoken_words(transcript));
        self.phrases
            .iter()
            .filter(|p| p.reply == reply)
            .map(|p| word_distance(&heard, &expanded(&p.words)))
            .min_by(f32::total_cmp)
    }

    /// Every distinct word in the grammar.
    pub fn words(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self
            .phrases
            .iter()
            .flat_map(|p| p.words.iter().map(String::as_str))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// Words with contractions spelt out ("i'm" → "i am", "don't" → "do not"), so that a
/// transcript and a phrase that differ only there are the same words.
pub fn expanded(words: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    for word in words {
        let w = word.replace('\u{2019}', "'");
        let (stem, tail) = match w.as_str() {
            "can't" | "cannot" => ("can", "not"),
            "won't" => ("will", "not"),
            "shan't" => ("shall", "not"),
            "let's" => ("let", "us"),
            _ => {
                let split = [
                    ("n't", "not"),
                    ("'re", "are"),
                    ("'m", "am"),
                    ("'ll", "will"),
                    ("'ve", "have"),
                    ("'d", "would"),
                    ("'s", "is"),
                ]
                .iter()
                .find_map(|(suffix, full)| w.strip_suffix(suffix).filter(|s| !s.is_empty()).map(|s| (s, *full)));
                match split {
                    Some((stem, full)) => {
                        out.push(stem.to_owned());
                        out.push(full.to_owned());
                    }
                    None => out.push(w.clone()),
                }
                continue;
            }
        };
        out.push(stem.to_owned());
        out.push(tail.to_owned());
    }
    out
}

/// Word-level edit distance between what was heard and a phrase, per word of the
/// phrase: 0 when identical, 1 when every word would have to change. A grammar always
/// picks one of its phrases, so a free transcript that is more than half a phrase away
/// from the pick means the trainee said something else.
pub fn word_distance(heard: &[String], phrase: &[String]) -> f32 {
    if phrase.is_empty() {
        return if heard.is_empty() { 0.0 } else { 1.0 };
    }
    // One row of the Levenshtein table at a time.
    let mut previous: Vec<usize> = (0..=phrase.len()).collect();
    for (i, h) in heard.iter().enumerate() {
        let mut row = Vec::with_capacity(phrase.len() + 1);
        row.push(i + 1);
        for (j, p) in phrase.iter().enumerate() {
            let substitute = previous[j] + usize::from(h != p);
            row.push(substitute.min(previous[j + 1] + 1).min(row[j] + 1));
        }
        previous = row;
    }
    previous[phrase.len()] as f32 / phrase.len() as f32
}

/// Words no sentence ends on: a turn whose transcript stops on one of these ("…and the",
/// "…because", "…um") has not finished, whatever the silence or the punctuation.
const NEVER_LAST: &[&str] = &[
    "and", "but", "or", "because", "cause", "cos", "although", "though", "unless", "than", "the", "a", "an", "my",
    "your", "our", "their", "um", "uh", "er", "erm",
];

/// Words a sentence seldom ends on: hanging unless the recogniser heard the sentence end
/// (a full stop, question or exclamation mark after them: "What was it for?").
const SELDOM_LAST: &[&str] = &[
    "so", "if", "when", "while", "since", "until", "that", "which", "who", "where", "to", "of", "for", "with", "from",
    "by", "in", "on", "at", "about", "into", "as", "i", "we", "i'm", "we're", "you're", "is", "are", "was", "were",
    "can", "could", "will", "would", "should", "might", "like", "just", "really", "very",
];

/// Whether `transcript` stops mid-sentence: on a word no sentence ends on ("and", "the",
/// "because", "um"), on one a sentence seldom ends on with no full stop after it ("…so
/// I went to"), or with a trailing comma, dash or ellipsis. An empty transcript does not.
pub fn trails_off(transcript: &str) -> bool {
    let t = transcript.trim_end();
    if [",", "-", "\u{2014}", "...", "\u{2026}"]
        .iter()
        .any(|end| t.ends_with(end))
    {
        return true;
    }
    let Some(last) = t.split_whitespace().last() else {
        return false;
    };
    let word = last
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
        .to_lowercase();
    let ended = t.ends_with(['.', '?', '!']);
    NEVER_LAST.contains(&word.as_str()) || (!ended && SELDOM_LAST.contains(&word.as_str()))
}

/// Codes read out character by character ("H X 4 4 7 1") written either way: Whisper
/// writes them joined ("HX4471", "3309175", "602-184"), which is the same thing said. A
/// word holding letters and digits, or five digits or more, is spelled out, as scoring
/// normalisers do; amounts and years ("1,380", "2024") are left as they are.
pub fn spelled_codes(text: &str) -> String {
    let spell = |word: &str| {
        let core = word.trim_matches(|c: char| !c.is_alphanumeric());
        let digits = core.chars().filter(char::is_ascii_digit).count();
        let letters = core.chars().filter(char::is_ascii_alphabetic).count();
        let joined = core.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        let code = joined && digits > 0 && (letters > 0 || digits >= 5);
        if code {
            core.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(String::from)
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            word.to_owned()
        }
    };
    text.split_whitespace().map(spell).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_transcript_that_trails_off_is_not_a_finished_turn() {
        for hanging in [
            "I understand, and",
            "So what I can do is check the",
            "I'm sorry because",
            "Let me just, um",
            "I was going to",
            "Right, so,",
            "I hear you...",
        ] {
            assert!(trails_off(hanging), "{hanging:?}");
        }
        for finished in [
            "I understand.",
            "What was it for?",
            "Take your time.",
            "Is that right",
            "I can see why that's upsetting",
            "",
        ] {
            assert!(!trails_off(finished), "{finished:?}");
        }
    }

    use super::*;

    fn words(s: &str) -> String {
        spoken_words(s).join(" ")
    }

    #[test]
    fn numbers_money_and_ordinals_are_said_as_people_say_them() {
        assert_eq!(words("£174.80"), "one hundred and seventy four pounds eighty");
        assert_eq!(words("£1"), "one pound");
        assert_eq!(
            words("It's £112 a month."),
            "it's one hundred and twelve pounds a month"
        );
        assert_eq!(words("on the 3rd, and the 28th"), "on the third and the twenty eighth");
        assert_eq!(words("24 hours, 48 hours"), "twenty four hours forty eight hours");
        assert_eq!(words("£2,000"), "two thousand pounds");
        assert_eq!(words("1,005"), "one thousand and five");
        assert_eq!(words("0800 number"), "zero eight zero zero number");
        assert_eq!(words("by 5pm"), "by five p m");
        assert_eq!(words("30%"), "thirty percent");
        assert_eq!(
            words("the 1st, 2nd, 12th, 21st and 90th"),
            "the first second twelfth twenty first and ninetieth"
        );
    }

    #[test]
    fn punctuation_goes_and_contractions_stay() {
        assert_eq!(
            words("So — what's happening on Friday?"),
            "so what's happening on friday"
        );
        assert_eq!(words("next-day \"out for delivery\""), "next day out for delivery");
        assert_eq!(words("I’m sorry."), "i'm sorry");
    }

    #[test]
    fn the_grammar_lists_each_reply_and_maps_phrases_back() {
        let phr = vec![
            "what's happening on friday".to_owned(),
            "tell me about friday".to_owned(),
        ];
        let none: Vec<String> = vec![];
        let g = OptionGrammar::new([
            (
                "ask_friday",
                "You mentioned Friday. What's happening on Friday?",
                phr.as_slice(),
            ),
            ("order", "Can I take your order number, please?", none.as_slice()),
        ]);
        assert!(
            g.jsgf
                .starts_with("#JSGF V1.0;\ngrammar options;\npublic <reply> = <r0> | <r1>;\n"),
            "{}",
            g.jsgf
        );
        assert!(g.jsgf.contains("<r0> = you mentioned friday what's happening on friday | what's happening on friday | tell me about friday;"));
        assert_eq!(g.reply_for("tell me about friday"), Some("ask_friday"));
        assert_eq!(g.reply_for("can i take your order number please"), Some("order"));
        assert_eq!(g.reply_for("can i take your order"), None);
        assert!(g.words().contains(&"friday"));
    }

    #[test]
    fn word_distance_counts_edits_per_phrase_word() {
        let w = |s: &str| spoken_words(s);
        assert_eq!(word_distance(&w("take your time"), &w("take your time")), 0.0);
        assert!((word_distance(&w("take you time"), &w("take your time")) - 1.0 / 3.0).abs() < 1e-6);
        assert!((word_distance(&w("take your time please"), &w("take your time")) - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(
            word_distance(&w("what is the weather"), &w("take your time")),
            4.0 / 3.0
        );
        assert_eq!(word_distance(&[], &w("take your time")), 1.0);
    }

    #[test]
    fn closest_reply_of_a_free_transcript() {
        let none: &[String] = &[];
        let g = OptionGrammar::new([
            ("time", "Take your time.", none),
            ("sorry", "I'm sorry for the delay.", none),
        ]);
        let (reply, d) = g.closest("Take your time!").unwrap_or_else(|| panic!("a reply"));
        assert_eq!((reply, d), ("time", 0.0));
        let (reply, d) = g
            .closest("I am sorry for the wait")
            .unwrap_or_else(|| panic!("a reply"));
        assert_eq!(reply, "sorry");
        assert!(d <= 0.5, "{d}");
        assert!(g.distance_to("time", "what's the weather like").unwrap_or(0.0) > 0.5);
    }

    #[test]
    fn codes_are_spelled_out_whichever_way_they_are_written() {
        assert_eq!(spelled_codes("It's HX4471, love."), "It's H X 4 4 7 1 love.");
        assert_eq!(spelled_codes("3309175 LS62QJ."), "3 3 0 9 1 7 5 L S 6 2 Q J");
        assert_eq!(spelled_codes("602-184"), "6 0 2 1 8 4");
        assert_eq!(
            spelled_codes("£1,380 in 2024 at 14 Kelso Road"),
            "£1,380 in 2024 at 14 Kelso Road"
        );
    }
}
