//! Assessment: the rules give each piece of work its own finish and each outcome its deadline;
//! the schedule turns those into forecasts, slack and drivers; the rules then classify each
//! outcome. The rule calls that do not depend on the forecast are made once per model and as-of
//! date ([`Basis`]), so what-if runs reuse them.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDate;
use petgraph::graph::{EdgeIndex, NodeIndex};

use crate::error::Error;
use crate::funding::{self, Exposure, Terms};
use crate::graph::{Graph, Item, NodeKind};
use crate::model::{Category, Model, Span, Status};
use crate::rules::Rules;
use crate::rules::answers::{Finish, FollowOnTime, OwnFinish};
pub use crate::rules::api::DateBasis;
use crate::rules::api::{OutcomeFacts, WorkView};
use crate::schedule::Own;
use crate::schedule::compiled::{self, Compiled, Pass};

pub use crate::model::Standing;

/// What the rules say of each node before scheduling: its own finish, and why.
#[derive(Debug, Clone)]
pub struct Basis {
    /// The as-of date these were judged on.
    pub as_of: NaiveDate,
    /// Own finish per node.
    pub own: Vec<Own>,
    /// The assumption behind a rule-supplied own finish, per node (shared between a baseline
    /// and its scenarios until a scenario changes it).
    pub assumption: Arc<Vec<Option<String>>>,
    /// Why a node's own finish is unknown, per node.
    pub unknown_reason: Arc<Vec<Option<String>>>,
    /// Deadline per node (outcomes only; shared between a baseline and its scenarios).
    pub deadline: Arc<Vec<Option<NaiveDate>>>,
    /// The date the council's own dates need each piece of work by, per node: its dependants'
    /// finish targets, else the earliest deadline of the outcomes it serves, never before the
    /// as-of date (none when neither exists), and whether it is the council's own (its
    /// dependants' targets) rather than a deadline. An assumed own finish replaced by it is the
    /// forecast "without the assumptions".
    pub replacement: Arc<Vec<Option<(NaiveDate, bool)>>>,
    /// Why an outcome does not apply to the council, per node (outcomes the rules say the
    /// council does not deliver; shared between a baseline and its scenarios).
    pub not_applicable: Arc<Vec<Option<String>>>,
    /// Time after each edge's source finishes before its target can, by edge index: the
    /// model's `lag` where it states one, else the follow-on time the rules give.
    pub lag: Arc<Vec<Span>>,
    /// The assumption behind each rule-supplied follow-on time, by edge index.
    pub lag_assumption: Arc<Vec<Option<Arc<str>>>>,
    /// A scenario's slip per node: how much later than its forecast it finishes (empty: none).
    pub slip: Vec<Option<Span>>,
    /// What the funding rules decided.
    pub terms: Arc<Terms>,
    /// The hash of the rules that made it: classifications are reused only under the same rules.
    pub rules_hash: String,
}

/// One outcome's assessment.
#[derive(Debug, Clone)]
pub struct OutcomeResult {
    /// Its node.
    pub node: NodeIndex,
    /// Required or Good.
    pub category: Category,
    /// Its deadline.
    pub deadline: NaiveDate,
    /// Its forecast finish.
    pub forecast: Option<NaiveDate>,
    /// Deadline minus forecast, in days.
    pub slack_days: Option<i64>,
    /// How it stands.
    pub standing: Standing,
    /// The classifying rule's reason.
    pub reason: String,
    /// What the verdict rests on: the council's own dates (`stated`, `derived`) or a rule's
    /// assumption (`assumed`), as the classifying rule says (by default its forecast's basis).
    pub basis: DateBasis,
    /// The chain that sets its forecast, root cause first, ending at the outcome.
    pub drivers: Vec<NodeIndex>,
    /// Upstream nodes whose own finish is a rule assumption, in index order.
    pub assumptions: Vec<NodeIndex>,
    /// Its place in the model's outcomes.
    pub outcome: usize,
    /// What the classifying rule was told of it, beyond its model data.
    pub facts: OutcomeFacts,
}

/// A whole assessment.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// The rule basis it was computed from.
    pub basis: Basis,
    /// Forecast finish per node.
    pub forecast: Vec<Option<NaiveDate>>,
    /// Earliest possible finish per node from what is known.
    pub floor: Vec<Option<NaiveDate>>,
    /// Latest finish per node (shared between assessments with the same deadlines and lags).
    pub latest: Arc<Vec<Option<NaiveDate>>>,
    /// The compiled schedule it was computed on (shared with the assessments that reuse it).
    pub schedule: Arc<Compiled>,
    /// The forward pass, by position in the compiled schedule.
    pub pass: Pass,
    /// The forward pass with every assumed own finish the council's dates can replace replaced
    /// ([`without_assumptions`]): what decides whether a forecast rests on an assumption.
    pub plain: Pass,
    /// Every outcome, in model order (R1..R29, G1..G25).
    pub outcomes: Vec<OutcomeResult>,
    /// The funding put at risk.
    pub exposure: Exposure,
}

/// Ask the rules for every node's own finish and every outcome's deadline.
pub fn basis(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    as_of: NaiveDate,
) -> Result<Basis, Error> {
    let n = graph.dag.node_count();
    let mut deadline = vec![None; n];
    let mut not_applicable = vec![None; n];
    let mut work = Vec::with_capacity(n);
    for idx in graph.dag.node_indices() {
        let node = &graph.dag[idx];
        let Item::Outcome(o) = node.item else {
            work.push(idx);
            continue;
        };
        deadline[idx.index()] = Some(rules.deadline(&model.outcomes[o], as_of)?);
        not_applicable[idx.index()] = rules.applies(&model.outcomes[o], as_of)?;
    }
    // Outcomes come first in the graph, so every deadline is known before any work is judged.
    let mut answers = rules.map_parts(&work, |&idx| {
        let view = WorkView::judged(model, graph, &deadline, idx, as_of);
        own_finish(rules, &view).map(|answer| (view, answer))
    })?;
    let mut own = vec![Own::Follows; n];
    let mut assumption = vec![None; n];
    let mut unknown_reason = vec![None; n];
    // The views are kept for the follow-on times where the threads left them (copying a large
    // model's views into one list would hold two copies at once): `at[i]` is node i's place
    // among them, its thread's run and its place in it (u32s, as a graph's node indexes are).
    let mut at: Vec<Option<[u32; 2]>> = vec![None; n];
    let place = |r: usize, k: usize| Some([u32::try_from(r).ok()?, u32::try_from(k).ok()?]);
    let runs = answers.iter_mut().enumerate().flat_map(|(r, run)| {
        run.iter_mut().enumerate().map(move |(k, answer)| (place(r, k), answer))
    });
    for (idx, (place, (_, answer))) in work.iter().zip(runs) {
        let i = idx.index();
        own[i] = answer.own;
        assumption[i] = answer.assumption.take();
        unknown_reason[i] = answer.unknown_reason.take();
        at[i] = place;
    }
    let view = |n: NodeIndex| {
        let [r, k] = at[n.index()]?;
        answers.get(r as usize)?.get(k as usize).map(|(view, _)| view)
    };
    let replacement = work.iter().fold(vec![None; n], |mut out, &idx| {
        if assumption[idx.index()].is_some() {
            out[idx.index()] = view(idx).and_then(|v| replacement_of(v, as_of));
        }
        out
    });
    let FollowOn { lag, assumption: lag_assumption } = follow_on(graph, rules, view)?;
    drop(answers);
    let applies: Vec<bool> = model
        .outcomes
        .iter()
        .map(|o| graph.node(&o.code).is_none_or(|n| not_applicable[n.index()].is_none()))
        .collect();
    let terms = funding::terms(model, rules, as_of, &applies)?;
    Ok(Basis {
        as_of,
        own,
        assumption: Arc::new(assumption),
        unknown_reason: Arc::new(unknown_reason),
        deadline: Arc::new(deadline),
        replacement: Arc::new(replacement),
        not_applicable: Arc::new(not_applicable),
        lag: Arc::new(lag),
        lag_assumption: Arc::new(lag_assumption),
        slip: Vec::new(),
        terms: Arc::new(terms),
        rules_hash: rules.hash.clone(),
    })
}

/// The date the council's own dates need the work `view` shows by (see
/// [`Basis::replacement`]): the finish targets of the work waiting on it, else the deadlines
/// of the outcomes it serves, as the rules were shown them.
fn replacement_of(view: &WorkView, as_of: NaiveDate) -> Option<(NaiveDate, bool)> {
    match view.needed_by {
        Some(d) => Some((d.max(as_of), true)),
        None => view.deadline.map(|d| (d.max(as_of), false)),
    }
}

/// Every own finish with each assumed one the council's own targets can replace replaced (see
/// [`Basis::replacement`]; a replacement by a deadline is not the council's date).
pub fn without_assumptions(basis: &Basis) -> Vec<Own> {
    basis
        .own
        .iter()
        .enumerate()
        .map(|(i, own)| match (&basis.assumption[i], basis.replacement[i]) {
            (Some(_), Some((d, true))) => Own::Date(d),
            _ => *own,
        })
        .collect()
}

/// What the rules say of one piece of work's own finish.
struct OwnAnswer {
    own: Own,
    assumption: Option<String>,
    unknown_reason: Option<String>,
}

/// Ask `done_on` (complete work) or `own_finish` (the rest) about the work `view` shows.
fn own_finish(rules: &Rules, view: &WorkView) -> Result<OwnAnswer, Error> {
    if view.status == Status::Complete.as_str() {
        let done = rules.done_on(view)?;
        return Ok(OwnAnswer { own: Own::Done(done), assumption: None, unknown_reason: None });
    }
    let OwnFinish { finish, assumption, unknown_reason } = rules.own_finish(view)?;
    let own = match finish {
        Finish::On(d) => Own::Date(d),
        Finish::Follows => Own::Follows,
        Finish::Unknown => Own::Unknown,
    };
    Ok(OwnAnswer { own, assumption, unknown_reason })
}

/// Every edge's follow-on time and the assumption it rests on, by edge index.
struct FollowOn {
    lag: Vec<Span>,
    assumption: Vec<Option<Arc<str>>>,
}

/// The follow-on time of every edge: the model's `lag` where it states one, else what
/// `forecast.rhai`'s `follow_on(work, waits_on, edge)` gives. Each assumption is kept once,
/// however many edges rest on it.
fn follow_on<'v>(
    graph: &Graph,
    rules: &Rules,
    view: impl Fn(NodeIndex) -> Option<&'v WorkView> + Sync,
) -> Result<FollowOn, Error> {
    let edges: Vec<EdgeIndex> = graph.dag.edge_indices().collect();
    let answers = rules.map_parts(&edges, |&e| {
        let weight = graph.dag[e];
        let Some((from, to)) = graph.dag.edge_endpoints(e) else { return Ok((weight.lag, None)) };
        match (view(from), view(to), weight.follow_on) {
            (Some(dependency), Some(work), true) => rules
                .follow_on(work, dependency, weight.implied)
                .map(|FollowOnTime { span, assumption }| (span, assumption)),
            _ => Ok((weight.lag, None)),
        }
    })?;
    // Remembered answers share their text already; answers the rules gave afresh are made to.
    let mut texts: HashSet<Arc<str>> = HashSet::new();
    let mut shared = |text: Arc<str>| match texts.get(&text) {
        Some(kept) => Arc::clone(kept),
        None => {
            texts.insert(Arc::clone(&text));
            text
        }
    };
    let mut lag = Vec::with_capacity(edges.len());
    let mut assumption = Vec::with_capacity(edges.len());
    for (span, text) in answers.into_iter().flatten() {
        lag.push(span);
        assumption.push(text.map(&mut shared));
    }
    Ok(FollowOn { lag, assumption })
}

/// The last year routemap writes a date in: JSON dates (`YYYY-MM-DD`) and every report keep
/// four-digit years. A forecast later than this comes only from lags, durations and slips that
/// add up to thousands of years, each one allowed (at most a hundred years): it is refused,
/// never written clamped to the calendar's end.
const LAST_YEAR: i32 = 9999;

/// The first piece of work (in model order) forecast beyond [`LAST_YEAR`], as an error located
/// at it in the model.
fn beyond_calendar(
    model: &Model,
    graph: &Graph,
    forecast: &[Option<NaiveDate>],
) -> Option<crate::error::Diagnostic> {
    use chrono::Datelike;
    let (n, date) = forecast.iter().enumerate().find_map(|(n, f)| {
        let date = (*f)?;
        let work = !matches!(graph.dag[NodeIndex::new(n)].item, Item::Outcome(_));
        (work && date.year() > LAST_YEAR).then_some((n, date))
    })?;
    let node = &graph.dag[NodeIndex::new(n)];
    let place = match node.item {
        Item::Task { action, task } => crate::model::Place::task(action, task),
        Item::Project(i) => crate::model::Place::project(i),
        Item::Outcome(_) => crate::model::Place::Unread,
    };
    Some(
        crate::error::Diagnostic::new(format!(
            "`{}` is forecast to finish in the year {}, beyond the years routemap writes (to {LAST_YEAR})",
            node.id,
            date.year()
        ))
        .at(model.origin.model.at(&place.item()))
        .help("the lags, durations and slips on the chain it waits on add up to thousands of years: shorten them"),
    )
}

/// Schedule and classify from a basis.
pub fn assess(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    basis: Basis,
) -> Result<Assessment, Error> {
    assess_reusing(model, graph, rules, basis, None)
}

/// Schedule and classify from a basis, reusing `earlier`'s classification of every outcome whose
/// view of the schedule is unchanged (rules are pure functions of what they see, so this gives
/// the same answer with fewer rule calls).
pub fn assess_reusing(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    basis: Basis,
    earlier: Option<&Assessment>,
) -> Result<Assessment, Error> {
    // Only an assessment made under these rules, of this graph, can lend its results.
    let earlier = earlier
        .filter(|e| e.basis.rules_hash == rules.hash && e.forecast.len() == graph.dag.node_count());
    // One compiled schedule serves every assessment with the same lags.
    let schedule = match earlier {
        Some(e) if Arc::ptr_eq(&e.basis.lag, &basis.lag) => Arc::clone(&e.schedule),
        _ => Arc::new(Compiled::new(graph, &basis.lag)),
    };
    let (pass, forecast, floor) = match earlier.filter(|e| Arc::ptr_eq(&e.schedule, &schedule)) {
        // What differs from the earlier assessment (own finishes and slips) is carried through
        // its downstream cone alone, and only the finishes that moved are dated afresh.
        Some(e) => {
            let slip = |b: &Basis, i: usize| b.slip.get(i).copied().flatten();
            let seeds: Vec<usize> = (0..basis.own.len())
                .filter(|&i| basis.own[i] != e.basis.own[i] || slip(&basis, i) != slip(&e.basis, i))
                .map(|i| schedule.at(NodeIndex::new(i)))
                .collect();
            let mut pass = e.pass.clone();
            let mut moved = Vec::new();
            schedule.update(&mut pass, &basis.own, &basis.slip, &seeds, &mut moved);
            let (mut forecast, mut floor) = (e.forecast.clone(), e.floor.clone());
            for (i, _) in moved {
                let n = schedule.node[i] as usize;
                forecast[n] = compiled::date(pass.forecast[i]);
                floor[n] = compiled::date(pass.floor[i]);
            }
            (pass, forecast, floor)
        }
        None => {
            let pass = schedule.forward(&basis.own, &basis.slip);
            let (forecast, floor) = (schedule.dates(&pass.forecast), schedule.dates(&pass.floor));
            (pass, forecast, floor)
        }
    };
    if let Some(d) = beyond_calendar(model, graph, &forecast) {
        return Err(d.into());
    }
    // Work with no forecast is unfinished: it finishes no earlier than the as-of date, whatever
    // the dates known of what it waits on say.
    let mut floor = floor;
    for (fl, fc) in floor.iter_mut().zip(&forecast) {
        if let (Some(d), None) = (fl.as_mut(), fc) {
            *d = (*d).max(basis.as_of);
        }
    }
    // Deadlines and lags do not change between a baseline and its scenarios' slips (a scenario
    // on another as-of date may have other lags, and so another schedule).
    let latest = match earlier {
        Some(e) if Arc::ptr_eq(&e.schedule, &schedule) && e.basis.deadline == basis.deadline => {
            Arc::clone(&e.latest)
        }
        _ => Arc::new(schedule.dates(&schedule.backward(&basis.deadline))),
    };
    // The upstream assumptions change only when a scenario replaces an assumed date, and the
    // task counts only when one changes a piece of work's own finish: both once per run.
    let same_assumptions =
        earlier.is_some_and(|e| Arc::ptr_eq(&e.basis.assumption, &basis.assumption));
    let same_own = earlier.is_some_and(|e| e.basis.own == basis.own);
    // Every outcome's upstream work in one pass, unless every outcome can reuse its own.
    let nodes: Vec<Option<NodeIndex>> =
        model.outcomes.iter().map(|o| graph.node(&o.code)).collect();
    let mut upstream = Vec::new();
    if !same_assumptions {
        let targets: Vec<NodeIndex> = nodes.iter().flatten().copied().collect();
        let mut each = schedule.upstream_open_each(&basis.own, &targets).into_iter();
        upstream = nodes.iter().map(|n| n.and_then(|_| each.next()).unwrap_or_default()).collect();
    }
    let plain = schedule.forward(&without_assumptions(&basis), &basis.slip);
    let ctx = Ctx {
        model,
        graph,
        rules,
        basis: &basis,
        schedule: &schedule,
        pass: &pass,
        plain: &plain,
        upstream: &upstream,
    };
    let mut outcomes = Vec::with_capacity(model.outcomes.len());
    for o in 0..model.outcomes.len() {
        let earlier_result = earlier.and_then(|e| e.outcomes.get(outcomes.len()));
        if let Some(r) = ctx.outcome(o, earlier_result, same_assumptions, same_own, None)? {
            outcomes.push(r);
        }
    }
    let exposure = funding::exposure(model, &basis.terms, &standings(graph, &outcomes));
    Ok(Assessment { basis, schedule, pass, plain, forecast, floor, latest, outcomes, exposure })
}

/// What one outcome's result is computed from: the model, graph and rules, the basis, and a
/// forward pass over its compiled schedule.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub(crate) model: &'a Model,
    pub(crate) graph: &'a Graph,
    pub(crate) rules: &'a Rules,
    pub(crate) basis: &'a Basis,
    /// The compiled schedule.
    pub(crate) schedule: &'a Compiled,
    /// The forward pass over it.
    pub(crate) pass: &'a Pass,
    /// The forward pass without the assumptions the council's dates can replace.
    pub(crate) plain: &'a Pass,
    /// Each outcome's open upstream work ([`Compiled::upstream_open_each`]), by model outcome
    /// index; empty when not computed, and then walked for each outcome that needs it.
    pub(crate) upstream: &'a [Vec<NodeIndex>],
}

/// Classifications already made, by what the rule saw (the outcome, by its place in the model,
/// and its facts): rules are pure functions of it.
pub(crate) type Memo =
    std::collections::HashMap<(usize, OutcomeFacts), (Standing, String, DateBasis)>;

impl Ctx<'_> {
    /// Outcome `o`'s result (none when it is not in the graph or has no deadline). `earlier` is
    /// an earlier assessment's result for it, whose classification is reused when the rule would
    /// see the same, whose upstream assumptions are reused when `same_assumptions`, and whose
    /// task counts are reused when `same_own` (no work's own finish changed); `memo` remembers
    /// classifications across many runs.
    pub(crate) fn outcome(
        &self,
        o: usize,
        earlier: Option<&OutcomeResult>,
        same_assumptions: bool,
        same_own: bool,
        memo: Option<&mut Memo>,
    ) -> Result<Option<OutcomeResult>, Error> {
        let Ctx { model, graph, rules, basis, schedule, pass, plain, upstream } = *self;
        let outcome = &model.outcomes[o];
        let Some(node) = graph.node(&outcome.code) else { return Ok(None) };
        let Some(deadline) = basis.deadline[node.index()] else { return Ok(None) };
        let f = schedule.date_of(&pass.forecast, node);
        // Unfinished, it finishes no earlier than the as-of date, whatever the dates known say.
        let no_earlier_than = schedule
            .date_of(&pass.floor, node)
            .map(|d| if f.is_none() { d.max(basis.as_of) } else { d });
        let slack_days = crate::schedule::slack(Some(deadline), f);
        // An outcome with no forecast that its dated work already makes late is driven by
        // that dated work; otherwise by the chain that sets (or withholds) its forecast.
        let late_floor = f.is_none() && no_earlier_than.is_some_and(|d| d > deadline);
        let drivers = if late_floor {
            schedule.floor_drivers(&basis.own, pass, node)
        } else {
            schedule.drivers(&basis.own, pass, node)
        };
        let earlier = earlier.filter(|r| r.node == node && r.outcome == o);
        let same = earlier.filter(|_| same_assumptions);
        let assumptions: Vec<NodeIndex> = match same {
            Some(r) => r.assumptions.clone(),
            None => {
                let walked;
                let up = match upstream.get(o) {
                    Some(up) => up,
                    None => {
                        walked = crate::schedule::upstream_open(graph, &basis.own, node);
                        &walked
                    }
                };
                up.iter().copied().filter(|n| basis.assumption[n.index()].is_some()).collect()
            }
        };
        // The tasks serving it change only when a scenario completes one (`own` changes).
        let (tasks_total, tasks_complete, tasks_not_started, partnership, council) = match earlier
            .filter(|_| same_own)
        {
            Some(r) => (
                r.facts.tasks_total,
                r.facts.tasks_complete,
                r.facts.tasks_not_started,
                r.facts.partnership,
                (r.facts.council_tasks, r.facts.council_tasks_complete),
            ),
            None => {
                let tasks: Vec<NodeIndex> = graph
                    .dag
                    .neighbors_directed(node, petgraph::Direction::Incoming)
                    .filter(|t| graph.dag[*t].kind == NodeKind::Task)
                    .collect();
                let task_status = |t: &NodeIndex| match graph.dag[*t].item {
                    Item::Task { action, task } => (
                        model.actions[action].tasks[task].status,
                        model.actions[action].partnership,
                    ),
                    _ => (Status::Unreported, false),
                };
                // Done as the basis has it: complete in the model, or made complete by a
                // scenario.
                let done = |t: &&NodeIndex| matches!(basis.own[t.index()], Own::Done(_));
                let not_started = tasks
                    .iter()
                    .filter(|t| !done(t) && task_status(t).0 == Status::NotStarted)
                    .count();
                let council: Vec<&NodeIndex> = tasks.iter().filter(|t| !task_status(t).1).collect();
                (
                    tasks.len() as i64,
                    tasks.iter().filter(done).count() as i64,
                    not_started as i64,
                    !tasks.is_empty() && council.is_empty(),
                    (council.len() as i64, council.iter().filter(|t| done(t)).count() as i64),
                )
            }
        };
        // The forecast's basis (or, with no forecast, its earliest finish's): assumed when it
        // would differ with the assumed dates replaced by the council's (or an assumption on the
        // chain that sets it has no such replacement); else stated when it is the council's own
        // target for the work that serves the outcome, derived when the council's targets for
        // other work set it through the graph.
        // The date without the assumptions: the same date means the council's own dates set it,
        // whatever chain ties with it.
        let shown = f.or(no_earlier_than);
        let plain_date = schedule.date_of(&plain.forecast, node).or_else(|| {
            schedule
                .date_of(&plain.floor, node)
                .map(|d| if f.is_none() { d.max(basis.as_of) } else { d })
        });
        // The work whose own finish sets the date (the chain's root) on an assumption the
        // council's own targets cannot replace.
        let unreplaced = drivers.first().is_some_and(|n| {
            basis.assumption[n.index()].is_some()
                && !basis.replacement[n.index()].is_some_and(|(_, councils)| councils)
        });
        let forecast_basis = shown.map(|date| {
            if unreplaced || plain_date != Some(date) {
                DateBasis::Assumed
            } else if drivers.len() <= 2 {
                DateBasis::Stated
            } else {
                DateBasis::Derived
            }
        });
        let facts = OutcomeFacts {
            deadline: Some(deadline),
            forecast: f,
            no_earlier_than,
            slack_days,
            as_of: basis.as_of,
            tasks_total,
            tasks_complete,
            tasks_not_started,
            assumed_drivers: drivers
                .iter()
                .filter(|n| basis.assumption[n.index()].is_some())
                .count() as i64,
            assumptions: assumptions.len() as i64,
            partnership,
            council_tasks: council.0,
            council_tasks_complete: council.1,
            basis: forecast_basis,
        };
        let result = |(standing, reason, verdict_basis): (Standing, String, DateBasis)| {
            Some(OutcomeResult {
                node,
                category: outcome.category,
                deadline,
                forecast: f,
                slack_days,
                standing,
                reason,
                basis: verdict_basis,
                drivers: drivers.clone(),
                assumptions: assumptions.clone(),
                outcome: o,
                facts,
            })
        };
        // An outcome the council does not deliver is not judged: the rules said so before
        // anything was scheduled.
        if let Some(reason) = &basis.not_applicable[node.index()] {
            return Ok(result((Standing::NotApplicable, reason.clone(), DateBasis::Stated)));
        }
        let seen =
            earlier.filter(|r| r.facts == facts).map(|r| (r.standing, r.reason.clone(), r.basis));
        let remembered = || memo.as_ref().and_then(|m| m.get(&(o, facts)).cloned());
        if let Some(answer) = seen.or_else(remembered) {
            return Ok(result(answer));
        }
        let answer = rules.classify(outcome, &facts)?;
        if let Some(m) = memo {
            m.insert((o, facts), answer.clone());
        }
        Ok(result(answer))
    }
}

/// Basis and assessment in one step.
pub fn evaluate(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    as_of: NaiveDate,
) -> Result<Assessment, Error> {
    let b = basis(model, graph, rules, as_of)?;
    assess(model, graph, rules, b)
}

/// Outcomes counted by category and standing: every standing present, zero or not.
pub fn summary(a: &Assessment) -> [(Category, [(Standing, usize); 6]); 2] {
    [Category::Required, Category::Good].map(|cat| {
        let counts = Standing::ALL.map(|st| {
            let n = a.outcomes.iter().filter(|r| r.standing == st && r.category == cat).count();
            (st, n)
        });
        (cat, counts)
    })
}

/// The model outcome index and standing of each result, for [`funding::exposure`].
pub fn standings(graph: &Graph, results: &[OutcomeResult]) -> Vec<(usize, Standing)> {
    results
        .iter()
        .filter_map(|r| match graph.dag[r.node].item {
            Item::Outcome(o) => Some((o, r.standing)),
            _ => None,
        })
        .collect()
}
