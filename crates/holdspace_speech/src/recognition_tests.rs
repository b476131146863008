//! Option recognition on synthetic speech: each offered reply of a shipped step, said by
//! several flite voices, is recognised as that reply.

use std::path::Path;

use holdspace_core::analysis::spoken::OptionGrammar;
use holdspace_core::expression::prosody::Prosody;
use holdspace_core::scenario::model::Voice;
use holdspace_core::{Band, Lexicon, check};
use holdspace_voice::render_line;

use crate::options::OptionRecogniser;

fn shipped(id: &str) -> holdspace_core::LoadedScenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../scenarios/{id}.ron"));
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    check(&source, &Lexicon::builtin())
        .scenario
        .unwrap_or_else(|| panic!("{id} loads"))
}

/// Speech for `text` in a flite voice, at a neutral pitch for that voice.
fn say(text: &str, voice: &str) -> Vec<f32> {
    let pitch = match voice {
        "slt" => 175.0,
        "awb" => 115.0,
        _ => 110.0,
    };
    let v = Voice {
        voice: voice.to_owned(),
        fallback: None,
        say_as: Default::default(),
        base_pitch_hz: pitch,
        pace: 1.0,
    };
    let speech = render_line(text, &v, &Prosody::for_line(&v, Band::Uneasy, &[])).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(speech.sample_rate, 16_000);
    speech.samples.to_vec()
}

#[test]
fn every_offered_reply_is_recognised_in_several_voices() {
    let loaded = shipped("delivery_bereavement");
    let step = loaded
        .scenario
        .steps
        .iter()
        .find(|s| s.id == "opening")
        .unwrap_or_else(|| panic!("opening step"));
    let grammar = OptionGrammar::new(
        step.replies
            .iter()
            .map(|r| (r.id.as_str(), r.text.as_str(), r.phrasings.as_slice())),
    );
    let mut recogniser =
        OptionRecogniser::open_default().unwrap_or_else(|e| panic!("{e} (install pocketsphinx-en-us)"));
    let (mut right, mut total, mut wrong) = (0, 0, Vec::new());
    for reply in &step.replies {
        for voice in ["slt", "awb", "kal", "rms"] {
            let audio = say(&reply.text, voice);
            let picked = recogniser.recognise(&grammar, &audio).unwrap_or_else(|e| panic!("{e}"));
            total += 1;
            match picked {
                Some(p) if p.reply == reply.id => right += 1,
                other => wrong.push(format!("{voice} saying {:?} heard as {other:?}", reply.text)),
            }
        }
    }
    assert!(right * 100 >= total * 97, "{right}/{total} right; wrong: {wrong:#?}");
}
