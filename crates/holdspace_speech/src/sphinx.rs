//! The only file that talks to PocketSphinx: a small FFI to Debian's `libpocketsphinx`
//! 0.8 (5prealpha) and a safe [`Sphinx`] that decodes one utterance against a JSGF
//! grammar. Written by hand because the `pocketsphinx` crate declares `ps_start_utt` and
//! `ps_get_hyp` with arguments Debian's header does not have.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::path::Path;

use crate::error::SpeechError;

#[link(name = "pocketsphinx")]
#[link(name = "sphinxbase")]
unsafe extern "C" {
    fn ps_args() -> *const c_void;
    fn cmd_ln_parse_r(
        inout: *mut c_void,
        defn: *const c_void,
        argc: i32,
        argv: *const *const c_char,
        strict: i32,
    ) -> *mut c_void;
    fn cmd_ln_free_r(cmdln: *mut c_void) -> c_int;
    fn ps_init(config: *mut c_void) -> *mut c_void;
    fn ps_free(ps: *mut c_void) -> c_int;
    fn ps_add_word(ps: *mut c_void, word: *const c_char, phones: *const c_char, update: c_int) -> c_int;
    fn ps_set_jsgf_string(ps: *mut c_void, name: *const c_char, jsgf: *const c_char) -> c_int;
    fn ps_set_search(ps: *mut c_void, name: *const c_char) -> c_int;
    fn ps_start_utt(ps: *mut c_void) -> c_int;
    fn ps_process_raw(ps: *mut c_void, data: *const i16, n_samples: usize, no_search: c_int, full_utt: c_int) -> c_int;
    fn ps_end_utt(ps: *mut c_void) -> c_int;
    fn ps_get_hyp(ps: *mut c_void, out_best_score: *mut i32) -> *const c_char;
    fn ps_get_prob(ps: *mut c_void) -> i32;
}

const SEARCH: &CStr = c"options";

/// What the decoder heard.
#[derive(Debug, Clone, PartialEq)]
pub struct Hypothesis {
    /// The words, as the grammar spells them.
    pub text: String,
    /// Path score (log domain, larger is better).
    pub score: i32,
    /// Posterior probability (log domain; only meaningful relative to other utterances).
    pub prob: i32,
}

/// A PocketSphinx decoder with the US English acoustic model.
pub struct Sphinx {
    ps: *mut c_void,
    config: *mut c_void,
}

// SAFETY: the decoder is only used through `&mut self`, from one thread at a time.
unsafe impl Send for Sphinx {}

impl Sphinx {
    /// Opens the acoustic model folder `hmm` with the dictionary `dict`. PocketSphinx's
    /// own logging goes to /dev/null; failures come back as errors.
    pub fn new(hmm: &Path, dict: &Path) -> Result<Sphinx, SpeechError> {
        let arg = |s: &str| CString::new(s).map_err(|_| SpeechError::Model(format!("bad path {s:?}")));
        let owned = [
            arg("-hmm")?,
            arg(&hmm.to_string_lossy())?,
            arg("-dict")?,
            arg(&dict.to_string_lossy())?,
            arg("-logfn")?,
            arg("/dev/null")?,
        ];
        let argv: Vec<*const c_char> = owned.iter().map(|s| s.as_ptr()).collect();
        // SAFETY: argv points at NUL-terminated strings that outlive the call; cmd_ln copies
        // them. ps_init takes its own reference to the config, which we free in Drop.
        unsafe {
            let config = cmd_ln_parse_r(std::ptr::null_mut(), ps_args(), argv.len() as i32, argv.as_ptr(), 1);
            if config.is_null() {
                return Err(SpeechError::Model("PocketSphinx refused its configuration".into()));
            }
            let ps = ps_init(config);
            if ps.is_null() {
                cmd_ln_free_r(config);
                return Err(SpeechError::Model(format!(
                    "PocketSphinx could not load the model in {} with {}",
                    hmm.display(),
                    dict.display()
                )));
            }
            Ok(Sphinx { ps, config })
        }
    }

    /// Teaches the decoder a word the dictionary lacks.
    pub fn add_word(&mut self, word: &str, phones: &str) -> Result<(), SpeechError> {
        let (w, p) = (CString::new(word), CString::new(phones));
        let (Ok(w), Ok(p)) = (w, p) else {
            return Err(SpeechError::Grammar(format!("bad word {word:?}")));
        };
        // SAFETY: live decoder, NUL-terminated strings copied by the callee.
        let id = unsafe { ps_add_word(self.ps, w.as_ptr(), p.as_ptr(), 0) };
        if id < 0 {
            Err(SpeechError::Grammar(format!(
                "PocketSphinx refused the word {word:?} ({phones})"
            )))
        } else {
            Ok(())
        }
    }

    /// Makes `jsgf` the grammar for the next utterances.
    pub fn set_grammar(&mut self, jsgf: &str) -> Result<(), SpeechError> {
        let g = CString::new(jsgf).map_err(|_| SpeechError::Grammar("NUL in grammar".into()))?;
        // SAFETY: live decoder; the grammar string is copied (parsed) by the callee.
        unsafe {
            if ps_set_jsgf_string(self.ps, SEARCH.as_ptr(), g.as_ptr()) < 0 {
                return Err(SpeechError::Grammar(
                    "PocketSphinx could not compile the grammar".into(),
                ));
            }
            if ps_set_search(self.ps, SEARCH.as_ptr()) < 0 {
                return Err(SpeechError::Grammar(
                    "PocketSphinx could not switch to the grammar".into(),
                ));
            }
        }
        Ok(())
    }

    /// Starts an utterance decoded as it arrives ([`Self::feed`], then [`Self::finish`]):
    /// the search keeps up with the speech, so the answer is ready a few milliseconds
    /// after the last samples instead of a whole decode later. (Its cepstral mean is
    /// estimated as it goes rather than over the whole utterance.)
    pub fn start(&mut self) -> Result<(), SpeechError> {
        // SAFETY: live decoder.
        if unsafe { ps_start_utt(self.ps) } < 0 {
            return Err(SpeechError::Decode("could not start an utterance".into()));
        }
        Ok(())
    }

    /// Decodes the next samples of the utterance [`Self::start`] began.
    pub fn feed(&mut self, samples: &[i16]) -> Result<(), SpeechError> {
        // SAFETY: live decoder; the slice is valid for the call and not kept.
        if unsafe { ps_process_raw(self.ps, samples.as_ptr(), samples.len(), 0, 0) } < 0 {
            return Err(SpeechError::Decode("could not process the audio".into()));
        }
        Ok(())
    }

    /// Ends the utterance [`Self::start`] began and gives what was heard.
    pub fn finish(&mut self) -> Result<Option<Hypothesis>, SpeechError> {
        // SAFETY: live decoder.
        if unsafe { ps_end_utt(self.ps) } < 0 {
            return Err(SpeechError::Decode("could not end the utterance".into()));
        }
        Ok(self.hypothesis())
    }

    /// The best hypothesis of the utterance just ended.
    fn hypothesis(&mut self) -> Option<Hypothesis> {
        let mut score = 0i32;
        // SAFETY: live decoder; the hypothesis string belongs to the decoder and is
        // copied before the next call.
        unsafe {
            let hyp = ps_get_hyp(self.ps, &mut score);
            if hyp.is_null() {
                return None;
            }
            let text = CStr::from_ptr(hyp).to_string_lossy().trim().to_owned();
            if text.is_empty() {
                return None;
            }
            Some(Hypothesis {
                text,
                score,
                prob: ps_get_prob(self.ps),
            })
        }
    }

    /// Decodes one whole utterance of 16 kHz mono 16-bit audio.
    pub fn decode(&mut self, samples: &[i16]) -> Result<Option<Hypothesis>, SpeechError> {
        // SAFETY: live decoder; the sample slice is valid for the call.
        unsafe {
            if ps_start_utt(self.ps) < 0 {
                return Err(SpeechError::Decode("could not start an utterance".into()));
            }
            if ps_process_raw(self.ps, samples.as_ptr(), samples.len(), 0, 1) < 0 {
                ps_end_utt(self.ps);
                return Err(SpeechError::Decode("could not process the audio".into()));
            }
            if ps_end_utt(self.ps) < 0 {
                return Err(SpeechError::Decode("could not end the utterance".into()));
            }
        }
        Ok(self.hypothesis())
    }
}

impl Drop for Sphinx {
    fn drop(&mut self) {
        // SAFETY: both were created in `new` and are freed once.
        unsafe {
            ps_free(self.ps);
            cmd_ln_free_r(self.config);
        }
    }
}
