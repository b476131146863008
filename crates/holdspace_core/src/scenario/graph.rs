//! The scenario's steps and replies as a Mermaid flowchart or a Graphviz DOT graph.

use std::fmt::Write as _;

use crate::scenario::model::{Next, Scenario, Trigger};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphFormat {
    /// Mermaid `flowchart` (renders on GitHub and in most Markdown viewers).
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

fn node(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn label(text: &str) -> String {
    text.replace('"', "'")
}

/// Draws the graph: steps as boxes, outcomes as rounded ends, one edge per reply
/// (labelled with its id and intents). `Finish` fans out to every `OnFinish` outcome.
pub fn graph(s: &Scenario, format: GraphFormat) -> String {
    let mut out = String::new();
    let finish: Vec<&str> = s
        .outcomes
        .iter()
        .filter(|o| o.trigger == Trigger::OnFinish)
        .map(|o| o.id.as_str())
        .collect();
    let mut edges: Vec<(String, String, String)> = Vec::new();
    for step in &s.steps {
        for r in &step.replies {
            let intents: Vec<String> = r.intents.iter().map(|i| format!("{i:?}")).collect();
            let text = format!("{} [{}]", r.id, intents.join(", "));
            match &r.next {
                Next::Goto(t) => edges.push((format!("step_{}", node(&step.id)), format!("step_{}", node(t)), text)),
                Next::End(o) => edges.push((format!("step_{}", node(&step.id)), format!("out_{}", node(o)), text)),
                Next::Finish => {
                    for o in &finish {
                        edges.push((
                            format!("step_{}", node(&step.id)),
                            format!("out_{}", node(o)),
                            text.clone(),
                        ));
                    }
                }
            }
        }
    }
    match format {
        GraphFormat::Mermaid => {
            let _ = writeln!(out, "flowchart TD");
            for step in &s.steps {
                let start = if step.id == s.start { " (start)" } else { "" };
                let _ = writeln!(out, "    step_{}[\"{}{start}\"]", node(&step.id), label(&step.id));
            }
            for o in &s.outcomes {
                let _ = writeln!(
                    out,
                    "    out_{}([\"{}: {}\"])",
                    node(&o.id),
                    label(&o.id),
                    o.kind.label()
                );
            }
            for (from, to, text) in &edges {
                let _ = writeln!(out, "    {from} -->|\"{}\"| {to}", label(text));
            }
            for o in s
                .outcomes
                .iter()
                .filter(|o| matches!(o.trigger, Trigger::Anytime | Trigger::OnTimeout))
            {
                let _ = writeln!(
                    out,
                    "    %% {} can happen {}",
                    o.id,
                    if o.trigger == Trigger::Anytime {
                        "after any turn"
                    } else {
                        "at the turn limit"
                    }
                );
            }
        }
        GraphFormat::Dot => {
            let _ = writeln!(out, "digraph \"{}\" {{\n    rankdir=TB;", label(&s.id));
            for step in &s.steps {
                let style = if step.id == s.start { ", style=bold" } else { "" };
                let _ = writeln!(
                    out,
                    "    step_{} [shape=box, label=\"{}\"{style}];",
                    node(&step.id),
                    label(&step.id)
                );
            }
            for o in &s.outcomes {
                let _ = writeln!(
                    out,
                    "    out_{} [shape=ellipse, label=\"{}\\n{}\"];",
                    node(&o.id),
                    label(&o.id),
                    o.kind.label()
                );
            }
            for (from, to, text) in &edges {
                let _ = writeln!(out, "    {from} -> {to} [label=\"{}\"];", label(text));
            }
            let _ = writeln!(out, "}}");
        }
    }
    out
}
