//! `routemap what-if`: what moves when work slips, and what it costs; one scenario against the
//! baseline, or several side by side.

use super::escape::markdown as md_text;
use super::output::{Format, Rendered};
use super::render::Terminal;
use super::render::{self, Render, not_written};
use super::simulate::BesideOut;
use crate::error::Error;
use crate::model::Category;
use chrono::NaiveDate;
use petgraph::graph::NodeIndex;
use serde::Serialize;

use super::check::ModelInfo;
use super::forecast::Summary;
use super::text::{self, cell};
use super::{Evaluated, RulesInfo};
use crate::assess::{Assessment, OutcomeResult, Standing};
use crate::scenario::{self, Scenario};

/// The JSON contract of `routemap what-if --format json` (one scenario).
#[derive(Debug, Clone, Serialize)]
pub struct WhatIf {
    /// The scenario's name (`command line` for `--slip`).
    pub name: String,
    /// What it supposes, in words.
    pub description: Option<String>,
    /// The date the scenario was judged on; `changed` compares it with the routemap judged on
    /// the same date without its slips.
    pub as_of: NaiveDate,
    /// The slips, as given.
    pub slips: Vec<SlipLine>,
    /// Every outcome whose status, forecast or (where it has no forecast) earliest possible
    /// finish differs from the baseline, R1..R29 then G1..G25.
    pub changed: Vec<Changed>,
    /// Funding at risk before and after.
    pub exposure: ExposureChange,
    /// Counts by category and status, before and after.
    pub summary: SummaryChange,
    /// The BVPI 157 percentage on its deadline, before and after (absent when the model has no
    /// BVPI 157 table).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bvpi157: Option<BvpiChange>,
}

/// The BVPI 157 forecast before and after a scenario.
#[derive(Debug, Clone, Serialize)]
pub struct BvpiChange {
    /// The BVPI 157 deadline.
    pub deadline: NaiveDate,
    /// The percentage forecast enabled on the deadline in the baseline.
    pub baseline_percent_at_deadline: u32,
    /// ... and in the scenario.
    pub scenario_percent_at_deadline: u32,
    /// The difference, in percentage points.
    pub change_percent: i64,
    /// Every interaction group whose forecast enabled date differs, in table order.
    pub groups: Vec<GroupMoved>,
}

/// An interaction group whose forecast moved.
#[derive(Debug, Clone, Serialize)]
pub struct GroupMoved {
    /// The interaction type.
    pub interaction: String,
    /// Its forecast enabled date in the baseline, or null.
    pub baseline: Option<NaiveDate>,
    /// ... and in the scenario.
    pub scenario: Option<NaiveDate>,
}

impl BvpiChange {
    /// Compare the BVPI 157 forecast of a scenario with the baseline's.
    pub fn new(before: &crate::bvpi::BvpiForecast, after: &crate::bvpi::BvpiForecast) -> Self {
        BvpiChange {
            deadline: after.deadline,
            baseline_percent_at_deadline: before.percent_at_deadline,
            scenario_percent_at_deadline: after.percent_at_deadline,
            change_percent: i64::from(after.percent_at_deadline)
                - i64::from(before.percent_at_deadline),
            groups: before
                .groups
                .iter()
                .zip(&after.groups)
                .filter(|(b, a)| b.forecast != a.forecast)
                .map(|(b, a)| GroupMoved {
                    interaction: b.interaction.clone(),
                    baseline: b.forecast,
                    scenario: a.forecast,
                })
                .collect(),
        }
    }
}

/// One slip and how far it moved its work.
#[derive(Debug, Clone, Serialize)]
pub struct SlipLine {
    /// The work it names.
    pub id: String,
    /// The change as written: `+3m`, `2005-10-31`, `complete`.
    pub slip: String,
    /// Days the work's forecast finish moved (for an action: its last task's), or null when
    /// its forecast is unknown.
    pub days: Option<i64>,
    /// The work's forecast finish in the baseline (for an action: its last task's; null when
    /// any is unknown).
    pub from: Option<NaiveDate>,
    /// ... and in the scenario.
    pub to: Option<NaiveDate>,
}

/// An outcome that moved.
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    /// `R8`.
    pub code: String,
    /// `required` or `good`.
    pub category: Category,
    /// Its title.
    pub title: String,
    /// Before.
    pub baseline: State,
    /// After.
    pub scenario: State,
    /// Days the forecast moved (where both are unknown: the earliest possible finish), or null.
    pub days: Option<i64>,
    /// Whether the status changed.
    pub status_changed: bool,
    /// Whether the chain of work that sets its date changed.
    pub drivers_changed: bool,
    /// The slipped work on the scenario's chain, root cause first.
    pub slipped_drivers: Vec<String>,
}

/// An outcome's position in one assessment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct State {
    /// achieved, on_track, at_risk, off_track or unknown.
    pub status: Standing,
    /// Forecast finish, or null.
    pub forecast: Option<NaiveDate>,
    /// The earliest it can finish from the dates that are known (set even when `forecast` is
    /// null).
    pub no_earlier_than: Option<NaiveDate>,
    /// Deadline minus forecast, or null.
    pub slack_days: Option<i64>,
    /// The chain that sets the forecast, root cause first.
    pub drivers: Vec<String>,
}

/// Funding at risk before and after.
#[derive(Debug, Clone, Serialize)]
pub struct ExposureChange {
    /// Pounds at risk in the baseline.
    pub baseline_gbp: u64,
    /// Pounds at risk in the scenario.
    pub scenario_gbp: u64,
    /// The difference.
    pub change_gbp: i64,
}

/// Counts by status, before and after.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryChange {
    /// The baseline.
    pub baseline: Summary,
    /// The scenario.
    pub scenario: Summary,
}

fn state(a: &Assessment, e: &Evaluated, r: &OutcomeResult) -> State {
    State {
        status: r.standing,
        forecast: r.forecast,
        no_earlier_than: a.floor[r.node.index()],
        slack_days: r.slack_days,
        drivers: r.drivers.iter().map(|n| e.id(*n).to_string()).collect(),
    }
}

impl WhatIf {
    /// Compare a scenario's assessment with the baseline's (`e`).
    pub fn new(e: &Evaluated, scenario: &Scenario, after: &Assessment) -> Self {
        let before = e.assessment;
        let targets: Vec<Vec<NodeIndex>> = scenario
            .slips
            .iter()
            .map(|s| scenario::targets(e.model, e.graph, s).unwrap_or_default())
            .collect();
        let slips = scenario
            .slips
            .iter()
            .zip(&targets)
            .map(|(s, nodes)| {
                let latest = |a: &Assessment| scenario::finish(a, nodes);
                SlipLine {
                    id: s.id.clone(),
                    slip: s.text.split_once('=').map_or(&*s.text, |(_, c)| c).trim().to_string(),
                    days: scenario::moved(before, after, nodes),
                    from: latest(before),
                    to: latest(after),
                }
            })
            .collect();
        let slipped: Vec<NodeIndex> = targets.concat();
        let changed = before
            .outcomes
            .iter()
            .zip(&after.outcomes)
            .filter(|(b, a)| scenario::outcome_moved(before, after, b, a))
            .map(|(b, a)| {
                let o = e.graph.dag[b.node].item;
                let outcome = match o {
                    crate::graph::Item::Outcome(i) => &e.model.outcomes[i],
                    _ => &e.model.outcomes[0],
                };
                Changed {
                    code: outcome.code.clone(),
                    category: outcome.category,
                    title: outcome.title.clone(),
                    baseline: state(before, e, b),
                    scenario: state(after, e, a),
                    days: scenario::finish_moved(before, after, b, a),
                    status_changed: b.standing != a.standing,
                    drivers_changed: b.drivers != a.drivers,
                    slipped_drivers: a
                        .drivers
                        .iter()
                        .filter(|n| slipped.contains(n))
                        .map(|n| e.id(*n).to_string())
                        .collect(),
                }
            })
            .collect();
        WhatIf {
            name: scenario.name.clone(),
            description: scenario.description.clone(),
            as_of: after.basis.as_of,
            slips,
            changed,
            exposure: ExposureChange {
                baseline_gbp: before.exposure.at_risk_gbp,
                scenario_gbp: after.exposure.at_risk_gbp,
                change_gbp: after.exposure.at_risk_gbp as i64 - before.exposure.at_risk_gbp as i64,
            },
            summary: SummaryChange { baseline: Summary::of(before), scenario: Summary::of(after) },
            bvpi157: None,
        }
    }

    /// Status changes first, then forecasts that moved with the status unchanged.
    fn ordered(&self) -> Vec<&Changed> {
        let mut v: Vec<&Changed> = self.changed.iter().collect();
        v.sort_by_key(|c| !c.status_changed);
        v
    }
}

/// The JSON of one scenario with its model and rules.
#[derive(Debug, Clone, Serialize)]
pub struct WhatIfOut {
    /// The comparison (flattened: `slips`, `changed`, `exposure` at the top level).
    #[serde(flatten)]
    pub what_if: WhatIf,
    /// Which model.
    pub model: ModelInfo,
    /// Which rules.
    pub rules: RulesInfo,
    /// With `--simulate`: P(on time) beside the baseline's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation: Option<BesideOut>,
}

/// The JSON of several scenarios against one baseline.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The baseline's as-of date.
    pub as_of: NaiveDate,
    /// The baseline's funding at risk.
    pub baseline_exposure_gbp: u64,
    /// The baseline's counts by status.
    pub baseline_summary: Summary,
    /// Each scenario against the baseline, in file order.
    pub scenarios: Vec<WhatIf>,
    /// The baseline's BVPI 157 percentage on its deadline (absent when the model has no BVPI
    /// 157 table).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_bvpi157_percent: Option<u32>,
    /// Which model.
    pub model: ModelInfo,
    /// Which rules.
    pub rules: RulesInfo,
    /// With `--simulate`: P(on time) beside the baseline's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulation: Option<BesideOut>,
}

impl Comparison {
    /// Bundle scenario results.
    pub fn new(e: &Evaluated, scenarios: Vec<WhatIf>) -> Self {
        Comparison {
            as_of: e.assessment.basis.as_of,
            baseline_exposure_gbp: e.assessment.exposure.at_risk_gbp,
            baseline_summary: Summary::of(e.assessment),
            scenarios,
            baseline_bvpi157_percent: None,
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
            simulation: None,
        }
    }
}

fn slip_words(w: &WhatIf) -> String {
    let parts: Vec<String> = w.slips.iter().map(|s| format!("{} {}", s.id, s.slip)).collect();
    if parts.is_empty() { "no slips".to_string() } else { parts.join(", ") }
}

fn change_text(days: Option<i64>) -> String {
    match days {
        Some(0) => "no change".to_string(),
        Some(d) => format!("{}{}", if d > 0 { "+" } else { "" }, text::days(d)),
        None => "-".to_string(),
    }
}

fn bvpi_line(w: &WhatIf) -> String {
    let Some(b) = &w.bvpi157 else { return String::new() };
    let change = match b.change_percent {
        0 => "no change".to_string(),
        1 => "+1 point".to_string(),
        -1 => "-1 point".to_string(),
        c => format!("{c:+} points"),
    };
    format!(
        "BVPI 157 on {}: {}% -> {}% ({change})\n",
        text::short_date(b.deadline),
        b.baseline_percent_at_deadline,
        b.scenario_percent_at_deadline
    )
}

fn exposure_line(x: &ExposureChange) -> String {
    format!(
        "Funding exposure: {} -> {} ({})\n",
        text::gbp(x.baseline_gbp),
        text::gbp(x.scenario_gbp),
        text::gbp_change(x.change_gbp)
    )
}

/// One scenario for people: the slips, status changes first, then the funding.
pub fn table(e: &Evaluated, w: &WhatIf, t: &Terminal) -> String {
    let colour = t.colour;
    let mut out = format!("What if {}: {}\n", slip_words(w), e.provenance());
    if let Some(d) = &w.description {
        out.push_str(&format!("{d}\n"));
    }
    if w.as_of != e.assessment.basis.as_of {
        out.push_str(&format!("Judged on {}\n", text::short_date(w.as_of)));
    }
    out.push_str("\nSlips:\n");
    for s in &w.slips {
        out.push_str(&format!(
            "  {} {}: {} -> {} ({})\n",
            s.id,
            s.slip,
            text::opt_date(s.from),
            text::opt_date(s.to),
            change_text(s.days)
        ));
    }
    out.push('\n');
    if w.changed.is_empty() {
        out.push_str("No outcome's status or forecast moves.\n");
    } else {
        let rows: Vec<Vec<(String, String)>> = w
            .ordered()
            .into_iter()
            .map(|c| {
                let (b, a) = (c.baseline.status, c.scenario.status);
                let (bw, aw) = (super::standing::status_words(b), super::standing::status_words(a));
                let status = if c.status_changed {
                    let plain = format!("{bw} -> {aw}");
                    let painted =
                        format!("{} -> {}", colour.standing(b, bw), colour.standing(a, aw));
                    (plain, painted)
                } else {
                    colour.status_cell(a)
                };
                vec![
                    cell(&c.code),
                    status,
                    cell(change_text(c.days)),
                    cell(format!(
                        "{} -> {}",
                        forecast_text(&c.baseline),
                        forecast_text(&c.scenario)
                    )),
                    cell(match (c.drivers_changed, c.slipped_drivers.is_empty()) {
                        (false, _) => String::new(),
                        (true, true) => c.scenario.drivers.first().cloned().unwrap_or_default(),
                        (true, false) => c.slipped_drivers.join(", "),
                    }),
                ]
            })
            .collect();
        let moved = w.changed.iter().filter(|c| c.status_changed).count();
        let n = w.changed.len();
        out.push_str(&format!(
            "{n} {} ({moved} {} status):\n\n",
            if n == 1 { "outcome moves" } else { "outcomes move" },
            if moved == 1 { "changes" } else { "change" },
        ));
        out.push_str(&text::table(
            t,
            &["code", "status", "change", "forecast", "now driven by"],
            &rows,
        ));
    }
    out.push('\n');
    out.push_str(&exposure_line(&w.exposure));
    out.push_str(&bvpi_line(w));
    out
}

/// One scenario as Markdown.
pub fn markdown(e: &Evaluated, w: &WhatIf) -> String {
    let mut out =
        format!("## What if {}\n\n{}\n\n", md_text(&slip_words(w), false), e.provenance_md());
    if let Some(d) = &w.description {
        out.push_str(&format!("{}\n\n", md_text(d, true)));
    }
    let rows: Vec<Vec<String>> = w
        .ordered()
        .into_iter()
        .map(|c| {
            vec![
                c.code.clone(),
                super::standing::status_words(c.baseline.status).to_string(),
                super::standing::status_words(c.scenario.status).to_string(),
                forecast_text(&c.baseline),
                forecast_text(&c.scenario),
                change_text(c.days),
                c.scenario.drivers.join(" > "),
            ]
        })
        .collect();
    if rows.is_empty() {
        out.push_str("No outcome's status or forecast moves.\n");
    } else {
        out.push_str(&text::markdown(
            &["Outcome", "Was", "Now", "Forecast was", "Forecast now", "Change", "Driven by"],
            &rows,
        ));
    }
    out.push('\n');
    out.push_str(&exposure_line(&w.exposure));
    out.push_str(&bvpi_line(w));
    out
}

/// A state's forecast: the date, `>= date` when only a floor is known, or `unknown`.
fn forecast_text(s: &State) -> String {
    match (&s.forecast, &s.no_earlier_than) {
        (None, Some(_)) => format!(">= {}", text::opt_date(s.no_earlier_than)),
        (f, _) => text::opt_date(*f),
    }
}

fn cell_text(s: &State) -> String {
    format!("{} {}", super::standing::status_words(s.status), forecast_text(s))
}

/// The comparison table: outcomes by scenario, for every outcome that moves in any of them.
fn comparison_rows(
    e: &Evaluated,
    c: &Comparison,
    runs: &[&Assessment],
) -> (Vec<String>, Vec<Vec<String>>) {
    let mut headers = vec!["code".to_string(), "baseline".to_string()];
    headers.extend(c.scenarios.iter().map(|s| s.name.clone()));
    let mut rows = Vec::new();
    for (i, r) in e.assessment.outcomes.iter().enumerate() {
        // Each scenario's position against the baseline column, whatever date it is judged on.
        let moved: Vec<Option<&OutcomeResult>> = runs
            .iter()
            .map(|run| {
                run.outcomes.get(i).filter(|x| scenario::outcome_moved(e.assessment, run, r, x))
            })
            .collect();
        if moved.iter().all(Option::is_none) {
            continue;
        }
        let mut row = vec![e.id(r.node).to_string(), cell_text(&state(e.assessment, e, r))];
        for (run, m) in runs.iter().zip(&moved) {
            row.push(m.map_or_else(|| "same".to_string(), |x| cell_text(&state(run, e, x))));
        }
        rows.push(row);
    }
    let count =
        |sum: &Summary, status: Standing| sum.required.get(status.as_str()).copied().unwrap_or(0);
    for status in [Standing::OffTrack, Standing::AtRisk] {
        let mut row = vec![
            format!("Required {}", super::standing::status_words(status)),
            count(&c.baseline_summary, status).to_string(),
        ];
        row.extend(runs.iter().map(|run| count(&Summary::of(run), status).to_string()));
        rows.push(row);
    }
    let mut row = vec!["exposure".to_string(), text::gbp(c.baseline_exposure_gbp)];
    row.extend(runs.iter().map(|run| text::gbp(run.exposure.at_risk_gbp)));
    rows.push(row);
    if let Some(base) = c.baseline_bvpi157_percent {
        let mut row = vec!["BVPI 157".to_string(), format!("{base}%")];
        row.extend(c.scenarios.iter().map(|s| {
            s.bvpi157
                .as_ref()
                .map_or_else(|| "-".to_string(), |b| format!("{}%", b.scenario_percent_at_deadline))
        }));
        rows.push(row);
    }
    (headers, rows)
}

fn legend(c: &Comparison) -> String {
    let mut out = String::new();
    for s in &c.scenarios {
        out.push_str(&format!("  {}: {}", s.name, slip_words(s)));
        if s.as_of != c.as_of {
            out.push_str(&format!(", judged on {}", text::short_date(s.as_of)));
        }
        out.push('\n');
        if let Some(d) = &s.description {
            out.push_str(&format!("    {d}\n"));
        }
    }
    out
}

/// Several scenarios side by side, for people.
pub fn comparison_table(
    e: &Evaluated,
    c: &Comparison,
    runs: &[&Assessment],
    t: &Terminal,
) -> String {
    let mut out = format!("Scenarios compared: {}\n\n{}\n", e.provenance(), legend(c));
    let (headers, rows) = comparison_rows(e, c, runs);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rows: Vec<Vec<(String, String)>> =
        rows.into_iter().map(|r| r.into_iter().map(cell).collect()).collect();
    out.push_str(&text::table(t, &headers, &rows));
    out
}

/// Several scenarios side by side, as Markdown.
pub fn comparison_markdown(e: &Evaluated, c: &Comparison, runs: &[&Assessment]) -> String {
    let mut out = format!("## Scenarios compared\n\n{}\n\n", e.provenance_md());
    for s in &c.scenarios {
        let mut line = slip_words(s);
        if s.as_of != c.as_of {
            line.push_str(&format!(", judged on {}", text::short_date(s.as_of)));
        }
        if let Some(d) = &s.description {
            line.push_str(&format!(". {d}"));
        }
        out.push_str(&format!("- **{}**: {}\n", md_text(&s.name, false), md_text(&line, false)));
    }
    out.push('\n');
    let (headers, rows) = comparison_rows(e, c, runs);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    out.push_str(&text::markdown(&headers, &rows));
    out
}

/// One scenario as CSV: a row for every outcome that moves.
pub fn csv(w: &WhatIf) -> String {
    let rows: Vec<Vec<String>> = w
        .ordered()
        .into_iter()
        .map(|c| {
            vec![
                c.code.clone(),
                c.category.as_str().to_string(),
                c.title.clone(),
                c.baseline.status.as_str().to_string(),
                c.scenario.status.as_str().to_string(),
                text::or_blank(c.baseline.forecast),
                text::or_blank(c.scenario.forecast),
                text::or_blank(c.baseline.no_earlier_than),
                text::or_blank(c.scenario.no_earlier_than),
                text::or_blank(c.days),
                c.scenario.drivers.join(" > "),
            ]
        })
        .collect();
    text::csv(
        &[
            "code",
            "category",
            "title",
            "baseline_status",
            "scenario_status",
            "baseline_forecast",
            "scenario_forecast",
            "baseline_not_before",
            "scenario_not_before",
            "days",
            "scenario_drivers",
        ],
        &rows,
    )
}

/// Several scenarios side by side, as CSV: the comparison table's rows.
pub fn comparison_csv(e: &Evaluated, c: &Comparison, runs: &[&Assessment]) -> String {
    let (headers, rows) = comparison_rows(e, c, runs);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    text::csv(&headers, &rows)
}

/// `what-if`: one scenario against the baseline, or a file's scenarios side by side; with
/// `--simulate`, P(on time) beside the baseline's.
pub enum WhatIfReport<'a> {
    /// The command line's slips alone.
    One {
        /// The baseline.
        e: Evaluated<'a>,
        /// The scenario against it, with its model, rules and simulation.
        out: WhatIfOut,
    },
    /// A file's scenarios (and the command line's), side by side.
    Compared {
        /// The baseline.
        e: Evaluated<'a>,
        /// The comparison.
        c: Comparison,
        /// Each scenario's assessment.
        runs: Vec<&'a Assessment>,
    },
}

impl<'a> WhatIfReport<'a> {
    /// The report of a session's what-if run.
    pub fn new(s: &'a crate::session::Session, run: &'a crate::session::WhatIfRun<'a>) -> Self {
        let e = s.evaluated();
        let mut results: Vec<WhatIf> = Vec::with_capacity(run.compared.len());
        for ((sc, c), (before, after)) in run.scenarios.iter().zip(&run.compared).zip(&run.bvpi) {
            let mut w = WhatIf::new(&s.on(&c.baseline), sc, &c.scenario);
            if let (Some(b), Some(a)) = (before, after) {
                w.bvpi157 = Some(BvpiChange::new(b, a));
            }
            results.push(w);
        }
        let simulation = run.simulation.as_ref().map(|(base, each)| {
            let names = run.scenarios.iter().map(|c| c.name.clone()).collect();
            BesideOut::new(&e, names, base, each)
        });
        if !run.from_file {
            let what_if = results.remove(0);
            let out = WhatIfOut {
                what_if,
                model: ModelInfo::new(e.model),
                rules: e.rules_info(),
                simulation,
            };
            return WhatIfReport::One { e, out };
        }
        let mut c = Comparison::new(&e, results);
        c.baseline_bvpi157_percent = run.baseline_bvpi.as_ref().map(|f| f.percent_at_deadline);
        c.simulation = simulation;
        let runs = run.compared.iter().map(|c| &c.scenario).collect();
        WhatIfReport::Compared { e, c, runs }
    }
}

impl Render for WhatIfReport<'_> {
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json, Format::Csv, Format::Md];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        let (text, beside) = match self {
            WhatIfReport::One { e, out } => (
                match format {
                    Format::Table => table(e, &out.what_if, t),
                    Format::Json => super::json::to_string(out),
                    Format::Csv => csv(&out.what_if),
                    Format::Md => markdown(e, &out.what_if),
                    Format::Html | Format::Svg | Format::Dot | Format::Mermaid | Format::Docx => {
                        return Err(not_written(format));
                    }
                },
                &out.simulation,
            ),
            WhatIfReport::Compared { e, c, runs } => (
                match format {
                    Format::Table => comparison_table(e, c, runs, t),
                    Format::Json => super::json::to_string(c),
                    Format::Csv => comparison_csv(e, c, runs),
                    Format::Md => comparison_markdown(e, c, runs),
                    Format::Html | Format::Svg | Format::Dot | Format::Mermaid | Format::Docx => {
                        return Err(not_written(format));
                    }
                },
                &c.simulation,
            ),
        };
        // The simulation follows the table or the Markdown (JSON holds it as a field; a CSV's
        // rows are the scenarios' alone).
        render::text(match (beside, format) {
            (Some(b), Format::Table) => text + b.table(t).as_str(),
            (Some(b), Format::Md) => text + b.markdown().as_str(),
            _ => text,
        })
    }
}
