//! Hook unit tests: the inputs a case gives one hook, checked and turned into the arguments it
//! is called with directly ([`crate::rules::unit`], which keeps its answer to compare), and how
//! an expected value is written.

use chrono::NaiveDate;

use super::file::{EvidenceInput, HookInputs, OutcomeInput, RiskInput, StreamInput, WorkInput};
use crate::assess::Standing;
use crate::error::Diagnostic;
use crate::model::{Level, Located, Span};
use crate::rules::api::{DateBasis, EvidenceView, OutcomeView, RiskView, StreamView, WorkView};
use crate::rules::unit::Arg;

/// Each hook: its rule file and its arguments, by the names docs/rules.md gives them.
pub const HOOKS: &[(&str, &str, &[&str])] = &[
    ("deadline", "deadlines", &["outcome"]),
    ("own_finish", "forecast", &["work"]),
    ("done_on", "forecast", &["work"]),
    ("follow_on", "forecast", &["work", "waits_on", "edge"]),
    ("classify", "classify", &["outcome"]),
    ("applies", "classify", &["outcome"]),
    ("stream_at_risk", "funding", &["stream"]),
    ("weight", "funding", &["outcome"]),
    ("share", "funding", &["category", "status"]),
    ("assess", "risk", &["risk", "evidence"]),
    ("propose", "risk", &["outcome", "status"]),
    ("target", "bvpi", &["table"]),
    ("enabled", "bvpi", &["group"]),
    ("needs", "bvpi", &["group"]),
    ("position", "ieg", &["outcome", "status"]),
    ("light", "ieg", &["outcome", "status", "at"]),
    ("checkpoint", "ieg", &["outcome", "status", "at"]),
    ("common", "simulate", &[]),
    ("slip", "simulate", &["work", "learnt"]),
];

/// A hook call ready to make.
pub struct Call {
    /// The rule file.
    pub file: &'static str,
    /// The hook.
    pub hook: &'static str,
    /// Its arguments, in order.
    pub args: Vec<Arg>,
}

/// Turn a case's hook and inputs into a call, or the diagnostics saying what is wrong, located
/// in `file` under the case's path `here` (`cases[3]`).
pub fn call(
    file: &Located,
    here: &str,
    hook: &str,
    with: Option<&HookInputs>,
    as_of: NaiveDate,
) -> Result<Call, Vec<Diagnostic>> {
    let at = |path: &str| file.at(&format!("{here}.{path}"));
    let Some(&(hook, rule, params)) = HOOKS.iter().find(|(h, _, _)| *h == hook) else {
        let names: Vec<&str> = HOOKS.iter().map(|(h, _, _)| *h).collect();
        let help = match crate::error::nearest(hook, names.iter().copied()).first() {
            Some(near) => format!("did you mean `{near}`? (see docs/rules.md)"),
            None => format!("the hooks are {} (see docs/rules.md)", names.join(", ")),
        };
        return Err(vec![
            Diagnostic::new(format!("no rule hook `{hook}`")).at(at("hook")).help(help),
        ]);
    };
    let empty = HookInputs::default();
    let with = with.unwrap_or(&empty);
    let given: Vec<&str> = [
        ("outcome", with.outcome.is_some()),
        ("work", with.work.is_some()),
        ("waits_on", with.waits_on.is_some()),
        ("edge", with.edge.is_some()),
        ("table", with.table.is_some()),
        ("group", with.group.is_some()),
        ("stream", with.stream.is_some()),
        ("risk", with.risk.is_some()),
        ("evidence", with.evidence.is_some()),
        ("category", with.category.is_some()),
        ("status", with.status.is_some()),
        ("learnt", with.learnt.is_some()),
        ("at", with.at.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, present)| present.then_some(name))
    .collect();
    let mut errors = Vec::new();
    let takes = format!("`{hook}` takes {}", params.join(" and "));
    for name in &given {
        if !params.contains(name) {
            errors.push(
                Diagnostic::new(format!("`{hook}` takes no `{name}`"))
                    .at(at(&format!("with.{name}")))
                    .help(takes.clone()),
            );
        }
    }
    for name in params {
        if !given.contains(name) {
            errors.push(
                Diagnostic::new(format!("`{hook}` needs `with.{name}`"))
                    .at(at(if given.is_empty() { "hook" } else { "with" }))
                    .help(takes.clone()),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut args = Vec::new();
    for name in params {
        let path = format!("with.{name}");
        let arg = match *name {
            "outcome" => with
                .outcome
                .as_ref()
                .map(|o| outcome(o, as_of, &|f| at(&format!("{path}.{f}"))).map(Arg::Outcome)),
            "work" => with
                .work
                .as_ref()
                .map(|w| work(w, as_of, &|f| at(&format!("{path}.{f}"))).map(Arg::Work)),
            "waits_on" => with
                .waits_on
                .as_ref()
                .map(|w| work(w, as_of, &|f| at(&format!("{path}.{f}"))).map(Arg::Work)),
            "edge" => with.edge.as_ref().map(|e| Ok(Arg::Edge { implied: e.implied })),
            "stream" => with.stream.as_ref().map(|s| Ok(Arg::Stream(stream(s, as_of)))),
            "risk" => {
                with.risk.as_ref().map(|r| risk(r, &|f| at(&format!("{path}.{f}"))).map(Arg::Risk))
            }
            "evidence" => with.evidence.as_ref().map(|e| Ok(Arg::Evidence(evidence(e, as_of)))),
            "table" => with.table.as_ref().map(|v| Ok(Arg::Plain(v.clone()))),
            "group" => with.group.as_ref().map(|v| Ok(Arg::Plain(v.clone()))),
            "learnt" => with.learnt.as_ref().map(|v| Ok(Arg::Plain(v.clone()))),
            "at" => with.at.as_ref().map(|v| Ok(Arg::Plain(v.clone()))),
            "category" => with.category.as_ref().map(|c| {
                one_of(c, &["required", "good"], at(&path)).map(|()| Arg::Text(c.clone()))
            }),
            _ => with.status.as_ref().map(|s| {
                let statuses: Vec<&str> = Standing::ALL.iter().map(|s| s.as_str()).collect();
                one_of(s, &statuses, at(&path)).map(|()| Arg::Text(s.clone()))
            }),
        };
        match arg {
            Some(Ok(v)) => args.push(v),
            Some(Err(d)) => errors.push(d),
            None => {}
        }
    }
    if errors.is_empty() { Ok(Call { file: rule, hook, args }) } else { Err(errors) }
}

fn one_of(
    value: &str,
    allowed: &[&str],
    at: Option<crate::error::Location>,
) -> Result<(), Diagnostic> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Diagnostic::new(format!("`{value}` is not one of {}", allowed.join(", ")))
            .at(at)
            .help("see docs/rules.md for the values each hook sees"))
    }
}

type At<'a> = &'a dyn Fn(&str) -> Option<crate::error::Location>;

fn outcome(o: &OutcomeInput, as_of: NaiveDate, at: At) -> Result<OutcomeView, Diagnostic> {
    let category = match &o.category {
        Some(c) => {
            one_of(c, &["required", "good"], at("category"))?;
            c.clone()
        }
        None if o.code.starts_with('G') => "good".into(),
        None => "required".into(),
    };
    let slack_days = o.slack_days.or_else(|| Some((o.deadline? - o.forecast?).num_days()));
    let basis = match &o.basis {
        Some(b) => {
            let all: Vec<&str> = DateBasis::ALL.iter().map(|b| b.as_str()).collect();
            one_of(b, &all, at("basis"))?;
            DateBasis::parse(b)
        }
        None => None,
    };
    let tiers = ["district", "county", "unitary", "metropolitan", "london_borough"];
    for (k, t) in o.council_tier.iter().chain(&o.delivered_by).enumerate() {
        let field =
            if k == 0 && o.council_tier.is_some() { "council_tier" } else { "delivered_by" };
        one_of(t, &tiers, at(field))?;
    }
    Ok(OutcomeView {
        code: o.code.as_str().into(),
        category: category.into(),
        title: o.title.as_str().into(),
        area: o.area.as_str().into(),
        deadline: o.deadline,
        forecast: o.forecast,
        no_earlier_than: o.no_earlier_than.or(o.forecast),
        slack_days,
        as_of: o.as_of.unwrap_or(as_of),
        tasks_total: o.tasks_total,
        tasks_complete: o.tasks_complete,
        tasks_not_started: o.tasks_not_started,
        assumed_drivers: o.assumed_drivers,
        assumptions: o.assumptions,
        partnership: o.partnership,
        council_tasks: o.council_tasks.unwrap_or(if o.partnership { 0 } else { o.tasks_total }),
        council_tasks_complete: o.council_tasks_complete.unwrap_or(if o.partnership {
            0
        } else {
            o.tasks_complete
        }),
        basis,
        council_tier: o.council_tier.as_deref().map(Into::into),
        delivered_by: o.delivered_by.iter().map(|t| t.as_str().into()).collect(),
        not_applicable: o.not_applicable.as_deref().map(Into::into),
    })
}

fn stream(s: &StreamInput, as_of: NaiveDate) -> StreamView {
    StreamView {
        id: s.id.as_str().into(),
        name: s.name.as_str().into(),
        financial_year: s.financial_year.as_str().into(),
        amount_gbp: s.amount_gbp,
        year_end: crate::funding::year_end(&s.financial_year),
        paid_on: s.paid_on,
        as_of: s.as_of.unwrap_or(as_of),
    }
}

fn risk(r: &RiskInput, at: At) -> Result<RiskView, Diagnostic> {
    let level = |field: &str, v: &Option<String>| match v {
        None => Ok(None),
        Some(t) => Level::parse(t).map(|l| Some(l.as_str().into())).ok_or_else(|| {
            Diagnostic::new(format!("`{t}` is not a level"))
                .at(at(field))
                .help("write High, Medium or Low")
        }),
    };
    let medium = || "Medium".into();
    Ok(RiskView {
        reference: r.reference.as_str().into(),
        title: r.title.as_str().into(),
        description: r.description.as_str().into(),
        likelihood: level("likelihood", &r.likelihood)?.unwrap_or_else(medium),
        impact: level("impact", &r.impact)?.unwrap_or_else(medium),
        residual_likelihood: level("residual_likelihood", &r.residual_likelihood)?,
    })
}

fn evidence(e: &EvidenceInput, as_of: NaiveDate) -> EvidenceView {
    EvidenceView {
        counts: [e.required.counts(), e.good.counts()],
        assumed: [e.required_assumed.counts(), e.good_assumed.counts()],
        required_least_slack: e.required_least_slack,
        required_deadline: e.required_deadline,
        exposure_gbp: e.exposure_gbp,
        total_gbp: e.total_gbp,
        as_of: e.as_of.unwrap_or(as_of),
        required_misses: e.required_misses.clone(),
    }
}

fn work(w: &WorkInput, as_of: NaiveDate, at: At) -> Result<WorkView, Diagnostic> {
    one_of(&w.kind, &["task", "project", "national", "milestone"], at("kind"))?;
    let statuses = ["complete", "in_progress", "on_target", "ongoing", "not_started", "unreported"];
    one_of(&w.status, &statuses, at("status"))?;
    one_of(&w.target, &["date", "start", "ongoing", "tbd", "unset"], at("target"))?;
    let duration = match &w.duration {
        Some(text) => Some(Span::parse(text).map_err(|help| {
            Diagnostic::new(format!("unrecognised length of time `{text}`"))
                .at(at("duration"))
                .help(help)
        })?),
        None => None,
    };
    let as_of = w.as_of.unwrap_or(as_of);
    Ok(WorkView {
        id: w.id.as_str().into(),
        kind: w.kind.as_str().into(),
        title: w.title.as_str().into(),
        status: w.status.as_str().into(),
        status_text: w.status_text.as_str().into(),
        target: w.target.as_str().into(),
        target_date: w.target_date,
        start_date: w.start_date,
        phrase: w.phrase.as_str().into(),
        comments: w.comments.as_str().into(),
        waits_on: w.waits_on,
        duration,
        as_of,
        reported: w.reported.unwrap_or(as_of),
        partnership: w.partnership,
        deadline: w.deadline,
        needed_by: w.needed_by,
        estimate: w.estimate.as_ref().map(|e| [e.earliest, e.likely, e.latest]),
        slot: 0,
    })
}

/// An expected YAML value as a person reads it.
pub fn show_expected(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::Null => "()".into(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other).unwrap_or_default().trim_end().replace('\n', " "),
    }
}
