//! Kokoro-82M through ONNX Runtime: phoneme tokens, a voice's style vector and the
//! prosody controls in; 24 kHz audio and each phoneme's duration out.
//!
//! The model is the int8 export with two inputs and one output that
//! `scripts/kokoro_controls.py` adds in the set-up: `f0_scale` and `f0_spread` move the
//! pitch curve the prosody predictor makes (level and liveliness), and `durations` says
//! how many 25 ms frames each phoneme lasts, so the mouth and the subtitle follow the
//! audio exactly.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::Tensor;

use crate::error::VoiceError;
use crate::kokoro::g2p::{Accent, Lexicon};

/// Kokoro's output rate.
pub const SAMPLE_RATE: u32 = 24_000;
/// Samples per duration frame (25 ms).
pub const FRAME: usize = 600;
/// The most tokens one call takes, the two pads included.
pub const MAX_TOKENS: usize = 510;
/// Floats in one style vector.
const STYLE: usize = 256;
/// The model file in the voice folder.
pub const MODEL_FILE: &str = "kokoro.onnx";

/// Where `scripts/voice-model.sh` puts the model, voices, vocabulary and lexicons.
pub fn default_dir() -> PathBuf {
    crate::onnx::models_dir().join("voice")
}

/// How one sentence is said.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Controls {
    /// Speaking rate: above 1 is faster.
    pub speed: f32,
    /// Pitch multiplier (1 = the voice's own).
    pub f0_scale: f32,
    /// Pitch variation around its mean (1 = the voice's own; above 1 livelier).
    pub f0_spread: f32,
}

/// One call's audio and timing.
#[derive(Debug, Clone, PartialEq)]
pub struct Voiced {
    /// Mono samples at [`SAMPLE_RATE`].
    pub samples: Vec<f32>,
    /// Seconds each token lasts, the two pads excluded (one per token passed in).
    pub seconds: Vec<f32>,
    /// Seconds of the leading pad (silence before the first phoneme).
    pub lead_s: f32,
}

/// The loaded neural voice.
pub struct Kokoro {
    session: Mutex<Session>,
    vocab: HashMap<char, i64>,
    dir: PathBuf,
    voices: Mutex<HashMap<String, Arc<[f32]>>>,
    lexicons: Mutex<HashMap<Accent, Arc<Lexicon>>>,
    id: String,
}

impl std::fmt::Debug for Kokoro {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kokoro")
            .field("dir", &self.dir)
            .field("id", &self.id)
            .finish()
    }
}

fn failed(what: impl std::fmt::Display) -> VoiceError {
    VoiceError::Neural(what.to_string())
}

impl Kokoro {
    /// Opens the model in `dir` (see [`default_dir`]) with the ONNX Runtime library
    /// at `runtime`.
    pub fn open(dir: &Path, runtime: &Path) -> Result<Kokoro, VoiceError> {
        let model = dir.join(MODEL_FILE);
        if !model.is_file() {
            return Err(failed(format!(
                "{} is missing (bash scripts/voice-model.sh makes it)",
                model.display()
            )));
        }
        let vocab_path = dir.join("vocab.json");
        let config: serde_json::Value = std::fs::read(&vocab_path)
            .map_err(|e| failed(format!("{}: {e}", vocab_path.display())))
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| failed(format!("{}: {e}", vocab_path.display()))))?;
        let vocab: HashMap<char, i64> = config
            .get("vocab")
            .and_then(|v| v.as_object())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.chars().next()?, v.as_i64()?)))
                    .collect()
            })
            .unwrap_or_default();
        if vocab.is_empty() {
            return Err(failed(format!("{} has no vocabulary", vocab_path.display())));
        }
        let env = crate::onnx::environment(runtime).map_err(failed)?;
        let model_failed = |e: ort::Error| failed(format!("{}: {e}", model.display()));
        // Two threads: a line is wanted as soon as possible, and while the trainee speaks
        // the prefetch that uses it is held (see `PrefetchControl`).
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(2);
        let session = Session::builder(&env)
            .map_err(model_failed)?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(|e| model_failed(e.into()))?
            .with_intra_threads(threads)
            .map_err(|e| model_failed(e.into()))?
            .with_inter_threads(1)
            .map_err(|e| model_failed(e.into()))?
            // The set-up turns each quantised convolution into float convolution of
            // dequantised 8-bit weights (scripts/kokoro_controls.py). With the QDQ
            // rewrites off, ONNX Runtime folds those weights into float constants once,
            // at load, instead of keeping the dequantisation in every run.
            .with_config_entry("session.disable_quant_qdq", "1")
            .map_err(|e| model_failed(e.into()))?
            .commit_from_file(&model)
            .map_err(model_failed)?;
        let id = std::fs::read_to_string(dir.join("stamp"))
            .unwrap_or_default()
            .trim()
            .to_owned();
        Ok(Kokoro {
            session: Mutex::new(session),
            vocab,
            dir: dir.to_owned(),
            voices: Mutex::new(HashMap::new()),
            lexicons: Mutex::new(HashMap::new()),
            id,
        })
    }

    /// What identifies this model and its data (the set-up's stamp: every package's
    /// sha256), for keys of cached audio.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether `name` is a voice this model has (its style vector is in the folder).
    pub fn has_voice(&self, name: &str) -> bool {
        self.style_table(name).is_ok()
    }

    /// The lexicon a voice reads with, loaded once per accent.
    pub fn lexicon(&self, voice: &str) -> Result<Arc<Lexicon>, VoiceError> {
        let accent = Accent::of_voice(voice);
        let mut lexicons = self.lexicons.lock().map_err(|_| failed("lexicon lock poisoned"))?;
        if let Some(l) = lexicons.get(&accent) {
            return Ok(l.clone());
        }
        let lexicon = Arc::new(Lexicon::load(&self.dir.join("lexicon"), accent)?);
        lexicons.insert(accent, lexicon.clone());
        Ok(lexicon)
    }

    fn style_table(&self, voice: &str) -> Result<Arc<[f32]>, VoiceError> {
        let mut voices = self.voices.lock().map_err(|_| failed("voice lock poisoned"))?;
        if let Some(v) = voices.get(voice) {
            return Ok(v.clone());
        }
        if !voice.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(VoiceError::UnknownVoice(voice.to_owned()));
        }
        let path = self.dir.join("voices").join(format!("{voice}.bin"));
        let bytes = std::fs::read(&path).map_err(|_| VoiceError::UnknownVoice(voice.to_owned()))?;
        if bytes.len() % (4 * STYLE) != 0 || bytes.is_empty() {
            return Err(failed(format!("{} is not a style table", path.display())));
        }
        let table: Arc<[f32]> = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        voices.insert(voice.to_owned(), table.clone());
        Ok(table)
    }

    /// A phoneme character's token, `None` for one the vocabulary lacks (the lexicons
    /// never produce one).
    pub fn token(&self, c: char) -> Option<i64> {
        self.vocab.get(&c).copied()
    }

    /// Says `tokens` (at most [`MAX_TOKENS`] − 2) in `voice`.
    pub fn run(&self, voice: &str, tokens: &[i64], controls: Controls) -> Result<Voiced, VoiceError> {
        if tokens.is_empty() {
            return Ok(Voiced {
                samples: Vec::new(),
                seconds: Vec::new(),
                lead_s: 0.0,
            });
        }
        if tokens.len() > MAX_TOKENS - 2 {
            return Err(VoiceError::Text(format!(
                "{} phonemes in one sentence (at most {})",
                tokens.len(),
                MAX_TOKENS - 2
            )));
        }
        let table = self.style_table(voice)?;
        // Kokoro's voices hold one style per length: the row for this many phonemes.
        let rows = table.len() / STYLE;
        let row = (tokens.len() - 1).min(rows - 1);
        let style = table[row * STYLE..(row + 1) * STYLE].to_vec();
        let mut padded = Vec::with_capacity(tokens.len() + 2);
        padded.push(0);
        padded.extend_from_slice(tokens);
        padded.push(0);
        let n = padded.len();
        let input = |what: &str, e: ort::Error| failed(format!("{what}: {e}"));
        let inputs = ort::inputs![
            "tokens" => Tensor::from_array(([1usize, n], padded)).map_err(|e| input("tokens", e))?,
            "style" => Tensor::from_array(([1usize, STYLE], style)).map_err(|e| input("style", e))?,
            "speed" => Tensor::from_array(([1usize], vec![controls.speed.clamp(0.5, 2.0)])).map_err(|e| input("speed", e))?,
            "f0_scale" => Tensor::from_array(([1usize], vec![controls.f0_scale.clamp(0.5, 2.0)])).map_err(|e| input("f0_scale", e))?,
            "f0_spread" => Tensor::from_array(([1usize], vec![controls.f0_spread.clamp(0.0, 3.0)])).map_err(|e| input("f0_spread", e))?,
        ];
        let mut session = self.session.lock().map_err(|_| failed("model lock poisoned"))?;
        let outputs = session.run(inputs).map_err(|e| failed(format!("synthesis: {e}")))?;
        let (_, audio) = outputs["audio"]
            .try_extract_tensor::<f32>()
            .map_err(|e| failed(format!("audio: {e}")))?;
        let (_, frames) = outputs["durations"]
            .try_extract_tensor::<i64>()
            .map_err(|e| failed(format!("durations: {e}")))?;
        if frames.len() != n {
            return Err(failed(format!("{} durations for {n} tokens", frames.len())));
        }
        let frame_s = FRAME as f32 / SAMPLE_RATE as f32;
        Ok(Voiced {
            samples: audio.to_vec(),
            seconds: frames[1..n - 1].iter().map(|f| *f as f32 * frame_s).collect(),
            lead_s: frames[0] as f32 * frame_s,
        })
    }
}
