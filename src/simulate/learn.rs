//! Slip distributions learnt from the routemap's own history: every task with a dated original
//! target is evidence of how much work of its class slips (see docs/simulate.md).

use chrono::NaiveDate;
use petgraph::graph::NodeIndex;

use crate::graph::{Graph, Item};
use crate::model::{Model, Status, Target};

/// A class with fewer observations than this borrows the evidence of a wider one.
pub const MIN_OBSERVATIONS: usize = 5;

/// What one task's targets say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Proposed later than the original: a recorded slip.
    Slip,
    /// Complete on its original target, or re-planned to no later a date: no slip.
    OnTime,
    /// Still on an original target that has passed and not complete: slipped by at least the
    /// time since (counted as exactly that, a lower bound).
    Overdue,
}

impl Evidence {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Slip => "slip",
            Evidence::OnTime => "on_time",
            Evidence::Overdue => "overdue",
        }
    }
}

/// A class of work: what it is and whether it has started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Class {
    /// `task`, `partnership`, `project`, `national` or `milestone`.
    pub kind: &'static str,
    /// `not_started` or `started`.
    pub stage: &'static str,
}

impl Class {
    /// `task/started`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.kind, self.stage)
    }

    /// The class of a node of the graph (outcomes have none).
    pub fn of(model: &Model, graph: &Graph, node: NodeIndex) -> Option<Class> {
        let (kind, status) = match graph.dag[node].item {
            Item::Outcome(_) => return None,
            Item::Task { action, task } => {
                let a = &model.actions[action];
                (if a.partnership { "partnership" } else { "task" }, a.tasks[task].status)
            }
            Item::Project(p) => (model.projects[p].kind.as_str(), model.projects[p].status),
        };
        Some(Class { kind, stage: stage(status) })
    }
}

fn stage(status: Status) -> &'static str {
    if status == Status::NotStarted { "not_started" } else { "started" }
}

/// One task's evidence.
#[derive(Debug, Clone)]
pub struct Observation {
    /// The task's id.
    pub task: String,
    /// Its class.
    pub class: Class,
    /// What its targets say.
    pub evidence: Evidence,
    /// Days of slip (zero for on time).
    pub days: i32,
}

/// Everything the routemap's targets say about slipping.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The observations, in model order.
    pub observations: Vec<Observation>,
    /// Tasks still on an original target that has not yet come: not slipped yet. They are
    /// counted and shown but not fitted (see docs/simulate.md).
    pub censored: Vec<String>,
}

/// The evidence a class's distribution is fitted from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fit {
    /// The class asked for.
    pub class: String,
    /// The class whose evidence was used: the class itself, its kind (`task`), or `pooled`.
    pub source: String,
    /// Slips in days, sorted, each equally likely.
    pub days: Vec<i32>,
    /// The observations used, by index into [`History::observations`].
    pub used: Vec<usize>,
}

impl Fit {
    /// Whether the class borrowed a wider class's evidence.
    pub fn pooled(&self) -> bool {
        self.source != self.class
    }

    /// The `pct` percentile of the slips (the smallest with at least that share at or under).
    pub fn quantile(&self, pct: u64) -> i32 {
        quantile(&self.days, pct)
    }
}

/// The `pct` percentile of sorted `days`: the smallest value with at least `pct`% at or under.
pub fn quantile(days: &[i32], pct: u64) -> i32 {
    if days.is_empty() {
        return 0;
    }
    let n = days.len() as u64;
    let need = (n * pct).div_ceil(100).max(1);
    days[(need - 1) as usize]
}

fn dated(phrase: Option<&str>) -> Option<NaiveDate> {
    match Target::parse(phrase?) {
        Ok(Target::By(d)) => Some(d),
        _ => None,
    }
}

impl History {
    /// Read every task's original and proposed targets, judged on `as_of`.
    pub fn read(model: &Model, graph: &Graph, as_of: NaiveDate) -> History {
        let mut h = History::default();
        for idx in graph.dag.node_indices() {
            let Item::Task { action, task } = graph.dag[idx].item else { continue };
            let Some(class) = Class::of(model, graph, idx) else { continue };
            let t = &model.actions[action].tasks[task];
            let Some(original) = dated(t.original.as_deref()) else { continue };
            let proposed = t.proposed.as_deref().map(Target::parse);
            let days = |to: NaiveDate| (to - original).num_days().clamp(0, 3650) as i32;
            let (evidence, slip) = match proposed {
                Some(Ok(Target::By(p))) if p > original => (Evidence::Slip, days(p)),
                Some(Ok(Target::By(_))) => (Evidence::OnTime, 0),
                None | Some(Ok(Target::Unset)) => {
                    if t.status == Status::Complete || model.actions[action].completed {
                        (Evidence::OnTime, 0)
                    } else if original >= as_of {
                        h.censored.push(graph.dag[idx].id.clone());
                        continue;
                    } else {
                        (Evidence::Overdue, days(as_of))
                    }
                }
                // Re-planned to no date, or a phrase that is no date: no measure of slip.
                _ => continue,
            };
            h.observations.push(Observation {
                task: graph.dag[idx].id.clone(),
                class,
                evidence,
                days: slip,
            });
        }
        h
    }

    /// The distribution of `class`: its own observations where it has at least
    /// [`MIN_OBSERVATIONS`], else those of its kind, else every observation (`pooled`); without
    /// observation `skip`, for calibration.
    pub fn fit(&self, class: Class, skip: Option<usize>) -> Fit {
        let pick = |keep: &dyn Fn(&Observation) -> bool| -> Vec<usize> {
            (0..self.observations.len())
                .filter(|i| Some(*i) != skip && keep(&self.observations[*i]))
                .collect()
        };
        let own = pick(&|o| o.class == class);
        let (source, used) = if own.len() >= MIN_OBSERVATIONS {
            (class.name(), own)
        } else {
            let kind = pick(&|o| o.class.kind == class.kind);
            if kind.len() >= MIN_OBSERVATIONS {
                (class.kind.to_string(), kind)
            } else {
                ("pooled".to_string(), pick(&|_| true))
            }
        };
        let mut days: Vec<i32> = used.iter().map(|&i| self.observations[i].days).collect();
        if days.is_empty() {
            days.push(0);
        }
        days.sort_unstable();
        Fit { class: class.name(), source, days, used }
    }

    /// Hold each observation out in turn, predict it from the rest (its class's fit without
    /// it), and say whether it fell at or under the predicted P50 and P80.
    pub fn calibrate(&self) -> Vec<Held> {
        (0..self.observations.len())
            .map(|i| {
                let o = &self.observations[i];
                let fit = self.fit(o.class, Some(i));
                let (p50, p80) = (fit.quantile(50), fit.quantile(80));
                Held { observation: i, source: fit.source, p50, p80 }
            })
            .collect()
    }
}

/// One held-out observation and its prediction.
#[derive(Debug, Clone)]
pub struct Held {
    /// Index into [`History::observations`].
    pub observation: usize,
    /// The class whose evidence predicted it.
    pub source: String,
    /// The predicted P50, in days.
    pub p50: i32,
    /// The predicted P80, in days.
    pub p80: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_take_the_smallest_value_with_the_share_at_or_under() {
        let d = [0, 0, 10, 20, 30];
        assert_eq!(quantile(&d, 50), 10);
        assert_eq!(quantile(&d, 40), 0);
        assert_eq!(quantile(&d, 80), 20);
        assert_eq!(quantile(&d, 95), 30);
        assert_eq!(quantile(&[], 50), 0);
    }
}
