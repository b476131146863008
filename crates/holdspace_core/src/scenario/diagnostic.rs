//! Compiler-style diagnostics: `path:line:col: error: message`, then the offending span
//! drawn by ariadne, so authors see exactly which line of their RON to fix.

use std::ops::Range;

use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};
use serde::{Deserialize, Serialize};

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// The scenario cannot be used.
    Error,
    /// The scenario works but probably not as the author meant.
    Warning,
}

/// One problem in a source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in a sentence.
    pub message: String,
    /// Byte range of the offending text.
    pub span: Range<usize>,
    /// Short note drawn under the span.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error.
    pub fn error(message: impl Into<String>, span: Range<usize>, label: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            label: label.into(),
            help: None,
        }
    }

    /// A warning.
    pub fn warning(message: impl Into<String>, span: Range<usize>, label: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            message: message.into(),
            span,
            label: label.into(),
            help: None,
        }
    }

    /// Adds a suggestion.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The one-line form: `path:line:col: error: message`.
    pub fn headline(&self, path: &str, source: &str) -> String {
        let (line, col) = line_col(source, self.span.start);
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        format!("{path}:{line}:{col}: {kind}: {}", self.message)
    }

    /// The headline followed by the source snippet with the span marked.
    pub fn render(&self, path: &str, source: &str) -> String {
        let mut out = self.headline(path, source);
        out.push('\n');
        let span = clamp_span(source, &self.span);
        let kind = match self.severity {
            Severity::Error => ReportKind::Error,
            Severity::Warning => ReportKind::Warning,
        };
        let config = Config::new().with_color(false).with_index_type(IndexType::Byte);
        let mut report = Report::build(kind, (path, span.clone()))
            .with_config(config)
            .with_message(&self.message)
            .with_label(Label::new((path, span)).with_message(&self.label));
        if let Some(help) = &self.help {
            report = report.with_help(help);
        }
        let mut buf = Vec::new();
        // Writing into a Vec cannot fail; if ariadne ever does, the headline still stands.
        if report.finish().write((path, Source::from(source)), &mut buf).is_ok() {
            out.push_str(&String::from_utf8_lossy(&buf));
        }
        out
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = source[line_start..offset].chars().count() + 1;
    (line, col)
}

/// Byte offset of a 1-based line and column (in characters); clamps past the end.
pub fn offset_of(source: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in source.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let within: usize = l.chars().take(col.saturating_sub(1)).map(char::len_utf8).sum();
            return offset + within;
        }
        offset += l.len();
    }
    source.len()
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn clamp_span(source: &str, span: &Range<usize>) -> Range<usize> {
    let start = floor_char_boundary(source, span.start.min(source.len()));
    let end = floor_char_boundary(source, span.end.min(source.len())).max(start);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_round_trips() {
        let src = "ab\ncdé\nf";
        for (line, col) in [(1, 1), (2, 3), (2, 4), (3, 1)] {
            assert_eq!(line_col(src, offset_of(src, line, col)), (line, col));
        }
    }

    #[test]
    fn render_names_the_place_and_shows_the_span() {
        let src = "Scenario(\n    start: \"nowhere\",\n)";
        let at = src.find("\"nowhere\"").unwrap();
        let d = Diagnostic::error("unknown step \"nowhere\"", at..at + 9, "no step has this id")
            .with_help("check the spelling");
        let text = d.render("x.ron", src);
        assert!(
            text.starts_with("x.ron:2:12: error: unknown step \"nowhere\""),
            "{text}"
        );
        assert!(text.contains("no step has this id"), "{text}");
        assert!(text.contains("check the spelling"), "{text}");
    }

    #[test]
    fn spans_past_the_end_do_not_panic() {
        let d = Diagnostic::error("eof", 100..200, "here");
        assert!(d.render("x.ron", "abc").starts_with("x.ron:1:4"));
    }
}
