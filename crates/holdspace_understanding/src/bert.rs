//! The sentence encoder: a BERT forward pass (all-MiniLM-L6-v2's shape: 6 layers, 384
//! wide, 12 heads) in candle, with optional low-rank adapters (LoRA) on each layer's
//! query and value projections.
//!
//! candle-transformers has a BERT, but it offers no place to put an adapter, and the
//! intent tuning trains exactly those adapters; the forward pass is short enough to
//! write here against candle's own tensor operations, and it reads the same
//! `model.safetensors` names.

use candle_core::{D, DType, Device, Module, Result, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder};

/// all-MiniLM-L6-v2's dimensions.
pub const HIDDEN: usize = 384;
/// Attention heads.
pub const HEADS: usize = 12;
/// Transformer layers.
pub const LAYERS: usize = 6;
const INTERMEDIATE: usize = 1536;
const VOCAB: usize = 30522;
const POSITIONS: usize = 512;
const EPS: f64 = 1e-12;

/// A low-rank update `scale · B · A` beside a frozen linear layer.
#[derive(Debug, Clone)]
pub struct Lora {
    /// `[rank, in]`.
    pub a: Tensor,
    /// `[out, rank]`.
    pub b: Tensor,
    /// `alpha / rank`.
    pub scale: f64,
}

impl Lora {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let low = xs.broadcast_matmul(&self.a.t()?)?;
        low.broadcast_matmul(&self.b.t()?)?.affine(self.scale, 0.0)
    }
}

/// The adapters of one layer.
#[derive(Debug, Clone, Default)]
pub struct LayerAdapters {
    /// On the query projection.
    pub query: Option<Lora>,
    /// On the value projection.
    pub value: Option<Lora>,
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attn_out: Linear,
    attn_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    out_norm: LayerNorm,
}

fn layer_norm(vb: VarBuilder) -> Result<LayerNorm> {
    let weight = vb.get(HIDDEN, "weight")?;
    let bias = vb.get(HIDDEN, "bias")?;
    Ok(LayerNorm::new(weight, bias, EPS))
}

/// Layer normalisation from differentiable tensor operations. candle's fused layer norm
/// and last-dimension softmax have no backward pass (gradients stop there silently), so
/// training uses these; inference keeps the fused, faster kernels.
fn norm(ln: &LayerNorm, xs: &Tensor, trainable: bool) -> Result<Tensor> {
    if !trainable {
        return ln.forward(xs);
    }
    let mean = xs.mean_keepdim(D::Minus1)?;
    let centred = xs.broadcast_sub(&mean)?;
    let var = centred.sqr()?.mean_keepdim(D::Minus1)?;
    let normed = centred.broadcast_div(&(var + EPS)?.sqrt()?)?;
    let bias = ln
        .bias()
        .ok_or_else(|| candle_core::Error::Msg("layer norm without bias".into()))?;
    normed.broadcast_mul(ln.weight())?.broadcast_add(bias)
}

impl Layer {
    fn load(vb: VarBuilder) -> Result<Layer> {
        let attn = vb.pp("attention");
        let own = attn.pp("self");
        Ok(Layer {
            query: candle_nn::linear(HIDDEN, HIDDEN, own.pp("query"))?,
            key: candle_nn::linear(HIDDEN, HIDDEN, own.pp("key"))?,
            value: candle_nn::linear(HIDDEN, HIDDEN, own.pp("value"))?,
            attn_out: candle_nn::linear(HIDDEN, HIDDEN, attn.pp("output").pp("dense"))?,
            attn_norm: layer_norm(attn.pp("output").pp("LayerNorm"))?,
            intermediate: candle_nn::linear(HIDDEN, INTERMEDIATE, vb.pp("intermediate").pp("dense"))?,
            output: candle_nn::linear(INTERMEDIATE, HIDDEN, vb.pp("output").pp("dense"))?,
            out_norm: layer_norm(vb.pp("output").pp("LayerNorm"))?,
        })
    }

    /// `xs`: `[batch, seq, hidden]`; `bias`: `[batch, 1, 1, seq]` (0 or a large negative).
    fn forward(&self, xs: &Tensor, bias: &Tensor, adapters: &LayerAdapters, trainable: bool) -> Result<Tensor> {
        let (b, t, _) = xs.dims3()?;
        let with = |linear: &Linear, lora: &Option<Lora>| -> Result<Tensor> {
            let y = linear.forward(xs)?;
            match lora {
                Some(l) => y + l.forward(xs)?,
                None => Ok(y),
            }
        };
        let heads =
            |x: Tensor| -> Result<Tensor> { x.reshape((b, t, HEADS, HIDDEN / HEADS))?.transpose(1, 2)?.contiguous() };
        let q = heads(with(&self.query, &adapters.query)?)?;
        let k = heads(self.key.forward(xs)?)?;
        let v = heads(with(&self.value, &adapters.value)?)?;
        let scale = 1.0 / ((HIDDEN / HEADS) as f64).sqrt();
        let scores = q
            .matmul(&k.t()?.contiguous()?)?
            .affine(scale, 0.0)?
            .broadcast_add(bias)?;
        let probs = if trainable {
            candle_nn::ops::softmax(&scores, D::Minus1)?
        } else {
            candle_nn::ops::softmax_last_dim(&scores)?
        };
        let context = probs.matmul(&v)?.transpose(1, 2)?.reshape((b, t, HIDDEN))?;
        let attended = norm(&self.attn_norm, &(self.attn_out.forward(&context)? + xs)?, trainable)?;
        let inner = self.intermediate.forward(&attended)?.gelu_erf()?;
        norm(&self.out_norm, &(self.output.forward(&inner)? + attended)?, trainable)
    }
}

/// A BERT encoder with mean pooling.
pub struct Bert {
    words: Embedding,
    positions: Embedding,
    types: Embedding,
    norm: LayerNorm,
    layers: Vec<Layer>,
    device: Device,
    trainable: bool,
}

/// Token ids and masks of a batch, padded to its longest.
pub struct Batch {
    /// `[batch, seq]` u32 token ids.
    pub ids: Tensor,
    /// `[batch, seq]` f32, 1 for a token and 0 for padding.
    pub mask: Tensor,
}

impl Batch {
    /// Pads token-id lists into a batch.
    pub fn new(ids: &[Vec<u32>], device: &Device) -> Result<Batch> {
        let longest = ids.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut flat = Vec::with_capacity(ids.len() * longest);
        let mut mask = Vec::with_capacity(ids.len() * longest);
        for row in ids {
            for i in 0..longest {
                flat.push(row.get(i).copied().unwrap_or(0));
                mask.push(if i < row.len() { 1.0_f32 } else { 0.0 });
            }
        }
        Ok(Batch {
            ids: Tensor::from_vec(flat, (ids.len(), longest), device)?,
            mask: Tensor::from_vec(mask, (ids.len(), longest), device)?,
        })
    }
}

impl Bert {
    /// Loads the weights (`model.safetensors` names, no prefix).
    pub fn load(vb: VarBuilder) -> Result<Bert> {
        let e = vb.pp("embeddings");
        let layers = (0..LAYERS)
            .map(|i| Layer::load(vb.pp("encoder").pp("layer").pp(i)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Bert {
            words: candle_nn::embedding(VOCAB, HIDDEN, e.pp("word_embeddings"))?,
            positions: candle_nn::embedding(POSITIONS, HIDDEN, e.pp("position_embeddings"))?,
            types: candle_nn::embedding(2, HIDDEN, e.pp("token_type_embeddings"))?,
            norm: layer_norm(e.pp("LayerNorm"))?,
            layers,
            device: vb.device().clone(),
            trainable: false,
        })
    }

    /// Uses operations that pass gradients back (slower): for tuning the adapters.
    pub fn set_trainable(&mut self, trainable: bool) {
        self.trainable = trainable;
    }

    /// The device the weights are on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Mean-pooled last hidden states, `[batch, hidden]`, with adapters where given
    /// (`adapters[i]` for layer `i`; fewer entries leave the rest plain).
    pub fn pooled(&self, batch: &Batch, adapters: &[LayerAdapters]) -> Result<Tensor> {
        let (b, t) = batch.ids.dims2()?;
        let positions = Tensor::arange(0u32, t as u32, &self.device)?
            .unsqueeze(0)?
            .repeat((b, 1))?;
        let types = Tensor::zeros((b, t), DType::U32, &self.device)?;
        let embedded = (self.words.forward(&batch.ids)? + self.positions.forward(&positions)?)?
            .broadcast_add(&self.types.forward(&types)?)?;
        let mut xs = self.norm.forward(&embedded)?;
        // Padding may not be attended to: -10000 before the softmax, as BERT does.
        let bias = ((batch.mask.clone() - 1.0)? * 10000.0)?.reshape((b, 1, 1, t))?;
        let plain = LayerAdapters::default();
        for (i, layer) in self.layers.iter().enumerate() {
            xs = layer.forward(&xs, &bias, adapters.get(i).unwrap_or(&plain), self.trainable)?;
        }
        let mask = batch.mask.unsqueeze(2)?;
        let summed = xs.broadcast_mul(&mask)?.sum(1)?;
        let counts = mask.sum(1)?.clamp(1e-9, f64::MAX)?;
        summed.broadcast_div(&counts)
    }
}

/// L2-normalises rows, so a dot product is a cosine.
pub fn normalise(xs: &Tensor) -> Result<Tensor> {
    let norm = xs.sqr()?.sum_keepdim(D::Minus1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
    xs.broadcast_div(&norm)
}
