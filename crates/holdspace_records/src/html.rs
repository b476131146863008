//! The self-contained HTML report a coach opens in any browser: the outcome, the
//! escalation and trust curves (inline SVG in the band colours), every turn with the
//! reasons, the hidden need and its cues, delivery and skills against earlier attempts,
//! and the trainee's reflections. No scripts, no external files.

use std::fmt::Write as _;

use holdspace_core::debrief::skills::{Attempt, SkillScores};
use holdspace_core::debrief::{CurvePoint, Debrief, DeliveryAverage, DeliverySummary};
use holdspace_core::engine::journal::SessionMeta;
use holdspace_core::engine::record::SessionRecord;
use holdspace_core::engine::state::Band;

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A band's colour as `#rrggbb`.
pub fn band_hex(band: Band) -> String {
    let [r, g, b] = band.rgb();
    let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    format!("#{:02x}{:02x}{:02x}", byte(r), byte(g), byte(b))
}

const BANDS: [Band; 5] = [Band::Calm, Band::Uneasy, Band::Frustrated, Band::Angry, Band::Hostile];

/// The escalation (solid, band-coloured points) and trust (dashed) curves as SVG.
pub fn chart_svg(curve: &[CurvePoint], turning: &[u32]) -> String {
    let (w, h, left, right, top, bottom) = (760.0_f32, 280.0_f32, 70.0_f32, 20.0_f32, 14.0_f32, 36.0_f32);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let last = curve.last().map_or(1, |p| p.turn.max(1)) as f32;
    let x = |turn: u32| left + plot_w * turn as f32 / last;
    let y = |v: f32| top + plot_h * (1.0 - v.clamp(0.0, 1.0));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="Escalation and trust after each turn" xmlns="http://www.w3.org/2000/svg">"#
    );
    // Band stripes, calm at the bottom.
    for (i, band) in BANDS.iter().enumerate() {
        let lo = i as f32 * 0.2;
        let _ = write!(
            s,
            r#"<rect x="{left}" y="{:.1}" width="{plot_w}" height="{:.1}" fill="{}" fill-opacity="0.16"/><text x="{:.1}" y="{:.1}" class="axis" text-anchor="end">{}</text>"#,
            y(lo + 0.2),
            plot_h * 0.2,
            band_hex(*band),
            left - 6.0,
            y(lo + 0.1) + 4.0,
            band.label()
        );
    }
    for p in curve {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="axis" text-anchor="middle">{}</text>"#,
            x(p.turn),
            h - bottom + 18.0,
            if p.turn == 0 {
                "start".to_owned()
            } else {
                p.turn.to_string()
            }
        );
    }
    let line = |value: fn(&CurvePoint) -> f32| -> String {
        curve
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.turn), y(value(p))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let _ = write!(
        s,
        r##"<polyline points="{}" fill="none" stroke="#5b8fd6" stroke-width="2" stroke-dasharray="6 4"/>"##,
        line(|p| p.trust)
    );
    let _ = write!(
        s,
        r##"<polyline points="{}" fill="none" stroke="#333" stroke-width="2.5"/>"##,
        line(|p| p.escalation)
    );
    for p in curve {
        if turning.contains(&p.turn) {
            let _ = write!(
                s,
                r##"<circle cx="{:.1}" cy="{:.1}" r="11" fill="none" stroke="#222" stroke-width="1.5"/>"##,
                x(p.turn),
                y(p.escalation)
            );
        }
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="6.5" fill="{}" stroke="#222" stroke-width="1"><title>Turn {}: {} (escalation {:.2}, trust {:.2})</title></circle>"##,
            x(p.turn),
            y(p.escalation),
            band_hex(p.band),
            p.turn,
            p.band.label(),
            p.escalation,
            p.trust
        );
    }
    s.push_str("</svg>");
    s
}

fn delivery_rows(now: &DeliverySummary, earlier: Option<&DeliveryAverage>) -> String {
    let mut s = String::new();
    for row in now.rows(earlier) {
        let _ = write!(
            s,
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            row.name,
            escape(&row.now),
            escape(row.before.as_deref().unwrap_or("first attempt"))
        );
    }
    s
}

/// The whole report.
pub fn report(
    debrief: &Debrief,
    record: &SessionRecord,
    meta: &SessionMeta,
    skills: &SkillScores,
    earlier: &[Attempt],
) -> String {
    let mut s = String::new();
    let outcome_class = match debrief.outcome.as_ref().map(|o| o.kind) {
        Some(holdspace_core::scenario::model::OutcomeKind::Resolved) => "good",
        Some(holdspace_core::scenario::model::OutcomeKind::SurfaceOnly) => "surface",
        Some(_) => "bad",
        None => "cut",
    };
    let _ = write!(
        s,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} — {who} — Holdspace debrief</title><style>{STYLE}</style></head><body><main>"#,
        title = escape(&debrief.title),
        who = escape(&meta.profile)
    );
    let _ = write!(
        s,
        r#"<header><p class="kicker">Holdspace debrief</p><h1>{}</h1><p class="meta">{} · {} · {} mode · seed {} · session {}</p></header>"#,
        escape(&debrief.title),
        escape(&meta.profile),
        escape(&meta.started_at),
        if record.mode == holdspace_core::Mode::Open {
            "open"
        } else {
            "guided"
        },
        record.seed,
        escape(&meta.session_id)
    );
    let outcome_text = debrief
        .outcome
        .as_ref()
        .map_or("The conversation was not finished.", |o| o.debrief.as_str());
    let _ = write!(
        s,
        r#"<section class="outcome {outcome_class}"><h2>{}</h2><p>{}</p></section>"#,
        escape(&debrief.headline()),
        escape(outcome_text)
    );

    let turning: Vec<u32> = debrief.turning_points.iter().map(|t| t.turn).collect();
    let _ = write!(
        s,
        r#"<section><h2>How {} felt, turn by turn</h2>{}<p class="legend"><span class="swatch esc"></span> escalation (points in the band colour; circled: turning points) <span class="swatch trust"></span> trust</p></section>"#,
        escape(&debrief.customer),
        chart_svg(&debrief.curve, &turning)
    );

    s.push_str(r#"<section><h2>Every turn</h2><table class="turns"><thead><tr><th>#</th><th>Customer</th><th>You</th><th>Change and why</th></tr></thead><tbody>"#);
    for t in &debrief.turns {
        let how = t.delivery.describe();
        let reasons: String = t
            .reasons
            .iter()
            .map(|r| format!("<li>{:+.2} {}</li>", r.escalation, escape(&r.note)))
            .collect();
        let better = t
            .better_move
            .as_ref()
            .map(|b| format!(r#"<p class="better">Better here: {}</p>"#, escape(b)))
            .unwrap_or_default();
        // The customer's answer, where a line was written for what the trainee did.
        let answered: String = t
            .answered
            .iter()
            .map(|a| {
                format!(
                    r#"<p class="how">They answered: “{}” ({})</p>"#,
                    escape(&a.text),
                    escape(&a.why)
                )
            })
            .collect();
        let better = format!("{answered}{better}");
        let _ = write!(
            s,
            r#"<tr class="{}"><td>{}</td><td>{}</td><td>“{}”<div class="how">{}</div></td><td><span class="band" style="background:{}">{}</span> → <span class="band" style="background:{}">{}</span><ul>{}</ul>{}</td></tr>"#,
            if turning.contains(&t.turn) { "turning" } else { "" },
            t.turn,
            escape(&t.customer_said),
            escape(&t.trainee_said),
            escape(&how.join(" · ")),
            band_hex(t.before.band),
            t.before.band.label(),
            band_hex(t.after.band),
            t.after.band.label(),
            reasons,
            better
        );
    }
    s.push_str("</tbody></table></section>");

    // What the coach did, so the trainee knows which moves were not theirs.
    if !debrief.coach.is_empty() {
        s.push_str(r#"<section><h2>What your coach did</h2><ul class="coach">"#);
        for note in &debrief.coach {
            let _ = write!(s, "<li>{}</li>", escape(&note.text));
        }
        s.push_str("</ul></section>");
    }

    let need = &debrief.hidden_need;
    let found = match (need.revealed_on_turn, need.addressed) {
        (Some(turn), true) => format!("Found on turn {turn}, and met."),
        (Some(turn), false) => format!("Found on turn {turn}, but not acted on."),
        (None, _) => "Not found.".to_owned(),
    };
    let _ = write!(
        s,
        r#"<section><h2>What was really going on</h2><p>{}</p><p class="found">{}</p><ul class="cues">"#,
        escape(&need.summary),
        escape(&found)
    );
    for cue in &debrief.cues {
        let (status, class) = match (cue.shown_after_turn, cue.noticed_on_turn) {
            (None, _) => ("not given".to_owned(), "muted"),
            (Some(_), Some(n)) => (format!("picked up on turn {n}"), "good"),
            (Some(0), None) => ("given in the opening, missed".to_owned(), "bad"),
            (Some(after), None) => (format!("given after turn {after}, missed"), "bad"),
        };
        let _ = write!(
            s,
            r#"<li class="{class}">{} — {}</li>"#,
            escape(&cue.description),
            escape(&status)
        );
    }
    s.push_str("</ul></section>");

    let earlier_delivery = DeliverySummary::average(earlier.iter().map(|a| &a.delivery));
    let _ = write!(
        s,
        r#"<section class="two"><div><h2>How you spoke</h2><table><thead><tr><th></th><th>This time</th><th>Your earlier attempts</th></tr></thead><tbody>{}</tbody></table></div>"#,
        delivery_rows(&debrief.delivery, earlier_delivery.as_ref())
    );
    s.push_str(r#"<div><h2>Skills</h2><table><thead><tr><th></th><th>This time</th><th>Your earlier attempts</th></tr></thead><tbody>"#);
    for row in skills.rows(earlier) {
        let bar = row.share.map_or_else(String::new, |v| {
            format!(
                r#"<span class="bar"><span style="width:{:.0}%"></span></span>"#,
                v * 100.0
            )
        });
        let _ = write!(
            s,
            "<tr><th>{}</th><td>{} {}</td><td>{}</td></tr>",
            row.skill.label(),
            bar,
            row.now,
            row.before.as_deref().unwrap_or("first attempt")
        );
    }
    s.push_str("</tbody></table></div></section>");

    s.push_str("<section><h2>Reflection</h2><ol class=\"reflection\">");
    for q in &debrief.reflection {
        let answer = record.reflections.iter().find(|a| &a.question == q).map_or_else(
            || r#"<p class="muted">Not answered.</p>"#.to_owned(),
            |a| format!("<blockquote>{}</blockquote>", escape(&a.answer)),
        );
        let _ = write!(s, "<li><p>{}</p>{answer}</li>", escape(q));
    }
    s.push_str("</ol></section>");
    let _ = write!(
        s,
        r#"<footer>Made by Holdspace {} from the session record. Scores are a coaching aid, not an assessment of the person.</footer></main></body></html>"#,
        escape(&meta.app_version)
    );
    s
}

const STYLE: &str = r#"
body{margin:0;background:#f4f1ec;color:#222;font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:980px;margin:0 auto;padding:24px}
h1{margin:.1em 0;font-size:1.9em}h2{font-size:1.2em;margin:0 0 .5em}
.kicker{margin:0;color:#8a6d3b;text-transform:uppercase;letter-spacing:.08em;font-size:.8em}
.meta{color:#666;font-size:.9em;margin:.2em 0 0}
section{background:#fff;border-radius:10px;padding:16px 20px;margin:16px 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.outcome{border-left:8px solid #999}.outcome.good{border-color:#5cb885}.outcome.surface{border-color:#e0a030}.outcome.bad{border-color:#d04040}
.chart{max-width:100%;height:auto}.chart .axis{font-size:12px;fill:#555}
.legend{color:#555;font-size:.9em}.swatch{display:inline-block;width:28px;height:0;vertical-align:middle;margin:0 4px 0 12px}
.swatch.esc{border-top:3px solid #333}.swatch.trust{border-top:3px dashed #5b8fd6}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #eee}
.turns tr.turning{background:#fff6e0}.turns ul{margin:.3em 0 0;padding-left:1.1em;font-size:.9em;color:#444}
.how{color:#777;font-size:.85em}.better{color:#8a5a00;font-size:.9em;margin:.3em 0 0}
.band{display:inline-block;padding:0 8px;border-radius:9px;color:#111;font-size:.85em}
.cues li.good{color:#2a7a4a}.cues li.bad{color:#b03030}.muted{color:#888}.found{font-weight:600}
.two{display:grid;grid-template-columns:1fr 1fr;gap:24px}
.bar{display:inline-block;width:80px;height:8px;background:#eee;border-radius:4px;vertical-align:middle}.bar span{display:block;height:8px;background:#5b8fd6;border-radius:4px}
blockquote{margin:.3em 0 .8em;padding:.4em .8em;border-left:4px solid #5b8fd6;background:#f3f7fd}
footer{color:#777;font-size:.85em;text-align:center;margin:24px 0}
@media print{body{background:#fff}section{box-shadow:none;border:1px solid #ddd}}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_bands_have_their_colours() {
        assert_eq!(
            escape(r#"<b>"Tom" & 'Jo'</b>"#),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jo&#39;&lt;/b&gt;"
        );
        assert_eq!(band_hex(Band::Hostile), "#db3838");
    }

    #[test]
    fn the_chart_has_a_point_per_turn_and_rings_the_turning_points() {
        let curve: Vec<CurvePoint> = (0..4)
            .map(|turn| CurvePoint {
                turn,
                escalation: 0.2 * turn as f32,
                trust: 0.5,
                band: Band::of(0.2 * turn as f32),
            })
            .collect();
        let svg = chart_svg(&curve, &[2]);
        assert_eq!(svg.matches("<title>Turn").count(), 4);
        assert_eq!(svg.matches(r#"r="11""#).count(), 1);
        assert!(svg.contains(&band_hex(Band::Angry)));
    }
}
