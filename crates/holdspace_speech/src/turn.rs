//! Whether the trainee has finished their turn, asked at a pause on an open microphone:
//! smart-turn v3.2 (pipecat-ai, BSD-2-Clause), a small Whisper-encoder classifier that
//! hears from the last 8 s of audio, intonation included, whether a turn is complete. It
//! runs through ONNX Runtime, loaded at run time from the library `scripts/turn-model.sh`
//! unpacks beside the model (ort's `load-dynamic`).
//!
//! A silence timer alone cuts people off at the pauses inside their sentences (after
//! "I understand." and at commas, 300–600 ms); the model hears a voice that has not
//! finished. It is one of three checks: the detector's short hang-over finds the pause,
//! this judges it, and the transcript's last word (`trails_off` in the core) catches a
//! sentence left hanging on "and" or "because".

use std::path::{Path, PathBuf};

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::Tensor;

use crate::error::SpeechError;
use crate::mel;

/// At or above this probability the turn is complete at the first check (the model's
/// own threshold), and a verdict this sure waits only [`RESUME_WINDOW_S`].
pub const COMPLETE: f32 = 0.5;
/// The bar falls by this much for each 100 ms the silence lasts past the first check: a
/// silence that goes on is itself evidence that the turn is over, and the model, trained
/// on people, hears some voices' flat endings as unfinished (on the flite voices of the
/// multi-clause set a third of the turns waited for the 1.2 s cap at a fixed bar).
pub const BAR_FALL_PER_100_MS: f32 = 0.3;
/// The bar never falls below this: a voice the model is sure has not finished (a clause
/// left hanging scores under 0.1) waits for the cap.
pub const BAR_FLOOR: f32 = 0.1;
/// A turn judged over at a pause is sent on only this long after its last word: people
/// pause up to about 600 ms inside a sentence ("I'm sorry. … That sounds hard."), and
/// no model can hear from "I'm sorry." that more is coming. A trainee who carries on
/// within it is still in the same turn; the avatar has already shown it is listening.
pub const RESUME_WINDOW_S: f64 = 0.65;
/// The window for a verdict below [`COMPLETE`], reached only because the bar fell: the
/// model did not hear a finished voice, so the trainee gets the whole of the pauses
/// people leave inside a sentence (to 600 ms) and the detector's trim of a voice's
/// edges (it heard a 600 ms pause as 730 ms) before the customer answers.
pub const RESUME_WINDOW_UNSURE_S: f64 = 0.8;

/// The bar the model's probability must reach at a check after `silence_s` of silence:
/// [`COMPLETE`] at the first check (200 ms), falling [`BAR_FALL_PER_100_MS`] per 100 ms
/// to [`BAR_FLOOR`].
pub fn bar(silence_s: f64) -> f32 {
    let steps = ((silence_s - 0.2) / 0.1).round().max(0.0) as f32;
    (COMPLETE - BAR_FALL_PER_100_MS * steps).max(BAR_FLOOR)
}

/// How long after its last word a turn judged over with probability `p` is held for
/// the trainee to carry on: the less sure the verdict, the longer.
pub fn resume_window_s(p: f32) -> f64 {
    if p >= COMPLETE {
        RESUME_WINDOW_S
    } else {
        RESUME_WINDOW_UNSURE_S
    }
}

/// The model file in the turn folder.
pub const MODEL_FILE: &str = "smart-turn-v3.2-cpu.onnx";
/// The ONNX Runtime library in the turn folder.
pub const RUNTIME_FILE: &str = holdspace_voice::onnx::RUNTIME_FILE;

/// Where `scripts/turn-model.sh` puts the model and the runtime.
pub fn default_dir() -> PathBuf {
    holdspace_voice::onnx::models_dir().join("turn")
}

/// The end-of-turn model, ready to ask.
pub struct SmartTurn {
    session: Session,
}

impl SmartTurn {
    /// Opens the model and its runtime from `dir` (see [`default_dir`]).
    pub fn open(dir: &Path) -> Result<SmartTurn, SpeechError> {
        let (model, runtime) = (dir.join(MODEL_FILE), dir.join(RUNTIME_FILE));
        for file in [&model, &runtime] {
            if !file.is_file() {
                return Err(SpeechError::Model(format!(
                    "{} is missing (bash scripts/turn-model.sh makes it)",
                    file.display()
                )));
            }
        }
        let env = holdspace_voice::onnx::environment(&runtime).map_err(SpeechError::Model)?;
        let failed = |e: ort::Error| SpeechError::Model(format!("end-of-turn model {}: {e}", model.display()));
        // One thread: it runs beside Whisper on a two-core machine, and at 8 s of audio a
        // check takes under a tenth of a second.
        let session = Session::builder(&env)
            .map_err(failed)?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(|e| failed(e.into()))?
            .with_intra_threads(1)
            .map_err(|e| failed(e.into()))?
            .with_inter_threads(1)
            .map_err(|e| failed(e.into()))?
            .commit_from_file(&model)
            .map_err(failed)?;
        Ok(SmartTurn { session })
    }

    /// The probability (0..1) that the turn whose audio ends `audio` (16 kHz mono, the
    /// last 8 s are used) is complete.
    pub fn complete(&mut self, audio: &[f32]) -> Result<f32, SpeechError> {
        let features = mel::log_mel(audio);
        let input = Tensor::from_array(([1usize, mel::MELS, mel::FRAMES], features))
            .map_err(|e| SpeechError::Decode(format!("end-of-turn input: {e}")))?;
        let outputs = self
            .session
            .run(ort::inputs!["input_features" => input])
            .map_err(|e| SpeechError::Decode(format!("end-of-turn model: {e}")))?;
        let (_, values) = outputs["logits"]
            .try_extract_tensor::<f32>()
            .map_err(|e| SpeechError::Decode(format!("end-of-turn output: {e}")))?;
        values
            .first()
            .copied()
            .ok_or_else(|| SpeechError::Decode("end-of-turn model gave no output".to_owned()))
    }
}

/// How a turn was ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndedBy {
    /// At a pause, judged over by the model and the words.
    Judged,
    /// By the silence cap (`VadConfig::end_silence_ms`).
    Cap,
}

/// One turn ended on an open microphone.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnEnd {
    /// Where the speech it ended after stopped (seconds of stream time).
    pub speech_end_s: f64,
    /// When the end was detected: the model's verdict at a pause, or the cap.
    pub detected_s: f64,
    /// What ended it.
    pub by: EndedBy,
}

/// Where an open microphone ends the turns in `audio` (16 kHz mono), with the app's checks
/// in the app's order: the detector's pause, the model on the audio so far against the
/// [`bar`] for that much silence, then the transcript's last word, and the reply held
/// for the [`resume_window_s`] of the verdict after the last word; speech that resumes
/// before it is sent voids the verdict (the time each check takes is counted as stream
/// time). Without a model, the detector's own silence ends
/// turns. The benchmark runs this on recordings in place of a microphone.
pub fn turn_ends(
    audio: &[f32],
    config: crate::vad::VadConfig,
    mut model: Option<&mut SmartTurn>,
    mut whisper: Option<&mut crate::whisper::Transcriber>,
) -> Result<Vec<TurnEnd>, SpeechError> {
    use crate::vad::{RATE, Vad, VadEvent};
    let mut vad = Vad::new(config);
    let mut ends = Vec::new();
    // A verdict reached at this stream time, unless speech resumes first.
    let mut pending: Option<(f64, TurnEnd)> = None;
    for chunk in audio.chunks(RATE as usize / 50) {
        for event in vad.push(chunk) {
            match event {
                VadEvent::Paused(so_far) => {
                    // One verdict at a time, as in the app: it stands until speech resumes.
                    if pending.is_some() {
                        continue;
                    }
                    let Some(m) = model.as_deref_mut() else { continue };
                    let t = std::time::Instant::now();
                    let p = m.complete(&so_far.samples)?;
                    if p < bar(so_far.detected_s - so_far.speech_end_s) {
                        continue;
                    }
                    let judged_s = so_far.detected_s + t.elapsed().as_secs_f64();
                    let trailing = match whisper.as_deref_mut() {
                        Some(w) => holdspace_core::analysis::spoken::trails_off(&w.transcribe(&so_far.samples)?.text),
                        None => false,
                    };
                    if !trailing {
                        let end = TurnEnd {
                            speech_end_s: so_far.speech_end_s,
                            detected_s: judged_s,
                            by: EndedBy::Judged,
                        };
                        let sent = (so_far.detected_s + t.elapsed().as_secs_f64())
                            .max(so_far.speech_end_s + resume_window_s(p));
                        pending = Some((sent, end));
                    }
                }
                VadEvent::Resumed => pending = None,
                VadEvent::Ended(u) => {
                    pending = None;
                    ends.push(TurnEnd {
                        speech_end_s: u.speech_end_s,
                        detected_s: u.detected_s,
                        by: EndedBy::Cap,
                    });
                }
                VadEvent::Started(_) | VadEvent::Dropped => {}
            }
        }
        if let Some((at, _)) = &pending
            && vad.now_s() >= *at
            && let Some((_, end)) = pending.take()
        {
            let _ = vad.finish();
            ends.push(end);
        }
    }
    Ok(ends)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testset::TestVoice;
    use crate::turnset;
    use crate::vad::VadConfig;

    fn model() -> SmartTurn {
        SmartTurn::open(&default_dir()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// `text` said by espeak-ng, with room silence before and the 200 ms after it that the
    /// first check sees.
    fn said(text: &str) -> Vec<f32> {
        let voice = TestVoice::Espeak {
            voice: "en-gb",
            wpm: 165,
        };
        let mut audio = vec![0.0; 8000];
        audio.extend(voice.say(text).unwrap_or_else(|e| panic!("{e}")));
        audio.extend(std::iter::repeat_n(0.0, 3200));
        audio
    }

    #[test]
    fn the_bar_falls_as_the_silence_lasts_and_an_unsure_verdict_waits_longer() {
        assert_eq!(bar(0.2), COMPLETE);
        assert!(bar(0.3) < bar(0.2) && bar(0.4) < bar(0.3));
        assert_eq!(bar(0.9), BAR_FLOOR);
        assert_eq!(bar(1.1), BAR_FLOOR);
        assert_eq!(resume_window_s(0.9), RESUME_WINDOW_S);
        assert!(resume_window_s(0.2) > RESUME_WINDOW_S);
        // Longer than the longest pause inside a sentence the set leaves, as heard.
        assert!(resume_window_s(0.2) > f64::from(turnset::PAUSES_S[3]) + 0.13);
    }

    #[test]
    fn the_model_hears_a_finished_question_and_a_clause_left_hanging() {
        let mut m = model();
        let finished = m.complete(&said("Could you tell me what happened with the parcel?"));
        let hanging = m.complete(&said("I understand, and"));
        let (finished, hanging) = (finished.unwrap_or(0.0), hanging.unwrap_or(1.0));
        assert!(finished >= COMPLETE, "finished: {finished}");
        assert!(hanging < 0.1, "hanging: {hanging}");
    }

    #[test]
    fn an_open_microphone_waits_through_the_pauses_inside_a_reply() {
        let mut m = model();
        let mut whisper = crate::whisper::Transcriber::open(&crate::whisper::default_model_path(), 1)
            .unwrap_or_else(|e| panic!("{e}"));
        let voice = TestVoice::Espeak {
            voice: "en-us",
            wpm: 165,
        };
        let mut judged = 0;
        for (i, reply) in turnset::REPLIES.iter().take(8).enumerate() {
            let said = turnset::say(&voice, reply, i).unwrap_or_else(|e| panic!("{e}"));
            let ends = turn_ends(&said.audio, VadConfig::open_mic(1200), Some(&mut m), Some(&mut whisper))
                .unwrap_or_else(|e| panic!("{e}"));
            let last_start = said.clause_starts_s.last().copied().unwrap_or_default();
            assert_eq!(ends.len(), 1, "{reply:?}: one turn, {ends:?}");
            assert!(ends[0].speech_end_s > last_start, "{reply:?} cut at a pause: {ends:?}");
            judged += usize::from(ends[0].by == EndedBy::Judged);
        }
        assert!(judged >= 4, "the model ended {judged} of 8 turns before the cap");
    }
}
