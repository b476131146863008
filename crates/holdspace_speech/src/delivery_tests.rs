//! Delivery from real audio: the same sentence said fast and loud, and slow and soft,
//! measures differently and moves the customer differently in the engine.

use std::path::Path;
use std::sync::Arc;

use holdspace_core::analysis::delivery::{LoudnessBaseline, SpokenReply, measure};
use holdspace_core::analysis::spoken::spoken_words;
use holdspace_core::expression::prosody::Prosody;
use holdspace_core::scenario::model::Voice;
use holdspace_core::{Band, Delivery, Lexicon, Mode, Session, TurnInput, check};

use crate::resample::to_16k;

const SENTENCE: &str = "Okay, let me look into that for you and see what I can do.";

/// The sentence in flite's slt voice at `pace`, scaled to `gain`, with half a second of
/// room either side, as a microphone would catch it.
fn said(pace: f32, gain: f32) -> Vec<f32> {
    let voice = Voice {
        voice: "slt".to_owned(),
        fallback: None,
        say_as: Default::default(),
        base_pitch_hz: 175.0,
        pace,
    };
    let speech = holdspace_voice::render_line(SENTENCE, &voice, &Prosody::for_line(&voice, Band::Uneasy, &[]))
        .unwrap_or_else(|e| panic!("{e}"));
    let speech = to_16k(&speech.samples, speech.sample_rate).unwrap_or_else(|e| panic!("{e}"));
    let mut audio = vec![0.0; 8_000];
    audio.extend(speech.iter().map(|s| (s * gain).clamp(-1.0, 1.0)));
    audio.extend(std::iter::repeat_n(0.0, 8_000));
    audio
}

fn delivery(audio: &[f32], pause_before_s: f32) -> Delivery {
    measure(
        &SpokenReply {
            audio,
            sample_rate: 16_000,
            words: spoken_words(SENTENCE).len() as u32,
            fillers: None,
            pause_before_s: Some(pause_before_s),
            interrupted: false,
        },
        &mut LoudnessBaseline::default(),
    )
}

#[test]
fn fast_and_loud_measures_and_escalates_differently_from_slow_and_soft() {
    let fast_loud = delivery(&said(1.3, 7.0), 0.1);
    let slow_soft = delivery(&said(0.6, 0.25), 1.5);
    eprintln!("fast and loud: {fast_loud:?}\nslow and soft: {slow_soft:?}");
    let (fw, sw) = (
        fast_loud.words_per_min.unwrap_or_default(),
        slow_soft.words_per_min.unwrap_or_default(),
    );
    let (fl, sl) = (
        fast_loud.loudness_db.unwrap_or_default(),
        slow_soft.loudness_db.unwrap_or_default(),
    );
    assert!(fw > 200.0 && sw < 170.0 && fw > sw * 1.6, "rate: {fw} vs {sw}");
    assert!(fl > -12.0 && sl < -30.0, "level: {fl} vs {sl}");

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/delivery_bereavement.ron");
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let scenario = Arc::new(
        check(&source, &Lexicon::builtin())
            .scenario
            .unwrap_or_else(|| panic!("loads")),
    );
    let (session, _) = Session::new(Arc::clone(&scenario), 7, Mode::Open);
    let after = |d: Delivery| {
        let mut s = session.clone();
        s.respond(TurnInput {
            text: SENTENCE.to_owned(),
            chosen_option: None,
            delivery: d,
            ..TurnInput::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
        s.escalation()
    };
    let (hot, cool) = (after(fast_loud), after(slow_soft));
    assert!(
        hot > cool + 0.05,
        "escalation after fast and loud {hot}, slow and soft {cool}"
    );
}
