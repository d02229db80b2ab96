//! `routemap sensitivity`: each piece of work slipped alone by each amount, worst first.

use super::output::{Format, Rendered};
use super::render::Terminal;
use super::render::{self, Render, not_written};
use crate::error::Error;
use chrono::NaiveDate;
use serde::Serialize;

use super::check::ModelInfo;
use super::text::{self, cell};
use super::{Evaluated, RulesInfo};
use crate::model::Span;
use crate::scenario::{Damage, EXPOSURE_RANK_GBP, Sensitivity};

/// The JSON of `routemap sensitivity --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct SensitivityOut {
    /// The date the routemap was judged on.
    pub as_of: NaiveDate,
    /// The slips tried, as written.
    pub by: Vec<String>,
    /// What the rank is based on, in words.
    pub ranked_by: String,
    /// Exposure is compared, for the rank only, in pounds rounded to the nearest this many.
    pub rank_exposure_rounded_to_gbp: i64,
    /// Every piece of work slipped, worst first.
    pub work: Vec<CandidateLine>,
    /// Which model.
    pub model: ModelInfo,
    /// Which rules.
    pub rules: RulesInfo,
}

/// One piece of work.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateLine {
    /// Its id.
    pub id: String,
    /// task, project, national or milestone.
    pub kind: String,
    /// Its title or text.
    pub title: String,
    /// Who is responsible, where known.
    pub owner: Option<String>,
    /// The damage of each slip, in `by` order.
    pub damage: Vec<DamageLine>,
    /// Its place in the ranking, from 1.
    pub rank: usize,
    /// The smallest slip in `by` that does any damage, which the rank is based on first; null
    /// when none does.
    pub bites_at: Option<String>,
}

/// The damage of one slip.
#[derive(Debug, Clone, Serialize)]
pub struct DamageLine {
    /// The slip: `+3m`.
    pub slip: String,
    /// Required outcomes it turns off track.
    pub required_missed: usize,
    /// Days of delay it adds across every outcome's forecast.
    pub delay_days: i64,
    /// Pounds of funding exposure it adds.
    pub exposure_gbp: i64,
    /// Required outcomes whose status it changes for the worse.
    pub required_worse: usize,
    /// Good outcomes whose status it changes for the worse.
    pub good_worse: usize,
}

/// `+3m`, `+90d`, `+1m10d`.
pub fn span_text(s: Span) -> String {
    format!("+{s}")
}

impl SensitivityOut {
    /// Build the output struct.
    pub fn new(e: &Evaluated, spans: &[Span], results: &[Sensitivity]) -> Self {
        let by: Vec<String> = spans.iter().map(|s| span_text(*s)).collect();
        let work = results
            .iter()
            .enumerate()
            .map(|(i, r)| CandidateLine {
                id: e.id(r.node).to_string(),
                kind: e.graph.dag[r.node].kind.as_str().to_string(),
                title: e.label(r.node),
                owner: e.owner(r.node),
                damage: r
                    .damage
                    .iter()
                    .zip(&by)
                    .map(|(d, slip)| DamageLine {
                        slip: slip.clone(),
                        required_missed: d.required_missed,
                        delay_days: d.delay_days,
                        exposure_gbp: d.exposure_gbp,
                        required_worse: d.required_worse,
                        good_worse: d.good_worse,
                    })
                    .collect(),
                rank: i + 1,
                bites_at: r.bites_at().map(|i| by[i].clone()),
            })
            .collect();
        SensitivityOut {
            as_of: e.assessment.basis.as_of,
            by,
            ranked_by: RANKED_BY.to_string(),
            rank_exposure_rounded_to_gbp: EXPOSURE_RANK_GBP,
            work,
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
        }
    }
}

fn damage_cell(d: &Damage) -> String {
    if d.is_none() {
        "-".to_string()
    } else {
        format!(
            "{}R {}G {}d {}",
            d.required_worse,
            d.good_worse,
            d.delay_days,
            text::gbp_change(d.exposure_gbp)
        )
    }
}

fn harmful(results: &[Sensitivity]) -> impl Iterator<Item = &Sensitivity> {
    results.iter().filter(|r| r.damage.iter().any(|d| !d.is_none()))
}

/// The smallest slip that does any damage, as written; `-` when none does.
fn bites(spans: &[Span], r: &Sensitivity) -> String {
    r.bites_at().map(|i| span_text(spans[i])).unwrap_or_else(|| "-".to_string())
}

fn rows(e: &Evaluated, spans: &[Span], results: &[Sensitivity], top: usize) -> Vec<Vec<String>> {
    harmful(results)
        .take(if top == 0 { usize::MAX } else { top })
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![
                (i + 1).to_string(),
                e.id(r.node).to_string(),
                text::clip(&e.owner(r.node).unwrap_or_default(), 24),
                bites(spans, r),
            ];
            row.extend(r.damage.iter().map(damage_cell));
            row
        })
        .collect()
}

fn headers(spans: &[Span]) -> Vec<String> {
    let mut h = vec!["#".to_string(), "work".to_string(), "owner".to_string(), "bites".to_string()];
    h.extend(spans.iter().map(|s| span_text(*s)));
    h
}

fn footer(results: &[Sensitivity], shown: usize, spans: &[Span]) -> String {
    let harmful = harmful(results).count();
    let mut out = String::new();
    if harmful > shown {
        out.push_str(&format!(
            "{} more pieces of work do some damage (--top 0 shows all).\n",
            harmful - shown
        ));
    }
    let largest = spans.iter().map(|s| span_text(*s)).next_back().unwrap_or_default();
    out.push_str(&format!(
        "{} of {} pieces of work change nothing when slipped by up to {largest}.\n",
        results.len() - harmful,
        results.len()
    ));
    out
}

/// What the rank is based on, as the JSON's `ranked_by` says it.
const RANKED_BY: &str = "the smallest slip that does any damage (bites_at), earliest first; then \
the damage done there: Required outcomes whose status gets worse, then Good ones, then funding \
exposure added (to the nearest £1,000), then days of delay; then the exposure added at each \
larger slip in turn (to the nearest £1,000); then model order";

const KEY: &str = "Ranked by where each bites (the smallest slip that does any damage), earliest \
first; then by the damage done there: Required outcomes whose status gets worse, then Good ones, \
then funding exposure added (to the nearest £1,000, so a few pounds never decide a rank), then \
days of delay; then by the exposure added at the larger slips; then model order. Each cell: \
Required (R) and Good (G) outcomes whose status gets worse, days of delay added across every \
outcome's forecast (d), and funding exposure added.";

/// The tornado table for people.
pub fn table(
    e: &Evaluated,
    spans: &[Span],
    results: &[Sensitivity],
    top: usize,
    t: &Terminal,
) -> String {
    let mut out = text::wrap_lines(
        &format!(
            "Slip sensitivity: {}\nEach piece of work slipped alone, worst first. {KEY}\n\n",
            e.provenance()
        ),
        t.width,
    );
    let rows = rows(e, spans, results, top);
    let h = headers(spans);
    let h: Vec<&str> = h.iter().map(String::as_str).collect();
    let cells: Vec<Vec<(String, String)>> =
        rows.iter().map(|r| r.iter().map(cell).collect()).collect();
    out.push_str(&text::table(t, &h, &cells));
    out.push('\n');
    out.push_str(&footer(results, rows.len(), spans));
    out
}

/// The same as Markdown.
pub fn markdown(e: &Evaluated, spans: &[Span], results: &[Sensitivity], top: usize) -> String {
    let mut out = format!("## Slip sensitivity\n\n{}\n\n{KEY}\n\n", e.provenance_md());
    let rows = rows(e, spans, results, top);
    let h = headers(spans);
    let h: Vec<&str> = h.iter().map(String::as_str).collect();
    out.push_str(&text::markdown(&h, &rows));
    out.push('\n');
    out.push_str(&footer(results, rows.len(), spans));
    out
}

/// CSV: every piece of work that does some damage, worst first, three columns per slip; then
/// where it bites and, per slip, the Required and Good outcomes it makes worse (added after the
/// first columns, which keep their places).
pub fn csv(e: &Evaluated, spans: &[Span], results: &[Sensitivity]) -> String {
    let mut h = vec!["rank".to_string(), "work".to_string(), "owner".to_string()];
    for s in spans {
        let s = span_text(*s);
        h.push(format!("{s} required_missed"));
        h.push(format!("{s} delay_days"));
        h.push(format!("{s} exposure_gbp"));
    }
    h.push("bites_at".to_string());
    for s in spans {
        let s = span_text(*s);
        h.push(format!("{s} required_worse"));
        h.push(format!("{s} good_worse"));
    }
    let rows: Vec<Vec<String>> = harmful(results)
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![
                (i + 1).to_string(),
                e.id(r.node).to_string(),
                e.owner(r.node).unwrap_or_default(),
            ];
            for d in &r.damage {
                row.push(d.required_missed.to_string());
                row.push(d.delay_days.to_string());
                row.push(d.exposure_gbp.to_string());
            }
            row.push(r.bites_at().map(|i| span_text(spans[i])).unwrap_or_default());
            for d in &r.damage {
                row.push(d.required_worse.to_string());
                row.push(d.good_worse.to_string());
            }
            row
        })
        .collect();
    let h: Vec<&str> = h.iter().map(String::as_str).collect();
    text::csv(&h, &rows)
}

/// `sensitivity`: every candidate slip's damage, ranked.
pub struct SensitivityReport<'a> {
    /// The baseline.
    pub e: Evaluated<'a>,
    /// The slips tried.
    pub spans: &'a [Span],
    /// What each did.
    pub results: &'a [Sensitivity],
    /// How many rows the table and Markdown show.
    pub top: usize,
}

impl Render for SensitivityReport<'_> {
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json, Format::Csv, Format::Md];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        let (e, spans, results) = (&self.e, self.spans, self.results);
        render::text(match format {
            Format::Table => table(e, spans, results, self.top, t),
            Format::Json => super::json::to_string(&SensitivityOut::new(e, spans, results)),
            Format::Csv => csv(e, spans, results),
            Format::Md => markdown(e, spans, results, self.top),
            Format::Html | Format::Svg | Format::Dot | Format::Mermaid | Format::Docx => {
                return Err(not_written(format));
            }
        })
    }
}
