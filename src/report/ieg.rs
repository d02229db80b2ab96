//! `routemap ieg-return`: the priority-outcome self-assessment a council submits with its IEG
//! return, one line per outcome, with the BVPI 157 forecast: CSV for a spreadsheet, Markdown for
//! a Cabinet report, JSON for programs.

use super::output::{Format, Rendered};
use super::render::Terminal;
use super::render::{self, Render, not_written};
use crate::assess::Standing;
use crate::error::Error;
use crate::model::Category;
use chrono::NaiveDate;
use serde::Serialize;

use super::check::ModelInfo;
use super::text;
use super::{Evaluated, RulesInfo};
use crate::assess::OutcomeResult;
use crate::bvpi::BvpiForecast;

/// The JSON contract of `routemap ieg-return --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct IegReturn {
    /// The date the routemap was judged on.
    pub as_of: NaiveDate,
    /// The council.
    pub council: String,
    /// Every outcome, R1..R29 then G1..G25.
    pub outcomes: Vec<ReturnLine>,
    /// The BVPI 157 forecast, or null when the model has no BVPI 157 table.
    pub bvpi157: Option<BvpiLine>,
    /// Which model.
    pub model: ModelInfo,
    /// Which rules.
    pub rules: RulesInfo,
}

/// One outcome of the return.
#[derive(Debug, Clone, Serialize)]
pub struct ReturnLine {
    /// `R8`.
    pub code: String,
    /// Its title.
    pub title: String,
    /// `required` or `good`.
    pub category: Category,
    /// The council's position, in the return's words (`rules/ieg.rhai`).
    pub position: String,
    /// The forecast's status: achieved, on_track, at_risk, off_track or unknown.
    pub status: Standing,
    /// Its deadline.
    pub deadline: NaiveDate,
    /// The date it is expected to be achieved (its forecast), or null.
    pub expected: Option<NaiveDate>,
    /// Where there is no forecast, the earliest it can be achieved from the dates known.
    pub no_earlier_than: Option<NaiveDate>,
    /// A short line of evidence: tasks complete, slack, and the work that sets the date.
    pub evidence: String,
}

/// The BVPI 157 figures of the return.
#[derive(Debug, Clone, Serialize)]
pub struct BvpiLine {
    /// The share enabled when the routemap was written.
    pub baseline_percent: u32,
    /// The target.
    pub target_percent: u32,
    /// Its deadline.
    pub deadline: NaiveDate,
    /// The percentage forecast enabled on the deadline.
    pub forecast_percent_at_deadline: u32,
    /// The interaction groups not forecast enabled by the deadline.
    pub missed: Vec<String>,
}

/// The evidence for an outcome's position, and for a position that rests on the rules'
/// assumptions, what they assumed.
fn evidence(e: &Evaluated, r: &OutcomeResult) -> String {
    let mut out = dated_evidence(e, r);
    if r.basis == crate::assess::DateBasis::Assumed && r.standing != Standing::NotApplicable {
        let assumed: Vec<&str> = r
            .assumptions
            .iter()
            .filter_map(|n| e.assessment.basis.assumption[n.index()].as_deref())
            .collect();
        if assumed.is_empty() {
            out.push_str(&format!("; this position rests on the rules' assumption: {}", r.reason));
        } else {
            out.push_str(&format!(
                "; this position rests on the rules' assumptions, not the Council's own dates: {}",
                assumed.join("; ")
            ));
        }
    }
    out
}

fn dated_evidence(e: &Evaluated, r: &OutcomeResult) -> String {
    let v = &r.facts;
    if r.standing == Standing::NotApplicable {
        return r.reason.clone();
    }
    if v.tasks_total == 0 {
        // The rules' own words for an outcome nothing in the routemap delivers.
        return r.reason.clone();
    }
    let open = v.tasks_total - v.tasks_complete;
    if r.standing == Standing::Achieved && open > 0 && v.council_tasks == v.council_tasks_complete {
        return format!(
            "the Council's {} task(s) complete; {open} task(s) a partnership leads still open",
            v.council_tasks
        );
    }
    let tasks = format!("{} of {} tasks complete", v.tasks_complete, v.tasks_total);
    let chain: Vec<&str> = r.drivers.iter().filter(|n| **n != r.node).map(|n| e.id(*n)).collect();
    let set_by =
        if chain.is_empty() { String::new() } else { format!(", set by {}", chain.join(" > ")) };
    let floor = e.assessment.floor[r.node.index()];
    match (r.forecast, floor) {
        (Some(f), _) if v.tasks_total > 0 && v.tasks_complete == v.tasks_total => {
            format!("{tasks}, the last by {}", text::short_date(f))
        }
        (Some(f), _) => format!(
            "{tasks}; forecast {} ({}){set_by}",
            text::short_date(f),
            text::slack_words(r.slack_days)
        ),
        (None, Some(d)) => {
            format!("{tasks}; no forecast, not before {}{set_by}", text::short_date(d))
        }
        (None, None) => format!("{tasks}; no forecast{set_by}"),
    }
}

impl IegReturn {
    /// The return from the forecast, the rules' positions (one per outcome, in order) and the
    /// BVPI 157 forecast.
    pub fn new(e: &Evaluated, positions: &[String], bvpi: Option<&BvpiForecast>) -> Self {
        let outcomes = e
            .assessment
            .outcomes
            .iter()
            .zip(positions)
            .map(|(r, position)| {
                let o = e.model.outcome(e.id(r.node));
                ReturnLine {
                    code: e.id(r.node).to_string(),
                    title: o.map(|o| o.title.clone()).unwrap_or_default(),
                    category: r.category,
                    position: position.clone(),
                    status: r.standing,
                    deadline: r.deadline,
                    expected: r.forecast,
                    no_earlier_than: r
                        .forecast
                        .is_none()
                        .then(|| e.assessment.floor[r.node.index()])
                        .flatten(),
                    evidence: evidence(e, r),
                }
            })
            .collect();
        IegReturn {
            as_of: e.assessment.basis.as_of,
            council: e.model.document.council.clone(),
            outcomes,
            bvpi157: bvpi.map(|f| BvpiLine {
                baseline_percent: f.baseline_percent,
                target_percent: f.target_percent,
                deadline: f.deadline,
                forecast_percent_at_deadline: f.percent_at_deadline,
                missed: f
                    .groups
                    .iter()
                    .filter(|g| !g.on_time)
                    .map(|g| g.interaction.clone())
                    .collect(),
            }),
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
        }
    }

    fn expected_text(l: &ReturnLine) -> String {
        match (l.expected, l.no_earlier_than) {
            (Some(d), _) => text::long_date(d),
            (None, Some(d)) => format!("not before {}", text::long_date(d)),
            (None, None) => "not known".to_string(),
        }
    }

    /// CSV, one row per outcome, ready to load into a spreadsheet.
    pub fn csv(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .outcomes
            .iter()
            .map(|l| {
                vec![
                    l.code.clone(),
                    l.category.as_str().to_string(),
                    l.title.clone(),
                    l.position.clone(),
                    l.status.as_str().to_string(),
                    l.deadline.to_string(),
                    text::or_blank(l.expected),
                    text::or_blank(l.no_earlier_than),
                    l.evidence.clone(),
                ]
            })
            .collect();
        text::csv(
            &[
                "code",
                "category",
                "title",
                "position",
                "status",
                "deadline",
                "expected",
                "no_earlier_than",
                "evidence",
            ],
            &rows,
        )
    }

    /// Markdown for a Cabinet report: BVPI 157 first, then Required and Good outcomes.
    pub fn markdown(&self, e: &Evaluated) -> String {
        let mut out = format!("## IEG return: priority outcomes\n\n{}\n\n", e.provenance_md());
        match &self.bvpi157 {
            Some(b) => {
                let missed = if b.missed.is_empty() {
                    "every interaction group is forecast enabled by then".to_string()
                } else {
                    format!("not forecast enabled by then: {}", b.missed.join("; "))
                };
                out.push_str(&format!(
                    "**BVPI 157:** {}% of customer-facing processes forecast e-enabled on {}, against a target of {}% ({}% in the baseline); {}.\n\n",
                    b.forecast_percent_at_deadline,
                    text::long_date(b.deadline),
                    b.target_percent,
                    b.baseline_percent,
                    text::md_cell(&missed),
                ));
            }
            None => out.push_str("**BVPI 157:** the model has no BVPI 157 table.\n\n"),
        }
        for (category, heading) in
            [(Category::Required, "Required outcomes"), (Category::Good, "Good outcomes")]
        {
            let rows: Vec<Vec<String>> = self
                .outcomes
                .iter()
                .filter(|l| l.category == category)
                .map(|l| {
                    vec![
                        l.code.clone(),
                        l.title.clone(),
                        l.position.clone(),
                        Self::expected_text(l),
                        l.evidence.clone(),
                    ]
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            out.push_str(&format!("### {heading}\n\n"));
            out.push_str(&text::markdown(
                &["Code", "Outcome", "Position", "Expected", "Evidence"],
                &rows,
            ));
            out.push('\n');
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }

    /// Aligned text: each outcome's position, status and expected date, worst first.
    pub fn table(&self, e: &Evaluated, t: &Terminal) -> String {
        let colour = t.colour;
        let mut order: Vec<usize> = (0..self.outcomes.len()).collect();
        order.sort_by_key(|&i| super::standing::worst_first(e.assessment.outcomes[i].standing));
        let rows: Vec<Vec<(String, String)>> = order
            .into_iter()
            .map(|i| {
                let l = &self.outcomes[i];
                vec![
                    text::cell(&l.code),
                    colour.status_cell(e.assessment.outcomes[i].standing),
                    text::cell(&l.position),
                    text::cell(Self::expected_text(l)),
                    text::cell(&l.title),
                ]
            })
            .collect();
        format!(
            "IEG return: priority outcomes: {}\n\n{}",
            e.provenance(),
            text::table(t, &["code", "status", "position", "expected", "outcome"], &rows)
        )
    }
}

/// `ieg-return`: the return with the routemap it was written from.
pub struct IegReport<'a> {
    /// The routemap.
    pub e: Evaluated<'a>,
    /// The return.
    pub r: IegReturn,
}

impl Render for IegReport<'_> {
    const FORMATS: &'static [Format] = &[Format::Csv, Format::Table, Format::Json, Format::Md];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        render::text(match format {
            Format::Csv => self.r.csv(),
            Format::Table => self.r.table(&self.e, t),
            Format::Json => super::json::to_string(&self.r),
            Format::Md => self.r.markdown(&self.e),
            Format::Html | Format::Svg | Format::Dot | Format::Mermaid | Format::Docx => {
                return Err(not_written(format));
            }
        })
    }
}
