//! The customer's ear: the sentence encoder with the intent adapter, as the engine's
//! [`Listener`]. For each reply it gives the intents heard in its meaning (above each
//! intent's threshold, with the nearest labelled example as the explanation), how close
//! in meaning it is to each reply on offer, and how close to what the customer just said.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use candle_core::Tensor;
use holdspace_core::analysis::disowning::statements;
use holdspace_core::analysis::{HeardIntent, Understanding};
use holdspace_core::scenario::model::Reply;
use holdspace_core::{Intent, Listener, Session};

use crate::encoder::{Adapter, Encoder, EncoderError, MODEL_FOLDER, models_dir};

/// The committed intent adapter (trained by `examples/tune_encoder.rs`).
const ADAPTER: &[u8] = include_bytes!("../model/intent-adapter.safetensors");
/// Its settings and per-intent thresholds.
const ADAPTER_META: &str = include_str!("../model/intent-adapter.json");

/// The share of an intent's threshold a statement read alone must reach to carry it.
const STATEMENT_BAR: f32 = 0.75;

/// Rounds to three decimals: the engine compares these with thresholds, and the same
/// words must decide the same on every machine.
fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// The harmful intents whose probability in `row` reaches `share` of their threshold.
fn harms_above(row: &[f32], thresholds: &[f32], share: f32) -> Vec<Intent> {
    Intent::ALL
        .iter()
        .enumerate()
        .filter(|(k, intent)| {
            let bar = thresholds.get(*k).copied().unwrap_or(0.5) * share;
            intent.is_harmful() && row.get(*k).is_some_and(|p| *p >= bar)
        })
        .map(|(_, intent)| *intent)
        .collect()
}

/// A reply's text, examples and phrasings, in the order `hear` scores them: what the
/// plain model embeds for it, at the reply and when the step is prepared.
fn reply_texts(reply: &Reply) -> impl Iterator<Item = &str> {
    std::iter::once(reply.text.as_str())
        .chain(reply.examples.iter().map(String::as_str))
        .chain(reply.phrasings.iter().map(String::as_str))
}

/// The encoder and adapter, ready to hear replies.
pub struct Hearing {
    shared: Arc<Shared>,
    /// Labelled examples per intent and their tuned embeddings, for explanations.
    examples: Vec<(Intent, String)>,
    example_vectors: Option<Tensor>,
    /// The next step's texts being embedded in the background ([`Listener::prepare`]).
    preparing: Mutex<Option<JoinHandle<()>>>,
}

/// What the background preparation shares with the reply's hearing.
struct Shared {
    encoder: Encoder,
    adapter: Adapter,
    /// Plain-model embeddings of texts already seen (reply texts, examples, lines).
    cache: Mutex<HashMap<String, Vec<f32>>>,
    /// Each intent's threshold, from the adapter's settings.
    thresholds: Vec<f32>,
    /// The harms heard in reply texts already seen ([`Understanding::heard_in_replies`]).
    harms: Mutex<HashMap<String, Vec<Intent>>>,
}

/// The adapter's settings, read from its JSON.
fn meta(json: &str) -> Result<(f64, Vec<f32>, Vec<(Intent, String)>), EncoderError> {
    let bad = |why: &str| EncoderError::Tokenizer(format!("model/intent-adapter.json: {why}"));
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(&e.to_string()))?;
    let rank = v["rank"].as_f64().ok_or_else(|| bad("no rank"))?;
    let alpha = v["alpha"].as_f64().ok_or_else(|| bad("no alpha"))?;
    let thresholds = Intent::ALL
        .iter()
        .map(|i| v["thresholds"][i.name()].as_f64().unwrap_or(0.5) as f32)
        .collect();
    let examples = v["examples"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|e| {
                    let intent = Intent::from_name(e[0].as_str()?)?;
                    Some((intent, e[1].as_str()?.to_owned()))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok((alpha / rank, thresholds, examples))
}

impl Hearing {
    /// Loads the base model from the models directory and the committed adapter.
    pub fn load() -> Result<Hearing, EncoderError> {
        Hearing::with_adapter(ADAPTER, ADAPTER_META)
    }

    /// Loads the base model with another adapter (its safetensors bytes and JSON): for
    /// comparing adapters, such as a head trained on the frozen encoder.
    pub fn with_adapter(bytes: &[u8], json: &str) -> Result<Hearing, EncoderError> {
        let encoder = Encoder::load(&models_dir().join(MODEL_FOLDER))?;
        let (scale, thresholds, examples) = meta(json)?;
        let adapter = Adapter::from_bytes(bytes, scale, encoder.device())?;
        let example_vectors = candle_core::safetensors::load_buffer(bytes, encoder.device())?.remove("examples");
        Ok(Hearing {
            shared: Arc::new(Shared {
                encoder,
                adapter,
                cache: Mutex::new(HashMap::new()),
                thresholds,
                harms: Mutex::new(HashMap::new()),
            }),
            examples,
            example_vectors,
            preparing: Mutex::new(None),
        })
    }

    /// Waits for the background preparation, if one is running: the reply is then heard
    /// with embeddings made exactly as a preparation in the foreground would make them.
    fn wait_prepared(&self) {
        let running = self.preparing.lock().ok().and_then(|mut p| p.take());
        if let Some(handle) = running {
            // A preparation that panicked only leaves texts to embed on demand.
            let _ = handle.join();
        }
    }
}

impl Shared {
    /// The plain model's embedding of each text, from the cache when seen before.
    fn embeddings(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EncoderError> {
        let missing: Vec<&str> = {
            let cache = self
                .cache
                .lock()
                .map_err(|_| EncoderError::Tokenizer("cache poisoned".into()))?;
            let mut m: Vec<&str> = texts.iter().copied().filter(|t| !cache.contains_key(*t)).collect();
            m.sort_unstable();
            m.dedup();
            m
        };
        let mut fresh = Vec::new();
        for chunk in missing.chunks(32) {
            fresh.extend(chunk.iter().copied().zip(self.encoder.embed(chunk)?));
        }
        let mut cache = self
            .cache
            .lock()
            .map_err(|_| EncoderError::Tokenizer("cache poisoned".into()))?;
        for (t, v) in fresh {
            cache.insert(t.to_owned(), v);
        }
        Ok(texts
            .iter()
            .map(|t| cache.get(*t).cloned().unwrap_or_default())
            .collect())
    }

    /// The harms the tuned pass hears in `text`, from the cache when seen before. Each
    /// text is read alone, whether prepared or heard on demand, so the result never
    /// depends on which.
    fn harms_in(&self, text: &str) -> Result<Vec<Intent>, EncoderError> {
        let poisoned = || EncoderError::Tokenizer("cache poisoned".into());
        if let Some(h) = self.harms.lock().map_err(|_| poisoned())?.get(text) {
            return Ok(h.clone());
        }
        let probs = self.adapter.probabilities(&self.encoder, &[text])?;
        let harms = harms_above(probs.first().map_or(&[][..], Vec::as_slice), &self.thresholds, 1.0);
        self.harms
            .lock()
            .map_err(|_| poisoned())?
            .insert(text.to_owned(), harms.clone());
        Ok(harms)
    }

    /// The offered replies whose own text is heard with other harms than their author
    /// listed, with the harms heard ([`Understanding::heard_in_replies`]).
    fn heard_in_replies(&self, offered: &[&Reply]) -> Result<Vec<(String, Vec<Intent>)>, EncoderError> {
        let mut out = Vec::new();
        for reply in offered {
            let heard = self.harms_in(&reply.text)?;
            let listed: Vec<Intent> = reply.intents.iter().copied().filter(|i| i.is_harmful()).collect();
            let same = heard.len() == listed.len() && heard.iter().all(|i| listed.contains(i));
            if !same {
                out.push((reply.id.clone(), heard));
            }
        }
        Ok(out)
    }

    /// Whether every text has its embedding already.
    fn has_all(&self, texts: &[String]) -> bool {
        self.cache
            .lock()
            .is_ok_and(|cache| texts.iter().all(|t| cache.contains_key(t)))
    }

    /// Whether every reply's text has been read for harms already.
    fn has_harms(&self, offered: &[Reply]) -> bool {
        self.harms
            .lock()
            .is_ok_and(|harms| offered.iter().all(|r| harms.contains_key(&r.text)))
    }
}

impl Hearing {
    /// What `text` means, said after `customer_line` with `offered` on offer.
    pub fn hear(&self, text: &str, customer_line: &str, offered: &[&Reply]) -> Result<Understanding, EncoderError> {
        self.wait_prepared();
        let mut texts: Vec<&str> = vec![text, customer_line];
        texts.extend(offered.iter().flat_map(|r| reply_texts(r)));
        // The plain pass (meaning, for matching and reflection) and the tuned pass
        // (intents) share no work, so each takes a core: a reply is heard in the time of
        // one forward pass (about 18 ms here) instead of two. Each computes exactly what
        // it computed alone, so what is heard is the same.
        let (read, vectors) = std::thread::scope(|scope| {
            let plain = scope.spawn(|| self.shared.embeddings(&texts));
            let read = self.shared.adapter.read(&self.shared.encoder, text);
            let vectors = plain.join().unwrap_or(Err(EncoderError::Stopped("plain pass")));
            (read, vectors)
        });
        let (probs, tuned) = read?;
        let vectors = vectors?;
        let tuned = Some(tuned);
        let mut intents = Vec::new();
        for (k, intent) in Intent::ALL.iter().enumerate() {
            let p = probs.get(k).copied().unwrap_or_default();
            if p >= self.shared.thresholds.get(k).copied().unwrap_or(0.5) {
                let like = match (&tuned, &self.example_vectors) {
                    (Some(v), Some(examples)) => self.nearest(*intent, v, examples)?,
                    _ => None,
                };
                intents.push(HeardIntent {
                    intent: *intent,
                    probability: p,
                    like,
                });
            }
        }
        let by_statement = self.harms_by_statement(text, &intents)?;
        let said = vectors.first().cloned().unwrap_or_default();
        let cosine = |v: &[f32]| said.iter().zip(v).map(|(a, b)| a * b).sum::<f32>();
        let reflects = if customer_line.trim().is_empty() {
            0.0
        } else {
            vectors.get(1).map_or(0.0, |v| cosine(v))
        };
        let mut at = 2;
        let mut replies = Vec::new();
        for reply in offered {
            let n = reply_texts(reply).count();
            let mut best = (f32::MIN, String::new());
            for (i, v) in vectors.iter().enumerate().skip(at).take(n) {
                let c = cosine(v);
                if c > best.0 {
                    best = (c, texts.get(i).copied().unwrap_or_default().to_owned());
                }
            }
            at += n;
            replies.push((reply.id.clone(), round3(best.0.max(0.0)), best.1));
        }
        Ok(Understanding {
            intents,
            replies,
            reflects: round3(reflects.max(0.0)),
            by_statement,
            heard_in_replies: self.shared.heard_in_replies(offered)?,
        })
    }

    /// The harms heard in each statement read alone, when a harm was heard in the whole
    /// and some statements disown one but not all (see [`Understanding::by_statement`]):
    /// one batched pass over the statements. A statement alone is shorter than the reply
    /// and reads less surely, so it counts a harm from three quarters of the threshold.
    fn harms_by_statement(&self, text: &str, heard: &[HeardIntent]) -> Result<Vec<Vec<Intent>>, EncoderError> {
        let statements = statements(text);
        let mixed = statements.iter().any(|s| s.disowns.is_some()) && statements.iter().any(|s| s.disowns.is_none());
        if !mixed || !heard.iter().any(|h| h.intent.is_harmful()) {
            return Ok(Vec::new());
        }
        let texts: Vec<String> = statements.iter().map(|s| s.text()).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let probs = self.shared.adapter.probabilities(&self.shared.encoder, &refs)?;
        Ok(probs
            .iter()
            .map(|row| harms_above(row, &self.shared.thresholds, STATEMENT_BAR))
            .collect())
    }

    /// The labelled example of `intent` nearest to the tuned embedding `v`.
    fn nearest(&self, intent: Intent, v: &Tensor, examples: &Tensor) -> Result<Option<(String, f32)>, EncoderError> {
        let sims = examples.matmul(&v.t()?)?.flatten_all()?.to_vec1::<f32>()?;
        let best = self
            .examples
            .iter()
            .zip(sims)
            .filter(|((i, _), _)| *i == intent)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        Ok(best.map(|((_, text), s)| (text.clone(), round3(s))))
    }
}

impl Listener for Hearing {
    fn understand(&self, session: &Session, text: &str) -> Option<Understanding> {
        let offered = session.available_replies();
        self.hear(text, session.last_line(), &offered).ok()
    }

    /// Embeds the replies on offer and the customer's line while the customer speaks,
    /// on a thread of its own, instead of on the trainee's reply (about 0.3 s for a
    /// step's ~25 texts on the 2-core VM). The engine calls this as it answers; in the
    /// foreground it held back the customer's answer (and the app's frame) that long.
    /// The next reply waits for it to finish, so what is heard does not depend on how
    /// quickly the trainee answers.
    fn prepare(&self, session: &Session) {
        self.wait_prepared();
        let mut texts: Vec<String> = vec![session.last_line().to_owned()];
        let mut offered = Vec::new();
        for reply in session.available_replies() {
            texts.extend(reply_texts(reply).map(str::to_owned));
            offered.push(reply.clone());
        }
        if self.shared.has_all(&texts) && self.shared.has_harms(&offered) {
            return;
        }
        let shared = Arc::clone(&self.shared);
        let spawned = std::thread::Builder::new()
            .name("holdspace-ear-prepare".to_owned())
            .spawn(move || {
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                // A failure here only means the reply pays for it later.
                let _ = shared.embeddings(&refs);
                let offered: Vec<&Reply> = offered.iter().collect();
                let _ = shared.heard_in_replies(&offered);
            });
        if let (Ok(handle), Ok(mut preparing)) = (spawned, self.preparing.lock()) {
            *preparing = Some(handle);
        }
    }

    /// Waits until the preparation has finished.
    fn ready(&self) {
        self.wait_prepared();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use holdspace_core::scenario::model::Direction;
    use holdspace_core::scenario::probe::{Understood, probe};
    use holdspace_core::{Disclosure, LoadedScenario, TurnInput};

    use super::*;

    fn shipped(id: &str) -> Arc<LoadedScenario> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../scenarios/{id}.ron"));
        let source = std::fs::read_to_string(path).expect("shipped scenario");
        Arc::new(
            holdspace_core::check(&source, &holdspace_core::Lexicon::builtin())
                .scenario
                .expect("loads"),
        )
    }

    /// What the customer at the start of `scenario`, the need hidden, makes of `text`.
    fn at_start(ear: &Hearing, scenario: &Arc<LoadedScenario>, text: &str) -> Understood {
        let start = scenario.scenario.start.clone();
        probe(
            scenario,
            &start,
            Disclosure::Hidden,
            TurnInput::say(text),
            Some(ear as &dyn Listener),
        )
        .expect("step")
    }

    fn hearing() -> Hearing {
        Hearing::load().expect("the sentence encoder: run bash scripts/understanding-model.sh")
    }

    /// Each shipped customer, at their opening: a paraphrase in the trainee's own words
    /// (few of the customer's words) calms them; warm-sounding assumptive empathy does not.
    #[test]
    fn a_paraphrase_in_other_words_calms_and_kind_assumptive_empathy_escalates() {
        let ear = hearing();
        let assumptive = "Oh I totally get how stressful that must be for you, honestly I'd feel exactly the same.";
        for (id, paraphrase) in [
            (
                "delivery_bereavement",
                "So it should have turned up days ago, the website keeps promising it's on its way, and you've got a hard deadline at the end of the week.",
            ),
            (
                "billing_hardship",
                "So this month's bill has jumped well above what you normally pay, there's a penalty added, and after all this time with us you reckon we've got it wrong.",
            ),
            (
                "locked_out_panic",
                "So you've been shut out after a few wrong tries, there's money that has to go this afternoon, and the gadget you'd need to get back in has gone missing.",
            ),
            (
                "loyal_customer_unheard",
                "So you've stuck with us for the best part of two decades, we've been charging you for something you don't even have, and you want that money back plus something for the hassle.",
            ),
            (
                "repeat_caller_lonely",
                "So the telly box keeps cutting out on you, it went again right in the middle of your programme last night, and you've had to call us a few times about it.",
            ),
        ] {
            let s = shipped(id);
            let heard = |text: &str| at_start(&ear, &s, text);
            let p = heard(paraphrase);
            assert_eq!(p.direction, Direction::Calms, "{id}: {paraphrase}\n{:#?}", p.reasons);
            assert!(
                p.analysis.intents.contains(&Intent::Paraphrase),
                "{id}: {:?}",
                p.analysis
            );
            let a = heard(assumptive);
            assert_eq!(a.direction, Direction::Escalates, "{id}: {:#?}", a.reasons);
            assert!(a.analysis.intents.contains(&Intent::AssumptiveEmpathy), "{id}");
        }
    }

    #[test]
    fn what_is_heard_is_explained_by_the_nearest_example() {
        let ear = hearing();
        let u = ear
            .hear(
                "honestly my hands are tied on that one, it's just how the system works",
                "",
                &[],
            )
            .expect("heard");
        let wall = u
            .intents
            .iter()
            .find(|h| h.intent == Intent::PolicyWall)
            .expect("a policy wall");
        assert!(
            wall.like
                .as_ref()
                .is_some_and(|(text, sim)| !text.is_empty() && *sim > 0.5),
            "{wall:?}"
        );
    }

    /// The encoder reads a harm's words and not the "not": a harm heard only in what the
    /// trainee said they would not do is set aside; one said after it still lands.
    #[test]
    fn a_harm_the_words_disown_is_not_heard_but_one_after_it_is() {
        let ear = hearing();
        let s = shipped("locked_out_panic");
        let heard = |text: &str| at_start(&ear, &s, text);
        for text in [
            "I'm not putting you on hold and I'm not transferring you anywhere, I'm right here",
            "I'm not going to pass you over to another department, I'll stay on with you",
        ] {
            // The encoder alone hears the harm it names…
            let u = ear.hear(text, "", &[]).expect("heard");
            assert!(u.intents.iter().any(|h| h.intent.is_harmful()), "{text}: {u:?}");
            // …which the words disowned.
            let disowned = heard(text);
            assert!(!disowned.analysis.has_harm(), "{text}: {:?}", disowned.analysis);
            assert_ne!(
                disowned.direction,
                Direction::Escalates,
                "{text}: {:#?}",
                disowned.reasons
            );
        }
        let text = "I won't rush you, but honestly my hands are tied, that's just how the system works";
        let u = ear.hear(text, "", &[]).expect("heard");
        assert_eq!(u.by_statement.len(), statements(text).len(), "{u:?}");
        let after = heard(text);
        assert!(
            after.analysis.intents.contains(&Intent::PolicyWall),
            "{:?}",
            after.analysis
        );
    }

    /// A trainee who says a reply's own text has said that reply, in every shipped
    /// scenario: the author's intents and what the ear hears in the text must agree
    /// ("I'll escalate it to a manager and make sure they call you back" is heard as
    /// passing them on as well as the promise its author listed).
    #[test]
    fn every_shipped_reply_said_word_for_word_is_that_reply() {
        let ear = hearing();
        let mut missed = Vec::new();
        for id in [
            "delivery_bereavement",
            "billing_hardship",
            "locked_out_panic",
            "loyal_customer_unheard",
            "repeat_caller_lonely",
        ] {
            let s = shipped(id);
            for step in &s.scenario.steps {
                for reply in &step.replies {
                    // Where the reply is on offer: some need the hidden need shown first.
                    let heard = [Disclosure::Hidden, Disclosure::Hinted, Disclosure::Revealed]
                        .into_iter()
                        .filter_map(|d| {
                            probe(
                                &s,
                                &step.id,
                                d,
                                TurnInput::say(&reply.text),
                                Some(&ear as &dyn Listener),
                            )
                        })
                        .find(|u| u.scores.iter().any(|sc| sc.reply == reply.id));
                    let Some(u) = heard else { continue };
                    if u.reply.as_deref() != Some(reply.id.as_str()) {
                        missed.push(format!(
                            "{id}/{}/{}: matched {:?}, heard {:?}",
                            step.id, reply.id, u.reply, u.analysis.intents
                        ));
                    }
                }
            }
        }
        assert!(missed.is_empty(), "{missed:#?}");
    }

    #[test]
    fn the_same_words_are_heard_the_same_twice() {
        let ear = hearing();
        let a = ear
            .hear("So you need it there by Friday?", "I need it by Friday.", &[])
            .expect("heard");
        let b = ear
            .hear("So you need it there by Friday?", "I need it by Friday.", &[])
            .expect("heard");
        assert_eq!(a, b);
    }
}
