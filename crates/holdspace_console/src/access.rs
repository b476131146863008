//! Who may do what. On the loopback address the console is the coach's own machine and
//! asks nothing. Bound to any other address it needs a token with every request: the
//! coach token allows everything, the viewer token only watching and the cohort (read
//! only). Tokens are random, printed at start, and compared in constant time.

use std::net::SocketAddr;

use subtle::ConstantTimeEq;

/// What a request may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Nothing: no token, or a wrong one, on a non-loopback address.
    None,
    /// Watch live sessions and read the cohort and reports.
    Viewer,
    /// Also steer the session (pause, nudge, cue, hint, end).
    Coach,
}

/// The console's access policy, fixed at start.
#[derive(Clone)]
pub struct Access {
    /// `None` on loopback: everyone on this machine is the coach.
    tokens: Option<Tokens>,
}

#[derive(Clone)]
struct Tokens {
    coach: String,
    viewer: String,
}

// The tokens never go to a log by accident.
impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("tokens", &self.tokens.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

/// Tokens could not be made (no randomness from the operating system).
#[derive(Debug, thiserror::Error)]
#[error("cannot make an access token: {0}")]
pub struct TokenError(String);

impl Access {
    /// The policy for a console bound to `addr`: open on loopback, random tokens otherwise.
    pub fn for_address(addr: &SocketAddr) -> Result<Access, TokenError> {
        if addr.ip().is_loopback() {
            return Ok(Access { tokens: None });
        }
        Ok(Access {
            tokens: Some(Tokens {
                coach: random_token()?,
                viewer: random_token()?,
            }),
        })
    }

    /// A policy with the given tokens (tests, and a site that sets its own).
    pub fn with_tokens(coach: &str, viewer: &str) -> Access {
        Access {
            tokens: Some(Tokens {
                coach: coach.to_owned(),
                viewer: viewer.to_owned(),
            }),
        }
    }

    /// Whether requests need a token.
    pub fn needs_token(&self) -> bool {
        self.tokens.is_some()
    }

    /// The coach token, when there is one (to print at start).
    pub fn coach_token(&self) -> Option<&str> {
        self.tokens.as_ref().map(|t| t.coach.as_str())
    }

    /// The viewer token, when there is one (to print at start).
    pub fn viewer_token(&self) -> Option<&str> {
        self.tokens.as_ref().map(|t| t.viewer.as_str())
    }

    /// The role a presented token (or none) gives. Both tokens are always compared, so the
    /// time taken says nothing about which matched or how much of either.
    pub fn role(&self, presented: Option<&str>) -> Role {
        let Some(tokens) = &self.tokens else {
            return Role::Coach;
        };
        let Some(presented) = presented else {
            return Role::None;
        };
        let p = presented.as_bytes();
        let coach: bool = p.ct_eq(tokens.coach.as_bytes()).into();
        let viewer: bool = p.ct_eq(tokens.viewer.as_bytes()).into();
        if coach {
            Role::Coach
        } else if viewer {
            Role::Viewer
        } else {
            Role::None
        }
    }
}

/// 128 random bits as 32 hex digits.
fn random_token() -> Result<String, TokenError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| TokenError(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_open_and_any_other_address_needs_a_token() {
        let local = Access::for_address(&"127.0.0.1:0".parse().unwrap()).unwrap();
        assert!(!local.needs_token());
        assert_eq!(local.role(None), Role::Coach);
        let v6 = Access::for_address(&"[::1]:0".parse().unwrap()).unwrap();
        assert!(!v6.needs_token());
        let lan = Access::for_address(&"0.0.0.0:0".parse().unwrap()).unwrap();
        assert!(lan.needs_token());
        assert_eq!(lan.role(None), Role::None);
        assert_eq!(lan.role(Some("")), Role::None);
        let coach = lan.coach_token().unwrap().to_owned();
        let viewer = lan.viewer_token().unwrap().to_owned();
        assert_eq!(coach.len(), 32);
        assert_ne!(coach, viewer);
        assert_eq!(lan.role(Some(&coach)), Role::Coach);
        assert_eq!(lan.role(Some(&viewer)), Role::Viewer);
        // A prefix or a near miss is nothing.
        assert_eq!(lan.role(Some(&coach[..31])), Role::None);
        assert_eq!(lan.role(Some(&format!("{coach}0"))), Role::None);
    }

    #[test]
    fn two_consoles_get_different_tokens_and_debug_hides_them() {
        let a = Access::for_address(&"0.0.0.0:0".parse().unwrap()).unwrap();
        let b = Access::for_address(&"0.0.0.0:0".parse().unwrap()).unwrap();
        assert_ne!(a.coach_token(), b.coach_token());
        let shown = format!("{a:?}");
        assert!(!shown.contains(a.coach_token().unwrap()));
    }
}
