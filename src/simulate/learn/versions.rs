//! History as evidence: what earlier, dated versions of a routemap say about its targets
//! (`simulate --history`), and the temporal hold-out that scores the method on them.
//!
//! Between two versions issued on `from` and `to`, every piece of work in both with an open,
//! dated target in the earlier one is one observation of that target, dated by the later
//! version's issue date (the target moved between the two issues, not only "at some time"):
//!
//! - moved later in the later version: the target was missed (a re-plan made by `to`), by the
//!   move; if the new target has passed by `to` with the work still open, only a lower bound;
//! - complete in the later version: the target held (as for the document's own completions, the
//!   finish date is not recorded: a late finish before `to` cannot be seen);
//! - open, not moved, and passed by `to`: missed, by more than the days since (right-censored);
//! - open, not moved, still ahead on `to`: nothing known yet (counted, never read as on time).
//!
//! Each piece of work is followed across the versions ([`Chain`]), and each target it held is one
//! observation, resolved by the first later version that completed or moved it (a target open and
//! unmoved through several versions is one observation, at its last state). A re-plan the earliest
//! version already records (its proposed later than its original) is an observation of the
//! original target. A target that was itself a re-plan informs the probability of missing a
//! re-planned target; a first target, the probability of missing a first target. A piece of work
//! the history covers (it is in the version before the current one) is learnt from the history in
//! place of the current document's own original/proposed pair, which records the same misses less
//! precisely: nothing is counted twice.

use chrono::NaiveDate;

use super::{Class, Evidence, History, LONGEST, Observation};

/// One piece of work in two versions, as the matching of versions finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Its id in the later version.
    pub id: String,
    /// Its class (`task`, `partnership`, `project`...).
    pub class: Class,
    /// Its target in the earlier version, where that names a date.
    pub before: Option<NaiveDate>,
    /// Whether that target was already a re-plan (proposed later than original).
    pub replanned: bool,
    /// Complete in the earlier version.
    pub done_before: bool,
    /// Its target in the later version, where that names a date.
    pub after: Option<NaiveDate>,
    /// Complete in the later version.
    pub done_after: bool,
}

/// Two versions' issue dates and the work in both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    /// The earlier version's issue date.
    pub from: NaiveDate,
    /// The later version's issue date.
    pub to: NaiveDate,
    /// The work in both.
    pub seen: Vec<Seen>,
}

/// The observation one piece of work gives between two versions, if any (`None`: the earlier
/// target was undated or already complete, or it is still ahead and unmoved).
pub fn observe(s: &Seen, to: NaiveDate) -> Option<Observation> {
    let before = s.before?;
    if s.done_before {
        return None;
    }
    let days = |d: NaiveDate| (d - before).num_days().clamp(0, LONGEST) as i32;
    let (evidence, missed, size) = match s.after {
        Some(after) if after > before => {
            // A re-plan: the move, exact once done; a lower bound if the new target has passed
            // too with the work still open.
            let size =
                if !s.done_after && after < to { (days(to), false) } else { (days(after), true) };
            (Evidence::Slip, true, Some(size))
        }
        _ if s.done_after => (Evidence::OnTime, false, None),
        _ if before < to => (Evidence::Overdue, true, Some((days(to), false))),
        _ => return None,
    };
    let (first, again) = if s.replanned { (None, Some(missed)) } else { (Some(missed), None) };
    Some(Observation {
        task: s.id.clone(),
        class: s.class,
        evidence,
        days: size.map_or(0, |(d, _)| d),
        missed: first,
        missed_again: again,
        size,
    })
}

/// One piece of work as each version it is in records it, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// Its id in the last version it is in.
    pub id: String,
    /// Its class.
    pub class: Class,
    /// What each version records of it.
    pub states: Vec<State>,
    /// Whether it is in the current version (the last one).
    pub current: bool,
}

/// One version's record of a piece of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// The version's issue date.
    pub at: NaiveDate,
    /// Its target there, where that names a date.
    pub target: Option<NaiveDate>,
    /// Its original target there, where it was re-planned (proposed later than original).
    pub replanned_from: Option<NaiveDate>,
    /// Complete there.
    pub done: bool,
}

impl Chain {
    /// One observation per target the work had: the first version's re-plan of its original
    /// target (as that version records it), then each target it held in turn, resolved by the
    /// first later version that completed it or moved it, else still open on the last version
    /// (overdue, or not yet due: `None` in the list, so the caller can count it as censored).
    pub fn observations(&self) -> Vec<Option<Observation>> {
        let mut out = Vec::new();
        let Some(first) = self.states.first() else { return out };
        // Work no longer in the current version is named as its last version had it, and said
        // to be gone, so that its id is not read as the current work's of the same id.
        let name = if self.current {
            self.id.clone()
        } else {
            let gone = self.states.last().map_or(first.at, |s| s.at);
            format!("{} (as of {gone}, since removed)", self.id)
        };
        let obs = |days: i32, exact: bool, evidence, missed: bool, replanned: bool| {
            let (first, again) =
                if replanned { (None, Some(missed)) } else { (Some(missed), None) };
            Observation {
                task: name.clone(),
                class: self.class,
                evidence,
                days,
                missed: first,
                missed_again: again,
                size: (evidence != Evidence::OnTime).then_some((days, exact)),
            }
        };
        let gap = |from: NaiveDate, to: NaiveDate| (to - from).num_days().clamp(0, LONGEST) as i32;
        // The re-plan the earliest version already records.
        if let (Some(original), Some(target)) = (first.replanned_from, first.target) {
            out.push(Some(obs(gap(original, target), true, Evidence::Slip, true, false)));
        }
        let mut j = 0;
        let mut replanned = first.replanned_from.is_some();
        while j < self.states.len() {
            let s = self.states[j];
            let Some(t) = s.target else { break };
            if s.done {
                break;
            }
            let next = (j + 1..self.states.len()).find(|&k| {
                let x = self.states[k];
                x.done || x.target.is_some_and(|d| d != t)
            });
            match next {
                Some(k) => {
                    let x = self.states[k];
                    match x.target.filter(|d| *d > t) {
                        Some(later) => {
                            let (days, exact) = if !x.done && later < x.at {
                                (gap(t, x.at), false)
                            } else {
                                (gap(t, later), true)
                            };
                            out.push(Some(obs(days, exact, Evidence::Slip, true, replanned)));
                            replanned = true;
                        }
                        None => out.push(Some(obs(0, true, Evidence::OnTime, false, replanned))),
                    }
                    j = k;
                }
                None => {
                    let last = self.states[self.states.len() - 1];
                    if t < last.at {
                        out.push(Some(obs(
                            gap(t, last.at),
                            false,
                            Evidence::Overdue,
                            true,
                            replanned,
                        )));
                    } else {
                        out.push(None);
                    }
                    break;
                }
            }
        }
        out
    }
}

impl History {
    /// The document's own evidence with the history's: one observation per target each piece
    /// of work held across the versions ([`Chain::observations`]), the document's own
    /// original/proposed pair kept only for work no earlier version holds; `intervals` name the
    /// dates the evidence came from.
    pub fn with_history(mut self, chains: &[Chain], intervals: &[Interval]) -> History {
        let covered: std::collections::HashSet<&str> = chains
            .iter()
            .filter(|c| c.current && c.states.len() > 1)
            .map(|c| c.id.as_str())
            .collect();
        self.observations.retain(|o| !covered.contains(o.task.as_str()));
        self.censored.retain(|t| !covered.contains(t.as_str()));
        for c in chains.iter().filter(|c| c.states.len() > 1) {
            for o in c.observations() {
                match o {
                    Some(o) => self.observations.push(o),
                    None if c.current => self.censored.push(c.id.clone()),
                    None => {}
                }
            }
        }
        self.dated = intervals.iter().map(|i| (i.from, i.to)).collect();
        self
    }
}

/// How the method scored predicting the last version from the ones before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Temporal {
    /// The version learnt up to (its issue date) and the version predicted.
    pub learnt_to: NaiveDate,
    /// The predicted version's issue date.
    pub predicted: NaiveDate,
    /// Targets open in the earlier version and due between its issue date and the later one's:
    /// how many.
    pub targets: usize,
    /// Of those, missed (moved later, or open and passed).
    pub missed: usize,
    /// The Brier score of the predicted probabilities of a miss (0 best).
    pub brier: f64,
    /// The Brier score of always predicting the share missed in what was learnt from (the
    /// reference a method must beat to add anything).
    pub brier_reference: f64,
    /// Re-plans seen in the later version: how many.
    pub moves: usize,
    /// Share of those moves at or under the predicted P50 of how late (ideal 0.5).
    pub at_or_under_p50: f64,
    /// Share at or under the predicted P80 (ideal 0.8).
    pub at_or_under_p80: f64,
    /// Targets re-planned before they were due (not scored: a target still ahead and unmoved
    /// would be censored, so scoring only the moved ones would count misses alone).
    pub early_moves: usize,
}

/// Learn from `learnt` (the history up to the earlier version of `last`), predict `last`: for
/// every target open in its earlier version and due by its later version's issue date, the
/// probability it is missed, against whether it was; for every re-plan, how late against the
/// predicted P50 and P80. `None` when no target was due between the two versions.
pub fn temporal(learnt: &History, last: &Interval) -> Option<Temporal> {
    let mut sq = 0.0;
    let mut sq_ref = 0.0;
    let (mut targets, mut missed, mut moves, mut p50, mut p80, mut early) = (0, 0, 0, 0, 0, 0);
    let resolved: Vec<bool> =
        learnt.observations.iter().filter_map(|o| o.missed.or(o.missed_again)).collect();
    let base = if resolved.is_empty() {
        0.5
    } else {
        resolved.iter().filter(|m| **m).count() as f64 / resolved.len() as f64
    };
    for s in &last.seen {
        let Some(before) = s.before else { continue };
        if s.done_before {
            continue;
        }
        let moved = s.after.is_some_and(|a| a > before);
        if before >= last.to {
            early += usize::from(moved);
            continue;
        }
        // Already passed when the earlier version was issued: known then, not predicted.
        if before < last.from {
            continue;
        }
        let Some(o) = observe(s, last.to) else { continue };
        let fit = learnt.fit(s.class, None);
        let p = if s.replanned { fit.again.p } else { fit.miss.p };
        let y = if o.missed.or(o.missed_again) == Some(true) { 1.0 } else { 0.0 };
        sq += (p - y) * (p - y);
        sq_ref += (base - y) * (base - y);
        targets += 1;
        missed += usize::from(y > 0.0);
        if let Some((d, true)) = o.size {
            moves += 1;
            p50 += usize::from(d <= fit.sizes.quantile(0.5));
            p80 += usize::from(d <= fit.sizes.quantile(0.8));
        }
    }
    if targets == 0 {
        return None;
    }
    let share = |n: usize| if moves == 0 { 0.0 } else { n as f64 / moves as f64 };
    Some(Temporal {
        learnt_to: last.from,
        predicted: last.to,
        targets,
        missed,
        brier: sq / targets as f64,
        brier_reference: sq_ref / targets as f64,
        moves,
        at_or_under_p50: share(p50),
        at_or_under_p80: share(p80),
        early_moves: early,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn seen(id: &str, before: NaiveDate, after: Option<NaiveDate>, done: bool) -> Seen {
        Seen {
            id: id.into(),
            class: Class { kind: "task" },
            before: Some(before),
            replanned: false,
            done_before: false,
            after,
            done_after: done,
        }
    }

    #[test]
    fn each_kind_of_dated_evidence() {
        let to = d(2005, 4, 20);
        // Moved later: missed, by the move.
        let o = observe(&seen("a", d(2005, 3, 31), Some(d(2005, 6, 30)), false), to).unwrap();
        assert_eq!((o.evidence, o.missed, o.size), (Evidence::Slip, Some(true), Some((91, true))));
        // Done: held.
        let o = observe(&seen("b", d(2005, 3, 31), Some(d(2005, 3, 31)), true), to).unwrap();
        assert_eq!((o.evidence, o.missed), (Evidence::OnTime, Some(false)));
        // Open and passed: missed by at least the days since.
        let o = observe(&seen("c", d(2005, 3, 31), Some(d(2005, 3, 31)), false), to).unwrap();
        assert_eq!((o.evidence, o.size), (Evidence::Overdue, Some((20, false))));
        // Open and still ahead: nothing known.
        assert!(observe(&seen("e", d(2005, 9, 30), Some(d(2005, 9, 30)), false), to).is_none());
        // A re-planned target informs the second rate only.
        let mut s = seen("f", d(2005, 3, 31), Some(d(2005, 5, 31)), false);
        s.replanned = true;
        let o = observe(&s, to).unwrap();
        assert_eq!((o.missed, o.missed_again), (None, Some(true)));
    }

    fn chain(id: &str, due: NaiveDate, then: Option<NaiveDate>, done: bool) -> Chain {
        let state = |at, target, done| State { at, target, replanned_from: None, done };
        Chain {
            id: id.into(),
            class: Class { kind: "task" },
            states: vec![
                state(d(2004, 12, 1), Some(due), false),
                state(d(2005, 4, 20), then, done),
            ],
            current: true,
        }
    }

    #[test]
    fn the_hold_out_scores_only_targets_due_between_the_versions() {
        let (from, to) = (d(2004, 12, 15), d(2005, 4, 20));
        let interval = |seen| Interval { from, to, seen };
        // Due between the two and missed, due before the earlier version (already known then),
        // and still ahead: only the first is scored.
        let due = seen("a", d(2005, 2, 28), Some(d(2005, 6, 30)), false);
        let known = seen("b", d(2004, 9, 30), Some(d(2004, 9, 30)), false);
        let ahead = seen("c", d(2005, 9, 30), Some(d(2005, 9, 30)), false);
        let t = temporal(&History::default(), &interval(vec![due, known, ahead]))
            .expect("a target fell due");
        assert_eq!((t.targets, t.missed, t.moves), (1, 1, 1));
    }

    #[test]
    fn one_observation_per_target_across_versions() {
        let at = |y, m, day, target, done| State {
            at: d(y, m, day),
            target: Some(target),
            replanned_from: None,
            done,
        };
        // Open and unmoved through three versions, its target long passed: one overdue
        // observation, at the last version, not one per interval.
        let c = Chain {
            id: "1.1".into(),
            class: Class { kind: "task" },
            states: vec![
                at(2004, 6, 30, d(2004, 9, 30), false),
                at(2004, 12, 15, d(2004, 9, 30), false),
                at(2005, 4, 20, d(2004, 9, 30), false),
            ],
            current: true,
        };
        let obs: Vec<_> = c.observations().into_iter().flatten().collect();
        assert_eq!(obs.len(), 1);
        assert_eq!((obs[0].evidence, obs[0].size), (Evidence::Overdue, Some((202, false))));
        // Re-planned before the history starts, then again: the earliest version's own re-plan,
        // then the re-planned target missed again.
        let mut first = at(2004, 12, 15, d(2005, 9, 30), false);
        first.replanned_from = Some(d(2005, 6, 30));
        let c = Chain {
            id: "3.2".into(),
            class: Class { kind: "task" },
            states: vec![first, at(2005, 4, 20, d(2005, 10, 31), false)],
            current: true,
        };
        let obs: Vec<_> = c.observations().into_iter().flatten().collect();
        assert_eq!(obs.len(), 2, "{obs:?}");
        assert_eq!((obs[0].missed, obs[0].size), (Some(true), Some((92, true))));
        assert_eq!((obs[1].missed, obs[1].missed_again), (None, Some(true)));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, rng_seed: proptest::test_runner::RngSeed::Fixed(26), failure_persistence: None, ..ProptestConfig::default() })]

        /// More evidence of slips never raises the probability that a target of that class
        /// holds: neither the learnt rate nor the share of on-time draws in the runs' table.
        #[test]
        fn more_slips_never_raise_p_on_time(
            held in 0usize..8, missed in 0usize..8, extra in 1usize..6, moves in proptest::collection::vec(1u64..400, 1..6)
        ) {
            let due = d(2005, 1, 31);
            let later = |i: usize| Some(due + chrono::Days::new(moves[i % moves.len()]));
            let mut chains = Vec::new();
            for i in 0..held {
                chains.push(chain(&format!("h{i}"), due, Some(due), true));
            }
            for i in 0..missed {
                chains.push(chain(&format!("m{i}"), due, later(i), false));
            }
            let before = History::default().with_history(&chains, &[]);
            for i in 0..extra {
                chains.push(chain(&format!("x{i}"), due, later(i), false));
            }
            let after = History::default().with_history(&chains, &[]);
            let class = Class { kind: "task" };
            let (b, a) = (before.fit(class, None), after.fit(class, None));
            prop_assert!(a.miss.p >= b.miss.p - 1e-12, "{} then {}", b.miss.p, a.miss.p);
            let zeros = |f: &super::super::Fit| f.days.iter().filter(|x| **x == 0).count();
            prop_assert!(zeros(&a) <= zeros(&b), "{} then {}", zeros(&b), zeros(&a));
        }
    }
}
