//! What is legal in a model but probably wrong: `routemap check` reports these as warnings,
//! located like errors, each saying what to do about it. They never stop a forecast.

use std::collections::BTreeMap;

use petgraph::Direction;
use petgraph::graph::NodeIndex;

use crate::assess::Standing;
use crate::error::Diagnostic;
use crate::graph::Item;
use crate::model::{Category, Status, Target};
use crate::session::Evaluated;

/// One warning: a short kind name (stable, for programs) and the located message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// `complete-waits-on-open`, `nothing-waits-on`, `unserved-outcome`, `driver-without-owner`
    /// or `proposed-earlier`.
    pub kind: &'static str,
    /// What was found, where, and what to do.
    pub diagnostic: Diagnostic,
}

/// Every warning of an evaluated model, in file order (unlocated ones last).
pub fn check(e: &Evaluated) -> Vec<Warning> {
    let mut found = Found::default();
    complete_waits_on_open(e, &mut found);
    nothing_waits_on(e, &mut found);
    drivers_without_owner(e, &mut found);
    proposed_earlier(e, &mut found);
    let mut out = found.located(e);
    unserved_outcomes(e, &mut out);
    out.sort_by(|a, b| place(a).cmp(&place(b)));
    out
}

/// Where a warning sorts: located ones by file, line and column, then unlocated ones.
fn place(w: &Warning) -> (u8, &str, usize, usize) {
    w.diagnostic
        .location
        .as_deref()
        .map_or((1, "", 0, 0), |l| (0, l.file.as_str(), l.line, l.column))
}

/// Warnings found and not yet located: each with the path of the node it is about. They are
/// located together, so that a file is read for its positions once, however many there are.
#[derive(Default)]
struct Found {
    pending: Vec<(&'static str, String, String, &'static str)>,
}

impl Found {
    fn warn(&mut self, kind: &'static str, path: String, message: String, help: &'static str) {
        self.pending.push((kind, path, message, help));
    }

    /// The warnings, each at its node in the model file.
    fn located(self, e: &Evaluated) -> Vec<Warning> {
        let paths: Vec<&str> = self.pending.iter().map(|(_, path, _, _)| path.as_str()).collect();
        let places = e.model.origin.model.at_all(&paths);
        self.pending
            .into_iter()
            .zip(places)
            .map(|((kind, _, message, help), at)| Warning {
                kind,
                diagnostic: Diagnostic::new(message).at(Some(at)).help(help),
            })
            .collect()
    }
}

/// A piece of work's status and status as written, found by id through the graph's index.
fn status_of<'a>(e: &'a Evaluated, id: &str) -> Option<(Status, &'a str)> {
    let m = e.model;
    match e.graph.dag[e.graph.node(id)?].item {
        Item::Project(p) => {
            let p = &m.projects[p];
            Some((p.status, p.status_text.as_deref().unwrap_or("")))
        }
        Item::Task { action, task } => {
            let t = &m.actions[action].tasks[task];
            Some((t.status, t.status_text.as_deref().unwrap_or("")))
        }
        Item::Outcome(_) => None,
    }
}

fn complete_waits_on_open(e: &Evaluated, out: &mut Found) {
    let m = e.model;
    let work = m
        .projects
        .iter()
        .map(|p| (p.id.as_str(), p.status, &p.waits_on))
        .chain(m.tasks().map(|(_, t)| (t.id.as_str(), t.status, &t.waits_on)));
    for (id, own, waits_on) in work {
        if own != Status::Complete {
            continue;
        }
        for dep in waits_on.iter() {
            let Some((theirs, text)) = status_of(e, &dep.id) else { continue };
            if theirs == Status::Complete {
                continue;
            }
            let text = if text.is_empty() { "no status" } else { text };
            out.warn(
                "complete-waits-on-open",
                dep.path(),
                format!("`{id}` is complete but waits on `{}`, which is not ({text})", dep.id),
                "correct one of the two statuses, or remove this `waits_on` entry if the work did not in fact wait on it",
            );
        }
    }
}

/// Unfinished work from which no outcome can be reached: it is forecast, but moves nothing.
/// Complete work is left out (it cannot move a forecast); an action whose every task is such
/// work gets one warning rather than one per task.
fn nothing_waits_on(e: &Evaluated, out: &mut Found) {
    let dag = &e.graph.dag;
    let mut feeds = vec![false; dag.node_count()];
    let mut stack: Vec<NodeIndex> =
        dag.node_indices().filter(|n| matches!(dag[*n].item, Item::Outcome(_))).collect();
    while let Some(n) = stack.pop() {
        for up in dag.neighbors_directed(n, Direction::Incoming) {
            if !feeds[up.index()] {
                feeds[up.index()] = true;
                stack.push(up);
            }
        }
    }
    let mut by_action: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for n in dag.node_indices() {
        if feeds[n.index()] {
            continue;
        }
        match dag[n].item {
            Item::Task { action, task } => {
                if e.model.actions[action].tasks[task].status != Status::Complete {
                    by_action.entry(action).or_default().push(task);
                }
            }
            Item::Project(p) => {
                let project = &e.model.projects[p];
                if project.status != Status::Complete {
                    out.warn(
                        "nothing-waits-on",
                        format!("projects[{p}].id"),
                        format!(
                            "no outcome waits on project `{}`, directly or through other work",
                            project.id
                        ),
                        "name it in the `waits_on` of the work that needs it; if it serves no outcome, leave it: it is forecast but moves no outcome",
                    );
                }
            }
            Item::Outcome(_) => {}
        }
    }
    for (a, tasks) in by_action {
        let action = &e.model.actions[a];
        let help = "list the outcomes the action serves under its `outcomes`, or make the work that serves an outcome wait on it; local work is forecast but moves no outcome";
        if tasks.len() == action.tasks.len() {
            out.warn(
                "nothing-waits-on",
                format!("actions[{a}].ref"),
                format!(
                    "no outcome waits on action {} ({} unfinished {}), directly or through other work",
                    action.reference,
                    tasks.len(),
                    if tasks.len() == 1 { "task" } else { "tasks" }
                ),
                help,
            );
        } else {
            for t in tasks {
                out.warn(
                    "nothing-waits-on",
                    format!("actions[{a}].tasks[{t}]"),
                    format!(
                        "no outcome waits on task `{}`, directly or through other work",
                        action.tasks[t].id
                    ),
                    help,
                );
            }
        }
    }
}

/// Work on the chain that sets a Required outcome's date, with nobody named responsible.
fn drivers_without_owner(e: &Evaluated, out: &mut Found) {
    let mut drives: BTreeMap<NodeIndex, Vec<&str>> = BTreeMap::new();
    for r in &e.assessment.outcomes {
        let category = e.model.outcomes[r.node.index()].category;
        if category != Category::Required || r.standing == Standing::Achieved {
            continue;
        }
        for &n in &r.drivers {
            if n != r.node && e.owner(n).is_none() {
                drives.entry(n).or_default().push(e.id(r.node));
            }
        }
    }
    for (n, codes) in drives {
        let path = match e.graph.dag[n].item {
            Item::Task { action, task } => format!("actions[{action}].tasks[{task}]"),
            Item::Project(p) => format!("projects[{p}].id"),
            Item::Outcome(_) => continue,
        };
        out.warn(
            "driver-without-owner",
            path,
            format!("`{}` sets the date of {} and has no named owner", e.id(n), codes.join(", ")),
            "name an `owner` on the task, its action or the project, so that reports can say who is responsible",
        );
    }
}

/// A proposed target earlier than the original, with no comment to say why.
fn proposed_earlier(e: &Evaluated, out: &mut Found) {
    for (a, action) in e.model.actions.iter().enumerate() {
        for (t, task) in action.tasks.iter().enumerate() {
            let date = |p: &Option<Box<str>>| {
                p.as_deref().and_then(|p| Target::parse(p).ok()).and_then(|t| t.date())
            };
            let (Some(original), Some(proposed)) = (date(&task.original), date(&task.proposed))
            else {
                continue;
            };
            if proposed < original && task.comments.as_deref().is_none_or(|c| c.trim().is_empty()) {
                out.warn(
                    "proposed-earlier",
                    format!("actions[{a}].tasks[{t}].proposed"),
                    format!(
                        "task `{}`'s proposed target {proposed} is earlier than its original {original}, with no comment",
                        task.id
                    ),
                    "say why in `comments`, or check that the original and proposed targets are not swapped",
                );
            }
        }
    }
}

fn unserved_outcomes(e: &Evaluated, out: &mut Vec<Warning>) {
    let dag = &e.graph.dag;
    let codes: Vec<&str> = e
        .assessment
        .outcomes
        .iter()
        .filter(|r| dag.neighbors_directed(r.node, Direction::Incoming).next().is_none())
        // An outcome the council does not deliver needs no work.
        .filter(|r| r.standing != crate::assess::Standing::NotApplicable)
        .map(|r| e.id(r.node))
        .collect();
    if codes.is_empty() {
        return;
    }
    let n = codes.len();
    out.push(Warning {
        kind: "unserved-outcome",
        diagnostic: Diagnostic::new(format!(
            "no work serves {n} {}: {}",
            if n == 1 { "outcome" } else { "outcomes" },
            codes.join(", ")
        ))
        .help("add the actions that deliver them, each with `outcomes: [..]`; until then classify.rhai judges them (UNSERVED_STATUS)"),
    });
}
