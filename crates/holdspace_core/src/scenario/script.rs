//! The scripted-turns format shared by `holdspace simulate`, the app's `--script` and tests.
//!
//! One turn per line; `#` starts a comment. A line is free text, `@reply_id` for a click,
//! or `@reply_id words…` for that option said in the trainee's own words. Delivery goes
//! in braces at the end: `{wpm=190 db=-8 pause=0.2 interrupted fillers=3}`. `(silence)`
//! is a turn with no words.

use thiserror::Error;

use crate::analysis::{Delivery, TurnInput};

/// A problem in a script, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {message}")]
pub struct ScriptError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses a script into turns.
pub fn parse_script(text: &str) -> Result<Vec<TurnInput>, ScriptError> {
    let mut turns = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| ScriptError { line: line_no, message };
        let (body, delivery) = match line.rfind('{') {
            Some(open) if line.ends_with('}') => {
                let inside = &line[open + 1..line.len() - 1];
                (line[..open].trim(), parse_delivery(inside).map_err(err)?)
            }
            _ => (line, Delivery::default()),
        };
        let (chosen_option, text) = match body.strip_prefix('@') {
            Some(rest) => {
                let mut parts = rest.splitn(2, char::is_whitespace);
                let id = parts.next().unwrap_or_default();
                if id.is_empty() {
                    return Err(err("`@` must be followed by a reply id".to_owned()));
                }
                (Some(id.to_owned()), parts.next().unwrap_or_default().trim().to_owned())
            }
            None if body == "(silence)" => (None, String::new()),
            None => (None, body.to_owned()),
        };
        turns.push(TurnInput {
            text,
            chosen_option,
            delivery,
            confidence: None,
            understanding: None,
        });
    }
    Ok(turns)
}

/// A share of time, 0..1.
fn share(v: f32) -> Result<f32, String> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "`look` and `look_reply` are shares of time from 0 to 1, got {v}"
        ))
    }
}

fn parse_delivery(inside: &str) -> Result<Delivery, String> {
    let mut d = Delivery::default();
    for item in inside.split_whitespace() {
        let (key, value) = item.split_once('=').unwrap_or((item, ""));
        let number = || {
            value
                .parse::<f32>()
                .map_err(|_| format!("`{key}` needs a number, got \"{value}\""))
        };
        match key {
            "wpm" => d.words_per_min = Some(number()?),
            "db" => d.loudness_db = Some(number()?),
            "pause" => d.pause_before_s = Some(number()?),
            "interrupted" => d.interrupted = true,
            // Eye contact, as a headset measures it: shares of the time spent looking at
            // the customer while they spoke and while replying.
            "look" => d.gaze.get_or_insert_default().while_listening = Some(share(number()?)?),
            "look_reply" => d.gaze.get_or_insert_default().while_replying = Some(share(number()?)?),
            "fillers" => {
                d.fillers = Some(
                    value
                        .parse()
                        .map_err(|_| format!("`fillers` needs a whole number, got \"{value}\""))?,
                )
            }
            other => {
                return Err(format!(
                    "unknown delivery field `{other}` (use wpm, db, pause, interrupted, fillers, look, look_reply)"
                ));
            }
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let turns = parse_script(
            "# a comment\n@ask_friday\n@ask_friday What's on Friday?\nCalm down. {wpm=190 db=-8 pause=0.1 interrupted fillers=2}\n(silence)\n",
        )
        .unwrap();
        assert_eq!(turns.len(), 4);
        assert_eq!(turns[0], TurnInput::choose("ask_friday"));
        assert_eq!(turns[1].text, "What's on Friday?");
        assert_eq!(turns[2].text, "Calm down.");
        assert_eq!(turns[2].delivery.words_per_min, Some(190.0));
        assert!(turns[2].delivery.interrupted);
        assert_eq!(turns[2].delivery.fillers, Some(2));
        assert_eq!(turns[3], TurnInput::default());
    }

    #[test]
    fn parses_eye_contact_as_shares_of_time() {
        let turns = parse_script("I'm listening. {look=0.25 look_reply=0.5}\n").unwrap();
        let gaze = turns[0].delivery.gaze.expect("gaze");
        assert_eq!(gaze.while_listening, Some(0.25));
        assert_eq!(gaze.while_replying, Some(0.5));
        let e = parse_script("hi {look=40}").unwrap_err();
        assert!(e.message.contains("0 to 1"), "{}", e.message);
    }

    #[test]
    fn reports_the_line_of_a_bad_field() {
        let e = parse_script("hello\nhi {speed=3}").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("speed"));
    }
}
