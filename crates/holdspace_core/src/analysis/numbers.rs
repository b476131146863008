//! Numbers said in words become digits, so "twenty-four", "24" and "24th" compare equal
//! when a paraphrase or a reply is matched ("the twenty-eighth" = "the 28th" = "28").
//!
//! It reads what people say on the phone: "two hundred and fifty", "a grand", "two k",
//! "twenty-eighth", "half five" (5:30). A lone "one" stays a word ("the same one"): only
//! inside a longer number ("one hundred", "twenty-one") is it a digit.

/// Word values below twenty.
const UNITS: [(&str, u64); 19] = [
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
];

/// Tens.
const TENS: [(&str, u64); 8] = [
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

/// Ordinals; "first", "second" and "third" only count inside a compound ("twenty-first"),
/// since alone they are usually not dates ("first of all", "just a second").
const ORDINALS: [(&str, u64); 27] = [
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
    ("eighth", 8),
    ("ninth", 9),
    ("tenth", 10),
    ("eleventh", 11),
    ("twelfth", 12),
    ("thirteenth", 13),
    ("fourteenth", 14),
    ("fifteenth", 15),
    ("sixteenth", 16),
    ("seventeenth", 17),
    ("eighteenth", 18),
    ("nineteenth", 19),
    ("twentieth", 20),
    ("thirtieth", 30),
    ("fortieth", 40),
    ("fiftieth", 50),
    ("sixtieth", 60),
    ("hundredth", 100),
    ("thousandth", 1000),
    ("zeroth", 0),
];

fn unit(word: &str) -> Option<u64> {
    UNITS.iter().find(|(w, _)| *w == word).map(|(_, v)| *v)
}

fn tens(word: &str) -> Option<u64> {
    TENS.iter().find(|(w, _)| *w == word).map(|(_, v)| *v)
}

fn ordinal(word: &str) -> Option<u64> {
    ORDINALS.iter().find(|(w, _)| *w == word).map(|(_, v)| *v)
}

/// "28th", "1st", "2nd", "3rd" → 28, 1, 2, 3; "2k" → 2000; plain digits as they are.
fn digits(word: &str) -> Option<String> {
    for suffix in ["st", "nd", "rd", "th"] {
        if let Some(n) = word.strip_suffix(suffix)
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
        {
            return Some(n.to_owned());
        }
    }
    if let Some(n) = word.strip_suffix('k')
        && !n.is_empty()
        && n.chars().all(|c| c.is_ascii_digit())
        && let Ok(v) = n.parse::<u64>()
    {
        return Some((v * 1000).to_string());
    }
    None
}

/// Reads a spoken number starting at `i`; returns its value and how many words it took.
fn read_number(words: &[String], i: usize) -> Option<(u64, usize)> {
    let at = |k: usize| words.get(k).map(String::as_str);
    let mut total: u64 = 0;
    let mut current: u64 = 0;
    let mut used = 0;
    let mut any = false;
    let mut last_was_ordinal = false;
    while let Some(w) = at(i + used) {
        if last_was_ordinal {
            break;
        }
        if let Some(v) = unit(w) {
            // "twenty four" adds; "four five" are two numbers.
            if !current.is_multiple_of(10)
                || (current != 0 && current < 20)
                || (current >= 100 && !current.is_multiple_of(100) && v >= 10)
            {
                break;
            }
            current += v;
        } else if let Some(v) = tens(w) {
            if !current.is_multiple_of(100) {
                break;
            }
            current += v;
        } else if let Some(v) = ordinal(w) {
            // "twenty-eighth"; a lone first/second/third is left alone.
            if !any && v <= 3 {
                break;
            }
            if !current.is_multiple_of(10) && v < 100 {
                break;
            }
            if v >= 100 {
                current = current.max(1) * v;
            } else {
                current += v;
            }
            last_was_ordinal = true;
        } else if w == "hundred" && any {
            current = current.max(1) * 100;
        } else if (w == "thousand" || w == "grand" || w == "k") && any {
            total += current.max(1) * 1000;
            current = 0;
        } else if w == "million" && any {
            total += current.max(1) * 1_000_000;
            current = 0;
        } else if w == "and" && any && at(i + used + 1).is_some_and(|n| unit(n).is_some() || tens(n).is_some()) {
            // "two hundred and fifty"
        } else if w == "a" && !any && at(i + used + 1).is_some_and(|n| matches!(n, "hundred" | "thousand" | "grand")) {
            // "a hundred", "a grand"
            current = 1;
            any = true;
            used += 1;
            continue;
        } else {
            break;
        }
        any = true;
        used += 1;
    }
    if !any {
        return None;
    }
    // A bare "one" is a pronoun far more often than a number.
    if used == 1 && at(i) == Some("one") {
        return None;
    }
    Some((total + current, used))
}

/// Replaces spoken numbers in normalised words with digits (see the module docs).
pub fn to_digits(words: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        if let Some(d) = digits(word) {
            out.push(d);
            i += 1;
            continue;
        }
        // "half five" is 5:30 in British speech.
        if word == "half"
            && let Some(next) = words.get(i + 1)
            && let Some(h) = unit(next).filter(|h| *h <= 12)
            && !words
                .get(i + 2)
                .is_some_and(|w| w == "of" || w == "hour" || w == "hours")
            && words.get(i.wrapping_sub(1)).is_none_or(|p| p != "a" && p != "and")
        {
            out.push(h.to_string());
            out.push("30".to_owned());
            i += 2;
            continue;
        }
        match read_number(&words, i) {
            Some((value, used)) => {
                out.push(value.to_string());
                i += used;
            }
            None => {
                out.push(word.clone());
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::analysis::text::words;

    fn said(text: &str) -> String {
        words(text).join(" ")
    }

    #[test]
    fn spoken_and_written_numbers_compare_equal() {
        assert_eq!(said("twenty-four hours"), "24 hours");
        assert_eq!(said("24 hours"), "24 hours");
        assert_eq!(said("two hundred and fifty pounds"), "250 pounds");
        assert_eq!(said("£1,000"), "1000");
        assert_eq!(said("a grand"), "1000");
        assert_eq!(said("two grand"), "2000");
        assert_eq!(said("2k"), "2000");
        assert_eq!(said("a hundred quid"), "100 quid");
        assert_eq!(said("one hundred and twelve"), "112");
        assert_eq!(said("nineteen ninety"), "19 90");
    }

    #[test]
    fn ordinals_and_times() {
        assert_eq!(said("the twenty-eighth"), "the 28");
        assert_eq!(said("the 28th"), "the 28");
        assert_eq!(said("by the fifth"), "by the 5");
        assert_eq!(said("half five"), "5 30");
        assert_eq!(said("first of all"), "first of all");
        assert_eq!(said("just a second"), "just a second");
        assert_eq!(said("twenty first"), "21");
    }

    #[test]
    fn a_lone_one_stays_a_word() {
        assert_eq!(said("the same one"), "the same one");
        assert_eq!(said("twenty-one days"), "21 days");
        assert_eq!(said("half an hour"), "half an hour");
    }

    #[test]
    fn negative_contractions_are_spelled_out() {
        assert_eq!(said("I can't, I won't, you didn't"), "i can not i will not you did not");
        assert_eq!(said("I cannot"), "i can not");
    }
}
