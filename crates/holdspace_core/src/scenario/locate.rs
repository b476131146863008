//! Finds where a scenario element sits in its RON source.
//!
//! serde and ron give positions only for syntax errors, so semantic errors are located
//! by walking anchors: the `steps:` section, then `id: "greeting"`, then that reply's
//! `next:` field. Each anchor searches forward from the previous one; when an anchor is
//! missing the last one found is used, so a diagnostic always points somewhere useful.

use std::ops::Range;

/// One search step.
#[derive(Debug, Clone, Copy)]
pub enum Anchor<'a> {
    /// A field name followed by `:` (the span covers the field to the end of its line).
    Key(&'a str),
    /// A field with a given string value, e.g. `id: "greeting"` (the span covers the value).
    KeyValue(&'a str, &'a str),
    /// A quoted string anywhere.
    Quoted(&'a str),
}

/// Locates anchors in one source text.
#[derive(Debug, Clone, Copy)]
pub struct Locator<'a> {
    src: &'a str,
}

impl<'a> Locator<'a> {
    /// Wraps a source text.
    pub fn new(src: &'a str) -> Locator<'a> {
        Locator { src }
    }

    /// Walks the anchors in order; returns the span of the deepest one found.
    pub fn find(&self, anchors: &[Anchor<'_>]) -> Range<usize> {
        self.find_from(0, anchors)
    }

    /// Like [`Locator::find`], starting at a byte offset.
    pub fn find_from(&self, from: usize, anchors: &[Anchor<'_>]) -> Range<usize> {
        let mut pos = from;
        let mut best = from..from;
        for anchor in anchors {
            match self.anchor(pos, *anchor) {
                Some(span) => {
                    pos = span.end;
                    best = span;
                }
                None => break,
            }
        }
        best
    }

    /// The span of the `n`th (0-based) `key: "value"` after `from`.
    pub fn nth_key_value(&self, from: usize, key: &str, value: &str, n: usize) -> Option<Range<usize>> {
        let mut pos = from;
        let mut found = None;
        for _ in 0..=n {
            let span = self.anchor(pos, Anchor::KeyValue(key, value))?;
            pos = span.end;
            found = Some(span);
        }
        found
    }

    fn anchor(&self, from: usize, anchor: Anchor<'_>) -> Option<Range<usize>> {
        match anchor {
            Anchor::Key(key) => {
                let (start, _) = self.key(from, key)?;
                let end = self.src[start..].find('\n').map_or(self.src.len(), |i| start + i);
                let trimmed = self.src[start..end].trim_end().trim_end_matches(',').len();
                Some(start..start + trimmed)
            }
            Anchor::KeyValue(key, value) => {
                let quoted = format!("\"{value}\"");
                let mut pos = from;
                loop {
                    let (_, after_colon) = self.key(pos, key)?;
                    let rest = &self.src[after_colon..];
                    let skipped = rest.len() - rest.trim_start().len();
                    let value_start = after_colon + skipped;
                    if self.src[value_start..].starts_with(&quoted) {
                        return Some(value_start..value_start + quoted.len());
                    }
                    pos = after_colon;
                }
            }
            Anchor::Quoted(value) => {
                let quoted = format!("\"{value}\"");
                let start = from + self.src.get(from..)?.find(&quoted)?;
                Some(start..start + quoted.len())
            }
        }
    }

    /// Finds `key` as a whole identifier followed by optional spaces and `:`; returns the
    /// key's start and the offset just after the colon.
    fn key(&self, from: usize, key: &str) -> Option<(usize, usize)> {
        let bytes = self.src.as_bytes();
        let mut pos = from;
        while let Some(i) = self.src.get(pos..)?.find(key) {
            let start = pos + i;
            let end = start + key.len();
            let before_ok = start == 0 || !is_ident(bytes[start - 1]);
            let rest = &self.src[end..];
            let after = rest.trim_start_matches([' ', '\t']);
            if before_ok && (end >= bytes.len() || !is_ident(bytes[end])) && after.starts_with(':') {
                let colon = end + (rest.len() - after.len());
                return Some((start, colon + 1));
            }
            pos = end;
        }
        None
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"Scenario(
    start: "a",
    steps: [
        Step(id: "a", replies: [
            Reply(id: "x", next: Goto("b")),
        ]),
        Step(id: "b", replies: [
            Reply(id: "x", next: Finish),
        ]),
    ],
)"#;

    #[test]
    fn walks_anchors_to_the_nested_field() {
        let l = Locator::new(SRC);
        let span = l.find(&[
            Anchor::Key("steps"),
            Anchor::KeyValue("id", "b"),
            Anchor::KeyValue("id", "x"),
            Anchor::Key("next"),
        ]);
        assert_eq!(&SRC[span], "next: Finish)");
    }

    #[test]
    fn missing_anchor_falls_back_to_the_last_found() {
        let l = Locator::new(SRC);
        let span = l.find(&[Anchor::Key("steps"), Anchor::KeyValue("id", "zzz")]);
        assert!(SRC[span].starts_with("steps:"));
    }

    #[test]
    fn nth_occurrence_finds_duplicates() {
        let l = Locator::new(SRC);
        let second = l.nth_key_value(0, "id", "x", 1).unwrap();
        let first = l.nth_key_value(0, "id", "x", 0).unwrap();
        assert!(second.start > first.start);
        assert_eq!(&SRC[second], "\"x\"");
    }

    #[test]
    fn keys_match_whole_identifiers_only() {
        let l = Locator::new("Foo(restart: 1, start: 2)");
        let span = l.find(&[Anchor::Key("start")]);
        assert_eq!(span.start, 16);
    }
}
