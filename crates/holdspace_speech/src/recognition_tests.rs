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

/// The parcel call's opening step and the grammar of its replies.
fn opening(loaded: &holdspace_core::LoadedScenario) -> (&holdspace_core::scenario::model::Step, OptionGrammar) {
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
    (step, grammar)
}

#[test]
fn every_offered_reply_is_recognised_in_several_voices() {
    let loaded = shipped("delivery_bereavement");
    let (step, grammar) = opening(&loaded);
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

/// Heard as it is spoken, frame by frame, the grammar picks what a whole decode picks,
/// including when the trainee carries on after a pick taken at a pause, and a grammar or
/// an utterance it was not hearing is left to the whole decode.
#[test]
fn the_grammar_heard_along_picks_what_a_whole_decode_picks() {
    use crate::listen::Listener;
    let loaded = shipped("delivery_bereavement");
    let (step, grammar) = opening(&loaded);
    let options = OptionRecogniser::open_default().unwrap_or_else(|e| panic!("{e} (install pocketsphinx-en-us)"));
    let mut listener = Listener::from_parts(Some(options), None);
    for (n, reply) in step.replies.iter().enumerate() {
        let audio = say(&reply.text, "slt");
        let whole = listener.pick(&grammar, &audio).unwrap_or_else(|e| panic!("{e}"));
        let started_s = n as f64;
        // A frame's worth of samples at a time, as the app's frames deliver them.
        let half = audio.len() / 2;
        for (i, chunk) in audio[..half].chunks(178).enumerate() {
            listener
                .listen_along(started_s, &grammar, i * 178, chunk)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        // A pick taken at a "pause" halfway, then the rest said.
        let at_pause = listener.pick_along(started_s, &grammar, &audio[..half]);
        assert!(matches!(at_pause, Some(Ok(_))), "{at_pause:?}");
        // The rest, in chunks that overlap what was heard (a job went ahead of them).
        for (i, chunk) in audio[half - 300..audio.len() - 500].chunks(178).enumerate() {
            listener
                .listen_along(started_s, &grammar, half - 300 + i * 178, chunk)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let along = listener
            .pick_along(started_s, &grammar, &audio)
            .unwrap_or_else(|| panic!("heard along"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            along.as_ref().map(|p| &p.reply),
            whole.as_ref().map(|p| &p.reply),
            "{:?}",
            reply.text
        );
        assert_eq!(along.as_ref().map(|p| p.reply.as_str()), Some(reply.id.as_str()));
        // Asked again for the same audio: the same pick, without decoding again.
        let again = listener.pick_along(started_s, &grammar, &audio);
        assert!(matches!(again, Some(Ok(ref p)) if p.as_ref().map(|p| &p.reply) == along.as_ref().map(|p| &p.reply)));
        // Another utterance, or audio that does not begin with what was heard: not along.
        assert!(listener.pick_along(started_s + 0.5, &grammar, &audio).is_none());
        assert!(listener.pick_along(started_s, &grammar, &audio[1..]).is_none());
        // Audio it was never given (a gap) ends the hearing along.
        let next = started_s + 0.25;
        listener
            .listen_along(next, &grammar, 0, &audio[..1000])
            .unwrap_or_else(|e| panic!("{e}"));
        listener
            .listen_along(next, &grammar, 2000, &audio[2000..3000])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(listener.pick_along(next, &grammar, &audio).is_none());
    }
}
