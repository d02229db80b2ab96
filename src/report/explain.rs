//! `routemap explain CODE`: why an outcome has its status.

use super::output::{Format, Rendered};
use super::render::Terminal;
use super::render::{self, Render, not_written};
use crate::assess::{DateBasis, Standing};
use crate::error::Error;
use chrono::NaiveDate;
use serde::Serialize;

use super::check::ModelInfo;
use super::critical_path::CriticalPath;
use super::text::{self, cell};
use super::{Evaluated, RulesInfo};
use crate::assess::OutcomeResult;
use crate::graph::{Item, NodeKind};

/// Everything `explain` shows, for JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The outcome code.
    pub code: String,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: Standing,
    /// The rule's reason.
    pub reason: String,
    /// The rule file that classified it.
    pub rule: String,
    /// The values the rule saw.
    pub inputs: Vec<(String, String)>,
    /// The tasks that serve it.
    pub tasks: Vec<TaskLine>,
    /// The chain that sets its date.
    pub critical_path: CriticalPath,
    /// The assumptions that move its date.
    pub assumptions: Vec<String>,
    /// What the verdict rests on: `stated`, `derived` or `assumed`.
    pub basis: DateBasis,
    /// What its forecast (or, with none, its earliest finish) rests on.
    pub forecast_basis: Option<DateBasis>,
    /// For a verdict that rests on assumed dates: what it would be on the council's own dates,
    /// and which assumptions alone decide it; null otherwise.
    pub without_assumptions: Option<WithoutLine>,
    /// Which model.
    pub model: ModelInfo,
    /// Which rules.
    pub rules: RulesInfo,
}

/// An outcome's verdict without the rules' assumptions it rests on: each assumed date replaced
/// by the date the council's own targets need the work by (its dependants' targets or starts,
/// else the outcome's deadline).
#[derive(Debug, Clone, Serialize)]
pub struct WithoutLine {
    /// Its status with every assumed date replaced.
    pub status: Standing,
    /// Its forecast then.
    pub forecast: Option<NaiveDate>,
    /// The assumptions that alone decide its status.
    pub deciding: Vec<Deciding>,
    /// Whether each assumption was tried alone (false when there were too many).
    pub searched: bool,
}

/// One assumption that decides a verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Deciding {
    /// The work whose date was assumed.
    pub id: String,
    /// What the rules assumed.
    pub assumption: String,
    /// The date the council's own dates need it by, which replaces the assumed one.
    pub replaced_by: NaiveDate,
    /// The outcome's status with that one assumption replaced.
    pub status: Standing,
}

impl WithoutLine {
    /// The line for one outcome, from [`crate::assumptions::without`].
    pub fn new(e: &Evaluated, w: &crate::assumptions::Without, searched: bool) -> Self {
        WithoutLine {
            status: w.status,
            forecast: w.forecast,
            deciding: w
                .deciding
                .iter()
                .map(|(x, status)| Deciding {
                    id: e.id(x.node).to_string(),
                    assumption: e.assessment.basis.assumption[x.node.index()]
                        .clone()
                        .unwrap_or_default(),
                    replaced_by: x.date,
                    status: *status,
                })
                .collect(),
            searched,
        }
    }

    /// In words: "R8 is off track only because ...; finished by ..., R8 would be at risk."
    pub fn sentences(&self, code: &str, now: Standing) -> Vec<String> {
        let mut out = Vec::new();
        for d in &self.deciding {
            out.push(format!(
                "{code} is {} only because {}; done by {} instead (the date the council's own dates need it by), {code} would be {}",
                super::standing::status_words(now),
                d.assumption,
                text::short_date(d.replaced_by),
                super::standing::status_words(d.status)
            ));
        }
        let forecast = self.forecast.map(|d| format!(", forecast {}", text::short_date(d)));
        out.push(format!(
            "On the council's own dates (every assumed date replaced by the date the council's own dates need the work by), {code} would be {}{}",
            super::standing::status_words(self.status),
            forecast.unwrap_or_default()
        ));
        out
    }
}

/// A task serving the outcome.
#[derive(Debug, Clone, Serialize)]
pub struct TaskLine {
    /// Task id.
    pub id: String,
    /// Status as written.
    pub status_text: String,
    /// Normalised status.
    pub status: String,
    /// The target phrase its date comes from.
    pub target: String,
    /// Forecast finish.
    pub forecast: Option<NaiveDate>,
    /// The task text.
    pub text: String,
}

impl Explanation {
    /// Explain one outcome, with what it would be without the assumptions it rests on.
    pub fn new(e: &Evaluated, r: &OutcomeResult, without: Option<WithoutLine>) -> Self {
        let outcome = &e.model.outcomes[r.outcome];
        let v = &r.facts;
        let opt = |d: Option<chrono::NaiveDate>| d.map_or("()".to_string(), |d| d.to_string());
        let inputs = vec![
            ("category".into(), outcome.category.as_str().to_string()),
            ("deadline".into(), opt(v.deadline)),
            ("forecast".into(), opt(v.forecast)),
            ("no_earlier_than".into(), opt(v.no_earlier_than)),
            ("slack_days".into(), v.slack_days.map_or("()".into(), |d| d.to_string())),
            ("tasks_total".into(), v.tasks_total.to_string()),
            ("tasks_complete".into(), v.tasks_complete.to_string()),
            ("tasks_not_started".into(), v.tasks_not_started.to_string()),
            ("assumed_drivers".into(), v.assumed_drivers.to_string()),
            ("assumptions".into(), v.assumptions.to_string()),
            ("partnership".into(), v.partnership.to_string()),
            ("council_tasks".into(), v.council_tasks.to_string()),
            ("council_tasks_complete".into(), v.council_tasks_complete.to_string()),
            ("basis".into(), v.basis.map_or("()".into(), |b| b.as_str().to_string())),
        ];
        let mut tasks: Vec<TaskLine> = e
            .graph
            .dag
            .neighbors_directed(r.node, petgraph::Direction::Incoming)
            .filter(|n| e.graph.dag[*n].kind == NodeKind::Task)
            .filter_map(|n| match e.graph.dag[n].item {
                Item::Task { action, task } => {
                    let t = &e.model.actions[action].tasks[task];
                    Some(TaskLine {
                        id: t.id.clone(),
                        status_text: t.status_text.as_deref().unwrap_or_default().to_string(),
                        status: t.status.as_str().to_string(),
                        target: t.target_phrase().to_string(),
                        forecast: e.assessment.forecast[n.index()],
                        text: text::clip(&t.text, 70),
                    })
                }
                _ => None,
            })
            .collect();
        tasks.sort_by_key(|t| natural(&t.id));
        let assumptions = r
            .assumptions
            .iter()
            .filter_map(|n| e.assessment.basis.assumption[n.index()].clone())
            .collect();
        Explanation {
            code: outcome.code.clone(),
            title: outcome.title.clone(),
            status: r.standing,
            reason: r.reason.clone(),
            rule: e
                .rules
                .files
                .iter()
                .find(|f| f.name == "classify")
                .map(|f| f.path.clone())
                .unwrap_or_default(),
            inputs,
            tasks,
            critical_path: CriticalPath::new(e, r),
            assumptions,
            basis: r.basis,
            forecast_basis: v.basis,
            without_assumptions: without,
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
        }
    }

    /// Readable text.
    pub fn text(&self, e: &Evaluated, r: &OutcomeResult, t: &Terminal) -> String {
        let colour = t.colour;
        let mut out = format!("{} — {}\n\n", self.code, self.title);
        let status = colour.standing(r.standing, super::standing::status_words(r.standing));
        out.push_str(&text::wrap(&format!("Status: {status} ({})\n", self.reason), t.width));
        let basis = match (r.standing, self.basis) {
            (Standing::NotApplicable, _) => {
                "the council's tier and the outcomes catalogue, or the model's own mark: not a date"
            }
            (Standing::Unknown, DateBasis::Stated | DateBasis::Derived) => {
                "stated: the routemap gives the work that sets it no date, and no rule supplies one"
            }
            (_, DateBasis::Stated) => {
                "stated: the council's own target for the work that serves it"
            }
            (_, DateBasis::Derived) => {
                "derived: the council's own targets for other work, through what it waits on"
            }
            (_, DateBasis::Assumed) => "assumed: a rule's assumption, not the council's own dates",
        };
        out.push_str(&format!("Basis:  {basis}\n"));
        // An outcome that does not apply is not classified: `applies` decided it.
        let hook = if r.standing == Standing::NotApplicable { "applies" } else { "classify" };
        out.push_str(&format!("Rule:   `{hook}` in {}, which saw:\n", self.rule));
        for (k, v) in &self.inputs {
            out.push_str(&format!("          {k:<22} {v}\n"));
        }
        out.push_str("\nTasks that deliver it:\n");
        if self.tasks.is_empty() {
            out.push_str("  (none: no action serves this outcome)\n");
        } else {
            let rows: Vec<Vec<(String, String)>> = self
                .tasks
                .iter()
                .map(|t| {
                    let status = if t.status_text.is_empty() {
                        format!("({})", t.status)
                    } else {
                        t.status_text.clone()
                    };
                    vec![
                        cell(&t.id),
                        cell(status),
                        cell(if t.target.is_empty() { "-".into() } else { t.target.clone() }),
                        cell(t.forecast.map_or_else(|| "unknown".into(), |d| d.to_string())),
                        cell(text::clip(&t.text, 50)),
                    ]
                })
                .collect();
            out.push_str(&text::table(t, &["task", "status", "target", "forecast", "what"], &rows));
        }
        out.push_str("\nWhat sets its date:\n");
        out.push_str(&self.critical_path.steps_table(e, r, t));
        if !self.assumptions.is_empty() {
            out.push_str("\nAssumptions upstream of it:\n");
            for a in &self.assumptions {
                out.push_str(&format!("  - {a}\n"));
            }
        }
        if let Some(w) = &self.without_assumptions {
            out.push_str("\nWithout the assumptions:\n");
            for line in w.sentences(&self.code, r.standing) {
                out.push_str(&format!("  - {line}\n"));
            }
            if w.deciding.is_empty() && w.searched {
                out.push_str("  - no one assumption decides it alone\n");
            }
        }
        out
    }
}

/// A sort key that orders `10.2` before `10.10`.
pub fn natural(id: &str) -> Vec<(u64, String)> {
    id.split('.').map(|part| (part.parse().unwrap_or(u64::MAX), part.to_string())).collect()
}

/// `explain`: one outcome's explanation.
pub struct ExplainReport<'a> {
    e: Evaluated<'a>,
    r: &'a OutcomeResult,
    x: Explanation,
}

impl<'a> ExplainReport<'a> {
    /// Why `r` has its status; `without` is what it would be without the assumptions it rests
    /// on ([`crate::assumptions::without`]).
    pub fn new(e: Evaluated<'a>, r: &'a OutcomeResult, without: Option<WithoutLine>) -> Self {
        ExplainReport { x: Explanation::new(&e, r, without), e, r }
    }
}

impl Render for ExplainReport<'_> {
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        render::text(match format {
            Format::Table => self.x.text(&self.e, self.r, t),
            Format::Json => super::json::to_string(&self.x),
            Format::Csv
            | Format::Md
            | Format::Html
            | Format::Svg
            | Format::Dot
            | Format::Mermaid
            | Format::Docx => return Err(not_written(format)),
        })
    }
}
