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

/// BVPI 157 across the runs.
#[derive(Debug, Clone, Serialize)]
pub struct SimulatedBvpi {
    /// The target percentage.
    pub target_percent: u32,
    /// Its deadline.
    pub deadline: NaiveDate,
    /// The share of runs that reach the target by the deadline.
    pub p_target_by_deadline: f64,
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
}

fn share(x: u64, of: u64) -> f64 {
    (x as f64 / of.max(1) as f64 * 10_000.0).round() / 10_000.0
}

impl SimulateOut {
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
        SimulateOut {
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
            "Required outcomes missing 31 December 2005: {expected:.1} expected (P50 {}, P80 {}); all on time in {} of runs",
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
    for s in &out.exposure.streams {
        lines.push(format!("{}: at risk in {} of runs", s.name, percent(s.p_at_risk)));
    }
    if let Some(b) = &out.bvpi157 {
        lines.push(format!(
            "BVPI 157 on {}: {}% reached in {} of runs (P50 {}%, mean {:.1}%)",
            b.deadline,
            b.target_percent,
            percent(b.p_target_by_deadline),
            b.p50_percent,
            b.mean_percent
        ));
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
    /// The work using this class, with the spread the rule gave.
    pub work: Vec<WorkOut>,
}

/// One observation.
#[derive(Debug, Clone, Serialize)]
pub struct Observed {
    /// Task id.
    pub id: String,
    /// `slip`, `on_time` or `overdue`.
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
                overridden: s.days != s.fit.days,
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
            "Slip distributions learnt from original against proposed targets (common factor {})\n\n",
            self.common_factor
        );
        let rows: Vec<Vec<(String, String)>> = self
            .classes
            .iter()
            .map(|c| {
                vec![
                    cell(c.class.clone()),
                    cell(c.source.clone()),
                    cell(c.observations.to_string()),
                    cell(c.p50_days.to_string()),
                    cell(c.p80_days.to_string()),
                    cell(c.p95_days.to_string()),
                    cell(c.work.len().to_string()),
                ]
            })
            .collect();
        s.push_str(&text::table(
            t,
            &["class", "fitted from", "observations", "P50 days", "P80 days", "P95 days", "work"],
            &rows,
        ));
        let mut shown: Vec<&str> = Vec::new();
        for c in &self.classes {
            let tasks: Vec<String> = if shown.contains(&c.source.as_str()) {
                vec![format!("the {} observations listed above", c.observations)]
            } else {
                shown.push(&c.source);
                c.tasks.iter().map(|t| format!("{} {} {}d", t.id, t.evidence, t.days)).collect()
            };
            let work: Vec<String> =
                c.work
                    .iter()
                    .map(|w| {
                        if w.spread == 1.0 {
                            w.id.clone()
                        } else {
                            format!("{} x{}", w.id, w.spread)
                        }
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
            "\nnot slipped yet (censored, not fitted): {}\n",
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
    /// The model.
    pub model: ModelInfo,
    /// The rules.
    pub rules: RulesInfo,
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
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
        }
    }

    /// As text.
    pub fn table(&self, t: &Terminal) -> String {
        let mut s = format!(
            "Calibration: each of {} observations held out and predicted from the rest\n\n",
            self.observations
        );
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
