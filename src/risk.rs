//! Risk analysis: the evidence a forecast gives on each risk of the register, scored by
//! `rules/risk.rhai`; the proposed actions derived from the drivers of the Required outcomes at
//! risk or off track; and the forecast if every proposed action finishes by its latest finish.

use chrono::NaiveDate;
use petgraph::graph::NodeIndex;

use crate::assess::{Assessment, Standing};
use crate::error::Error;
use crate::graph::{Graph, NodeKind};
use crate::model::{Category, Model, Risk};
use crate::rules::Rules;
pub use crate::rules::answers::Score;
use crate::rules::api::{EvidenceView, RiskView};
use crate::scenario::{self, Change, Scenario, Slip};
use crate::schedule::{self, Own};

/// A piece of work on the critical path of a Required outcome that is at risk or off track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedAction {
    /// The work.
    pub node: NodeIndex,
    /// The Required outcomes whose critical path it is on, in outcome order.
    pub blocks: Vec<NodeIndex>,
    /// The date it must finish by for every outcome it feeds to be met.
    pub latest: Option<NaiveDate>,
    /// Its forecast finish.
    pub forecast: Option<NaiveDate>,
    /// The earliest it can finish from the dates that are known.
    pub floor: Option<NaiveDate>,
}

fn is_required(model: &Model, graph: &Graph, node: NodeIndex) -> bool {
    match graph.dag[node].item {
        crate::graph::Item::Outcome(o) => model.outcomes[o].category == Category::Required,
        _ => false,
    }
}

/// The evidence one assessment gives, with a simulation's where there is one.
pub fn evidence(
    model: &Model,
    graph: &Graph,
    a: &Assessment,
    sim: Option<&crate::simulate::Simulation>,
) -> EvidenceView {
    let mut counts = [[0i64; 6]; 2];
    let mut assumed = [[0i64; 6]; 2];
    let mut least = None;
    let mut deadline = None;
    for r in &a.outcomes {
        let c = usize::from(!is_required(model, graph, r.node));
        let s = Standing::ALL.iter().position(|x| *x == r.standing).unwrap_or(4);
        counts[c][s] += 1;
        assumed[c][s] += i64::from(r.basis == crate::assess::DateBasis::Assumed);
        if c == 0 {
            deadline = deadline.max(Some(r.deadline));
            if !matches!(r.standing, Standing::Achieved | Standing::NotApplicable)
                && let Some(slack) = r.slack_days
            {
                least = Some(least.map_or(slack, |l: i64| l.min(slack)));
            }
        }
    }
    EvidenceView {
        counts,
        assumed,
        required_least_slack: least,
        required_deadline: deadline,
        exposure_gbp: i64::try_from(a.exposure.at_risk_gbp).unwrap_or(i64::MAX),
        total_gbp: i64::try_from(a.exposure.total_gbp).unwrap_or(i64::MAX),
        as_of: a.basis.as_of,
        required_misses: sim.map_or_else(Vec::new, |s| {
            s.required_misses.iter().map(|n| *n as f64 / s.runs.max(1) as f64).collect()
        }),
    }
}

/// A register risk as `assess` sees it.
pub(crate) fn risk_view(risk: &Risk) -> RiskView {
    RiskView {
        reference: risk.reference.as_str().into(),
        title: risk.title.as_str().into(),
        description: risk.description.as_str().into(),
        likelihood: risk.likelihood.as_str().into(),
        impact: risk.impact.as_str().into(),
        residual_likelihood: risk.residual_likelihood.map(|l| l.as_str().into()),
    }
}

/// Score every risk of the register on an assessment.
pub fn score(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    a: &Assessment,
    sim: Option<&crate::simulate::Simulation>,
) -> Result<Vec<Score>, Error> {
    let ev = evidence(model, graph, a, sim);
    model.risks.iter().map(|risk| rules.score(&risk_view(risk), &ev)).collect()
}

/// The proposed actions and the forecast if they all finish in time.
#[derive(Debug, Clone)]
pub struct ActionPlan {
    /// The work to finish in time: the work furthest behind first (no forecast, then least
    /// slack), then in model order.
    pub actions: Vec<ProposedAction>,
    /// The forecast if every action finishes by its latest finish date.
    pub after: Assessment,
}

/// Which of an assessment's outcomes call for proposed actions: the rules' `propose` hook.
fn proposing(model: &Model, rules: &Rules, a: &Assessment) -> Result<Vec<bool>, Error> {
    a.outcomes
        .iter()
        .map(|r| rules.propose(&model.outcomes[r.outcome], &r.facts, r.standing))
        .collect()
}

/// Record that work `n` holds up `outcome`: a new action with the assessment's dates, or one
/// more outcome for an action already listed.
fn hold_up(actions: &mut Vec<ProposedAction>, a: &Assessment, n: NodeIndex, outcome: NodeIndex) {
    match actions.iter_mut().find(|p| p.node == n) {
        Some(p) => p.blocks.push(outcome),
        None => actions.push(ProposedAction {
            node: n,
            blocks: vec![outcome],
            latest: a.latest[n.index()],
            forecast: a.forecast[n.index()],
            floor: a.floor[n.index()],
        }),
    }
}

/// The unfinished work on the driving chains of the outcomes that call for action (`wanted`),
/// as actions with the assessment's dates.
fn chain_actions(graph: &Graph, a: &Assessment, wanted: &[bool]) -> Vec<ProposedAction> {
    let mut actions: Vec<ProposedAction> = Vec::new();
    for (r, _) in a.outcomes.iter().zip(wanted).filter(|(_, w)| **w) {
        for &n in &r.drivers {
            let i = n.index();
            if graph.dag[n].kind == NodeKind::Outcome || matches!(a.basis.own[i], Own::Done(_)) {
                continue;
            }
            hold_up(&mut actions, a, n, r.node);
        }
    }
    actions
}

/// The work on the critical path of every outcome that calls for action (`propose` in
/// `rules/risk.rhai`: by default, Required outcomes at risk or off track), not yet complete; and
/// every other piece of unfinished work upstream of such an outcome whose own date is already
/// too late for it (so that it would set the outcome's date once the rest finishes in time),
/// while that outcome's deadline can still be met. With the forecast if it all finishes in time.
pub fn plan(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    a: &Assessment,
) -> Result<ActionPlan, Error> {
    let wanted = proposing(model, rules, a)?;
    let mut actions = chain_actions(graph, a, &wanted);
    let mut more: Vec<ProposedAction> = Vec::new();
    for (r, _) in a.outcomes.iter().zip(&wanted).filter(|(_, w)| **w) {
        // The latest each piece of work may finish for this outcome alone to be met.
        let mut deadline = vec![None; graph.dag.node_count()];
        deadline[r.node.index()] = Some(r.deadline);
        let latest = a.schedule.backward(&deadline);
        for n in schedule::upstream_open(graph, &a.basis.own, r.node) {
            let i = n.index();
            let Own::Date(own) = a.basis.own[i] else { continue };
            let own = a.basis.slip.get(i).copied().flatten().map_or(own, |s| s.after(own));
            let Some(by) = a.schedule.date_of(&latest, n) else { continue };
            if own <= by || by < a.basis.as_of || actions.iter().any(|p| p.node == n) {
                continue;
            }
            hold_up(&mut more, a, n, r.node);
        }
    }
    actions.extend(more);
    let after = after_actions(model, graph, rules, a, &actions)?;
    // The work furthest behind first: no forecast at all, then least slack.
    actions.sort_by_key(|p| {
        let slack = p.latest.zip(p.forecast).map(|(l, f)| (l - f).num_days());
        (slack.is_some(), slack, p.latest, p.node)
    });
    Ok(ActionPlan { actions, after })
}

/// The forecast if every proposed action finishes by its latest finish date (or on the as-of
/// date, where that has already passed). Nothing is moved later than its forecast.
fn after_actions(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    a: &Assessment,
    actions: &[ProposedAction],
) -> Result<Assessment, Error> {
    let slips = actions
        .iter()
        .filter_map(|p| {
            // Late or undated work is brought to its latest finish (or to the as-of date, if
            // that has passed); work already forecast in time is left as it is.
            let by = p.latest?.max(a.basis.as_of);
            if p.forecast.is_some_and(|f| f <= by) {
                return None;
            }
            let id = graph.dag[p.node].id.clone();
            Some(Slip { text: format!("{id}={by}"), id, change: Change::On(by), location: None })
        })
        .collect();
    let plan =
        Scenario { name: "proposed actions on time".into(), description: None, as_of: None, slips };
    scenario::run(model, graph, rules, a, &plan)
}
