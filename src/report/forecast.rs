//! `routemap forecast`: every outcome's deadline, forecast, status, slack and drivers.

use super::output::{Format, Rendered};
use super::render::Terminal;
use super::render::{self, Colour, Render, not_written};
use crate::error::Error;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

use super::check::ModelInfo;
use super::standing::{apart_groups, is_served, needs_attention, worst_first};
use super::text::{self, cell};
use super::{Evaluated, RulesInfo};
use chrono::NaiveDate;

use crate::assess::{self, Assessment, DateBasis, Standing};
use crate::model::Category;

/// The JSON contract of `routemap forecast --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct Forecast {
    /// The date the routemap was judged on.
    pub as_of: NaiveDate,
    /// Every outcome, R1..R29 then G1..G25.
    pub outcomes: Vec<OutcomeLine>,
    /// Counts by category and status.
    pub summary: Summary,
    /// Every rule assumption an outcome's forecast rests on, by node id.
    pub assumptions: Vec<Assumption>,
    /// The rules' assumptions about work no outcome's forecast rests on (local work): forecast
    /// too, though they move no outcome.
    pub other_assumptions: Vec<Assumption>,
    /// The follow-on times the rules gave (how long work needs after what it waits on
    /// finishes), each with the dependencies it applies to, in model order.
    pub follow_on: Vec<FollowOn>,
    /// Which model.
    pub model: ModelInfo,
    /// Which rules.
    pub rules: RulesInfo,
}

/// One outcome.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeLine {
    /// `R8`.
    pub code: String,
    /// `required` or `good`.
    pub category: Category,
    /// Its title.
    pub title: String,
    /// Its deadline.
    pub deadline: NaiveDate,
    /// Its forecast finish, or null.
    pub forecast: Option<NaiveDate>,
    /// The earliest it can finish from the dates that are known (set even when `forecast` is
    /// null).
    pub no_earlier_than: Option<NaiveDate>,
    /// achieved, on_track, at_risk, off_track or unknown.
    pub status: Standing,
    /// Deadline minus forecast in days, or null.
    pub slack_days: Option<i64>,
    /// The chain setting the forecast, root cause first.
    pub drivers: Vec<String>,
    /// The classifying rule's reason.
    pub reason: String,
    /// Ids of the upstream work whose dates are rule assumptions.
    pub assumptions: Vec<String>,
    /// What the verdict rests on: `stated` (the council's own target for the work that serves
    /// it), `derived` (the council's targets for other work, through the graph) or `assumed` (a
    /// rule's assumption: the `assumptions` list the work, the top-level `assumptions` say what).
    pub basis: DateBasis,
    /// What the forecast date (or, with none, `no_earlier_than`) rests on; null when neither is
    /// known.
    pub forecast_basis: Option<DateBasis>,
    /// Whether any action or task of the routemap serves it (unserved outcomes are shown as one
    /// group in tables).
    pub served: bool,
}

/// Counts by status for each category.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Required outcomes.
    pub required: BTreeMap<String, usize>,
    /// Good outcomes.
    pub good: BTreeMap<String, usize>,
}

impl Summary {
    /// Count an assessment's outcomes by category and status.
    pub fn of(a: &Assessment) -> Self {
        let [(_, required), (_, good)] = assess::summary(a);
        let counts = |c: [(Standing, usize); 6]| {
            c.iter().map(|(s, n)| (s.as_str().to_string(), *n)).collect()
        };
        Summary { required: counts(required), good: counts(good) }
    }
}

/// One follow-on assumption and the dependencies it is made for.
#[derive(Debug, Clone, Serialize)]
pub struct FollowOn {
    /// What the rules assumed.
    pub assumption: String,
    /// The dependencies: each the work and what it waits on.
    pub dependencies: Vec<Waits>,
}

/// A dependency: `work` waits on `waits_on` (ids shared between the dependencies naming them).
#[derive(Debug, Clone, Serialize)]
pub struct Waits {
    /// The work that waits.
    pub work: Arc<str>,
    /// What it waits on.
    pub waits_on: Arc<str>,
}

/// An assumption and the work it is about.
#[derive(Debug, Clone, Serialize)]
pub struct Assumption {
    /// The node id.
    pub id: String,
    /// What the rules assumed.
    pub text: String,
}

impl Forecast {
    /// Build the output struct.
    pub fn new(e: &Evaluated) -> Self {
        let a = e.assessment;
        let outcomes = a
            .outcomes
            .iter()
            .map(|r| {
                let o = &e.model.outcomes[r.node.index()];
                OutcomeLine {
                    code: o.code.clone(),
                    category: o.category,
                    title: o.title.clone(),
                    deadline: r.deadline,
                    forecast: r.forecast,
                    no_earlier_than: a.floor[r.node.index()],
                    status: r.standing,
                    slack_days: r.slack_days,
                    drivers: r.drivers.iter().map(|n| e.id(*n).to_string()).collect(),
                    reason: r.reason.clone(),
                    assumptions: r.assumptions.iter().map(|n| e.id(*n).to_string()).collect(),
                    basis: r.basis,
                    forecast_basis: r.facts.basis,
                    served: is_served(r),
                }
            })
            .collect();
        let mut used: Vec<_> =
            a.outcomes.iter().flat_map(|r| r.assumptions.iter().copied()).collect();
        used.sort();
        used.dedup();
        let assumption_of = |n: petgraph::graph::NodeIndex| {
            a.basis.assumption[n.index()]
                .as_ref()
                .map(|t| Assumption { id: e.id(n).to_string(), text: t.clone() })
        };
        let other_assumptions = e
            .graph
            .dag
            .node_indices()
            .filter(|n| used.binary_search(n).is_err())
            .filter_map(assumption_of)
            .collect();
        let assumptions = used.into_iter().filter_map(assumption_of).collect();
        // Each follow-on assumption in the order its first dependency comes, with how many
        // rest on it, so that each list is made at its length; each id is made once.
        use petgraph::visit::EdgeRef;
        let mut first: HashMap<&str, usize> = HashMap::new();
        let mut follow_on: Vec<FollowOn> = Vec::new();
        let mut counts: Vec<usize> = Vec::new();
        for text in a.basis.lag_assumption.iter().flatten() {
            let k = *first.entry(text).or_insert_with(|| {
                follow_on.push(FollowOn { assumption: text.to_string(), dependencies: Vec::new() });
                counts.push(0);
                follow_on.len() - 1
            });
            counts[k] += 1;
        }
        for (f, count) in follow_on.iter_mut().zip(counts) {
            f.dependencies.reserve_exact(count);
        }
        let mut ids: Vec<Option<Arc<str>>> = vec![None; e.graph.dag.node_count()];
        let mut id = |n: petgraph::graph::NodeIndex| {
            Arc::clone(ids[n.index()].get_or_insert_with(|| Arc::from(e.id(n))))
        };
        for edge in e.graph.dag.edge_references() {
            let Some(text) = &a.basis.lag_assumption[edge.id().index()] else { continue };
            let waits = Waits { work: id(edge.target()), waits_on: id(edge.source()) };
            follow_on[first[&**text]].dependencies.push(waits);
        }
        Forecast {
            as_of: a.basis.as_of,
            outcomes,
            summary: Summary::of(a),
            assumptions,
            other_assumptions,
            follow_on,
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
        }
    }
}

const HEADERS: [&str; 7] =
    ["code", "status", "deadline", "forecast", "slack", "driven by", "title"];

fn root_cause(line: &OutcomeLine) -> String {
    match line.drivers.len() {
        0 | 1 => "-".to_string(),
        _ => line.drivers[0].clone(),
    }
}

/// The headline: each category's counts by status (the outcomes the council delivers), with its
/// deadline and how many do not apply; then which verdicts off track rest on the council's own
/// dates and which on assumptions.
pub fn headline(e: &Evaluated, colour: Colour) -> String {
    let mut out = String::new();
    for (category, all) in assess::summary(e.assessment) {
        let not_applicable: usize =
            all.iter().filter(|(s, _)| *s == Standing::NotApplicable).map(|(_, n)| n).sum();
        let counts: Vec<(Standing, usize)> =
            all.into_iter().filter(|(s, _)| *s != Standing::NotApplicable).collect();
        let deadline = e
            .assessment
            .outcomes
            .iter()
            .filter(|r| r.category == category)
            .map(|r| r.deadline)
            .max();
        let total: usize = counts.iter().map(|(_, n)| n).sum();
        if total + not_applicable == 0 {
            continue;
        }
        let name = match category.as_str() {
            "required" => "Required",
            "good" => "Good",
            other => other,
        };
        let by = deadline.map(|d| format!(" by {}", text::short_date(d))).unwrap_or_default();
        let apart = if not_applicable > 0 {
            format!(" ({not_applicable} more not applicable)")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{}{apart}: {}\n",
            colour.strong(&format!("{total} {name}{by}")),
            text::counts_line(&counts, colour)
        ));
    }
    let off = |basis: &dyn Fn(DateBasis) -> bool| -> Vec<&str> {
        e.assessment
            .outcomes
            .iter()
            .filter(|r| r.standing == Standing::OffTrack && is_served(r) && basis(r.basis))
            .map(|r| e.id(r.node))
            .collect()
    };
    let stated = off(&|b| b != DateBasis::Assumed);
    let assumed = off(&|b| b == DateBasis::Assumed);
    let unserved = e
        .assessment
        .outcomes
        .iter()
        .filter(|r| !is_served(r) && r.standing != Standing::NotApplicable)
        .count();
    if !assumed.is_empty() || unserved > 0 {
        let list =
            |codes: &[&str]| if codes.is_empty() { "none".to_string() } else { codes.join(", ") };
        let apart = match unserved {
            0 => String::new(),
            n => format!("; not in the routemap at all: {n} (listed below)"),
        };
        out.push_str(&format!(
            "Off track on the council's own dates: {}; only on the rules' assumptions: {}{apart}\n",
            list(&stated),
            list(&assumed)
        ));
    }
    out
}

/// The table a person reads: the counts first, then the outcomes that need attention (worst
/// first), then those on track or achieved, then the assumptions.
pub fn table(e: &Evaluated, t: &Terminal) -> String {
    let colour = t.colour;
    let f = Forecast::new(e);
    let mut out = format!("Forecast of the ODPM priority outcomes: {}\n\n", e.provenance());
    out.push_str(&text::wrap_lines(&headline(e, colour), t.width));
    let mut order: Vec<usize> = (0..f.outcomes.len()).collect();
    order.sort_by_key(|&i| worst_first(e.assessment.outcomes[i].standing));
    let row = |i: usize| {
        let (r, line) = (&e.assessment.outcomes[i], &f.outcomes[i]);
        vec![
            cell(&line.code),
            colour.verdict_cell(r.standing, r.basis),
            cell(text::short_date(r.deadline)),
            cell(match (r.forecast, e.assessment.floor[r.node.index()]) {
                (None, Some(floor)) => format!("not before {}", text::short_date(floor)),
                (f, _) => text::opt_date(f),
            }),
            cell(text::opt_days(r.slack_days)),
            cell(text::clip(&root_cause(line), 20)),
            cell(&line.title),
        ]
    };
    let results = &e.assessment.outcomes;
    let (apart, planned): (Vec<usize>, Vec<usize>) = order
        .into_iter()
        .partition(|&i| results[i].standing == Standing::NotApplicable || !is_served(&results[i]));
    let (attention, fine): (Vec<usize>, Vec<usize>) =
        planned.into_iter().partition(|&i| needs_attention(results[i].standing));
    let mut marked = false;
    for (heading, rows) in
        [("Needs attention, worst first", attention), ("On track or achieved", fine)]
    {
        if rows.is_empty() {
            continue;
        }
        marked |= rows.iter().any(|&i| results[i].basis == DateBasis::Assumed);
        out.push_str(&format!("\n{} ({}):\n", colour.strong(heading), rows.len()));
        let rows: Vec<Vec<(String, String)>> = rows.into_iter().map(row).collect();
        out.push_str(&text::table_fitted(t, &HEADERS, &rows));
    }
    if marked {
        out.push_str(&format!("{}\n", super::standing::ASSUMED_LEGEND));
    }
    out.push_str(&set_apart(e, &apart, colour, "  - "));
    if !f.assumptions.is_empty() {
        out.push_str("\nThe forecast rests on these assumptions (rules/forecast.rhai):\n");
        for a in &f.assumptions {
            out.push_str(&format!("  - {}\n", a.text));
        }
    }
    out.push_str(&other_assumptions(&f, "  - "));
    out
}

/// The outcomes shown apart from the tables, as groups under a heading each: those not in the
/// routemap (no action or task serves them), by verdict; and those the council does not deliver,
/// by reason. `apart` holds their places in the assessment's outcomes.
fn set_apart(e: &Evaluated, apart: &[usize], colour: Colour, bullet: &str) -> String {
    let mut out = String::new();
    for (heading, groups) in apart_groups(e, apart) {
        let n: usize = groups.iter().map(|(_, c)| c.len()).sum();
        let which = if n == 1 { "1 outcome".to_string() } else { format!("{n} outcomes") };
        out.push_str(&format!("\n{}: {which}\n", colour.strong(heading)));
        for (why, codes) in groups {
            out.push_str(&format!("{bullet}{}: {why}\n", codes.join(", ")));
        }
    }
    out
}

/// The `--fail-on` gate: empty when no outcome has one of `statuses` (with `stated_only`, on the
/// council's own dates: a verdict resting on an assumption does not count); else a message for
/// standard error naming every outcome that trips it, by status.
pub fn gate(e: &Evaluated, statuses: &[Standing], stated_only: bool) -> String {
    let mut lines = Vec::new();
    let mut n = 0;
    for s in Standing::ALL {
        if !statuses.contains(&s) {
            continue;
        }
        let codes: Vec<&str> = e
            .assessment
            .outcomes
            .iter()
            .filter(|r| r.standing == s && !(stated_only && r.basis == DateBasis::Assumed))
            .map(|r| e.id(r.node))
            .collect();
        if !codes.is_empty() {
            n += codes.len();
            lines.push(format!("  {} ({}): {}\n", s.as_str(), codes.len(), codes.join(", ")));
        }
    }
    if n == 0 {
        return String::new();
    }
    let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    let on = if stated_only { " (on the council's own dates)" } else { "" };
    format!(
        "error: the --fail-on {}{on} gate tripped: {} {}\n{}",
        names.join(","),
        n,
        if n == 1 { "outcome has that status" } else { "outcomes have those statuses" },
        lines.concat()
    )
}

/// The follow-on times and the assumptions about local work, as a list under a heading line.
fn other_assumptions(f: &Forecast, bullet: &str) -> String {
    // In Markdown (a `- ` bullet) the rules' words are read literally; a table shows them as
    // they are (the terminal filter shows any control character).
    let shown = |t: &str| -> String {
        if bullet == "- " { super::escape::markdown(t, false) } else { t.to_string() }
    };
    let mut out = String::new();
    if !f.follow_on.is_empty() {
        out.push_str("\nFollow-on time (rules/forecast.rhai follow_on):\n");
        for fo in &f.follow_on {
            let n = fo.dependencies.len();
            let which = if n <= 3 {
                let list: Vec<String> = fo
                    .dependencies
                    .iter()
                    .map(|w| format!("{} on {}", w.work, w.waits_on))
                    .collect();
                list.join(", ")
            } else {
                format!("{n} dependencies")
            };
            out.push_str(&format!("{bullet}{}: {}\n", shown(&fo.assumption), shown(&which)));
        }
    }
    if !f.other_assumptions.is_empty() {
        out.push_str("\nWork no outcome waits on rests on these assumptions too:\n");
        for a in &f.other_assumptions {
            out.push_str(&format!("{bullet}{}\n", shown(&a.text)));
        }
    }
    out
}

fn plain_rows(e: &Evaluated, f: &Forecast) -> Vec<Vec<String>> {
    f.outcomes
        .iter()
        .zip(&e.assessment.outcomes)
        .map(|(l, r)| {
            vec![
                l.code.clone(),
                l.category.as_str().to_string(),
                l.title.clone(),
                l.deadline.to_string(),
                text::or_blank(l.forecast),
                l.status.as_str().to_string(),
                text::or_blank(l.slack_days),
                l.drivers.join(" > "),
                text::or_blank(l.no_earlier_than),
                l.reason.clone(),
                e.responsibility(r),
                l.basis.as_str().to_string(),
                l.forecast_basis.map(|b| b.as_str().to_string()).unwrap_or_default(),
                l.assumptions.join("; "),
            ]
        })
        .collect()
}

const PLAIN_HEADERS: [&str; 14] = [
    "code",
    "category",
    "title",
    "deadline",
    "forecast",
    "status",
    "slack_days",
    "drivers",
    "not_before",
    "reason",
    "owner",
    "basis",
    "forecast_basis",
    "assumptions",
];

/// CSV, one row per outcome: the forecast's columns, then the earliest possible finish (`not
/// before`, set also where the forecast is blank), the rule's reason, who answers for it, what
/// the verdict and the forecast rest on, and the assumed work upstream (ids, `; ` between).
pub fn csv(e: &Evaluated) -> String {
    text::csv(&PLAIN_HEADERS, &plain_rows(e, &Forecast::new(e)))
}

/// A Markdown table with the summary and assumptions.
pub fn markdown(e: &Evaluated) -> String {
    let f = Forecast::new(e);
    let mut out = format!("## Forecast of the ODPM priority outcomes\n\n{}\n\n", e.provenance_md());
    let rows: Vec<Vec<String>> = plain_rows(e, &f)
        .into_iter()
        .zip(&f.outcomes)
        .map(|(mut row, l)| {
            let mark =
                if l.basis == DateBasis::Assumed { super::standing::ASSUMED_MARK } else { "" };
            row[5] = format!("{}{mark}", super::standing::status_words(l.status));
            row.truncate(8);
            row
        })
        .collect();
    out.push_str(&text::markdown(&PLAIN_HEADERS[..8], &rows));
    if f.outcomes.iter().any(|l| l.basis == DateBasis::Assumed) {
        out.push_str(&format!(
            "\n{}\n",
            super::escape::markdown(super::standing::ASSUMED_LEGEND, false)
        ));
    }
    out.push('\n');
    let rows: Vec<Vec<String>> = [("Required", &f.summary.required), ("Good", &f.summary.good)]
        .into_iter()
        .map(|(name, counts)| {
            let mut row = vec![name.to_string()];
            row.extend(
                Standing::ALL
                    .iter()
                    .map(|s| counts.get(s.as_str()).copied().unwrap_or(0).to_string()),
            );
            row
        })
        .collect();
    let mut headers = vec!["Outcomes"];
    headers.extend(Standing::ALL.iter().map(|s| super::standing::status_words(*s)));
    out.push_str(&text::markdown(&headers, &rows));
    if !f.assumptions.is_empty() {
        out.push_str("\n**Assumptions**\n\n");
        for a in &f.assumptions {
            out.push_str(&format!("- {}\n", super::escape::markdown(&a.text, false)));
        }
    }
    out.push_str(&other_assumptions(&f, "- "));
    out
}

/// The forecast, as `routemap forecast` writes it.
pub struct ForecastReport<'a>(pub Evaluated<'a>);

impl Render for ForecastReport<'_> {
    const FORMATS: &'static [Format] =
        &[Format::Table, Format::Json, Format::Csv, Format::Md, Format::Html];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        let e = &self.0;
        render::text(match format {
            Format::Table => table(e, t),
            Format::Json => super::json::to_string(&Forecast::new(e)),
            Format::Csv => csv(e),
            Format::Md => markdown(e),
            Format::Html => super::dashboard::html(e),
            Format::Svg | Format::Dot | Format::Mermaid | Format::Docx => {
                return Err(not_written(format));
            }
        })
    }
    fn json_writer(&self) -> Option<super::output::JsonWriter> {
        let forecast = Forecast::new(&self.0);
        Some(Box::new(move |out| super::json::to_writer(out, &forecast)))
    }
}
