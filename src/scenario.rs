//! What-if scenarios: slips applied to a rule basis, scenario files, and slip sensitivity.
//!
//! A slip moves one piece of work (a project, a task, or every task of an action): `+3m` makes it
//! finish three calendar months later than it otherwise would, `2005-10-31` gives it that date
//! as its own finish, `complete` treats it as done on the as-of date. Slips are applied to the
//! baseline's [`Basis`], so a scenario reuses the compiled rules, the graph and its topological
//! order; only scheduling and the classification of outcomes whose view changed are redone.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use petgraph::graph::NodeIndex;
use serde::Deserialize;

use crate::assess::{self, Assessment, Basis, OutcomeResult, Standing};
use crate::error::{Diagnostic, Error, Location, suggest};
use crate::graph::{Graph, Item, NodeKind};
use crate::model::target::{DateProblem, parse_date};
use crate::model::{
    Category, Located, MAX_PHRASE_CHARS, MAX_TEXT_CHARS, Model, Span, parse_yaml, text_problem,
};
use crate::rules::Rules;
use crate::schedule::Own;

/// What a slip does to its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Finish this much later than otherwise forecast.
    Later(Span),
    /// Finish on this date (or later, if what it waits on finishes later).
    On(NaiveDate),
    /// Done on the as-of date.
    Complete,
}

/// One slip: `ID=+3m`, `ID=2005-10-31` or `ID=complete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slip {
    /// The task id, project slug or action ref it moves.
    pub id: String,
    /// What it does.
    pub change: Change,
    /// As written.
    pub text: String,
    /// Where it was written, for scenario files.
    pub location: Option<Location>,
}

const FORMS: &str = "write ID=+90d, ID=+6w, ID=+3m (later by days, weeks or calendar months), ID=2005-10-31 or ID=complete";

impl Change {
    /// Parse `+3m`, `+90d`, `+6w`, `2005-10-31` or `complete`.
    pub fn parse(text: &str) -> Result<Change, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("complete") {
            return Ok(Change::Complete);
        }
        if t.starts_with('-') {
            return Err(format!(
                "`{t}` moves work earlier: a slip is later only; give the earlier date itself (YYYY-MM-DD) instead"
            ));
        }
        if let Some(rest) = t.strip_prefix('+') {
            let span = Span::parse(rest).map_err(|e| {
                if e.contains("hundred years") {
                    format!("`{t}` is longer than a hundred years")
                } else {
                    format!("`{t}` is not a slip: expected a number and d, w or m after `+`")
                }
            })?;
            if span == Span::default() {
                return Err(format!("`{t}` moves nothing"));
            }
            return Ok(Change::Later(span));
        }
        if t.chars().next().is_some_and(|c| c.is_ascii_digit()) && t.contains('-') {
            return parse_date(t).map(Change::On).map_err(|e| match e {
                DateProblem::NotADate => {
                    format!("`{t}` is not a date: expected YYYY-MM-DD, such as 2005-10-31")
                }
                DateProblem::Year(message, help) => format!("{message}: {help}"),
            });
        }
        Err(format!("`{t}` is not a slip"))
    }
}

impl Slip {
    /// Parse `ID=CHANGE`.
    pub fn parse(text: &str) -> Result<Slip, Diagnostic> {
        let bad = |why: String| Diagnostic::new(format!("`{text}`: {why}")).help(FORMS);
        let (id, change) = text
            .split_once('=')
            .ok_or_else(|| bad("a slip names the work and the change, joined by `=`".into()))?;
        let id = id.trim();
        if id.is_empty() {
            return Err(bad("no id before `=`".into()));
        }
        let change = Change::parse(change).map_err(bad)?;
        Ok(Slip { id: id.to_string(), change, text: text.to_string(), location: None })
    }

    /// The later-by span, if this is one.
    pub fn span(&self) -> Option<Span> {
        match self.change {
            Change::Later(s) => Some(s),
            _ => None,
        }
    }
}

/// A named set of slips.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Its name.
    pub name: String,
    /// What it supposes, in words.
    pub description: Option<String>,
    /// Judge it on this date instead of the baseline's.
    pub as_of: Option<NaiveDate>,
    /// The slips, in order.
    pub slips: Vec<Slip>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    scenarios: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    slips: Vec<String>,
}

/// Read a scenario file (see docs/scenarios.md), checking every slip's form and id against the
/// model. Every problem is reported, each with its line and column.
pub fn load_file(path: &Path, model: &Model, graph: &Graph) -> Result<Vec<Scenario>, Error> {
    let text = crate::input::read_text(path).map_err(|mut d| {
        if let Some(rest) = d.message.strip_prefix("cannot read ") {
            d.message = format!("cannot read the scenario file {rest}");
        }
        Error::from(d)
    })?;
    let file = Located::new(&path.display().to_string(), &text);
    let parsed: File = parse_yaml(&file, &text, "docs/scenarios.md")?;
    let mut errors = Vec::new();
    let mut names = HashSet::new();
    if parsed.scenarios.is_empty() {
        errors.push(
            Diagnostic::new(format!("{} has no scenarios", path.display()))
                .at(file.at("scenarios"))
                .help("list at least one scenario under `scenarios:` (see docs/scenarios.md)"),
        );
    }
    let mut out = Vec::new();
    for (i, entry) in parsed.scenarios.into_iter().enumerate() {
        let here = format!("scenarios[{i}]");
        if !names.insert(entry.name.clone()) {
            errors.push(
                Diagnostic::new(format!("scenario `{}` is named twice", entry.name))
                    .at(file.at(&format!("{here}.name")))
                    .help("give each scenario its own name"),
            );
        }
        // Names, descriptions and slips are text, capped and holding no control character, as
        // a model's texts are.
        let mut text = |value: &str, limit: usize, field: String| {
            if let Some((message, help)) = text_problem(value, limit) {
                errors.push(Diagnostic::new(message).at(file.at(&field)).help(help));
            }
        };
        text(&entry.name, MAX_PHRASE_CHARS, format!("{here}.name"));
        if let Some(d) = &entry.description {
            text(d, MAX_TEXT_CHARS, format!("{here}.description"));
        }
        for (j, slip) in entry.slips.iter().enumerate() {
            text(slip, MAX_PHRASE_CHARS, format!("{here}.slips[{j}]"));
        }
        let as_of = match &entry.as_of {
            None => None,
            Some(t) => match parse_date(t) {
                Ok(d) => Some(d),
                Err(problem) => {
                    let (message, help) = match problem {
                        DateProblem::NotADate => (
                            format!("{here}.as_of: `{t}` is not a date"),
                            "write YYYY-MM-DD, such as 2005-09-30".to_string(),
                        ),
                        DateProblem::Year(message, help) => {
                            (format!("{here}.as_of: {message}"), help)
                        }
                    };
                    errors.push(
                        Diagnostic::new(message).at(file.at(&format!("{here}.as_of"))).help(help),
                    );
                    None
                }
            },
        };
        if entry.slips.is_empty() && as_of.is_none() {
            errors.push(
                Diagnostic::new(format!("scenario `{}` has no slips and no as_of", entry.name))
                    .at(file.at(&here))
                    .help("a scenario changes something: list its `slips`, or judge it on another `as_of`"),
            );
        }
        let mut slips = Vec::new();
        for (j, text) in entry.slips.iter().enumerate() {
            let location = file.at(&format!("{here}.slips[{j}]"));
            match Slip::parse(text).and_then(|s| targets(model, graph, &s).map(|_| s)) {
                Ok(mut s) => {
                    s.location = location;
                    slips.push(s);
                }
                Err(d) => errors.push(d.at(location)),
            }
        }
        out.push(Scenario { name: entry.name, description: entry.description, as_of, slips });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors.into()) }
}

/// Every id a slip may name: task ids, project slugs and action refs.
fn slip_ids<'a>(model: &'a Model, graph: &'a Graph) -> Vec<&'a str> {
    let mut ids: Vec<&str> = graph
        .dag
        .node_weights()
        .filter(|n| n.kind != NodeKind::Outcome)
        .map(|n| n.id.as_str())
        .collect();
    ids.extend(model.actions.iter().map(|a| a.reference.as_str()));
    ids
}

/// The nodes a slip moves: one task or project, or every task of an action.
pub fn targets(model: &Model, graph: &Graph, slip: &Slip) -> Result<Vec<NodeIndex>, Diagnostic> {
    let id = slip.id.as_str();
    if let Some(n) = graph.node(id) {
        if graph.dag[n].kind == NodeKind::Outcome {
            return Err(Diagnostic::new(format!(
                "`{}`: {id} is an outcome; slip the work it waits on",
                slip.text
            ))
            .help(format!("`routemap critical-path {id}` lists the work that sets its date")));
        }
        return Ok(vec![n]);
    }
    if let Some(a) = model.actions.iter().position(|a| a.reference == id || a.id == id) {
        let tasks: Vec<NodeIndex> = graph
            .dag
            .node_indices()
            .filter(|&n| matches!(graph.dag[n].item, Item::Task { action, .. } if action == a))
            .collect();
        if !tasks.is_empty() {
            return Ok(tasks);
        }
        return Err(Diagnostic::new(format!("`{}`: action {id} has no tasks to slip", slip.text)));
    }
    Err(Diagnostic::new(format!("`{}`: no task, project or action `{id}`", slip.text))
        .help(suggest(id, slip_ids(model, graph))))
}

/// Apply slips to a basis. Slips on the same work add up (`+1m` twice is `+2m`); a date or
/// `complete` replaces the work's own finish and the assumption behind it.
pub fn apply(
    model: &Model,
    graph: &Graph,
    mut basis: Basis,
    slips: &[Slip],
) -> Result<Basis, Error> {
    let n = graph.dag.node_count();
    if basis.slip.len() != n {
        basis.slip = vec![None; n];
    }
    let mut errors = Vec::new();
    // A slip with no place in a file came from the command line.
    let origin = |slip: &Slip, d: Diagnostic| match &slip.location {
        Some(l) => d.at(Some(l.clone())),
        None => d.prefixed("--slip "),
    };
    for slip in slips {
        let nodes = match targets(model, graph, slip) {
            Ok(nodes) => nodes,
            Err(d) => {
                errors.push(origin(slip, d));
                continue;
            }
        };
        if let Change::On(d) = slip.change
            && d < basis.as_of
        {
            errors.push(origin(
                slip,
                Diagnostic::new(format!(
                    "`{}`: {d} is before the as-of date {}; a forecast cannot be in the past",
                    slip.text, basis.as_of
                ))
                .help(format!("for work already done write `{}=complete`", slip.id)),
            ));
            continue;
        }
        let open: Vec<NodeIndex> = nodes
            .iter()
            .copied()
            .filter(|n| !matches!(basis.own[n.index()], Own::Done(_)))
            .collect();
        if open.is_empty() && slip.change != Change::Complete {
            let done = match basis.own[nodes[0].index()] {
                Own::Done(d) => format!(" (done by {d})"),
                _ => String::new(),
            };
            errors.push(origin(
                slip,
                Diagnostic::new(format!(
                    "`{}`: {} is complete{done}; complete work cannot slip",
                    slip.text, slip.id
                ))
                .help("slip the work that waits on it instead"),
            ));
            continue;
        }
        for node in open {
            let i = node.index();
            match slip.change {
                Change::Later(span) => {
                    let total = basis.slip[i].unwrap_or_default().plus(span);
                    let days = u64::from(total.months) * 30 + u64::from(total.days);
                    if days > u64::from(Span::MAX_DAYS) {
                        errors.push(origin(
                            slip,
                            Diagnostic::new(format!(
                                "`{}`: the slips on {} add up to more than a hundred years",
                                slip.text, graph.dag[node].id
                            )),
                        ));
                        break;
                    }
                    basis.slip[i] = Some(total);
                }
                Change::On(d) => {
                    basis.own[i] = Own::Date(d);
                    basis.slip[i] = None;
                    Arc::make_mut(&mut basis.assumption)[i] = None;
                    Arc::make_mut(&mut basis.unknown_reason)[i] = None;
                }
                Change::Complete => {
                    basis.own[i] = Own::Done(basis.as_of);
                    basis.slip[i] = None;
                    Arc::make_mut(&mut basis.assumption)[i] = None;
                    Arc::make_mut(&mut basis.unknown_reason)[i] = None;
                }
            }
        }
    }
    if errors.is_empty() { Ok(basis) } else { Err(errors.into()) }
}

/// Assess a scenario against the baseline: the baseline's basis (or a fresh one on the
/// scenario's as-of date) with the slips applied.
pub fn run(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    baseline: &Assessment,
    scenario: &Scenario,
) -> Result<Assessment, Error> {
    let basis = match scenario.as_of {
        Some(d) if d != baseline.basis.as_of => assess::basis(model, graph, rules, d)?,
        _ => baseline.basis.clone(),
    };
    let basis = apply(model, graph, basis, &scenario.slips)?;
    assess::assess_reusing(model, graph, rules, basis, Some(baseline))
}

/// Whether an outcome moved between two assessments: its status, its forecast, or (where its
/// forecast is unknown) the earliest it can finish.
pub fn outcome_moved(
    baseline: &Assessment,
    scenario: &Assessment,
    b: &OutcomeResult,
    s: &OutcomeResult,
) -> bool {
    b.standing != s.standing
        || b.forecast != s.forecast
        || baseline.floor[b.node.index()] != scenario.floor[s.node.index()]
}

/// Days an outcome's finish moved: its forecast, or where the forecast is unknown in both, the
/// earliest it can finish; `None` when neither can be compared.
pub fn finish_moved(
    baseline: &Assessment,
    scenario: &Assessment,
    b: &OutcomeResult,
    s: &OutcomeResult,
) -> Option<i64> {
    match (b.forecast, s.forecast) {
        (Some(bf), Some(sf)) => Some((sf - bf).num_days()),
        (None, None) => {
            let (bf, sf) = (baseline.floor[b.node.index()]?, scenario.floor[s.node.index()]?);
            Some((sf - bf).num_days())
        }
        _ => None,
    }
}

/// How bad a status is, for "changed for the worse": achieved (or not applicable), on track, at
/// risk, unknown (no forecast can be made), off track.
fn severity(s: Standing) -> u8 {
    match s {
        // Whether an outcome applies does not depend on the forecast: no slip changes it.
        Standing::Achieved | Standing::NotApplicable => 0,
        Standing::OnTrack => 1,
        Standing::AtRisk => 2,
        Standing::Unknown => 3,
        Standing::OffTrack => 4,
    }
}

/// Whether an outcome's status changed for the worse (see [`severity`]).
pub fn worse(before: Standing, after: Standing) -> bool {
    severity(after) > severity(before)
}

/// Sensitivity compares funding exposure in pounds rounded to this many: a few pounds' rounding
/// in how a stream is split between outcomes never decides a rank.
pub const EXPOSURE_RANK_GBP: i64 = 1_000;

/// Pounds rounded to the nearest [`EXPOSURE_RANK_GBP`] (halves away from zero).
pub fn exposure_for_rank(gbp: i64) -> i64 {
    let half = EXPOSURE_RANK_GBP / 2;
    if gbp >= 0 { (gbp + half) / EXPOSURE_RANK_GBP } else { -((-gbp + half) / EXPOSURE_RANK_GBP) }
}

/// The damage one slip does, compared with the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Damage {
    /// Required outcomes that become off track.
    pub required_missed: usize,
    /// Pounds of funding exposure added.
    pub exposure_gbp: i64,
    /// Days of delay added across every outcome's forecast (or, where it has none, the earliest
    /// it can finish).
    pub delay_days: i64,
    /// Required outcomes whose status changes for the worse (at risk, unknown or off track
    /// from a better status; see [`worse`]).
    pub required_worse: usize,
    /// Good outcomes whose status changes for the worse.
    pub good_worse: usize,
}

impl Damage {
    /// Compare a scenario's assessment with the baseline.
    pub fn between(baseline: &Assessment, scenario: &Assessment) -> Damage {
        let mut d = Damage::default();
        for (b, s) in baseline.outcomes.iter().zip(&scenario.outcomes) {
            d.count(s.category, b.standing, s.standing);
            if let Some(days) = finish_moved(baseline, scenario, b, s) {
                d.delay_days += days.max(0);
            }
        }
        d.exposure_gbp =
            scenario.exposure.at_risk_gbp as i64 - baseline.exposure.at_risk_gbp as i64;
        d
    }

    /// Count one outcome's change of status.
    fn count(&mut self, category: Category, before: Standing, after: Standing) {
        if !worse(before, after) {
            return;
        }
        match category {
            Category::Required => {
                self.required_worse += 1;
                if after == Standing::OffTrack {
                    self.required_missed += 1;
                }
            }
            Category::Good => self.good_worse += 1,
        }
    }

    /// True when the slip changes none of the measures.
    pub fn is_none(&self) -> bool {
        *self == Damage::default()
    }

    /// What sensitivity ranks a slip's harm by, greater worse: Required outcomes changed for the
    /// worse, then Good ones, then exposure added (rounded, [`exposure_for_rank`]), then days of
    /// delay.
    pub fn harm(&self) -> (usize, usize, i64, i64) {
        (
            self.required_worse,
            self.good_worse,
            exposure_for_rank(self.exposure_gbp),
            self.delay_days,
        )
    }
}

/// One piece of work slipped by each amount in turn.
#[derive(Debug, Clone)]
pub struct Sensitivity {
    /// The work.
    pub node: NodeIndex,
    /// Its damage for each amount, in the order given.
    pub damage: Vec<Damage>,
}

impl Sensitivity {
    /// Which amount (an index into `damage`, smallest slip first) first does any damage: where
    /// the work bites. `None` when no slip tried changes anything.
    pub fn bites_at(&self) -> Option<usize> {
        self.damage.iter().position(|d| !d.is_none())
    }

    /// How two pieces of work rank, worst first (see [`sensitivity`]).
    pub fn rank(&self, other: &Sensitivity) -> std::cmp::Ordering {
        let key = |s: &Sensitivity| {
            let at = s.bites_at();
            // Never biting sorts after biting at any amount.
            let when = at.unwrap_or(usize::MAX);
            let harm = at.map(|i| s.damage[i].harm()).unwrap_or_default();
            let money: Vec<i64> = at
                .map(|i| {
                    s.damage[i + 1..].iter().map(|d| exposure_for_rank(d.exposure_gbp)).collect()
                })
                .unwrap_or_default();
            (std::cmp::Reverse(when), harm, money)
        };
        key(other).cmp(&key(self)).then(self.node.cmp(&other.node))
    }
}

/// The work a sensitivity run slips: every project and every task that some outcome waits on,
/// directly or through other work, that is not complete.
pub fn candidates(graph: &Graph, basis: &Basis) -> Vec<NodeIndex> {
    let n = graph.dag.node_count();
    let mut feeds = vec![false; n];
    for &node in graph.order.iter().rev() {
        let i = node.index();
        feeds[i] = graph.dag[node].kind == NodeKind::Outcome
            || graph
                .dag
                .neighbors_directed(node, petgraph::Direction::Outgoing)
                .any(|s| feeds[s.index()]);
    }
    graph
        .dag
        .node_indices()
        .filter(|&node| {
            let kind = graph.dag[node].kind;
            kind != NodeKind::Outcome
                && (kind != NodeKind::Task || feeds[node.index()])
                && !matches!(basis.own[node.index()], Own::Done(_))
        })
        .collect()
}

/// Slip each candidate by each span in turn (`spans` smallest first) and measure the damage,
/// worst first. The rank is by where the work bites ([`Sensitivity::bites_at`]: the smallest
/// slip that does any damage), earlier first; then by the harm done there ([`Damage::harm`]:
/// Required outcomes changed for the worse, Good ones, exposure added to the nearest
/// [`EXPOSURE_RANK_GBP`], days of delay); then by the exposure added at each larger slip in turn,
/// rounded the same way; then in model order. So work with no slack that breaks a Required
/// outcome at the smallest slip ranks above work with months of slack that does more damage
/// only at the largest, and a few pounds never decide a rank.
///
/// Each run is incremental: the slip is pushed forward only through the nodes whose finishes it
/// changes ([`Compiled::update`](crate::schedule::compiled::Compiled::update): in topological
/// order, stopping where a finish does not move), only the outcomes downstream of the slipped
/// work are re-assessed (classifications remembered by what the rule saw), and the changes are
/// undone before the next run. So the cost grows with the work each slip can reach, not with the
/// whole graph; the result equals a full re-run of each scenario.
pub fn sensitivity(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    baseline: &Assessment,
    spans: &[Span],
) -> Result<Vec<Sensitivity>, Error> {
    let basis = &baseline.basis;
    let schedule = &*baseline.schedule;
    let n = graph.dag.node_count();
    let mut pass = baseline.pass.clone();
    let mut plain = baseline.plain.clone();
    let plain_own = assess::without_assumptions(basis);
    let mut plain_undo = Vec::new();
    let mut slip = basis.slip.clone();
    slip.resize(n, None);
    // Where each outcome's result sits in the baseline's list, by position.
    let mut result_of = vec![None; n];
    for (i, r) in baseline.outcomes.iter().enumerate() {
        result_of[schedule.at(r.node)] = Some(i);
    }
    let baseline_standings = crate::assess::standings(graph, &baseline.outcomes);
    let mut memo = assess::Memo::new();
    // Marks, by candidate, so that nothing needs clearing between them.
    let mut reached = vec![0u32; n];
    let mut undo = Vec::new();
    let mut out = Vec::new();
    for (run, node) in (1u32..).zip(candidates(graph, basis)) {
        // The outcomes this work can reach: only they can be re-assessed differently.
        let at = schedule.at(node);
        let mut affected: Vec<usize> = Vec::new();
        let mut stack = vec![at];
        reached[at] = run;
        while let Some(x) = stack.pop() {
            if let Some(i) = result_of[x] {
                affected.push(i);
            }
            for &y in schedule.waiting(x) {
                if reached[y as usize] != run {
                    reached[y as usize] = run;
                    stack.push(y as usize);
                }
            }
        }
        affected.sort_unstable();
        let mut damage = Vec::with_capacity(spans.len());
        let own_slip = slip[node.index()];
        for &span in spans {
            // The slip is carried through the work's downstream cone alone, and undone after.
            slip[node.index()] = Some(own_slip.unwrap_or_default().plus(span));
            schedule.update(&mut pass, &basis.own, &slip, &[at], &mut undo);
            schedule.update(&mut plain, &plain_own, &slip, &[at], &mut plain_undo);
            let ctx = assess::Ctx {
                model,
                graph,
                rules,
                basis,
                schedule,
                pass: &pass,
                plain: &plain,
                upstream: &[],
            };
            let mut d = Damage::default();
            let mut standings = baseline_standings.clone();
            for &i in &affected {
                let b = &baseline.outcomes[i];
                let Item::Outcome(o) = graph.dag[b.node].item else { continue };
                let Some(s) = ctx.outcome(o, Some(b), true, true, Some(&mut memo))? else {
                    continue;
                };
                d.count(model.outcomes[o].category, b.standing, s.standing);
                let moved = match (b.forecast, s.forecast) {
                    (Some(bf), Some(sf)) => Some((sf - bf).num_days()),
                    (None, None) => baseline.floor[b.node.index()]
                        .zip(schedule.date_of(&pass.floor, b.node))
                        .map(|(bf, sf)| (sf - bf).num_days()),
                    _ => None,
                };
                d.delay_days += moved.unwrap_or(0).max(0);
                if let Some(entry) = standings.iter_mut().find(|(x, _)| *x == o) {
                    entry.1 = s.standing;
                }
            }
            let exposure = crate::funding::exposure(model, &basis.terms, &standings);
            d.exposure_gbp = exposure.at_risk_gbp as i64 - baseline.exposure.at_risk_gbp as i64;
            damage.push(d);
            for (i, old) in undo.drain(..).rev() {
                pass.set(i, old);
            }
            for (i, old) in plain_undo.drain(..).rev() {
                plain.set(i, old);
            }
        }
        slip[node.index()] = own_slip;
        out.push(Sensitivity { node, damage });
    }
    out.sort_by(Sensitivity::rank);
    Ok(out)
}

/// When the work a slip targets finishes: the latest forecast of its nodes, or `None` when any
/// is unknown.
pub fn finish(a: &Assessment, nodes: &[NodeIndex]) -> Option<NaiveDate> {
    nodes.iter().map(|n| a.forecast[n.index()]).collect::<Option<Vec<_>>>()?.into_iter().max()
}

/// How far a slip moved its work's finish, in days, or `None` when either finish is unknown.
pub fn moved(baseline: &Assessment, scenario: &Assessment, nodes: &[NodeIndex]) -> Option<i64> {
    Some((finish(scenario, nodes)? - finish(baseline, nodes)?).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposure_is_ranked_to_the_nearest_thousand_pounds() {
        assert_eq!(exposure_for_rank(0), 0);
        assert_eq!(exposure_for_rank(6_023), exposure_for_rank(6_024));
        assert_eq!(exposure_for_rank(1_000), exposure_for_rank(1_001));
        assert_eq!(exposure_for_rank(499), 0);
        assert_eq!(exposure_for_rank(500), 1);
        assert_eq!(exposure_for_rank(-500), -1);
        assert!(exposure_for_rank(12_047) > exposure_for_rank(6_024));
    }

    #[test]
    fn worse_follows_the_order_of_statuses() {
        use Standing::*;
        assert!(worse(OnTrack, AtRisk) && worse(AtRisk, OffTrack) && worse(Unknown, OffTrack));
        assert!(worse(AtRisk, Unknown) && worse(Achieved, OnTrack));
        assert!(!worse(OffTrack, OffTrack) && !worse(OffTrack, Unknown) && !worse(AtRisk, OnTrack));
    }

    fn work(node: usize, damage: &[Damage]) -> Sensitivity {
        Sensitivity { node: NodeIndex::new(node), damage: damage.to_vec() }
    }

    #[test]
    fn earlier_biting_work_ranks_first_and_pounds_of_rounding_do_not_decide() {
        let none = Damage::default();
        let breaks = Damage {
            required_missed: 1,
            required_worse: 1,
            exposure_gbp: 6_024,
            delay_days: 31,
            ..none
        };
        let late = Damage { required_missed: 3, required_worse: 3, exposure_gbp: 21_078, ..breaks };
        let slack = work(0, &[none, none, late]);
        let tight = work(1, &[breaks, breaks, breaks]);
        let tight_pound_less = work(2, &[Damage { exposure_gbp: 6_023, ..breaks }; 3]);
        assert_eq!(tight.bites_at(), Some(0));
        assert_eq!(slack.bites_at(), Some(2));
        assert_eq!(work(3, &[none, none]).bites_at(), None);
        let mut all = [tight_pound_less, slack.clone(), tight.clone()];
        all.sort_by(Sensitivity::rank);
        let order: Vec<usize> = all.iter().map(|s| s.node.index()).collect();
        assert_eq!(order, [1, 2, 0], "biting first, then model order");
        // Biting at the same slip, a Good outcome made worse outranks any exposure.
        let good = work(5, &[Damage { good_worse: 1, ..none }]);
        let money = work(4, &[Damage { exposure_gbp: 50_000, delay_days: 90, ..none }]);
        assert_eq!(good.rank(&money), std::cmp::Ordering::Less);
    }
}
