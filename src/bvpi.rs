//! BVPI 157: when each interaction group of the routemap's e-enablement table is forecast to be
//! enabled, from the forecast of the work linked to it, and the e-enabled percentage that gives
//! over time. Which groups count as enabled, and the target they are judged against, are the
//! rules' (`rules/bvpi.rhai`); this module gathers what the rules see and adds up the steps.

use chrono::NaiveDate;
use petgraph::graph::NodeIndex;

use crate::assess::Assessment;
use crate::error::{Diagnostic, Error};
use crate::graph::{Graph, Item};
use crate::model::{Bvpi157, Model, Status};
use crate::rules::Rules;
use crate::rules::answers::{BvpiTarget, Enabled};
use crate::rules::api::{GroupView, LinkedWork};
use crate::schedule::Own;

/// One interaction group of the table, forecast.
#[derive(Debug, Clone)]
pub struct Group {
    /// The interaction type, as the table writes it.
    pub interaction: String,
    /// The services affected.
    pub services: Vec<String>,
    /// The ESD process count, where the table gives one.
    pub processes: Option<u32>,
    /// The table's cumulative "% Enabled (Target)".
    pub target_percent: u32,
    /// The points this group adds over the row above it (the first row: over the baseline).
    pub gain: u32,
    /// The linked work, actions expanded into their tasks, in link order, each once.
    pub work: Vec<NodeIndex>,
    /// How many of `work` must finish for the group to count as enabled (bvpi.rhai `needs`):
    /// what a simulation run applies.
    pub needs: usize,
    /// The date the rules say it is enabled, if any.
    pub forecast: Option<NaiveDate>,
    /// The rule's reason.
    pub reason: String,
    /// The linked work that sets (or withholds) its date, as the rule named it.
    pub by: Option<NodeIndex>,
    /// The chain that sets that work's forecast, root cause first, ending at that work.
    pub drivers: Vec<NodeIndex>,
    /// Enabled on or before the deadline.
    pub on_time: bool,
}

/// A step of the e-enabled percentage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurveStep {
    /// From this date.
    pub date: NaiveDate,
    /// The percentage enabled.
    pub percent: u32,
    /// The groups enabled on this date (indexes into [`BvpiForecast::groups`]).
    pub groups: Vec<usize>,
}

/// The BVPI 157 forecast.
#[derive(Debug, Clone)]
pub struct BvpiForecast {
    /// The date the routemap was judged on.
    pub as_of: NaiveDate,
    /// The share enabled when the routemap was written.
    pub baseline_percent: u32,
    /// The target the rules set.
    pub target_percent: u32,
    /// The date it is to be met by.
    pub deadline: NaiveDate,
    /// The table's last "% Enabled (Target)": where the curve ends when every group is enabled.
    pub final_percent: u32,
    /// Every group, in table order.
    pub groups: Vec<Group>,
    /// The e-enabled percentage over time: the first step is on the as-of date; the percentage
    /// never falls.
    pub curve: Vec<CurveStep>,
    /// The percentage enabled on the deadline.
    pub percent_at_deadline: u32,
}

impl BvpiForecast {
    /// The percentage enabled on `date`.
    pub fn percent_on(&self, date: NaiveDate) -> u32 {
        self.curve
            .iter()
            .take_while(|s| s.date <= date)
            .last()
            .map_or(self.baseline_percent, |s| s.percent)
    }
}

/// The model's BVPI 157 table, or an error saying what to add.
pub fn table(model: &Model) -> Result<&Bvpi157, Error> {
    model.bvpi157.as_ref().ok_or_else(|| {
        Diagnostic::new(format!("{} has no BVPI 157 table", model.origin.model.name))
            .help(
                "add a `bvpi157:` section with `enabled_percent`, `target` and `interactions`, each \
                 interaction with its `enabled_target_percent` and the work that enables it \
                 (`enabled_by`); see docs/model.md",
            )
            .into()
    })
}

/// The BVPI 157 forecast of an assessment (the baseline or a scenario), or `None` when the model
/// has no BVPI 157 table.
pub fn evaluate(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    a: &Assessment,
) -> Result<Option<BvpiForecast>, Error> {
    match &model.bvpi157 {
        Some(t) => forecast(model, graph, rules, a, t).map(Some),
        None => Ok(None),
    }
}

/// The BVPI 157 forecast of an assessment; an error saying what to add when the model has no
/// BVPI 157 table.
pub fn evaluate_table(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    a: &Assessment,
) -> Result<BvpiForecast, Error> {
    forecast(model, graph, rules, a, table(model)?)
}

fn forecast(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    a: &Assessment,
    t: &Bvpi157,
) -> Result<BvpiForecast, Error> {
    let as_of = a.basis.as_of;
    let final_percent =
        t.interactions.iter().map(|r| r.enabled_target_percent).fold(t.enabled_percent, u32::max);
    let BvpiTarget { percent: target_percent, by: deadline } =
        rules.bvpi_target(t, final_percent, as_of)?;

    let mut groups = Vec::with_capacity(t.interactions.len());
    let mut above = t.enabled_percent;
    for row in &t.interactions {
        let gain = row.enabled_target_percent.saturating_sub(above);
        above = above.max(row.enabled_target_percent);
        let mut work: Vec<NodeIndex> = Vec::new();
        for link in &row.enabled_by {
            let nodes: Vec<NodeIndex> = match graph.node(&link.id) {
                Some(n) => vec![n],
                // Validation has made every id a task, project or action: an action stands for
                // its tasks.
                None => model
                    .actions
                    .iter()
                    .filter(|ac| ac.id == link.id)
                    .flat_map(|ac| ac.tasks.iter().filter_map(|t| graph.node(&t.id)))
                    .collect(),
            };
            for n in nodes {
                if !work.contains(&n) {
                    work.push(n);
                }
            }
        }
        let items = work.iter().map(|&n| linked_work(model, graph, a, n)).collect();
        let group = GroupView { row, gain, as_of, work: items };
        let needs = rules.needs(&group)?;
        let Enabled { date: forecast, reason, by } = rules.enabled(&group)?;
        let by = by.map(|i| work[i]);
        let drivers = by.map_or_else(Vec::new, |n| a.schedule.drivers(&a.basis.own, &a.pass, n));
        groups.push(Group {
            interaction: row.interaction.clone(),
            services: row.services.clone(),
            processes: row.esd_processes,
            target_percent: row.enabled_target_percent,
            gain,
            work,
            needs,
            on_time: forecast.is_some_and(|d| d <= deadline),
            forecast,
            reason,
            by,
            drivers,
        });
    }
    let curve = curve(as_of, t.enabled_percent, &groups);
    let mut f = BvpiForecast {
        as_of,
        baseline_percent: t.enabled_percent,
        target_percent,
        deadline,
        final_percent,
        groups,
        curve,
        percent_at_deadline: 0,
    };
    f.percent_at_deadline = f.percent_on(deadline);
    Ok(f)
}

/// The steps of the e-enabled percentage: the baseline (with every group already enabled) on
/// the as-of date, then one step on each later date a group is enabled.
fn curve(as_of: NaiveDate, baseline: u32, groups: &[Group]) -> Vec<CurveStep> {
    let mut dated: Vec<(NaiveDate, usize)> = groups
        .iter()
        .enumerate()
        .filter_map(|(i, g)| g.forecast.map(|d| (d.max(as_of), i)))
        .collect();
    dated.sort();
    let mut curve = vec![CurveStep { date: as_of, percent: baseline, groups: Vec::new() }];
    for (date, i) in dated {
        let percent = curve.last().map_or(baseline, |s| s.percent);
        if curve.last().is_none_or(|s| s.date != date) {
            curve.push(CurveStep { date, percent, groups: Vec::new() });
        }
        if let Some(step) = curve.last_mut() {
            step.percent = (step.percent + groups[i].gain).min(100);
            step.groups.push(i);
        }
    }
    curve
}

/// Linked work `n` as its group's `work` list shows it to the rules.
fn linked_work(model: &Model, graph: &Graph, a: &Assessment, n: NodeIndex) -> LinkedWork {
    let node = &graph.dag[n];
    let (kind, title, status) = match node.item {
        Item::Task { action, task } => {
            let t = &model.actions[action].tasks[task];
            ("task", t.text.clone(), t.status)
        }
        Item::Project(p) => {
            let p = &model.projects[p];
            (p.kind.as_str(), p.title.clone(), p.status)
        }
        Item::Outcome(_) => ("outcome", String::new(), Status::Unreported),
    };
    let done = matches!(a.basis.own[n.index()], Own::Done(_));
    // Why an unknown forecast is unknown: the reason of the work with no date at the root of
    // the chain that withholds it.
    let unknown_reason = a.forecast[n.index()]
        .is_none()
        .then(|| a.schedule.drivers(&a.basis.own, &a.pass, n))
        .and_then(|chain| {
            let root = *chain.first()?;
            let reason = a.basis.unknown_reason[root.index()].clone()?;
            Some(if root == n {
                reason
            } else {
                format!("waits on {}: {reason}", graph.dag[root].id)
            })
        });
    LinkedWork {
        id: node.id.clone(),
        kind,
        title,
        status: if done { Status::Complete } else { status },
        forecast: a.forecast[n.index()],
        done,
        unknown_reason,
    }
}
