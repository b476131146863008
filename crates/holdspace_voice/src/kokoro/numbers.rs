//! Numbers said as words, for the neural voice, which reads phonemes and so cannot read
//! digits: "£174.80" has already become "174 pounds 80" ([`crate::render::spoken_form`]);
//! here "174" becomes "one hundred and seventy four", "28th" "twenty eighth", "30-day"
//! "thirty-day" and "6 0 2" stays digit by digit ("six oh two"), as a British speaker
//! reads out an account number.

/// A whole number in words, British style ("one hundred and five"): the core's
/// reading, which the understanding layer uses to hear numbers said.
pub fn cardinal(n: u64) -> String {
    holdspace_core::analysis::spoken::number_words(n).join(" ")
}

/// An ordinal in words: 3 → "third", 28 → "twenty eighth".
pub fn ordinal(n: u64) -> String {
    holdspace_core::analysis::spoken::ordinal_words(n).join(" ")
}

/// One token of text with its digits said as words, or `None` when it has no digits.
/// "174" → "one hundred and seventy four"; "3rd" → "third"; "30-day" → "thirty-day";
/// "1,200" → "one thousand two hundred"; "4.5" → "four point five"; "0" alone → "oh"
/// (a digit read out in a sequence); "9am" → "nine am".
pub fn say_number(token: &str) -> Option<String> {
    if !token.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut out = String::new();
    let mut rest = token;
    while !rest.is_empty() {
        let digits_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == ','))
            .unwrap_or(rest.len());
        if digits_end == 0 {
            // Letters or signs before the next digits pass through.
            let next = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
            out.push_str(&rest[..next]);
            rest = &rest[next..];
            // "E10": the letter is read on its own, then the number.
            if !rest.is_empty() && out.ends_with(|c: char| c.is_alphabetic()) {
                out.push(' ');
            }
            continue;
        }
        let raw = rest[..digits_end].trim_end_matches(',');
        let used = raw.len();
        let value: u64 = raw.replace(',', "").parse().unwrap_or(0);
        let after = &rest[used..];
        let suffix_len = ["st", "nd", "rd", "th"]
            .iter()
            .find(|s| after.to_ascii_lowercase().starts_with(*s))
            .map_or(0, |s| s.len());
        if suffix_len > 0 {
            out.push_str(&ordinal(value));
            rest = &after[suffix_len..];
        } else if let Some(fraction) = after
            .strip_prefix('.')
            .filter(|f| f.starts_with(|c: char| c.is_ascii_digit()))
        {
            let digits: String = fraction.chars().take_while(char::is_ascii_digit).collect();
            let spoken: Vec<String> = digits.chars().map(|d| cardinal(u64::from(d as u8 - b'0'))).collect();
            out.push_str(&format!("{} point {}", cardinal(value), spoken.join(" ")));
            rest = &fraction[digits.len()..];
        } else {
            if raw == "0" && token == "0" {
                out.push_str("oh");
            } else {
                out.push_str(&cardinal(value));
            }
            rest = after;
            // "9am": a unit straight after the digits is a word of its own.
            if rest.starts_with(|c: char| c.is_alphabetic()) {
                out.push(' ');
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_british_speaker_reads_them() {
        assert_eq!(cardinal(0), "zero");
        assert_eq!(cardinal(14), "fourteen");
        assert_eq!(cardinal(63), "sixty three");
        assert_eq!(cardinal(112), "one hundred and twelve");
        assert_eq!(cardinal(174), "one hundred and seventy four");
        assert_eq!(cardinal(1200), "one thousand two hundred");
        assert_eq!(cardinal(2005), "two thousand and five");
        assert_eq!(ordinal(3), "third");
        assert_eq!(ordinal(15), "fifteenth");
        assert_eq!(ordinal(28), "twenty eighth");
        assert_eq!(ordinal(30), "thirtieth");
        assert_eq!(ordinal(21), "twenty first");
    }

    #[test]
    fn tokens_with_digits_become_words() {
        assert_eq!(say_number("3rd").as_deref(), Some("third"));
        assert_eq!(say_number("28th").as_deref(), Some("twenty eighth"));
        assert_eq!(say_number("30-day").as_deref(), Some("thirty-day"));
        assert_eq!(say_number("1,200").as_deref(), Some("one thousand two hundred"));
        assert_eq!(say_number("4.5").as_deref(), Some("four point five"));
        assert_eq!(say_number("0").as_deref(), Some("oh"));
        assert_eq!(say_number("9am").as_deref(), Some("nine am"));
        assert_eq!(say_number("E10").as_deref(), Some("E ten"));
        assert_eq!(say_number("6QT").as_deref(), Some("six QT"));
        assert_eq!(say_number("Friday"), None);
    }
}
