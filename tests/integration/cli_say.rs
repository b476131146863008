//! `holdspace say` and recorded lines: the WAV written is the audio the app plays, and a
//! scenario's recording replaces synthesis (or, missing, is reported and skipped).

use holdspace_core::Band;
use holdspace_core::analysis::signal::active_level_dbfs;
use holdspace_voice::{LineRequest, VoiceCache, wav};

use crate::{holdspace, root, scratch, text};

#[test]
fn say_writes_the_exact_audio_the_app_plays() {
    let dir = scratch("say_exact");
    let out = dir.join("reveal.wav");
    let run = holdspace(&[
        "say",
        "delivery_bereavement",
        "--line",
        "need/revealed",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    // Kokoro-82M, or flite when the tests run with HOLDSPACE_VOICE_ENGINE=flite (as CI
    // does for the app's tests); the same engine voices both sides below.
    assert!(stdout.contains("need/revealed (uneasy, bf_emma voice, "), "{stdout}");

    // The app voices a line through the same cache with the scenario's voice and tags.
    let loaded = holdspace::loader::load_scenario("delivery_bereavement", &root().join("scenarios")).expect("loads");
    let s = &loaded.scenario;
    let line = s.line("need/revealed").expect("the reveal line");
    let request = LineRequest {
        text: line.text.clone(),
        voice: s.customer.voice.clone(),
        band: Band::Uneasy,
        tags: line.tags.clone(),
        recording: None,
    };
    let (app, _) = VoiceCache::default().voice(&request).expect("voices");
    let (rate, written) = wav::read_mono(&out).expect("a WAV");
    assert_eq!((rate, written.len()), (app.sample_rate, app.samples.len()));
    let worst = written
        .iter()
        .zip(app.samples.iter())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(
        worst <= 1.0 / 32767.0 + 1e-6,
        "differs by {worst} beyond 16-bit rounding"
    );
}

#[test]
fn say_all_bands_gets_faster_and_louder_and_refuses_unknown_lines() {
    let dir = scratch("say_bands");
    let out = dir.join("opening.wav");
    let run = holdspace(&[
        "say",
        "billing_hardship",
        "--line",
        "opening/uneasy/0",
        "--all-bands",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stderr}");
    assert_eq!(stdout.lines().count(), 5, "{stdout}");
    let measured: Vec<(usize, f32)> = ["calm", "uneasy", "frustrated", "angry", "hostile"]
        .iter()
        .map(|b| {
            let (rate, samples) = wav::read_mono(&dir.join(format!("opening.{b}.wav"))).expect("each band written");
            (samples.len(), active_level_dbfs(&samples, rate))
        })
        .collect();
    for pair in measured.windows(2) {
        assert!(pair[1].0 < pair[0].0, "shorter band by band: {measured:?}");
        assert!(pair[1].1 > pair[0].1, "louder band by band: {measured:?}");
    }

    let run = holdspace(&[
        "say",
        "billing_hardship",
        "--line",
        "no/such/line",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let (_, stderr) = text(&run);
    assert!(!run.status.success());
    assert!(
        stderr.contains("no line \"no/such/line\"") && stderr.contains("--list"),
        "{stderr}"
    );
}

#[test]
fn a_recorded_line_replaces_the_voice_and_a_missing_one_is_a_located_warning() {
    let dir = scratch("say_recorded");
    let source = std::fs::read_to_string(root().join("scenarios/delivery_bereavement.ron")).expect("shipped");
    let anchor = "tags: [Tearful, LooksDown, Quiet, Pause],";
    assert!(source.contains(anchor));
    let with_audio = source.replacen(anchor, &format!("{anchor} audio: \"audio/reveal.wav\","), 1);
    std::fs::write(dir.join("delivery_bereavement.ron"), &with_audio).expect("written");
    let scenarios = dir.to_str().expect("utf-8");

    // Missing: a warning at the `audio` field, the scenario still valid.
    let run = holdspace(&["validate", scenarios]);
    let (stdout, stderr) = text(&run);
    let all = format!("{stdout}{stderr}");
    assert!(
        run.status.success(),
        "a missing recording is a warning, not an error: {all}"
    );
    let line = with_audio
        .lines()
        .position(|l| l.contains("audio/reveal.wav"))
        .expect("present")
        + 1;
    assert!(all.contains(&format!("delivery_bereavement.ron:{line}:")), "{all}");
    assert!(all.contains("recorded audio \"audio/reveal.wav\" not found"), "{all}");
    let strict = holdspace(&["validate", "--strict", scenarios]);
    assert!(!strict.status.success(), "--strict fails on it");

    // Present: no warning, and `say` plays the recording as it is.
    std::fs::create_dir_all(dir.join("audio")).expect("folder");
    let tone: Vec<f32> = (0..24_000).map(|i| 0.25 * (i as f32 * 0.05).sin()).collect();
    wav::write_mono(&dir.join("audio/reveal.wav"), 24_000, &tone).expect("recording written");
    let run = holdspace(&["validate", "--strict", scenarios]);
    let (stdout, stderr) = text(&run);
    assert!(run.status.success(), "{stdout}{stderr}");
    let out = dir.join("out.wav");
    let run = holdspace(&[
        "say",
        "delivery_bereavement",
        "--scenarios",
        scenarios,
        "--line",
        "need/revealed",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", text(&run).1);
    let (rate, samples) = wav::read_mono(&out).expect("a WAV");
    assert_eq!(
        (rate, samples.len()),
        (24_000, tone.len()),
        "the recording, not synthesis"
    );
}
