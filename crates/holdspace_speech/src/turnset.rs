//! The end-of-turn benchmark's set: natural trainee replies of two to four clauses, said
//! with a pause of 300–600 ms at each clause break, the way people pause after "I
//! understand." or at a comma and carry on. An open microphone must wait through every
//! one of those pauses and end the turn only after the last clause.
//!
//! Written for this purpose from contact-centre practice, in several registers (listening,
//! apologising, explaining a policy, asking, offering); none is a scenario's reply text.

use crate::error::SpeechError;
use crate::testset::TestVoice;

/// The replies, each split at its internal pauses.
pub const REPLIES: &[&[&str]] = &[
    &["I understand.", "Let me have a look at what happened with your order."],
    &[
        "Okay,",
        "so the parcel was due on Tuesday,",
        "and it still hasn't arrived.",
    ],
    &["I'm sorry.", "That sounds like a really difficult week."],
    &["Right,", "I can see the payment went out twice."],
    &["Take your time.", "There's no rush at all."],
    &[
        "So if I've got this right,",
        "you've called three times and nobody rang you back.",
    ],
    &["I hear you.", "And I want to sort this out properly."],
    &["Can I just check,", "is the address still the one on Mill Lane?"],
    &["Thank you for waiting.", "I've found your account now."],
    &[
        "What I can do today",
        "is put a note on the account,",
        "so the charges stop.",
    ],
    &["I'm not going to rush you.", "Tell me what happened from the start."],
    &["That must have been a shock,", "getting a bill like that."],
    &[
        "Okay.",
        "Before I change anything,",
        "can you tell me a bit more about it?",
    ],
    &["I know the policy says ten days,", "but let me see what I can do."],
    &[
        "Right.",
        "So the engineer didn't turn up,",
        "and you took the day off for it.",
    ],
    &["I've checked with the depot,", "and they still have it there."],
    &["I'm really sorry.", "Nobody should have to chase this four times."],
    &[
        "Let me explain what happens next.",
        "First I'll raise a claim,",
        "then you'll get an email.",
    ],
    &[
        "I can hear this matters a lot to you.",
        "What would help most right now?",
    ],
    &["Sure.", "I'll stay on the line while you find it."],
    &["It sounds like", "the money side of this is worrying you."],
    &["You said Friday is important.", "What's happening on Friday?"],
    &[
        "Okay,",
        "I've cancelled the second payment,",
        "and you'll see it back in three days.",
    ],
    &["I'd like to help.", "Could you read me the number on the letter?"],
    &["I'm with you.", "So the card was blocked while you were abroad."],
    &["That's fair.", "You shouldn't have to repeat yourself."],
    &[
        "Let me be honest with you,",
        "I can't promise Thursday,",
        "but I can promise Friday morning.",
    ],
    &["Alright.", "Is there anyone at home who could take the delivery?"],
    &["I'll be straight with you.", "The refund takes five working days."],
    &["Okay, thank you.", "And when did you first notice it?"],
    &[
        "So you've been without heating since Monday,",
        "with two small children.",
    ],
    &["I'm sorry we let you down.", "Here's what I'm going to do about it."],
    &["Mm, I see.", "And how has that left you?"],
    &["Let me just make a note of that,", "so nobody asks you again."],
    &[
        "Right, okay.",
        "I think the best thing",
        "is for me to call you back by five.",
    ],
    &["I understand why you're angry.", "I would be too."],
    &[
        "Just so I'm clear,",
        "you want the account closed,",
        "not just the contract?",
    ],
    &["The good news is,", "there's no charge for the replacement."],
    &["I've got your details here.", "Give me a moment to bring up the order."],
    &["Sorry about the wait.", "The system is being slow today."],
    &["I can't change the price,", "but I can take off the delivery fee."],
    &["Okay.", "You mentioned your mum earlier.", "Is she alright?"],
    &["Thanks for explaining that.", "It helps me understand what went wrong."],
    &["So the first letter said one thing,", "and the second said another."],
    &["Let's start with the bill,", "and then we'll look at the contract."],
    &[
        "I'm going to put you through to billing,",
        "but I'll stay on until they answer.",
    ],
];

/// The pauses used in turn at clause breaks, in seconds: the range people leave inside a
/// sentence (and the range a bare 200 ms silence timer cuts at).
pub const PAUSES_S: [f32; 4] = [0.3, 0.4, 0.5, 0.6];

/// One reply said: the audio (a little room silence before and 1.5 s after), where each
/// clause's speech ends (seconds into the audio; the last is the turn's end).
#[derive(Debug, Clone)]
pub struct Said {
    /// 16 kHz mono.
    pub audio: Vec<f32>,
    /// Seconds into `audio` where each clause's speech starts.
    pub clause_starts_s: Vec<f64>,
    /// Seconds into `audio` where each clause's speech ends.
    pub clause_ends_s: Vec<f64>,
}

/// `clauses` said by `voice`, each trimmed to its speech, with `pauses_s` (cycled) of
/// silence between them.
pub fn say(voice: &TestVoice, clauses: &[&str], first_pause: usize) -> Result<Said, SpeechError> {
    let rate = 16_000.0;
    let silence = |s: f32| vec![0.0f32; (s * rate) as usize];
    let mut audio = silence(0.5);
    let (mut clause_starts_s, mut clause_ends_s) = (Vec::new(), Vec::new());
    for (i, clause) in clauses.iter().enumerate() {
        if i > 0 {
            audio.extend(silence(PAUSES_S[(first_pause + i - 1) % PAUSES_S.len()]));
        }
        let said = voice.say(clause)?;
        let (a, b) = holdspace_core::analysis::delivery::speech_span(&said, 16_000)
            .ok_or_else(|| SpeechError::Audio(format!("no speech in {clause:?}")))?;
        clause_starts_s.push(audio.len() as f64 / f64::from(rate));
        audio.extend_from_slice(&said[a..b]);
        clause_ends_s.push(audio.len() as f64 / f64::from(rate));
    }
    audio.extend(silence(1.5));
    Ok(Said {
        audio,
        clause_starts_s,
        clause_ends_s,
    })
}

/// The voices the set is said in: two espeak-ng voices (US male, British female) and two
/// flite voices (US female, Scottish male), at ordinary rates.
pub fn voices() -> Vec<TestVoice> {
    vec![
        TestVoice::Espeak {
            voice: "en-us",
            wpm: 165,
        },
        TestVoice::Espeak {
            voice: "en-gb+f3",
            wpm: 155,
        },
        TestVoice::Flite {
            voice: "slt",
            pitch_hz: 180.0,
            pace: 1.0,
        },
        TestVoice::Flite {
            voice: "awb",
            pitch_hz: 115.0,
            pace: 1.0,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_is_big_enough_and_every_reply_has_an_internal_pause() {
        assert!(REPLIES.len() >= 40, "{}", REPLIES.len());
        assert!(REPLIES.iter().all(|r| r.len() >= 2));
        assert!(PAUSES_S.iter().all(|p| (0.3..=0.6).contains(p)));
    }
}
