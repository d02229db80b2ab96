//! `routemap critical-path [CODE]`: the chain that sets an outcome's date, step by step.

use super::output::{Format, Rendered};
use super::render::Terminal;
use super::render::{self, Render, not_written};
use crate::error::Error;
use chrono::NaiveDate;
use serde::Serialize;

use super::check::ModelInfo;
use super::text::{self, cell};
use super::{Evaluated, RulesInfo};
use crate::assess::OutcomeResult;
use crate::schedule;

/// The JSON contract of `routemap critical-path CODE --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct CriticalPath {
    /// The outcome code.
    pub outcome: String,
    /// Its forecast finish, or null.
    pub forecast: Option<NaiveDate>,
    /// Deadline minus forecast, or null.
    pub slack_days: Option<i64>,
    /// The node ids, root cause first.
    pub path: Vec<String>,
    /// Each step in detail.
    pub steps: Vec<Step>,
    /// Which model (on a path written on its own, or each path of a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelInfo>,
    /// Which rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<RulesInfo>,
}

/// One step of the path.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Node id.
    pub id: String,
    /// outcome, task, project or milestone.
    pub kind: String,
    /// What it is.
    pub label: String,
    /// Forecast finish.
    pub forecast: Option<NaiveDate>,
    /// Latest finish that still meets every deadline it feeds.
    pub latest: Option<NaiveDate>,
    /// Latest minus forecast.
    pub slack_days: Option<i64>,
    /// Who is responsible.
    pub owner: Option<String>,
    /// The assumption behind its date, if the rules supplied it.
    pub assumption: Option<String>,
    /// What its date rests on: `stated` (its own target sets it), `derived` (what it waits on
    /// sets it, on stated dates) or `assumed` (a rule's assumption on the chain up to it).
    pub basis: crate::assess::DateBasis,
}

impl CriticalPath {
    /// The path of one outcome.
    pub fn new(e: &Evaluated, r: &OutcomeResult) -> Self {
        let a = e.assessment;
        use crate::assess::DateBasis;
        let steps = r
            .drivers
            .iter()
            .enumerate()
            .map(|(k, &n)| {
                let i = n.index();
                let assumed =
                    r.drivers[..=k].iter().any(|d| a.basis.assumption[d.index()].is_some());
                let basis = match (assumed, k) {
                    (true, _) => DateBasis::Assumed,
                    (false, 0) => DateBasis::Stated,
                    (false, _) => DateBasis::Derived,
                };
                Step {
                    basis,
                    id: e.id(n).to_string(),
                    kind: e.graph.dag[n].kind.as_str().to_string(),
                    label: e.label(n),
                    forecast: a.forecast[i],
                    latest: a.latest[i],
                    slack_days: schedule::slack(a.latest[i], a.forecast[i]),
                    owner: e.owner(n),
                    assumption: a.basis.assumption[i].clone(),
                }
            })
            .collect();
        CriticalPath {
            outcome: e.id(r.node).to_string(),
            forecast: r.forecast,
            slack_days: r.slack_days,
            path: r.drivers.iter().map(|n| e.id(*n).to_string()).collect(),
            steps,
            model: None,
            rules: None,
        }
    }

    /// The path of one outcome as a command's whole output: with the model and rules named.
    pub fn top(e: &Evaluated, r: &OutcomeResult) -> Self {
        CriticalPath {
            model: Some(ModelInfo::new(e.model)),
            rules: Some(e.rules_info()),
            ..CriticalPath::new(e, r)
        }
    }

    /// A readable table of the steps, under a heading naming the outcome.
    pub fn table(&self, e: &Evaluated, r: &OutcomeResult, t: &Terminal) -> String {
        let colour = t.colour;
        let title = &e.model.outcomes[r.node.index()].title;
        let floor = e.assessment.floor[r.node.index()];
        let (forecast, slack) = match (r.forecast, floor) {
            (Some(f), _) => (text::short_date(f), text::slack_words(r.slack_days)),
            (None, Some(floor)) if floor > r.deadline => (
                format!("unknown (not before {})", text::short_date(floor)),
                format!("at least {} late", text::days((floor - r.deadline).num_days())),
            ),
            (None, Some(floor)) => (
                format!("unknown (not before {})", text::short_date(floor)),
                "slack unknown".into(),
            ),
            (None, None) => ("unknown".to_string(), "slack unknown".to_string()),
        };
        let mut out = format!(
            "{} {} — {}\n  deadline {}, forecast {forecast}, {slack}\n\n{}",
            self.outcome,
            colour.standing(r.standing, super::standing::status_words(r.standing)),
            text::clip(title, 70),
            text::short_date(r.deadline),
            self.steps_table(e, r, t)
        );
        let assumed: Vec<&str> =
            self.steps.iter().filter_map(|s| s.assumption.as_deref()).collect();
        if !assumed.is_empty() {
            out.push_str("\n  assumed:\n");
            for a in assumed {
                out.push_str(&format!("  - {a}\n"));
            }
        }
        out
    }

    /// The steps alone.
    pub fn steps_table(&self, e: &Evaluated, r: &OutcomeResult, t: &Terminal) -> String {
        let a = e.assessment;
        let rows: Vec<Vec<(String, String)>> = r
            .drivers
            .iter()
            .zip(&self.steps)
            .map(|(&n, s)| {
                vec![
                    cell(&s.id),
                    cell(&s.kind),
                    cell(text::opt_date(a.forecast[n.index()])),
                    cell(a.latest[n.index()].map_or("-".to_string(), text::short_date)),
                    cell(text::opt_days(s.slack_days)),
                    cell(s.owner.clone().unwrap_or_else(|| "-".into())),
                    cell(text::clip(&s.label, 50)),
                ]
            })
            .collect();
        text::table(t, &["step", "kind", "forecast", "latest", "slack", "owner", "what"], &rows)
    }
}

const CSV_HEADERS: [&str; 10] = [
    "outcome",
    "step",
    "id",
    "kind",
    "forecast",
    "latest",
    "slack_days",
    "owner",
    "assumption",
    "label",
];

fn plain_rows(paths: &[CriticalPath]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for p in paths {
        for (i, s) in p.steps.iter().enumerate() {
            rows.push(vec![
                p.outcome.clone(),
                (i + 1).to_string(),
                s.id.clone(),
                s.kind.clone(),
                text::or_blank(s.forecast),
                text::or_blank(s.latest),
                text::or_blank(s.slack_days),
                s.owner.clone().unwrap_or_default(),
                s.assumption.clone().unwrap_or_default(),
                s.label.clone(),
            ]);
        }
    }
    rows
}

/// CSV: one row per step of each path, root cause first.
pub fn csv(paths: &[CriticalPath]) -> String {
    text::csv(&CSV_HEADERS, &plain_rows(paths))
}

/// Markdown: one table of every step of each path.
pub fn markdown(e: &Evaluated, paths: &[CriticalPath]) -> String {
    format!(
        "## Critical paths\n\n{}\n\n{}",
        e.provenance_md(),
        text::markdown(&CSV_HEADERS, &plain_rows(paths))
    )
}

/// `critical-path`: one outcome's path, or every outcome's.
pub struct CriticalPaths<'a> {
    e: Evaluated<'a>,
    chosen: Vec<&'a OutcomeResult>,
    paths: Vec<CriticalPath>,
    one: bool,
}

impl<'a> CriticalPaths<'a> {
    /// The paths of `chosen`; `one` when a single outcome was asked for (its JSON is one object,
    /// not a list).
    pub fn new(e: Evaluated<'a>, chosen: Vec<&'a OutcomeResult>, one: bool) -> Self {
        let paths = chosen.iter().map(|r| CriticalPath::top(&e, r)).collect();
        CriticalPaths { e, chosen, paths, one }
    }
}

impl Render for CriticalPaths<'_> {
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json, Format::Csv, Format::Md];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        let (e, paths) = (&self.e, &self.paths);
        render::text(match format {
            Format::Table => paths
                .iter()
                .zip(&self.chosen)
                .map(|(p, r)| p.table(e, r, t))
                .collect::<Vec<_>>()
                .join("\n"),
            Format::Json if self.one => super::json::to_string(&paths[0]),
            Format::Json => super::json::to_string(paths),
            Format::Csv => csv(paths),
            Format::Md => markdown(e, paths),
            Format::Html | Format::Svg | Format::Dot | Format::Mermaid | Format::Docx => {
                return Err(not_written(format));
            }
        })
    }
}
