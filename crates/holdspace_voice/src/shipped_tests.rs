//! Tests over the shipped scenarios through the real synthesis paths: every line voices
//! with the fallback (flite) and can be pronounced by the neural voice (Kokoro), the
//! openings voice with Kokoro, and both voices measurably follow the band.

use std::path::{Path, PathBuf};

use holdspace_core::analysis::signal::{active_level_dbfs, median_pitch, pitch_track};
use holdspace_core::scenario::model::Voice;
use holdspace_core::{Band, Lexicon, LoadedScenario, check};

use holdspace_core::expression::prosody::Prosody;

use crate::render::{Engine, Speech, render_line_with};
use crate::wav;

fn shipped() -> Vec<(PathBuf, LoadedScenario)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && !p.ends_with("lexicon.ron"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
            let loaded = check(&source, &Lexicon::builtin())
                .scenario
                .unwrap_or_else(|| panic!("{} does not load", path.display()));
            (path, loaded)
        })
        .collect()
}

fn say(engine: Engine, voice: &Voice, band: Band, tags: &[holdspace_core::scenario::model::Tag], text: &str) -> Speech {
    render_line_with(engine, text, voice, &Prosody::for_line(voice, band, tags))
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Audio, words and a mouth track that fit the line.
fn check_fits(speech: &Speech, text: &str, where_: &str) {
    let seconds = speech.duration_s();
    let words = text.split_whitespace().count();
    assert!(
        seconds > 0.15 * words as f32 && seconds < 1.2 * words as f32 + 2.0,
        "{where_}: {seconds} s for {words} words"
    );
    assert_eq!(speech.words.len(), words, "{where_}");
    assert!(
        speech.words.windows(2).all(|w| w[0].end_s <= w[1].end_s),
        "{where_}: words out of order"
    );
    assert!(
        speech.samples.iter().all(|x| x.is_finite() && x.abs() <= 1.0),
        "{where_}: bad samples"
    );
    assert!(
        (speech.mouth.duration_s() - seconds).abs() < 0.1,
        "{where_}: mouth track length"
    );
}

/// Every line of every shipped scenario, in the band it is written for (uneasy for
/// `Any` lines, the reveal and the outcomes), is synthesised by the fallback voice,
/// written as WAV, read back, and has audio, words and a mouth track that fit it. (The
/// neural voice says every line in `holdspace bench voice --all-lines`, with Whisper
/// checking the words: minutes, too long for every test run.)
#[test]
fn every_shipped_line_voices_with_the_fallback_and_round_trips_through_wav() {
    let out = std::env::temp_dir().join(format!("holdspace-voice-lines-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap_or_else(|e| panic!("{e}"));
    let mut count = 0;
    let scenarios = shipped();
    assert!(scenarios.len() >= 5);
    for (path, loaded) in &scenarios {
        let s = &loaded.scenario;
        for line in s.lines() {
            let where_ = format!("{}: {}", path.display(), line.id);
            let band = line.band.unwrap_or(Band::Uneasy);
            let speech = say(Engine::Flite, &s.customer.voice, band, &line.line.tags, &line.line.text);
            check_fits(&speech, &line.line.text, &where_);
            let file = out.join(format!("{}-{}.wav", s.id, line.id.replace('/', "_")));
            wav::write_mono(&file, speech.sample_rate, &speech.samples).unwrap_or_else(|e| panic!("{e}"));
            let (rate, back) = wav::read_mono(&file).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                (rate, back.len()),
                (speech.sample_rate, speech.samples.len()),
                "{where_}"
            );
            count += 1;
        }
    }
    assert!(count > 100, "only {count} lines");
    let _ = std::fs::remove_dir_all(&out);
}

/// Every word of every shipped line is in the lexicon of its customer's neural voice
/// (or made from a word that is: a plural, a number), so none is spelled out.
#[test]
fn every_shipped_line_can_be_pronounced_by_its_neural_voice() {
    let mut count = 0;
    let mut unknown = Vec::new();
    for (path, loaded) in shipped() {
        let s = &loaded.scenario;
        assert!(
            s.customer.voice.is_neural(),
            "{}: a neural voice is cast",
            path.display()
        );
        let lexicon = crate::kokoro::installed_lexicon(&s.customer.voice.voice)
            .unwrap_or_else(|| panic!("the neural voice is installed (bash scripts/voice-model.sh)"));
        for line in s.lines() {
            let p = lexicon.phonemes(&crate::render::spoken_form(
                &s.customer.voice.respelled(&line.line.text),
            ));
            if !p.unknown.is_empty() {
                unknown.push(format!("{}: {}: {:?}", path.display(), line.id, p.unknown));
            }
            count += 1;
        }
    }
    assert!(unknown.is_empty(), "spelled out:\n{}", unknown.join("\n"));
    assert!(count > 100, "only {count} lines");
}

/// Each shipped customer's opening lines, said by their neural voice: 24 kHz audio with
/// words and a mouth track that fit it.
#[test]
fn the_openings_voice_with_the_neural_voice() {
    for (path, loaded) in shipped() {
        let s = &loaded.scenario;
        for line in s.lines().iter().filter(|l| l.id.starts_with("opening/")).take(2) {
            let where_ = format!("{}: {}", path.display(), line.id);
            let band = line.band.unwrap_or(Band::Uneasy);
            let speech = say(Engine::Auto, &s.customer.voice, band, &line.line.tags, &line.line.text);
            assert_eq!(
                speech.sample_rate,
                crate::kokoro::model::SAMPLE_RATE,
                "{where_}: said by Kokoro"
            );
            check_fits(&speech, &line.line.text, &where_);
        }
    }
}

/// One band's measurements of a line.
#[derive(Debug)]
struct Measured {
    band: Band,
    f0_hz: f32,
    seconds: f32,
    level_db: f32,
}

fn measure(engine: Engine, voice: &Voice, band: Band, text: &str) -> Measured {
    let speech = say(engine, voice, band, &[], text);
    Measured {
        band,
        f0_hz: median_pitch(&pitch_track(&speech.samples, speech.sample_rate)).unwrap_or(0.0),
        seconds: speech.duration_s(),
        level_db: active_level_dbfs(&speech.samples, speech.sample_rate),
    }
}

/// The same line said in each band by each shipped customer's voice, neural and
/// fallback: the median pitch rises, the line gets shorter and the level rises, band by
/// band, measured on the audio.
#[test]
fn pitch_pace_and_loudness_follow_the_band_measured_on_the_audio() {
    let text = "I have been waiting since Tuesday and nobody can tell me where my parcel is.";
    for (path, loaded) in shipped() {
        for engine in [Engine::Auto, Engine::Flite] {
            let voice = &loaded.scenario.customer.voice;
            let rows: Vec<Measured> = Band::ALL.iter().map(|b| measure(engine, voice, *b, text)).collect();
            for pair in rows.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                let at = format!(
                    "{} ({} by {engine:?}): {:?} → {:?}: {rows:#?}",
                    path.display(),
                    voice.voice,
                    a.band,
                    b.band
                );
                assert!(b.f0_hz > a.f0_hz * 1.03, "pitch does not rise, {at}");
                assert!(b.seconds < a.seconds * 0.99, "pace does not quicken, {at}");
                assert!(b.level_db > a.level_db + 1.0, "level does not rise, {at}");
            }
        }
    }
}

/// The hidden-need reveal (tearful, quiet, pauses) is slower and quieter than the same
/// words said plainly in the same band.
#[test]
fn the_reveal_is_slower_and_quieter_than_plain_speech() {
    let loaded = shipped()
        .into_iter()
        .find(|(_, l)| l.scenario.id == "delivery_bereavement")
        .map(|(_, l)| l);
    let Some(loaded) = loaded else {
        panic!("delivery_bereavement is shipped")
    };
    let s = &loaded.scenario;
    let reveal = &s.hidden_need.revealed_line;
    for engine in [Engine::Auto, Engine::Flite] {
        let plain = say(engine, &s.customer.voice, Band::Uneasy, &[], &reveal.text);
        let tearful = say(engine, &s.customer.voice, Band::Uneasy, &reveal.tags, &reveal.text);
        assert!(
            tearful.duration_s() > plain.duration_s() * 1.25,
            "{engine:?}: {} vs {}",
            tearful.duration_s(),
            plain.duration_s()
        );
        let (lp, lt) = (
            active_level_dbfs(&plain.samples, plain.sample_rate),
            active_level_dbfs(&tearful.samples, tearful.sample_rate),
        );
        assert!(lt < lp - 6.0, "{engine:?}: {lt} dBFS vs {lp} dBFS");
    }
}

#[test]
fn the_core_and_flite_agree_on_the_voices() {
    let flite: Vec<&str> = crate::flite::VOICES.iter().map(|(n, _)| *n).collect();
    assert_eq!(flite, holdspace_core::scenario::model::VOICES);
}
