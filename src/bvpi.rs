//! BVPI 157: when each interaction group of the routemap's e-enablement table is forecast to be
//! enabled, from the forecast of the work linked to it, and the e-enabled percentage that gives
//! over time. Which groups count as enabled, and the target they are judged against, are the
//! rules' (`rules/bvpi.rhai`); this module gathers what the rules see and adds up the steps.

use chrono::NaiveDate;
use petgraph::graph::NodeIndex;
use rhai::{Array, Dynamic, Map};

use crate::assess::Assessment;
use crate::error::{Diagnostic, Error};
use crate::graph::{Graph, Item};
use crate::model::{Bvpi157, Model, Status};
use crate::rules::Rules;
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

fn get(map: &Map, key: &str) -> Option<Dynamic> {
    map.get(key).filter(|v| !v.is_unit()).cloned()
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
    let mut view = Map::new();
    view.insert("enabled_percent".into(), Dynamic::from(i64::from(t.enabled_percent)));
    view.insert("target".into(), Dynamic::from(t.target.clone()));
    view.insert("final_percent".into(), Dynamic::from(i64::from(final_percent)));
    view.insert("as_of".into(), Dynamic::from(as_of));
    let answer = rules.call("bvpi", "target", Dynamic::from(view))?;
    let bad_target =
        |got: &str| rules.bad_return("bvpi", "target", got, "#{ percent: <0..100>, by: <Date> }");
    let map = answer.try_cast::<Map>().ok_or_else(|| bad_target("something other than a map"))?;
    rules.check_keys(
        "bvpi",
        "target",
        &map,
        &"for the BVPI 157 table",
        (&["percent", "by"], &[]),
        "#{ percent: <0..100>, by: <Date> }",
    )?;
    let target_percent = get(&map, "percent")
        .and_then(|v| v.as_int().ok())
        .and_then(|p| u32::try_from(p).ok())
        .filter(|p| *p <= 100)
        .ok_or_else(|| bad_target("a `percent` that is not a whole number from 0 to 100"))?;
    let deadline = get(&map, "by")
        .and_then(|v| v.try_cast::<NaiveDate>())
        .ok_or_else(|| bad_target("a `by` that is not a Date"))?;

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
        let items: Array =
            work.iter().map(|&n| Dynamic::from(work_view(model, graph, a, n))).collect();
        let mut g = Map::new();
        g.insert("interaction".into(), Dynamic::from(row.interaction.clone()));
        let services: Array = row.services.iter().map(|s| Dynamic::from(s.clone())).collect();
        g.insert("services".into(), Dynamic::from(services));
        let processes = row.esd_processes.map_or(Dynamic::UNIT, |p| Dynamic::from(i64::from(p)));
        g.insert("processes".into(), processes);
        g.insert("target_percent".into(), Dynamic::from(i64::from(row.enabled_target_percent)));
        g.insert("gain".into(), Dynamic::from(i64::from(gain)));
        g.insert("as_of".into(), Dynamic::from(as_of));
        g.insert("work".into(), Dynamic::from(items));
        let needs = needs(rules, &g, &row.interaction, work.len())?;
        let answer = rules.call("bvpi", "enabled", Dynamic::from(g))?;
        let bad = |got: &str| {
            rules.bad_return(
                "bvpi",
                "enabled",
                &format!("{got} for `{}`", row.interaction),
                "#{ date: <Date or ()>, reason: \"...\", by: \"<id of its linked work>\" }",
            )
        };
        let map = answer.try_cast::<Map>().ok_or_else(|| bad("something other than a map"))?;
        rules.check_keys(
            "bvpi",
            "enabled",
            &map,
            &format!("for `{}`", row.interaction),
            (&["reason"], &["date", "by"]),
            "#{ date: <Date or ()>, reason: \"...\", by: \"<id of its linked work>\" }",
        )?;
        let forecast = match get(&map, "date") {
            None => None,
            Some(d) => {
                Some(d.try_cast::<NaiveDate>().ok_or_else(|| bad("a `date` that is not a Date"))?)
            }
        };
        // Nothing can show a group with no linked work enabled: it is reported, never counted.
        if work.is_empty() && forecast.is_some() {
            return Err(bad("a date for a group with no linked work"));
        }
        let reason = get(&map, "reason").map(|v| v.to_string()).unwrap_or_default();
        let by = match get(&map, "by").map(|v| v.to_string()) {
            None => None,
            Some(id) => Some(
                work.iter()
                    .copied()
                    .find(|&n| graph.dag[n].id == id)
                    .ok_or_else(|| bad(&format!("`by: \"{id}\"`, which is not its linked work")))?,
            ),
        };
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

/// How many of a group's `linked` pieces of work must finish for it to count as enabled, from
/// bvpi.rhai's `needs(group)` (the share of them, 0 to 1): what `simulate` applies in each run,
/// where no rule can be called.
fn needs(rules: &Rules, group: &Map, interaction: &str, linked: usize) -> Result<usize, Error> {
    let answer = rules.call("bvpi", "needs", Dynamic::from(group.clone()))?;
    let expected = "#{ share: <a number from 0 to 1> }";
    let bad = |got: &str| {
        rules.bad_return("bvpi", "needs", &format!("{got} for `{interaction}`"), expected)
    };
    let map = answer.try_cast::<Map>().ok_or_else(|| bad("something other than a map"))?;
    rules.check_keys(
        "bvpi",
        "needs",
        &map,
        &format!("for `{interaction}`"),
        (&["share"], &[]),
        expected,
    )?;
    let share = get(&map, "share")
        .and_then(|v| v.as_float().ok().or_else(|| v.as_int().ok().map(|i| i as f64)))
        .filter(|s| (0.0..=1.0).contains(s))
        .ok_or_else(|| bad("a `share` that is not a number from 0 to 1"))?;
    Ok(((share * linked as f64).ceil() as usize).max(usize::from(linked > 0)))
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

fn work_view(model: &Model, graph: &Graph, a: &Assessment, n: NodeIndex) -> Map {
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
    let mut w = Map::new();
    w.insert("id".into(), Dynamic::from(node.id.clone()));
    w.insert("kind".into(), Dynamic::from(kind.to_string()));
    w.insert("title".into(), Dynamic::from(title));
    let status = if done { Status::Complete } else { status };
    w.insert("status".into(), Dynamic::from(status.as_str().to_string()));
    w.insert("forecast".into(), a.forecast[n.index()].map_or(Dynamic::UNIT, Dynamic::from));
    w.insert("done".into(), Dynamic::from(done));
    // Why an unknown forecast is unknown: the reason of the work with no date at the root of
    // the chain that withholds it.
    let why = a.forecast[n.index()]
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
    w.insert("unknown_reason".into(), why.map_or(Dynamic::UNIT, Dynamic::from));
    w
}
