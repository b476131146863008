//! Kokoro's phonemes as the mouth shapes they need: each phoneme character (misaki's
//! alphabet: IPA plus capitals for the diphthongs, "A" = /eɪ/, "I" = /aɪ/, "O" = /oʊ/…)
//! is named by the ARPAbet phone the lip-sync table already knows, and the model's
//! per-phoneme durations give when each one is said.

/// The ARPAbet-style phone for a phoneme character, `None` for stress and length marks
/// (they belong to the sound beside them) and `Some("pau")` for a space or punctuation.
pub fn phone_of(c: char) -> Option<&'static str> {
    Some(match c {
        'ˈ' | 'ˌ' | 'ː' | 'ʰ' | 'ʲ' | '\u{0303}' => return None,
        'A' => "ey",
        'I' => "ay",
        'W' => "aw",
        'Y' => "oy",
        'O' | 'Q' | 'o' => "ow",
        'a' | 'ɑ' | 'ɒ' => "aa",
        'æ' => "ae",
        'ɐ' | 'ʌ' => "ah",
        'ə' | 'ᵊ' => "ax",
        'ɔ' => "ao",
        'ɚ' | 'ɜ' => "er",
        'ɛ' | 'e' => "eh",
        'ɪ' | 'ᵻ' => "ih",
        'i' => "iy",
        'ʊ' => "uh",
        'u' => "uw",
        'p' => "p",
        'b' => "b",
        'm' => "m",
        'f' => "f",
        'v' => "v",
        'θ' => "th",
        'ð' => "dh",
        't' | 'ɾ' | 'ʔ' => "t",
        'd' => "d",
        'n' => "n",
        'l' => "l",
        'k' | 'x' => "k",
        'ɡ' | 'g' => "g",
        'ŋ' => "ng",
        'h' => "hh",
        'ʧ' => "ch",
        'ʤ' => "jh",
        'ʃ' => "sh",
        'ʒ' => "zh",
        's' => "s",
        'z' => "z",
        'ɹ' | 'r' => "r",
        'j' => "y",
        'w' => "w",
        _ => "pau",
    })
}

/// Phones with their end times (seconds from the start of the audio) from the phoneme
/// characters that became tokens and each token's duration in seconds (the model's
/// durations without the pads). A stress mark stands before its vowel and the model
/// voices that vowel through the mark's frames, so the mark's time goes to the sound
/// after it; a length mark belongs to the sound before it, and so does a space shorter
/// than a frame or two: between words the mouth does not rest.
pub fn timed_phones(chars: &[char], seconds: &[f32], start_s: f32) -> Vec<(&'static str, f32)> {
    let mut out: Vec<(&'static str, f32)> = Vec::new();
    let mut t = start_s;
    for (c, d) in chars.iter().zip(seconds) {
        // The previous phone ends where this token's time starts, unless this is a mark
        // that joins it.
        let stress = matches!(c, 'ˈ' | 'ˌ');
        t += d;
        if stress {
            continue;
        }
        let phone = match phone_of(*c) {
            None => None,
            Some("pau") if *c == ' ' && *d < 0.06 => None,
            Some(p) => Some(p),
        };
        match (phone, out.last_mut()) {
            (Some(p), _) => out.push((p, t)),
            (None, Some(last)) => last.1 = t,
            (None, None) => out.push(("pau", t)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phonemes_name_their_mouth_shapes_and_marks_join_their_neighbour() {
        let chars: Vec<char> = "mˈA biː".chars().collect();
        let seconds = [0.1, 0.025, 0.15, 0.025, 0.05, 0.1, 0.05];
        let phones = timed_phones(&chars, &seconds, 0.0);
        let names: Vec<&str> = phones.iter().map(|p| p.0).collect();
        assert_eq!(names, ["m", "ey", "b", "iy"]);
        // The stress mark's 25 ms go to the vowel after it (which starts at 100 ms); the
        // short space and the length mark to the sound before them.
        let ends: Vec<f32> = phones.iter().map(|p| (p.1 * 1000.0).round()).collect();
        assert_eq!(ends, [100.0, 300.0, 350.0, 500.0]);
    }
}
