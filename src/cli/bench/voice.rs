//! `holdspace bench voice`: for every line of every shipped scenario, the time from the
//! line being chosen to its first audio sample leaving the mixer, split into synthesis
//! and mixer, cold and from the cache; and synthesis speed (real-time factor).
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
use holdspace_voice::{LineRequest, Speaker, VoiceCache};

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

pub(super) fn rows(dir: &Path) -> Result<Vec<Row>> {
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
    let mut speaker = Speaker::<CaptureBackend>::new(CaptureSettings { sample_rate: RATE })?;
    let cache = VoiceCache::default();
    // Warm flite (voice loading happens once per process, at start-up in the app).
    cache.voice(&requests[0])?;
    let cache = VoiceCache::default();

    let (mut synth, mut mixer, mut cold, mut warm, mut rtf) = (vec![], vec![], vec![], vec![], vec![]);
    let mut short = vec![];
    for request in &requests {
        let t = Instant::now();
        let (speech, _) = cache.voice(request)?;
        let synth_s = t.elapsed().as_secs_f64();
        speaker.say(Arc::clone(&speech))?;
        let mix_s = first_sample_s(&mut speaker);
        synth.push(synth_s * 1000.0);
        mixer.push(mix_s * 1000.0);
        cold.push((synth_s + mix_s) * 1000.0);
        rtf.push(synth_s / f64::from(speech.duration_s()).max(1e-3));
        if request.text.split_whitespace().count() <= 12 {
            short.push((synth_s + mix_s) * 1000.0);
        }

        let t = Instant::now();
        let (again, hit) = cache.voice(request)?;
        let lookup_s = t.elapsed().as_secs_f64();
        debug_assert!(hit);
        speaker.say(again)?;
        warm.push((lookup_s + first_sample_s(&mut speaker)) * 1000.0);
    }
    let n = requests.len();
    let mut rows = vec![
        distribution(&format!("line → first sample, cold ({n} lines)"), cold),
        distribution(&format!("  of which synthesis ({n} lines)"), synth),
        distribution(&format!("  of which mixer ({n} lines)"), mixer),
        distribution(
            &format!("short line (≤12 words) → first sample ({})", short.len()),
            short,
        ),
        distribution(&format!("line → first sample, cached ({n} lines)"), warm),
    ];
    rows.push(distribution(
        "synthesis real-time factor (×1000)",
        rtf.iter().map(|r| r * 1000.0).collect(),
    ));
    rows.extend(in_sessions(&scenarios, &mut speaker)?);
    Ok(rows)
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
        let requests = holdspace_voice::cache::scenario_requests(&scenario.scenario, |_| None);
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
            &format!("prefetch one scenario ({} scenarios)", scenarios.len()),
            prefetch_ms,
        ),
        distribution(&format!("said after prefetch ({hits}/{said} hits)"), said_ms),
    ])
}
