//! `routemap simulate`: the Monte Carlo result, the learnt distributions and their calibration,
//! as a table, JSON, Markdown or CSV.

use super::output::{Format, Rendered};
use super::render::Terminal;
use super::render::{self, Render, not_written};
use crate::error::Error;
use crate::model::Category;
use chrono::NaiveDate;
use serde::Serialize;

use super::check::ModelInfo;
use super::text::{self, cell, gbp, short_date};
use super::{Evaluated, RulesInfo};
use crate::simulate::learn::{self, History};
use crate::simulate::{Plan, Simulation};

/// The JSON of a simulation (the contract in docs/json.md).
#[derive(Debug, Clone, Serialize)]
pub struct SimulateOut {
    /// Runs.
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// The programme-wide common factor the rules gave.
    pub common_factor: f64,
    /// Every outcome, R1..R29 then G1..G25.
    pub outcomes: Vec<SimulatedOutcome>,
    /// How many Required outcomes miss their deadline: per count, the share of runs.
    pub required_misses: Vec<MissesOut>,
    /// The expected number of Required outcomes missing their deadline.
    pub expected_required_misses: f64,
    /// Its Monte Carlo standard error.
    pub expected_required_misses_se: f64,
    /// Each register risk that delays work: how often it occurred, how much of each Required
    /// outcome's risk it drives, and what its proposed actions would buy.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub risk_events: Vec<RiskEventOut>,
    /// With `--assumptions`: the headline under each assumption varied across its range.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<VariedOut>,
    /// The largest standard error of a headline probability (each Required outcome's P(on
    /// time), P(BVPI 157 target), each stream's P(at risk)).
    pub max_headline_se: f64,
    /// Funding exposure over the runs.
    pub exposure: SimulatedExposure,
    /// Per piece of work: the share of runs it is on the driving chain of some outcome.
    pub criticality: Vec<Index>,
    /// BVPI 157 on its deadline, where the model has the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bvpi157: Option<SimulatedBvpi>,
    /// The model.
    pub model: ModelInfo,
    /// The rules.
    pub rules: RulesInfo,
}

/// A register risk in the runs.
#[derive(Debug, Clone, Serialize)]
pub struct RiskEventOut {
    /// The register number.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Its title.
    pub title: String,
    /// The chance it occurs, as the model gives it.
    pub probability: f64,
    /// The share of runs in which it occurred.
    pub p_occurred: f64,
    /// The expected Required outcomes missing their deadline, as the runs have it.
    pub expected_required_misses: f64,
    /// The same with the risk never occurring.
    pub expected_required_misses_without: f64,
    /// The chance once its proposed actions are taken, where the model gives one.
    pub mitigated_probability: Option<f64>,
    /// The expected misses then.
    pub expected_required_misses_mitigated: Option<f64>,
    /// Per Required outcome it moves: P(on time) as the runs have it and without the risk.
    pub outcomes: Vec<EventOutcome>,
}

/// One Required outcome a register risk moves.
#[derive(Debug, Clone, Serialize)]
pub struct EventOutcome {
    /// `R8`.
    pub code: String,
    /// P(on time) with the risk as it is.
    pub p_on_time: f64,
    /// P(on time) were it never to occur.
    pub p_on_time_without: f64,
}

/// The headline with one assumption varied.
#[derive(Debug, Clone, Serialize)]
pub struct VariedOut {
    /// The assumption and the value it was given.
    pub assumption: String,
    /// The expected number of Required outcomes missing their deadline.
    pub expected_required_misses: f64,
    /// Its standard error.
    pub expected_required_misses_se: f64,
    /// P(BVPI 157 target by its deadline), where the model has the table.
    pub p_bvpi_target: Option<f64>,
}

/// BVPI 157 across the runs.
#[derive(Debug, Clone, Serialize)]
pub struct SimulatedBvpi {
    /// The target percentage.
    pub target_percent: u32,
    /// Its deadline.
    pub deadline: NaiveDate,
    /// The share of runs that reach the target by the deadline.
    pub p_target_by_deadline: f64,
    /// Its standard error.
    pub p_target_by_deadline_se: f64,
    /// The percentage half the runs reach or pass on the deadline.
    pub p50_percent: u32,
    /// The mean percentage on the deadline.
    pub mean_percent: f64,
}

/// One outcome.
#[derive(Debug, Clone, Serialize)]
pub struct SimulatedOutcome {
    /// `R8`.
    pub code: String,
    /// `required` or `good`.
    pub category: Category,
    /// Its deadline.
    pub deadline: NaiveDate,
    /// The deterministic forecast (`routemap forecast`).
    pub forecast: Option<NaiveDate>,
    /// Share of runs on time.
    pub p_on_time: f64,
    /// Its Monte Carlo standard error: sqrt(p (1 - p) / runs).
    pub p_on_time_se: f64,
    /// Date by which half the runs finish (null: more than half have no date).
    pub p50: Option<NaiveDate>,
    /// P80.
    pub p80: Option<NaiveDate>,
    /// P95.
    pub p95: Option<NaiveDate>,
    /// Mean date of the runs with one.
    pub mean: Option<NaiveDate>,
    /// The unfinished work most often on its driving chain.
    pub most_critical: Option<Index>,
    /// Spearman rank correlation of its date with each upstream piece of work's slip, largest
    /// first (Required outcomes).
    pub sensitivity: Vec<Rho>,
}

/// A node and a share of runs.
#[derive(Debug, Clone, Serialize)]
pub struct Index {
    /// Node id.
    pub id: String,
    /// Share of runs, 0 to 1.
    pub index: f64,
}

/// A node and a rank correlation.
#[derive(Debug, Clone, Serialize)]
pub struct Rho {
    /// Node id.
    pub id: String,
    /// Spearman's rho.
    pub rho: f64,
}

/// How often a number of Required outcomes miss.
#[derive(Debug, Clone, Serialize)]
pub struct MissesOut {
    /// Required outcomes missing their deadline.
    pub missed: usize,
    /// Runs.
    pub runs: u64,
    /// Share of runs.
    pub share: f64,
}

/// Exposure over the runs.
#[derive(Debug, Clone, Serialize)]
pub struct SimulatedExposure {
    /// Mean, whole pounds.
    pub mean_gbp: u64,
    /// P80.
    pub p80_gbp: u64,
    /// P95.
    pub p95_gbp: u64,
    /// Per funding stream judged on the IEG return and still at risk: the share of runs in which
    /// some outcome's status exposes it.
    pub streams: Vec<StreamRisk>,
}

/// One funding stream across the runs.
#[derive(Debug, Clone, Serialize)]
pub struct StreamRisk {
    /// Its slug.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The share of runs in which it is at risk.
    pub p_at_risk: f64,
    /// Its standard error.
    pub p_at_risk_se: f64,
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The standard error of a share of `x` in `of` runs, to four places.
fn se(x: u64, of: u64) -> f64 {
    let p = x as f64 / of.max(1) as f64;
    (crate::simulate::standard_error(p, of) * 10_000.0).round() / 10_000.0
}

fn share(x: u64, of: u64) -> f64 {
    (x as f64 / of.max(1) as f64 * 10_000.0).round() / 10_000.0
}

impl SimulateOut {
    /// Add what register risk `risk` (with its runs `without` it and, where given, `mitigated`)
    /// does, beside the runs `s` as they are.
    pub fn add_event(
        &mut self,
        e: &Evaluated,
        event: &crate::simulate::Event,
        s: &Simulation,
        without: &Simulation,
        mitigated: Option<&Simulation>,
    ) {
        let r = &e.model.risks[event.risk];
        let p_occurred = s.events.iter().find(|(k, _)| *k == event.risk).map_or(0.0, |x| x.1);
        let outcomes = s
            .outcomes
            .iter()
            .zip(&without.outcomes)
            .filter(|(o, w)| o.required && o.on_time != w.on_time)
            .map(|(o, w)| EventOutcome {
                code: e.id(o.node).to_string(),
                p_on_time: share(o.on_time, s.runs),
                p_on_time_without: share(w.on_time, without.runs),
            })
            .collect();
        self.risk_events.push(RiskEventOut {
            reference: r.reference.clone(),
            title: r.title.clone(),
            probability: event.probability,
            p_occurred,
            expected_required_misses: round4(s.expected_misses().0),
            expected_required_misses_without: round4(without.expected_misses().0),
            mitigated_probability: event.mitigated,
            expected_required_misses_mitigated: mitigated.map(|m| round4(m.expected_misses().0)),
            outcomes,
        });
    }

    /// Add the headline of the runs with `assumption` varied.
    pub fn add_variation(&mut self, assumption: &str, s: &Simulation) {
        let (expected, se) = s.expected_misses();
        self.assumptions.push(VariedOut {
            assumption: assumption.to_string(),
            expected_required_misses: round4(expected),
            expected_required_misses_se: round4(se),
            p_bvpi_target: s.bvpi157.as_ref().map(|b| round4(b.p_target)),
        });
    }

    /// The output of a simulation.
    pub fn new(e: &Evaluated, plan: &Plan, s: &Simulation) -> SimulateOut {
        let outcomes = s
            .outcomes
            .iter()
            .map(|o| SimulatedOutcome {
                code: e.id(o.node).to_string(),
                category: if o.required { Category::Required } else { Category::Good },
                deadline: o.deadline,
                forecast: o.forecast,
                p_on_time: share(o.on_time, s.runs),
                p_on_time_se: se(o.on_time, s.runs),
                p50: o.p50,
                p80: o.p80,
                p95: o.p95,
                mean: o.mean,
                most_critical: o
                    .most_critical
                    .map(|(n, i)| Index { id: e.id(n).to_string(), index: i }),
                sensitivity: o
                    .sensitivity
                    .iter()
                    .map(|(n, rho)| Rho { id: e.id(*n).to_string(), rho: *rho })
                    .collect(),
            })
            .collect();
        let (expected, expected_se) = s.expected_misses();
        SimulateOut {
            expected_required_misses: round4(expected),
            expected_required_misses_se: round4(expected_se),
            max_headline_se: round4(s.max_se()),
            assumptions: Vec::new(),
            risk_events: Vec::new(),
            runs: s.runs,
            seed: s.seed,
            common_factor: plan.common,
            outcomes,
            required_misses: s
                .required_misses
                .iter()
                .enumerate()
                .map(|(k, r)| MissesOut { missed: k, runs: *r, share: share(*r, s.runs) })
                .collect(),
            exposure: SimulatedExposure {
                mean_gbp: s.exposure_mean,
                p80_gbp: s.exposure_p80,
                p95_gbp: s.exposure_p95,
                streams: s
                    .streams_at_risk
                    .iter()
                    .map(|(k, p)| StreamRisk {
                        id: e.model.funding[*k].id.clone(),
                        name: e.model.funding[*k].name.clone(),
                        p_at_risk: *p,
                        p_at_risk_se: round4(crate::simulate::standard_error(*p, s.runs)),
                    })
                    .collect(),
            },
            criticality: s
                .criticality
                .iter()
                .map(|(n, i)| Index { id: e.id(*n).to_string(), index: *i })
                .collect(),
            bvpi157: s.bvpi157.as_ref().map(|b| {
                let runs = b.percent_runs.iter().sum::<u64>().max(1);
                let mean = b.percent_runs.iter().enumerate().map(|(p, n)| p as u64 * n).sum::<u64>()
                    as f64
                    / runs as f64;
                // The highest percentage that at least half the runs reach.
                let mut reached = 0;
                let mut p50 = 0;
                for (p, n) in b.percent_runs.iter().enumerate().rev() {
                    reached += n;
                    if reached * 2 >= runs {
                        p50 = p as u32;
                        break;
                    }
                }
                SimulatedBvpi {
                    target_percent: b.target_percent,
                    deadline: b.deadline,
                    p_target_by_deadline: b.p_target,
                    p_target_by_deadline_se: round4(crate::simulate::standard_error(
                        b.p_target, s.runs,
                    )),
                    p50_percent: p50,
                    mean_percent: (mean * 10.0).round() / 10.0,
                }
            }),
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
        }
    }
}

fn percent(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

fn date_or(d: &Option<NaiveDate>) -> String {
    d.map_or_else(|| "no date".into(), short_date)
}

/// The outcomes worst first: Required, then Good, each by P(on time) then model order.
fn ranked(out: &SimulateOut) -> Vec<&SimulatedOutcome> {
    let mut v: Vec<(usize, &SimulatedOutcome)> = out.outcomes.iter().enumerate().collect();
    v.sort_by(|(i, a), (j, b)| {
        (a.category != Category::Required)
            .cmp(&(b.category != Category::Required))
            .then(a.p_on_time.total_cmp(&b.p_on_time))
            .then(i.cmp(j))
    });
    v.into_iter().map(|(_, o)| o).collect()
}

fn rows(out: &SimulateOut) -> Vec<Vec<String>> {
    ranked(out)
        .into_iter()
        .map(|o| {
            vec![
                o.code.clone(),
                percent(o.p_on_time),
                date_or(&o.p50),
                date_or(&o.p80),
                date_or(&o.p95),
                date_or(&o.forecast),
                o.most_critical
                    .as_ref()
                    .map_or_else(|| "-".into(), |c| format!("{} ({})", c.id, percent(c.index))),
            ]
        })
        .collect()
}

const HEADERS: [&str; 7] = ["code", "P(on time)", "P50", "P80", "P95", "forecast", "most critical"];

fn summary(out: &SimulateOut) -> Vec<String> {
    let expected: f64 = out.required_misses.iter().map(|m| m.missed as f64 * m.share).sum();
    let none = out.required_misses.first().map_or(0.0, |m| m.share);
    // The fewest misses that this share of runs does no worse than.
    let at = |pct: u64| {
        let need = (out.runs * pct).div_ceil(100).max(1);
        let mut seen = 0;
        out.required_misses
            .iter()
            .find(|m| {
                seen += m.runs;
                seen >= need
            })
            .map_or(0, |m| m.missed)
    };
    let mut lines = vec![
        format!(
            "Each probability is a share of {} runs; its Monte Carlo standard error is at most {} (± below)",
            out.runs,
            percent(out.max_headline_se)
        ),
        format!(
            "Required outcomes missing 31 December 2005: {expected:.1} expected (standard error {:.2}; P50 {}, P80 {}); all on time in {} of runs",
            out.expected_required_misses_se,
            at(50),
            at(80),
            percent(none)
        ),
        format!(
            "IEG funding at risk: mean {}, P80 {}, P95 {}",
            gbp(out.exposure.mean_gbp),
            gbp(out.exposure.p80_gbp),
            gbp(out.exposure.p95_gbp)
        ),
    ];
    // Outcomes late in every run because no run gives them a date: part of the expected misses
    // by the model's structure (work with no date and no estimate), not by any draw.
    let dateless: Vec<&str> = out
        .outcomes
        .iter()
        .filter(|o| o.category == Category::Required && o.mean.is_none() && o.p_on_time == 0.0)
        .map(|o| o.code.as_str())
        .collect();
    if !dateless.is_empty() {
        lines.insert(
            2,
            format!(
                "Of those, {} ({}) {} no date in any run: work with no date and no estimate, late in every run whatever the evidence",
                dateless.len(),
                dateless.join(", "),
                if dateless.len() == 1 { "has" } else { "have" }
            ),
        );
    }
    for s in &out.exposure.streams {
        lines.push(format!(
            "{}: at risk in {} of runs (± {})",
            s.name,
            percent(s.p_at_risk),
            percent(s.p_at_risk_se)
        ));
    }
    if let Some(b) = &out.bvpi157 {
        lines.push(format!(
            "BVPI 157 on {}: {}% reached in {} of runs (± {}; P50 {}%, mean {:.1}%)",
            b.deadline,
            b.target_percent,
            percent(b.p_target_by_deadline),
            percent(b.p_target_by_deadline_se),
            b.p50_percent,
            b.mean_percent
        ));
    }
    for ev in &out.risk_events {
        let mitigated = match (ev.mitigated_probability, ev.expected_required_misses_mitigated) {
            (Some(p), Some(m)) => format!("; with its proposed actions ({}), {m:.1}", percent(p)),
            _ => String::new(),
        };
        lines.push(format!(
            "Risk {} ({}): occurred in {} of runs; {:.1} Required outcomes expected to miss, {:.1} were it never to occur{mitigated}",
            ev.reference,
            ev.title,
            percent(ev.p_occurred),
            ev.expected_required_misses,
            ev.expected_required_misses_without
        ));
        for o in &ev.outcomes {
            lines.push(format!(
                "  - {}: on time in {} of runs, {} without it",
                o.code,
                percent(o.p_on_time),
                percent(o.p_on_time_without)
            ));
        }
    }
    if !out.assumptions.is_empty() {
        let all: Vec<f64> = std::iter::once(out.expected_required_misses)
            .chain(out.assumptions.iter().map(|a| a.expected_required_misses))
            .collect();
        let (low, high) = all.iter().fold((f64::MAX, f64::MIN), |(l, h), x| (l.min(*x), h.max(*x)));
        lines.push(format!(
            "Under these assumptions, between {low:.1} and {high:.1} Required outcomes are expected to miss 31 December 2005:"
        ));
        for a in &out.assumptions {
            lines.push(format!(
                "  - {}: {:.1} expected{}",
                a.assumption,
                a.expected_required_misses,
                a.p_bvpi_target
                    .map(|p| format!(", BVPI 157 target reached in {} of runs", percent(p)))
                    .unwrap_or_default()
            ));
        }
    }
    lines
}

/// The table: each Required outcome's chance of being on time, worst first, then the Good ones.
pub fn table(e: &Evaluated, out: &SimulateOut, t: &Terminal) -> String {
    let mut s = format!(
        "Simulation of {} ({} runs, seed {}, common factor {})\n\n",
        e.provenance(),
        out.runs,
        out.seed,
        out.common_factor
    );
    let body: Vec<Vec<(String, String)>> =
        rows(out).into_iter().map(|r| r.into_iter().map(cell).collect()).collect();
    s.push_str(&text::table(t, &HEADERS, &body));
    s.push('\n');
    for line in summary(out) {
        s.push_str(&line);
        s.push('\n');
    }
    s
}

/// A Markdown table and summary.
pub fn markdown(e: &Evaluated, out: &SimulateOut) -> String {
    let mut s = format!(
        "# Simulation\n\n{}, {} runs, seed {}, common factor {}.\n\n",
        e.provenance_md(),
        out.runs,
        out.seed,
        out.common_factor
    );
    s.push_str(&text::markdown(&HEADERS, &rows(out)));
    s.push('\n');
    for line in summary(out) {
        s.push_str(&format!("- {line}\n"));
    }
    s
}

/// One row per outcome, in model order.
pub fn csv(out: &SimulateOut) -> String {
    let rows: Vec<Vec<String>> = out
        .outcomes
        .iter()
        .map(|o| {
            vec![
                o.code.clone(),
                o.category.as_str().to_string(),
                o.deadline.to_string(),
                text::or_blank(o.forecast),
                format!("{}", o.p_on_time),
                text::or_blank(o.p50),
                text::or_blank(o.p80),
                text::or_blank(o.p95),
                text::or_blank(o.mean),
                o.most_critical.as_ref().map(|c| c.id.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    text::csv(
        &[
            "code",
            "category",
            "deadline",
            "forecast",
            "p_on_time",
            "p50",
            "p80",
            "p95",
            "mean",
            "most_critical",
        ],
        &rows,
    )
}

/// `--distributions`: every class's fitted distribution, its evidence, and the work using it.
#[derive(Debug, Clone, Serialize)]
pub struct DistributionsOut {
    /// The classes in use, by name.
    pub classes: Vec<ClassOut>,
    /// Tasks still on an original target yet to come: not slipped yet, not fitted.
    pub censored: Vec<String>,
    /// The common factor.
    pub common_factor: f64,
    /// The model.
    pub model: ModelInfo,
    /// The rules.
    pub rules: RulesInfo,
}

/// One class.
#[derive(Debug, Clone, Serialize)]
pub struct ClassOut {
    /// `task/started`.
    pub class: String,
    /// The class whose evidence it uses (itself, its kind, or `pooled`).
    pub source: String,
    /// Observations.
    pub observations: usize,
    /// Learnt slips, days, sorted.
    pub days: Vec<i32>,
    /// P50 in days.
    pub p50_days: i32,
    /// P80 in days.
    pub p80_days: i32,
    /// P95 in days.
    pub p95_days: i32,
    /// The tasks the evidence came from, with what each says.
    pub tasks: Vec<Observed>,
    /// The probability a first target of this class is missed, with its 95% interval.
    pub p_miss: RateOut,
    /// The probability a target already re-planned once is missed again, with its interval.
    pub p_again: RateOut,
    /// How far beyond a missed target work finishes: P50, P80 and P95 in days.
    pub size_p50_days: i32,
    /// P80.
    pub size_p80_days: i32,
    /// P95.
    pub size_p95_days: i32,
    /// Whether the longest delays are lower bounds (the evidence's longest is censored).
    pub size_tail_is_lower_bound: bool,
    /// The work using this class, with the spread the rule gave.
    pub work: Vec<WorkOut>,
}

/// A learnt probability.
#[derive(Debug, Clone, Serialize)]
pub struct RateOut {
    /// The estimate: the class's own resolved targets shrunk towards every class's.
    pub p: f64,
    /// The 95% interval's lower end (Wilson, on the effective sample).
    pub low: f64,
    /// Its upper end.
    pub high: f64,
    /// Resolved targets of the class itself.
    pub observations: usize,
    /// Of those, missed.
    pub misses: usize,
    /// The effective sample: its own and the pooled evidence's weight.
    pub effective_observations: f64,
}

impl RateOut {
    fn of(r: &learn::Rate) -> RateOut {
        RateOut {
            p: round4(r.p),
            low: round4(r.low),
            high: round4(r.high),
            observations: r.observations,
            misses: r.misses,
            effective_observations: r.effective,
        }
    }
}

/// One observation.
#[derive(Debug, Clone, Serialize)]
pub struct Observed {
    /// Task id.
    pub id: String,
    /// `slip` (a re-plan), `on_time`, `overdue` or `not_yet_due`.
    pub evidence: String,
    /// Days.
    pub days: i32,
}

/// A piece of work using a class.
#[derive(Debug, Clone, Serialize)]
pub struct WorkOut {
    /// Node id.
    pub id: String,
    /// Its date is assumed.
    pub assumed: bool,
    /// The spread the rule gave.
    pub spread: f64,
    /// The rule replaced the learnt days.
    pub overridden: bool,
    /// What its future is drawn from: `target` (its first target held or missed), `replanned`
    /// (a re-planned target held or missed again), `overdue` (beyond a target already passed),
    /// `estimate` (its three-point estimate).
    pub future: String,
}

impl DistributionsOut {
    /// The distributions of a plan.
    pub fn new(e: &Evaluated, plan: &Plan) -> DistributionsOut {
        let h = &plan.history;
        let mut classes: Vec<ClassOut> = Vec::new();
        for s in &plan.sampled {
            let work = WorkOut {
                id: e.id(s.node).to_string(),
                assumed: s.assumed,
                spread: s.spread,
                overridden: s.overridden,
                future: s.future.as_str().to_string(),
            };
            if let Some(c) = classes.iter_mut().find(|c| c.class == s.fit.class) {
                c.work.push(work);
                continue;
            }
            classes.push(ClassOut {
                class: s.fit.class.clone(),
                source: s.fit.source.clone(),
                observations: s.fit.used.len(),
                days: s.fit.days.clone(),
                p50_days: s.fit.quantile(50),
                p80_days: s.fit.quantile(80),
                p95_days: s.fit.quantile(95),
                tasks: observed(h, &s.fit.used),
                p_miss: RateOut::of(&s.fit.miss),
                p_again: RateOut::of(&s.fit.again),
                size_p50_days: s.fit.sizes.quantile(0.5),
                size_p80_days: s.fit.sizes.quantile(0.8),
                size_p95_days: s.fit.sizes.quantile(0.95),
                size_tail_is_lower_bound: s.fit.tail_at_longest,
                work: vec![work],
            });
        }
        classes.sort_by(|a, b| a.class.cmp(&b.class));
        DistributionsOut {
            classes,
            censored: h.censored.clone(),
            common_factor: plan.common,
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
        }
    }

    /// As text.
    pub fn table(&self, t: &Terminal) -> String {
        let mut s = format!(
            "What the routemap's targets say about slipping, by kind of work (common factor {})\n\n",
            self.common_factor
        );
        let rate =
            |r: &RateOut| format!("{} ({}-{})", percent(r.p), percent(r.low), percent(r.high));
        let rows: Vec<Vec<(String, String)>> = self
            .classes
            .iter()
            .map(|c| {
                let tail = if c.size_tail_is_lower_bound { "+" } else { "" };
                vec![
                    cell(c.class.clone()),
                    cell(format!(
                        "{} of {} (n_eff {:.0})",
                        c.p_miss.misses, c.p_miss.observations, c.p_miss.effective_observations
                    )),
                    cell(rate(&c.p_miss)),
                    cell(rate(&c.p_again)),
                    cell(format!(
                        "{} / {} / {}{tail}",
                        c.size_p50_days, c.size_p80_days, c.size_p95_days
                    )),
                    cell(c.work.len().to_string()),
                ]
            })
            .collect();
        s.push_str(&text::table(
            t,
            &[
                "kind",
                "targets missed",
                "P(miss) (95%)",
                "P(miss again)",
                "days late P50/P80/P95",
                "work",
            ],
            &rows,
        ));
        s.push_str(
            "\nP(miss): the class's resolved targets, shrunk towards every kind's by 5 observations' worth (n_eff); P(miss again): targets already re-planned once; days late: beyond a missed target (Kaplan-Meier, overdue work counted as at least its days so far; + marks a longest delay that is only a lower bound).\n",
        );
        let mut shown: Vec<&str> = Vec::new();
        for c in &self.classes {
            let tasks: Vec<String> = if c.tasks.is_empty() {
                vec!["no evidence of its own: every kind's, pooled".to_string()]
            } else if shown.contains(&c.class.as_str()) {
                vec![format!("the {} observations listed above", c.observations)]
            } else {
                shown.push(&c.class);
                c.tasks.iter().map(|t| format!("{} {} {}d", t.id, t.evidence, t.days)).collect()
            };
            let work: Vec<String> = c
                .work
                .iter()
                .map(|w| {
                    let mut words = w.id.clone();
                    if w.future != "target" {
                        words.push_str(&format!(" ({})", w.future));
                    }
                    if w.spread != 1.0 {
                        words.push_str(&format!(" x{}", w.spread));
                    }
                    words
                })
                .collect();
            s.push_str(&format!(
                "\n{} (from {}): {}\n  used by: {}\n",
                c.class,
                c.source,
                tasks.join(", "),
                work.join(", ")
            ));
        }
        s.push_str(&format!(
            "\nnot yet due (open, target still ahead: nothing known yet, not read as on time): {}\n",
            if self.censored.is_empty() { "none".into() } else { self.censored.join(", ") }
        ));
        s
    }

    /// CSV: one row per piece of work.
    pub fn csv(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .classes
            .iter()
            .flat_map(|c| {
                c.work.iter().map(move |w| {
                    vec![
                        w.id.clone(),
                        c.class.clone(),
                        c.source.clone(),
                        c.observations.to_string(),
                        c.p50_days.to_string(),
                        c.p80_days.to_string(),
                        c.p95_days.to_string(),
                        w.spread.to_string(),
                        w.assumed.to_string(),
                    ]
                })
            })
            .collect();
        text::csv(
            &[
                "id",
                "class",
                "source",
                "observations",
                "p50_days",
                "p80_days",
                "p95_days",
                "spread",
                "assumed",
            ],
            &rows,
        )
    }
}

fn observed(h: &History, used: &[usize]) -> Vec<Observed> {
    used.iter()
        .map(|&i| {
            let o = &h.observations[i];
            Observed { id: o.task.clone(), evidence: o.evidence.as_str().into(), days: o.days }
        })
        .collect()
}

/// `--calibration`: each observation held out and predicted from the rest.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationOut {
    /// Observations held out.
    pub observations: usize,
    /// Share at or under the predicted P50 (ideal 0.5).
    pub at_or_under_p50: f64,
    /// Share at or under the predicted P80 (ideal 0.8).
    pub at_or_under_p80: f64,
    /// Recorded slips alone: how many.
    pub slips: usize,
    /// Recorded slips at or under the predicted P50.
    pub slips_at_or_under_p50: f64,
    /// Recorded slips at or under the predicted P80.
    pub slips_at_or_under_p80: f64,
    /// Each one.
    pub held_out: Vec<HeldOut>,
    /// What the held-out figures measure: how the routemap's own evidence spreads, not whether
    /// the method's forecasts come true (the synthetic check does that).
    pub leave_one_out_measures: String,
    /// Simulation-based calibration: routemaps generated from known slip processes, learnt from
    /// as this routemap is, and scored against the futures the processes produce; beside the
    /// method, a deliberately broken learner that ignores censoring, which must fail.
    pub synthetic: Vec<SyntheticOut>,
    /// With `--history`: the temporal hold-out (learnt from the versions up to the one before
    /// the last, predicting the last one's re-plans and completions); null without, or when no
    /// target fell due between the last two versions.
    pub temporal: Option<TemporalOut>,
    /// The model.
    pub model: ModelInfo,
    /// The rules.
    pub rules: RulesInfo,
}

/// The temporal hold-out's scores.
#[derive(Debug, Clone, Serialize)]
pub struct TemporalOut {
    /// The version learnt up to (its issue date).
    pub learnt_to: chrono::NaiveDate,
    /// The version predicted (its issue date).
    pub predicted: chrono::NaiveDate,
    /// Targets open in the earlier version and due between its issue date and the later one's.
    pub targets: usize,
    /// Of those, missed (moved later, or open and passed).
    pub missed: usize,
    /// Brier score of the predicted probabilities of a miss (0 best).
    pub brier: f64,
    /// Brier score of predicting the share missed in what was learnt from, for every target.
    pub brier_reference: f64,
    /// Re-plans scored for how late.
    pub moves: usize,
    /// Share of those at or under the predicted P50 (ideal 0.5).
    pub at_or_under_p50: f64,
    /// Share at or under the predicted P80 (ideal 0.8).
    pub at_or_under_p80: f64,
    /// Targets re-planned before they were due (not scored).
    pub early_moves: usize,
}

impl TemporalOut {
    /// The scores, rounded as every figure of the report is.
    pub fn new(t: &learn::versions::Temporal) -> TemporalOut {
        let r4 = |x: f64| (x * 10_000.0).round() / 10_000.0;
        TemporalOut {
            learnt_to: t.learnt_to,
            predicted: t.predicted,
            targets: t.targets,
            missed: t.missed,
            brier: r4(t.brier),
            brier_reference: r4(t.brier_reference),
            moves: t.moves,
            at_or_under_p50: r4(t.at_or_under_p50),
            at_or_under_p80: r4(t.at_or_under_p80),
            early_moves: t.early_moves,
        }
    }

    /// In words.
    pub fn words(&self) -> String {
        let count = super::diff::count;
        format!(
            "Temporal hold-out: learnt from the versions up to {}, predicting the version of {}. Of {} open and due between them, {} missed; Brier score {:.4} against {:.4} for predicting the share missed before (lower is better; the method adds something only when it is lower). Of {}, {} at or under the predicted P50 of how late (ideal 50%) and {} at or under the P80 (ideal 80%). {} re-planned before falling due {} not scored. So few targets make these figures coarse: read them as a check that can fail, not as a measure of precision.",
            crate::format::long_date(self.learnt_to),
            crate::format::long_date(self.predicted),
            count(self.targets, "target", "targets"),
            if self.missed == 1 { "1 was".to_string() } else { format!("{} were", self.missed) },
            self.brier,
            self.brier_reference,
            count(self.moves, "re-plan", "re-plans"),
            percent(self.at_or_under_p50),
            percent(self.at_or_under_p80),
            count(self.early_moves, "target", "targets"),
            if self.early_moves == 1 { "is" } else { "are" },
        )
    }
}

/// How a learner scored on one synthetic process.
#[derive(Debug, Clone, Serialize)]
pub struct SyntheticOut {
    /// The process (`light-tailed`, `heavy-tailed`, `shared projects`).
    pub process: String,
    /// `censored` (routemap's method) or `ignores_censoring` (broken on purpose).
    pub learner: String,
    /// Tasks in the generated history, and futures scored.
    pub history: usize,
    /// Futures scored.
    pub future: usize,
    /// The known probability that a target is missed.
    pub q_true: f64,
    /// The learnt one.
    pub q_learnt: f64,
    /// Share of the futures' lateness at or under the learnt P50.
    pub coverage_p50: f64,
    /// At or under the learnt P80.
    pub coverage_p80: f64,
    /// At or under the known process's own P50.
    pub true_coverage_p50: f64,
    /// At or under its own P80.
    pub true_coverage_p80: f64,
    /// Brier score of the learnt probability of finishing by each deadline.
    pub brier: f64,
    /// The known process's own Brier score.
    pub true_brier: f64,
    /// Within 5 points of each coverage and 0.01 of the Brier score of the known process.
    pub passes: bool,
}

/// The synthetic calibration check's tolerances: coverage within this of the known process's.
pub const COVERAGE_TOLERANCE: f64 = 0.05;

/// And the Brier score within this of the known process's.
pub const BRIER_TOLERANCE: f64 = 0.01;

/// The synthetic check as `simulate --calibration` runs it: each process, both learners.
pub fn synthetic_scores() -> Vec<SyntheticOut> {
    use learn::synthetic::{Learner, PROCESSES, score};
    let mut out = Vec::new();
    for p in &PROCESSES {
        for (learner, name) in
            [(Learner::Censored, "censored"), (Learner::IgnoresCensoring, "ignores_censoring")]
        {
            let s = score(p, learner, crate::simulate::DEFAULT_SEED, 1500, 3000);
            out.push(SyntheticOut {
                process: s.process.to_string(),
                learner: name.to_string(),
                history: s.history,
                future: s.future,
                q_true: s.q_true,
                q_learnt: round4(s.q_learnt),
                coverage_p50: round4(s.coverage_p50),
                coverage_p80: round4(s.coverage_p80),
                true_coverage_p50: round4(s.true_coverage_p50),
                true_coverage_p80: round4(s.true_coverage_p80),
                brier: round4(s.brier),
                true_brier: round4(s.true_brier),
                passes: s.passes(COVERAGE_TOLERANCE, BRIER_TOLERANCE),
            });
        }
    }
    out
}

/// One held-out observation.
#[derive(Debug, Clone, Serialize)]
pub struct HeldOut {
    /// Task id.
    pub id: String,
    /// Its class.
    pub class: String,
    /// The evidence that predicted it.
    pub source: String,
    /// `slip`, `on_time` or `overdue`.
    pub evidence: String,
    /// Its slip in days.
    pub days: i32,
    /// Predicted P50 days.
    pub p50_days: i32,
    /// Predicted P80 days.
    pub p80_days: i32,
}

impl CalibrationOut {
    /// Calibrate a history.
    pub fn new(e: &Evaluated, h: &History) -> CalibrationOut {
        let held: Vec<HeldOut> = h
            .calibrate()
            .into_iter()
            .map(|x| {
                let o = &h.observations[x.observation];
                HeldOut {
                    id: o.task.clone(),
                    class: o.class.name(),
                    source: x.source,
                    evidence: o.evidence.as_str().into(),
                    days: o.days,
                    p50_days: x.p50,
                    p80_days: x.p80,
                }
            })
            .collect();
        let rate = |v: &[&HeldOut], f: &dyn Fn(&HeldOut) -> bool| {
            share(v.iter().filter(|x| f(x)).count() as u64, v.len() as u64)
        };
        let all: Vec<&HeldOut> = held.iter().collect();
        let slips: Vec<&HeldOut> =
            held.iter().filter(|x| x.evidence == learn::Evidence::Slip.as_str()).collect();
        CalibrationOut {
            observations: all.len(),
            at_or_under_p50: rate(&all, &|x| x.days <= x.p50_days),
            at_or_under_p80: rate(&all, &|x| x.days <= x.p80_days),
            slips: slips.len(),
            slips_at_or_under_p50: rate(&slips, &|x| x.days <= x.p50_days),
            slips_at_or_under_p80: rate(&slips, &|x| x.days <= x.p80_days),
            held_out: held,
            leave_one_out_measures: "how each of this routemap's resolved targets sits in the distribution learnt from the others: near 50% and 80% for any evidence whose observations are alike, so it cannot show a method wrong; the synthetic check above can".into(),
            synthetic: synthetic_scores(),
            temporal: None,
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
        }
    }

    /// As text.
    pub fn table(&self, t: &Terminal) -> String {
        let mut s = String::from(
            "Calibration on routemaps generated from known slip processes (each recorded as a routemap records it on its as-of date, learnt from, and scored against the futures the process produces):\n\n",
        );
        let rows: Vec<Vec<(String, String)>> = self
            .synthetic
            .iter()
            .map(|x| {
                vec![
                    cell(x.process.clone()),
                    cell(x.learner.replace('_', " ")),
                    cell(format!("{} / {}", percent(x.q_learnt), percent(x.q_true))),
                    cell(format!("{} / {}", percent(x.coverage_p50), percent(x.true_coverage_p50))),
                    cell(format!("{} / {}", percent(x.coverage_p80), percent(x.true_coverage_p80))),
                    cell(format!("{:.4} / {:.4}", x.brier, x.true_brier)),
                    cell(if x.passes { "passes" } else { "fails" }.to_string()),
                ]
            })
            .collect();
        s.push_str(&text::table(
            t,
            &[
                "process",
                "learner",
                "P(miss) learnt / true",
                "at or under P50",
                "at or under P80",
                "Brier learnt / true",
                "check",
            ],
            &rows,
        ));
        s.push_str(&format!(
            "\nA learner passes when its coverages are within {:.0} points of the known process's own and its Brier score within {} of the process's own. The broken learner reads open work whose target is still ahead as on time and lower bounds as exact slips.\n\n",
            COVERAGE_TOLERANCE * 100.0,
            BRIER_TOLERANCE
        ));
        if let Some(x) = &self.temporal {
            s.push_str(&format!("{}\n\n", text::wrap(&x.words(), t.width)));
        }
        s.push_str(&format!(
            "This routemap's own evidence: each of {} resolved targets held out and predicted from the rest ({})\n\n",
            self.observations, self.leave_one_out_measures
        ));
        s.push_str(&format!(
            "at or under the predicted P50: {} (ideal 50%)\nat or under the predicted P80: {} (ideal 80%)\n",
            percent(self.at_or_under_p50),
            percent(self.at_or_under_p80)
        ));
        s.push_str(&format!(
            "recorded slips alone ({}): {} at or under P50, {} at or under P80\n\n",
            self.slips,
            percent(self.slips_at_or_under_p50),
            percent(self.slips_at_or_under_p80)
        ));
        let rows: Vec<Vec<(String, String)>> = self
            .held_out
            .iter()
            .map(|x| {
                vec![
                    cell(x.id.clone()),
                    cell(x.class.clone()),
                    cell(x.source.clone()),
                    cell(x.evidence.clone()),
                    cell(x.days.to_string()),
                    cell(x.p50_days.to_string()),
                    cell(x.p80_days.to_string()),
                ]
            })
            .collect();
        s.push_str(&text::table(
            t,
            &["task", "class", "predicted from", "evidence", "days", "P50 days", "P80 days"],
            &rows,
        ));
        s
    }

    /// CSV: one row per held-out observation.
    pub fn csv(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .held_out
            .iter()
            .map(|x| {
                vec![
                    x.id.clone(),
                    x.class.clone(),
                    x.source.clone(),
                    x.evidence.clone(),
                    x.days.to_string(),
                    x.p50_days.to_string(),
                    x.p80_days.to_string(),
                ]
            })
            .collect();
        text::csv(&["id", "class", "source", "evidence", "days", "p50_days", "p80_days"], &rows)
    }
}

/// `what-if --simulate N`: each scenario's P(on time) beside the baseline's.
#[derive(Debug, Clone, Serialize)]
pub struct BesideOut {
    /// Runs of each simulation.
    pub runs: u64,
    /// The seed of each.
    pub seed: u64,
    /// The scenarios, in order.
    pub scenarios: Vec<String>,
    /// Every outcome not certain to be on time in the baseline and every scenario, R1..G25.
    pub outcomes: Vec<BesideRow>,
}

/// One outcome's P(on time), baseline and per scenario.
#[derive(Debug, Clone, Serialize)]
pub struct BesideRow {
    /// `R8`.
    pub code: String,
    /// The baseline's P(on time).
    pub baseline: f64,
    /// Each scenario's, in [`BesideOut::scenarios`] order.
    pub scenarios: Vec<f64>,
}

impl BesideOut {
    /// The baseline's simulation beside each scenario's.
    pub fn new(
        e: &Evaluated,
        names: Vec<String>,
        baseline: &Simulation,
        each: &[Simulation],
    ) -> BesideOut {
        let runs = baseline.runs;
        let outcomes = baseline
            .outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| BesideRow {
                code: e.id(o.node).to_string(),
                baseline: share(o.on_time, runs),
                scenarios: each.iter().map(|s| share(s.outcomes[i].on_time, s.runs)).collect(),
            })
            .filter(|r| r.baseline < 1.0 || r.scenarios.iter().any(|p| *p < 1.0))
            .collect();
        BesideOut { runs, seed: baseline.seed, scenarios: names, outcomes }
    }

    fn rows(&self) -> Vec<Vec<String>> {
        self.outcomes
            .iter()
            .map(|r| {
                let mut row = vec![r.code.clone(), percent(r.baseline)];
                row.extend(r.scenarios.iter().map(|p| percent(*p)));
                row
            })
            .collect()
    }

    fn headers(&self) -> Vec<String> {
        let mut h = vec!["code".to_string(), "baseline".to_string()];
        h.extend(self.scenarios.iter().cloned());
        h
    }

    /// As text, to follow a what-if table.
    pub fn table(&self, t: &Terminal) -> String {
        let headers = self.headers();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let rows: Vec<Vec<(String, String)>> =
            self.rows().into_iter().map(|r| r.into_iter().map(cell).collect()).collect();
        format!(
            "\nP(on time) over {} runs (seed {}), baseline beside each scenario:\n\n{}",
            self.runs,
            self.seed,
            text::table(t, &headers, &rows)
        )
    }

    /// As Markdown, to follow a what-if report.
    pub fn markdown(&self) -> String {
        let headers = self.headers();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        format!(
            "\n## P(on time)\n\nOver {} runs (seed {}), baseline beside each scenario.\n\n{}",
            self.runs,
            self.seed,
            text::markdown(&headers, &self.rows())
        )
    }
}

/// `risk-report --simulate N`: P(on time) and P80 beside each Required outcome not on track, as
/// document blocks to append.
pub fn risk_blocks(e: &Evaluated, s: &Simulation) -> Vec<super::document::Block> {
    use super::document::{Block, Cell, DateStyle, para};
    use crate::assess::Standing;
    let mut rows = Vec::new();
    for (o, r) in s.outcomes.iter().zip(&e.assessment.outcomes) {
        if !o.required || matches!(r.standing, Standing::Achieved | Standing::OnTrack) {
            continue;
        }
        rows.push(vec![
            e.id(o.node).into(),
            Cell::Status(r.standing),
            percent(share(o.on_time, s.runs)).into(),
            o.p80.map_or_else(|| "no date".into(), |d| Cell::Date(d, DateStyle::Short)),
            o.most_critical.map_or_else(|| "-".into(), |(n, _)| e.id(n).into()),
        ]);
    }
    let expected: f64 =
        s.required_misses.iter().enumerate().map(|(k, n)| k as f64 * share(*n, s.runs)).sum();
    let all = s.required_misses.first().map_or(0.0, |n| share(*n, s.runs));
    vec![
        Block::Heading(2, "Simulation".into()),
        para(format!(
            "Over {} runs with slips learnt from the routemap's own original and proposed targets (seed {}), {expected:.1} Required outcomes are expected to miss 31 December 2005, and all of them are on time in {} of runs. Each Required outcome not on track:",
            s.runs,
            s.seed,
            percent(all)
        )),
        Block::Table {
            headers: ["Outcome", "Status", "P(on time)", "P80", "Most critical"]
                .map(String::from)
                .to_vec(),
            rows,
        },
    ]
}

/// `simulate`: the runs, or the learnt distributions, or their calibration.
pub enum SimulateReport<'a> {
    /// The runs.
    Runs(Evaluated<'a>, SimulateOut),
    /// `--distributions`.
    Distributions(DistributionsOut),
    /// `--calibration`.
    Calibration(CalibrationOut),
}

impl Render for SimulateReport<'_> {
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json, Format::Csv, Format::Md];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        let fenced = |t: String| format!("```\n{t}```\n");
        render::text(match (self, format) {
            (SimulateReport::Runs(e, o), Format::Table) => table(e, o, t),
            (SimulateReport::Runs(_, o), Format::Json) => super::json::to_string(o),
            (SimulateReport::Runs(_, o), Format::Csv) => csv(o),
            (SimulateReport::Runs(e, o), Format::Md) => markdown(e, o),
            (SimulateReport::Distributions(d), Format::Table) => d.table(t),
            (SimulateReport::Distributions(d), Format::Json) => super::json::to_string(d),
            (SimulateReport::Distributions(d), Format::Csv) => d.csv(),
            (SimulateReport::Distributions(d), Format::Md) => fenced(d.table(&Terminal::PLAIN)),
            (SimulateReport::Calibration(c), Format::Table) => c.table(t),
            (SimulateReport::Calibration(c), Format::Json) => super::json::to_string(c),
            (SimulateReport::Calibration(c), Format::Csv) => c.csv(),
            (SimulateReport::Calibration(c), Format::Md) => fenced(c.table(&Terminal::PLAIN)),
            (_, Format::Html | Format::Svg | Format::Dot | Format::Mermaid | Format::Docx) => {
                return Err(not_written(format));
            }
        })
    }
}
