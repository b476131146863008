//! Guided-mode recognition: which of the offered replies the trainee said, from one
//! utterance of audio, with PocketSphinx listening only for the options' phrases.

use std::collections::HashSet;
use std::path::Path;

use holdspace_core::analysis::spoken::OptionGrammar;

use crate::error::SpeechError;
use crate::pronounce::{DEBIAN_DICT, Dictionary};
use crate::sphinx::{Hypothesis, Sphinx};

/// Where Debian's `pocketsphinx-en-us` puts the US English acoustic model.
pub const DEBIAN_HMM: &str = "/usr/share/pocketsphinx/model/en-us/en-us";

/// The reply the grammar picked and what it heard.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    /// The reply id.
    pub reply: String,
    /// The decoder's hypothesis.
    pub heard: Hypothesis,
}

/// A decoder that listens for the offered replies.
pub struct OptionRecogniser {
    sphinx: Sphinx,
    dictionary: Dictionary,
    taught: HashSet<String>,
    grammar: Option<String>,
}

impl OptionRecogniser {
    /// Opens the model and dictionary at Debian's paths.
    pub fn open_default() -> Result<OptionRecogniser, SpeechError> {
        OptionRecogniser::open(Path::new(DEBIAN_HMM), Path::new(DEBIAN_DICT))
    }

    /// Opens a model folder and dictionary.
    pub fn open(hmm: &Path, dict: &Path) -> Result<OptionRecogniser, SpeechError> {
        let dictionary = Dictionary::load(dict).map_err(|e| SpeechError::Model(format!("{}: {e}", dict.display())))?;
        Ok(OptionRecogniser {
            sphinx: Sphinx::new(hmm, dict)?,
            dictionary,
            taught: HashSet::new(),
            grammar: None,
        })
    }

    /// Which reply in `grammar` one utterance (16 kHz mono, −1..=1) says, if any.
    pub fn recognise(&mut self, grammar: &OptionGrammar, audio: &[f32]) -> Result<Option<Picked>, SpeechError> {
        self.listen_for(grammar)?;
        let Some(heard) = self.sphinx.decode(&pcm(audio))? else {
            return Ok(None);
        };
        Ok(picked(grammar, heard))
    }

    /// Starts hearing an utterance as it is spoken, listening for `grammar`'s replies:
    /// [`Self::feed`] the audio as it comes, then [`Self::finish`].
    pub fn start(&mut self, grammar: &OptionGrammar) -> Result<(), SpeechError> {
        self.listen_for(grammar)?;
        self.sphinx.start()
    }

    /// The next audio of the utterance [`Self::start`] began.
    pub fn feed(&mut self, audio: &[f32]) -> Result<(), SpeechError> {
        self.sphinx.feed(&pcm(audio))
    }

    /// Ends the utterance [`Self::start`] began: which reply in `grammar` (the one it
    /// began with) it says, if any.
    pub fn finish(&mut self, grammar: &OptionGrammar) -> Result<Option<Picked>, SpeechError> {
        Ok(self.sphinx.finish()?.and_then(|heard| picked(grammar, heard)))
    }

    /// Switches the decoder to `grammar`, teaching it any word its dictionary lacks.
    fn listen_for(&mut self, grammar: &OptionGrammar) -> Result<(), SpeechError> {
        if self.grammar.as_deref() != Some(grammar.jsgf.as_str()) {
            for word in grammar.words() {
                if self.dictionary.has(word) || self.taught.contains(word) {
                    continue;
                }
                let Some(phones) = self.dictionary.phones(word) else {
                    return Err(SpeechError::Grammar(format!("no pronunciation for \"{word}\"")));
                };
                self.sphinx.add_word(word, &phones)?;
                self.taught.insert(word.to_owned());
            }
            self.sphinx.set_grammar(&grammar.jsgf)?;
            self.grammar = Some(grammar.jsgf.clone());
        }
        Ok(())
    }
}

/// 16-bit samples for the decoder.
fn pcm(audio: &[f32]) -> Vec<i16> {
    audio.iter().map(|s| (s.clamp(-1.0, 1.0) * 32767.0) as i16).collect()
}

/// The reply a hypothesis names, if any.
fn picked(grammar: &OptionGrammar, heard: Hypothesis) -> Option<Picked> {
    grammar.reply_for(&heard.text).map(|reply| Picked {
        reply: reply.to_owned(),
        heard,
    })
}
