//! `holdspace bench speech`: the speech recognisers on the generated test set (every
//! voice): option accuracy, off-list rejection, Whisper's word error rate, CPU-seconds
//! per utterance, real-time factor, and the latency from the end of an utterance to its
//! recognised text, for the grammar (the echo) and for Whisper (free speech).

use anyhow::{Context, Result};
use holdspace_speech::listen::Listener;
use holdspace_speech::options::OptionRecogniser;
use holdspace_speech::testset::{all_voices, cases, quick_voices, score};
use holdspace_speech::vad::VadConfig;
use holdspace_speech::whisper::{Transcriber, default_model_path};
use serde::Serialize;

use super::Row;
use super::voice::distribution;

/// The accuracy half of the report.
#[derive(Debug, Serialize)]
pub(super) struct Accuracy {
    pub(super) voices: Vec<String>,
    pub(super) on_list: u32,
    pub(super) on_list_right: u32,
    pub(super) option_accuracy: f64,
    pub(super) off_list: u32,
    pub(super) off_list_rejected: u32,
    pub(super) rejection: f64,
    pub(super) word_error_rate: f64,
    pub(super) audio_s: f64,
    pub(super) grammar_cpu_s_per_utterance: f64,
    pub(super) whisper_cpu_s_per_utterance: f64,
    pub(super) grammar_real_time_factor: f64,
    pub(super) whisper_real_time_factor: f64,
    pub(super) end_pointing_ms: u32,
    pub(super) mistakes: Vec<String>,
}

/// Runs the set (`quick`: the test suite's four voices) and returns the timing rows and
/// the accuracy summary.
pub(super) fn run(quick: bool) -> Result<(Vec<Row>, Accuracy)> {
    let options = OptionRecogniser::open_default().context("PocketSphinx (apt-get install pocketsphinx-en-us)")?;
    let model = default_model_path();
    let whisper = Transcriber::open(&model, 1).context("the Whisper model (bash scripts/whisper-model.sh)")?;
    let mut listener = Listener::from_parts(Some(options), Some(whisper));
    let voices = if quick { quick_voices() } else { all_voices() };
    let cases = cases();
    let s = score(&mut listener, &voices, &cases)?;
    let n = (s.on_list + s.off_list).max(1) as f64;
    let rows = vec![
        distribution("options: end of utterance → pick (grammar)", s.grammar_ms.clone()),
        distribution("free speech: → transcript (Whisper, 1 thread)", s.whisper_ms.clone()),
    ];
    let accuracy = Accuracy {
        voices: voices.iter().map(|v| v.label()).collect(),
        on_list: s.on_list,
        on_list_right: s.on_list_right,
        option_accuracy: s.option_accuracy(),
        off_list: s.off_list,
        off_list_rejected: s.off_list_rejected,
        rejection: s.rejection(),
        word_error_rate: s.word_error_rate(),
        audio_s: s.audio_s,
        grammar_cpu_s_per_utterance: s.grammar_cpu_s / n,
        whisper_cpu_s_per_utterance: s.whisper_cpu_s / n,
        grammar_real_time_factor: s.grammar_cpu_s / s.audio_s.max(1e-9),
        whisper_real_time_factor: s.whisper_cpu_s / s.audio_s.max(1e-9),
        end_pointing_ms: VadConfig::default().end_silence_ms,
        mistakes: s.mistakes,
    };
    Ok((rows, accuracy))
}

/// Prints the accuracy summary under the timing table.
pub(super) fn print(a: &Accuracy) {
    println!();
    println!("speech test set: {} voices ({})", a.voices.len(), a.voices.join(", "));
    println!(
        "options recognised      {:>4}/{:<4} {:>6.1} %   (goal ≥ 97 %)",
        a.on_list_right,
        a.on_list,
        a.option_accuracy * 100.0
    );
    println!(
        "off-list rejected       {:>4}/{:<4} {:>6.1} %   (goal ≥ 95 %)",
        a.off_list_rejected,
        a.off_list,
        a.rejection * 100.0
    );
    println!("Whisper word error rate            {:>6.3}", a.word_error_rate);
    println!(
        "CPU-s per utterance     grammar {:.3}, Whisper {:.3} (audio {:.1} s in all)",
        a.grammar_cpu_s_per_utterance, a.whisper_cpu_s_per_utterance, a.audio_s
    );
    println!(
        "real-time factor        grammar {:.4}, Whisper {:.3}",
        a.grammar_real_time_factor, a.whisper_real_time_factor
    );
    println!(
        "open mic waits {} ms of silence before an utterance ends (push-to-talk: none)",
        a.end_pointing_ms
    );
    if !a.mistakes.is_empty() {
        println!("mistakes:");
        for m in &a.mistakes {
            println!("  {m}");
        }
    }
}
