//! `holdspace bench voice`: for a sample of the shipped scenarios' lines (every third,
//! about 120), said by the customer's neural voice and by the flite fallback, the time
//! from the line being chosen to its first audio sample leaving the mixer, split into
//! synthesis and mixer, cold, from memory and from the disk cache; synthesis speed
//! (real-time factor); the disk cache's size; and the time to warm one scenario.
//! `holdspace bench voice-words` says every line with the neural voice and has Whisper
//! transcribe it: the word error rate.
//!
//! The mixer is kira's, rendering into memory (`CaptureBackend`) the way a sound card
//! callback pulls it, so "first sample" is measured on real output. A device adds its own
//! output buffer on top (cpal's default, typically 10–20 ms), which no offline bench sees.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Result, bail};
use holdspace_core::Band;
use holdspace_voice::capture::{CaptureBackend, CaptureSettings};
use holdspace_voice::disk::DiskCache;
use holdspace_voice::{Engine, LineRequest, Speaker, VoiceCache, render_line_with};

use super::Row;
use holdspace::loader::{check_file, scenario_paths, shared_lexicon};

/// Output rate of the capture, as a typical sound card.
const RATE: u32 = 48_000;
/// Frames per device callback (kira's internal buffer).
const CALLBACK: usize = 128;

/// Time from `say` to the first non-silent output sample, rendering callback by callback
/// as a device would pull them in real time (each callback is `CALLBACK / RATE` seconds of
/// audio, so its position converts to time).
fn first_sample_s(speaker: &mut Speaker<CaptureBackend>) -> f64 {
    for callback in 0..2_000 {
        let out = speaker.backend_mut().render(CALLBACK);
        if let Some(i) = out.iter().position(|s| s.abs() > 1e-6) {
            return (callback * CALLBACK + i / 2) as f64 / f64::from(RATE);
        }
    }
    f64::NAN
}

pub(super) fn distribution(name: &str, mut ms: Vec<f64>) -> Row {
    ms.sort_by(f64::total_cmp);
    let n = ms.len().max(1);
    let at = |q: f64| {
        ms.get(((n as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    Row {
        name: name.to_owned(),
        runs: ms.len(),
        median_ms: at(0.5),
        min_ms: at(0.0),
        max_ms: at(1.0),
        // Each item is one line; the median already says it.
        per_item_us: f64::NAN,
        p95_ms: Some(at(0.95)),
        p99_ms: Some(at(0.99)),
        unit: None,
    }
}

/// Every line of every shipped scenario, in the band it is written for, with the
/// scenarios.
fn shipped_lines(dir: &Path) -> Result<(Vec<LineRequest>, Vec<Arc<holdspace_core::LoadedScenario>>)> {
    let shared = match shared_lexicon(dir) {
        Ok(l) => l,
        Err(e) => bail!("{}: {}", e.0.display(), e.2.message),
    };
    let mut requests = Vec::new();
    let mut scenarios = Vec::new();
    for path in scenario_paths(dir)? {
        let file = check_file(&path, &shared);
        let Some(loaded) = file.checked.scenario else { continue };
        let loaded = Arc::new(loaded);
        scenarios.push(Arc::clone(&loaded));
        let s = &loaded.scenario;
        for line in s.lines() {
            requests.push(LineRequest {
                text: line.line.text.clone(),
                voice: s.customer.voice.clone(),
                band: line.band.unwrap_or(Band::Uneasy),
                tags: line.line.tags.clone(),
                recording: None,
            });
        }
    }
    if requests.is_empty() {
        bail!("no lines in {}", dir.display());
    }
    Ok((requests, scenarios))
}

pub(super) fn rows(dir: &Path, quick: bool) -> Result<Vec<Row>> {
    let (all, scenarios) = shipped_lines(dir)?;
    // Every third line: the neural voice takes about half a line's length per line, so
    // all of them (and again for each way of measuring) would take many minutes.
    let requests: Vec<LineRequest> = all.into_iter().step_by(3).collect();
    let mut speaker = Speaker::<CaptureBackend>::new(CaptureSettings { sample_rate: RATE })?;
    // Load both synthesisers first (the app does it while the session opens).
    let _ = holdspace_voice::kokoro::status();
    render_line_with(Engine::Flite, "Hello.", &requests[0].voice, &requests[0].prosody())?;
    let mut rows = Vec::new();
    if quick {
        // The neural voice's streamed and whole first samples only (about 8 minutes).
        rows.extend(engine_rows(Engine::Auto, "neural", &requests, &mut speaker)?);
        return Ok(rows);
    }
    for (engine, name) in [(Engine::Auto, "neural"), (Engine::Flite, "flite")] {
        rows.extend(engine_rows(engine, name, &requests, &mut speaker)?);
    }
    rows.extend(disk_rows(&requests, &mut speaker)?);
    rows.extend(in_sessions(&scenarios, &mut speaker)?);
    Ok(rows)
}

/// Cold and cached first samples and the real-time factor with one synthesiser.
fn engine_rows(
    engine: Engine,
    name: &str,
    requests: &[LineRequest],
    speaker: &mut Speaker<CaptureBackend>,
) -> Result<Vec<Row>> {
    let (mut synth, mut cold, mut rtf, mut typical, mut long) = (vec![], vec![], vec![], vec![], vec![]);
    for request in requests {
        let t = Instant::now();
        let speech = Arc::new(render_line_with(
            engine,
            &request.text,
            &request.voice,
            &request.prosody(),
        )?);
        let synth_s = t.elapsed().as_secs_f64();
        speaker.say(Arc::clone(&speech))?;
        let mix_s = first_sample_s(speaker);
        synth.push(synth_s * 1000.0);
        cold.push((synth_s + mix_s) * 1000.0);
        rtf.push(synth_s / f64::from(speech.duration_s()).max(1e-3));
        match request.text.split_whitespace().count() {
            0..=12 => typical.push((synth_s + mix_s) * 1000.0),
            25.. => long.push((synth_s + mix_s) * 1000.0),
            _ => {}
        }
    }
    let n = requests.len();
    let mut rows = Vec::new();
    if engine == Engine::Auto {
        rows.extend(streamed_rows(requests, speaker)?);
    }
    rows.extend([
        distribution(&format!("{name}: line → first sample, cold ({n} lines)"), cold),
        distribution(&format!("{name}:   of which synthesis ({n} lines)"), synth),
        distribution(
            &format!(
                "{name}: typical line (≤12 words) → first sample, cold ({})",
                typical.len()
            ),
            typical,
        ),
        distribution(
            &format!("{name}: long line (≥25 words) → first sample, cold ({})", long.len()),
            long,
        ),
        distribution(
            &format!("{name}: synthesis real-time factor (×1000)"),
            rtf.iter().map(|r| r * 1000.0).collect(),
        ),
    ]);
    Ok(rows)
}

/// What the app does with an uncached line: its first sentence starts at once and the
/// whole follows ([`VoiceCache::start`]). Timed to the first sample; each line's rest is
/// waited for before the next is timed, as it would be made before the next line.
fn streamed_rows(requests: &[LineRequest], speaker: &mut Speaker<CaptureBackend>) -> Result<Vec<Row>> {
    let (mut all, mut typical, mut long, mut late) = (vec![], vec![], vec![], vec![]);
    for request in requests {
        let cache = VoiceCache::default();
        let t = Instant::now();
        let started = cache.start(request)?;
        let start_s = t.elapsed().as_secs_f64();
        speaker.say(Arc::clone(&started.speech))?;
        let first_s = start_s + first_sample_s(speaker);
        let ms = first_s * 1000.0;
        all.push(ms);
        match request.text.split_whitespace().count() {
            0..=12 => typical.push(ms),
            25.. => long.push(ms),
            _ => {}
        }
        if let Some(rest) = started.rest {
            // Played in real time from its first sample, each part ends at its length
            // after it; the next made after that leaves a gap in the speech there. The
            // line's worst join counts.
            let mut played = f64::from(started.speech.duration_s());
            let mut worst = 0.0f64;
            loop {
                let part = rest.next()?;
                worst = worst.max(t.elapsed().as_secs_f64() - (first_s + played));
                played = f64::from(part.speech.duration_s());
                if part.complete {
                    break;
                }
            }
            late.push(worst * 1000.0);
        }
    }
    let n = requests.len();
    let gaps = late.iter().filter(|&&ms| ms > 0.0).count();
    Ok(vec![
        distribution(
            &format!(
                "neural, streamed sentence by sentence: a part late at its join, worst per line ({} lines streamed, {gaps} late)",
                late.len()
            ),
            late,
        ),
        distribution(
            &format!("neural, first sentence streamed: line → first sample ({n} lines)"),
            all,
        ),
        distribution(
            &format!(
                "neural, first sentence streamed: typical line (≤12 words) ({})",
                typical.len()
            ),
            typical,
        ),
        distribution(
            &format!(
                "neural, first sentence streamed: long line (≥25 words) ({})",
                long.len()
            ),
            long,
        ),
    ])
}

/// First samples from memory and from the disk cache, the cache's size, and the time to
/// warm one scenario's openings into it.
fn disk_rows(requests: &[LineRequest], speaker: &mut Speaker<CaptureBackend>) -> Result<Vec<Row>> {
    let dir = std::env::temp_dir().join(format!("holdspace-bench-voice-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let disk = DiskCache::new(&dir);
    let writer = VoiceCache::with_disk(disk.clone());
    for request in requests {
        writer.voice(request)?;
    }
    let (mut memory, mut from_disk) = (vec![], vec![]);
    for request in requests {
        let t = Instant::now();
        let (speech, hit) = writer.voice(request)?;
        let lookup_s = t.elapsed().as_secs_f64();
        debug_assert!(hit);
        speaker.say(speech)?;
        memory.push((lookup_s + first_sample_s(speaker)) * 1000.0);
        // A new cache over the same folder: as the next run of the app finds it.
        let fresh = VoiceCache::with_disk(disk.clone());
        let t = Instant::now();
        let (speech, hit) = fresh.voice(request)?;
        let lookup_s = t.elapsed().as_secs_f64();
        if !hit {
            bail!("{:?} was not found on disk", request.text);
        }
        speaker.say(speech)?;
        from_disk.push((lookup_s + first_sample_s(speaker)) * 1000.0);
    }
    let (bytes, files) = disk.size();
    let _ = std::fs::remove_dir_all(&dir);
    let n = requests.len();
    let mut size = distribution(
        &format!("disk cache: {files} lines (MB; KB per line as per item)"),
        vec![bytes as f64 / 1e6],
    );
    size.per_item_us = bytes as f64 / 1e3 / files.max(1) as f64;
    size.unit = Some("MB");
    Ok(vec![
        distribution(&format!("line → first sample, cached in memory ({n} lines)"), memory),
        distribution(
            &format!("line → first sample, from the disk cache ({n} lines)"),
            from_disk,
        ),
        size,
    ])
}

/// Every shipped line said by its customer's neural voice and transcribed by Whisper
/// tiny.en with its full context: the word error rate over all lines and per line
/// (numbers compared as words).
pub(super) fn words_rows(dir: &Path) -> Result<Vec<Row>> {
    use holdspace_core::analysis::spoken::{expanded, spelled_codes, spoken_words, word_distance};
    use holdspace_speech::whisper::{Transcriber, default_model_path};
    if let Err(why) = holdspace_voice::kokoro::status() {
        bail!("the neural voice is not installed ({why})");
    }
    let (requests, _) = shipped_lines(dir)?;
    let mut whisper = Transcriber::open(&default_model_path(), 2)?;
    let (mut errors, mut errors_knowing, mut words) = (0.0f64, 0.0f64, 0usize);
    let mut per_line = Vec::new();
    let mut worst: Vec<(f32, String, String)> = Vec::new();
    for request in &requests {
        // With Whisper's full context: the app's setting for replies of a few seconds (a
        // short encoder context) loops or stops early on a 15 s line or repeats a short
        // one, which is the recogniser's failing, not the voice's.
        let speech = render_line_with(Engine::Auto, &request.text, &request.voice, &request.prosody())?;
        let audio = holdspace_speech::resample::to_16k(&speech.samples, speech.sample_rate)?;
        let heard = whisper.transcribe_full(&audio)?.text;
        // The same, knowing the names the author respelled for the voice (the customer's
        // own name, their street), as a listener who has the scenario in front of them.
        let names: Vec<&str> = request
            .voice
            .say_as
            .keys()
            .map(String::as_str)
            .filter(|name| request.text.contains(name))
            .collect();
        let reference = expanded(&spoken_words(&spelled_codes(&holdspace_voice::render::spoken_form(
            &request.text,
        ))));
        let heard_as = |text: &str| expanded(&spoken_words(&spelled_codes(text)));
        let distance = word_distance(&heard_as(&heard), &reference);
        let knowing = if names.is_empty() {
            distance
        } else {
            word_distance(
                &heard_as(&whisper.transcribe_full_with(&audio, &names.join(", "))?.text),
                &reference,
            )
        };
        errors += f64::from(distance) * reference.len() as f64;
        errors_knowing += f64::from(knowing) * reference.len() as f64;
        words += reference.len();
        per_line.push(f64::from(distance) * 1000.0);
        if distance > 0.0 {
            worst.push((distance, request.text.clone(), heard));
        }
    }
    worst.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (d, said, heard) in worst.iter().take(15) {
        eprintln!("  WER {d:.2}: {said:?} heard as {heard:?}");
    }
    let mut total = distribution(
        &format!(
            "word error rate over {} lines, {words} words, codes spelled out (×1000)",
            requests.len()
        ),
        vec![errors / words.max(1) as f64 * 1000.0],
    );
    total.unit = Some("‰");
    let mut knowing = distribution(
        "the same, Whisper prompted with the names the author respelled (×1000)",
        vec![errors_knowing / words.max(1) as f64 * 1000.0],
    );
    knowing.unit = Some("‰");
    let mut lines = distribution("word error rate per line (×1000)", per_line);
    lines.unit = Some("‰");
    Ok(vec![total, knowing, lines])
}

/// What the app does: prefetch the scenario's lines when the conversation opens, then
/// say the lines the engine picks. Sessions play replies round-robin (as `bench core`)
/// and every line said is timed from the engine saying it to its first sample.
fn in_sessions(
    scenarios: &[Arc<holdspace_core::LoadedScenario>],
    speaker: &mut Speaker<CaptureBackend>,
) -> Result<Vec<Row>> {
    use holdspace_core::{Mode, Session, SessionEvent, TurnInput};
    let (mut prefetch_ms, mut said_ms) = (Vec::new(), Vec::new());
    let (mut hits, mut said) = (0usize, 0usize);
    for (i, scenario) in scenarios.iter().enumerate() {
        let cache = VoiceCache::default();
        // The lines a session can open with, in every band they can be said in: what the
        // set-up warms (`holdspace voices warm --openings`) and what a session needs
        // first. (All of a scenario's lines with the neural voice take minutes.)
        let requests: Vec<LineRequest> = holdspace_voice::cache::scenario_requests(&scenario.scenario, |_| None)
            .into_iter()
            .filter(|r| {
                scenario
                    .scenario
                    .lines()
                    .iter()
                    .any(|l| l.id.starts_with("opening/") && l.line.text == r.text)
            })
            .collect();
        let t = Instant::now();
        cache.prefetch(&requests, &holdspace_voice::cache::PrefetchControl::default());
        prefetch_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        for seed in 0..8u64 {
            let (mut session, mut events) = Session::new(Arc::clone(scenario), seed, Mode::Guided);
            let mut turn = 0usize;
            loop {
                for event in &events {
                    if let SessionEvent::CustomerSpoke(line) = event {
                        let request = LineRequest {
                            text: line.text.clone(),
                            voice: scenario.scenario.customer.voice.clone(),
                            band: line.band,
                            tags: line.tags.clone(),
                            recording: None,
                        };
                        let t = Instant::now();
                        let (speech, hit) = cache.voice(&request)?;
                        let synth_s = t.elapsed().as_secs_f64();
                        speaker.say(speech)?;
                        said_ms.push((synth_s + first_sample_s(speaker)) * 1000.0);
                        hits += usize::from(hit);
                        said += 1;
                    }
                }
                if session.is_ended() || turn > 12 {
                    break;
                }
                let replies = session.available_replies();
                let Some(reply) = replies.get((turn + i + seed as usize) % replies.len().max(1)) else {
                    break;
                };
                let id = reply.id.clone();
                events = session.respond(TurnInput::choose(id))?;
                turn += 1;
            }
        }
    }
    Ok(vec![
        distribution(
            &format!("warm one scenario's openings ({} scenarios)", scenarios.len()),
            prefetch_ms,
        ),
        distribution(&format!("said after prefetch ({hits}/{said} hits)"), said_ms),
    ])
}
