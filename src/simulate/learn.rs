//! What the routemap's own history says about work slipping, and the distributions the runs
//! sample (see docs/simulate.md).
//!
//! Every task with a dated original target is evidence about its targets, typed by what the
//! routemap records of it on the as-of date:
//!
//! - a **re-plan** (`slip`): proposed later than the original, so the original target was missed,
//!   by the move the routemap records; if the re-planned target has passed too with the work still
//!   open, the move so far is only a lower bound (right-censored) and the re-planned target was
//!   missed again;
//! - a **completion** (`on_time`): complete, or re-planned to no later a date: the target held
//!   (the routemap gives no finish date, so a late finish it never recorded cannot be seen: the
//!   one assumption of this reading);
//! - **overdue**: open after its original target with no re-plan: missed, by more than the days
//!   since (right-censored);
//! - **not yet due**: open with its target still ahead and no re-plan: nothing is known yet. It
//!   is counted and shown, never read as on time.
//!
//! Two quantities are learnt, each per kind of work (`task`, `partnership`, `project`,
//! `national`, `milestone`: what was known when the target was set, never the status the slip
//! itself caused) and shrunk towards every kind's pooled figure by [`PRIOR_WEIGHT`] observations:
//!
//! - the probability that a target is missed ([`Rate`]: misses among resolved targets, with a
//!   Wilson interval on the effective sample), for first targets and, separately, for targets
//!   already re-planned once;
//! - how far beyond a missed target the work finishes: a Kaplan–Meier estimate over the moves,
//!   with the overdue lower bounds as censored observations; mass the evidence leaves beyond its
//!   longest delay is placed at that delay (a lower bound, said in the output).
//!
//! A piece of work's slip is then a mixture: 0 (it finishes by its current target) with the
//! probability the target holds, else a draw from the sizes ([`mixture`]).

use chrono::NaiveDate;
use petgraph::graph::NodeIndex;

use crate::graph::{Graph, Item};
use crate::model::{Model, Status, Target};

/// How many observations of the pooled evidence a kind's own estimate is shrunk with.
pub const PRIOR_WEIGHT: f64 = 5.0;

/// Entries of a mixture table: each run draws one, each equally likely.
pub const TABLE: usize = 200;

/// Points of a size distribution as the rules see it: its quantiles at (i + 0.5) / SIZES.
pub const SIZES: usize = 100;

/// The normal quantile of a 95% interval.
const Z95: f64 = 1.959_964;

/// What one task's targets say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// A re-plan: proposed later than the original.
    Slip,
    /// A completion, or re-planned to no later a date: the target held.
    OnTime,
    /// Open after its original target with no re-plan: missed by more than the days since.
    Overdue,
    /// Open with its target still ahead: nothing known yet.
    NotYetDue,
}

impl Evidence {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Slip => "slip",
            Evidence::OnTime => "on_time",
            Evidence::Overdue => "overdue",
            Evidence::NotYetDue => "not_yet_due",
        }
    }
}

/// A class of work: what kind it is (known when its target was set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Class {
    /// `task`, `partnership`, `project`, `national` or `milestone`.
    pub kind: &'static str,
}

impl Class {
    /// `task`.
    pub fn name(&self) -> String {
        self.kind.to_string()
    }

    /// The class of a node of the graph (outcomes have none).
    pub fn of(model: &Model, graph: &Graph, node: NodeIndex) -> Option<Class> {
        let kind = match graph.dag[node].item {
            Item::Outcome(_) => return None,
            Item::Task { action, .. } => {
                if model.actions[action].partnership {
                    "partnership"
                } else {
                    "task"
                }
            }
            Item::Project(p) => model.projects[p].kind.as_str(),
        };
        Some(Class { kind })
    }
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
    /// Days: a re-plan's move, an overdue task's days since its target (a lower bound), else 0.
    pub days: i32,
    /// Whether its original target was missed (`None`: not known yet).
    pub missed: Option<bool>,
    /// For a re-plan: whether the re-planned target was missed too (`None`: not known yet).
    pub missed_again: Option<bool>,
    /// How far beyond the missed target: days, and whether that is exact (false: at least).
    pub size: Option<(i32, bool)>,
}

/// Everything the routemap's targets say about slipping.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The observations, in model order.
    pub observations: Vec<Observation>,
    /// Tasks open with their target still ahead: nothing known yet (not read as on time).
    pub censored: Vec<String>,
    /// With `--history`: the intervals between dated versions the evidence also came from.
    pub dated: Vec<(NaiveDate, NaiveDate)>,
}

/// A probability learnt from counts: misses among resolved targets, shrunk towards a pooled
/// figure, with a 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// The estimate.
    pub p: f64,
    /// The interval's lower end.
    pub low: f64,
    /// Its upper end.
    pub high: f64,
    /// Resolved targets of the class itself.
    pub observations: usize,
    /// Of those, missed.
    pub misses: usize,
    /// The effective sample: its own observations and the pooled evidence's weight.
    pub effective: f64,
}

impl Rate {
    /// `misses` of `n` resolved, shrunk towards `pooled` with `weight` observations' worth.
    pub fn shrunk(misses: usize, n: usize, pooled: f64, weight: f64) -> Rate {
        let effective = n as f64 + weight;
        let p =
            if effective > 0.0 { (misses as f64 + weight * pooled) / effective } else { pooled };
        let (low, high) = wilson(p, effective);
        Rate { p, low, high, observations: n, misses, effective }
    }

    /// The same probability with its interval moved to `p` (to vary an assumption).
    pub fn at(self, p: f64) -> Rate {
        Rate { p: p.clamp(0.0, 1.0), ..self }
    }
}

/// The Wilson score interval of a proportion `p` over `n` observations.
fn wilson(p: f64, n: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 1.0);
    }
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// A discrete distribution of days: each value with its mass (summing to 1), values ascending.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Masses(pub Vec<(i32, f64)>);

impl Masses {
    /// The Kaplan–Meier estimate from `(days, exact)` observations (`exact` false: at least that
    /// many days). Mass left beyond the longest delay seen is placed at that delay. `None` when
    /// there is no observation.
    pub fn kaplan_meier(obs: &[(i32, bool)]) -> Option<Masses> {
        if obs.is_empty() {
            return None;
        }
        let mut sorted = obs.to_vec();
        // At equal days, events before censorings (the usual convention).
        sorted.sort_by_key(|&(d, exact)| (d, !exact));
        let mut at_risk = sorted.len() as f64;
        let mut survival = 1.0;
        let mut out: Vec<(i32, f64)> = Vec::new();
        let mut i = 0;
        while i < sorted.len() {
            let d = sorted[i].0;
            let same: Vec<&(i32, bool)> = sorted[i..].iter().take_while(|o| o.0 == d).collect();
            let events = same.iter().filter(|o| o.1).count() as f64;
            if events > 0.0 {
                let mass = survival * events / at_risk;
                out.push((d, mass));
                survival -= mass;
            }
            at_risk -= same.len() as f64;
            i += same.len();
        }
        if survival > 1e-12 {
            let longest = sorted.last().map_or(0, |o| o.0);
            match out.last_mut() {
                Some(last) if last.0 == longest => last.1 += survival,
                _ => out.push((longest, survival)),
            }
        }
        Some(Masses(out))
    }

    /// `self` with weight `w` and `other` with `1 - w`.
    pub fn mixed(&self, other: &Masses, w: f64) -> Masses {
        let mut all: Vec<(i32, f64)> = self.0.iter().map(|&(d, m)| (d, m * w)).collect();
        all.extend(other.0.iter().map(|&(d, m)| (d, m * (1.0 - w))));
        all.sort_by_key(|&(d, _)| d);
        let mut out: Vec<(i32, f64)> = Vec::new();
        for (d, m) in all {
            match out.last_mut() {
                Some(last) if last.0 == d => last.1 += m,
                _ => out.push((d, m)),
            }
        }
        Masses(out)
    }

    /// The smallest value whose cumulative mass reaches `q` (0 < q ≤ 1).
    pub fn quantile(&self, q: f64) -> i32 {
        let mut total = 0.0;
        for &(d, m) in &self.0 {
            total += m;
            if total >= q - 1e-12 {
                return d;
            }
        }
        self.0.last().map_or(0, |l| l.0)
    }

    /// The cumulative mass at or under `d`.
    pub fn cdf(&self, d: i32) -> f64 {
        self.0.iter().filter(|(x, _)| *x <= d).map(|(_, m)| m).sum::<f64>().min(1.0)
    }

    /// The distribution given that the value is more than `d` (all of it at `d` when the
    /// evidence has no mass beyond it).
    pub fn beyond(&self, d: i32) -> Masses {
        let rest: Vec<(i32, f64)> = self.0.iter().copied().filter(|(x, _)| *x > d).collect();
        let total: f64 = rest.iter().map(|(_, m)| m).sum();
        if total <= 1e-12 {
            return Masses(vec![(d, 1.0)]);
        }
        Masses(rest.into_iter().map(|(x, m)| (x, m / total)).collect())
    }

    /// [`SIZES`] quantiles, ascending: the distribution as a list of equally likely days.
    pub fn points(&self, n: usize) -> Vec<i32> {
        (0..n).map(|i| self.quantile((i as f64 + 0.5) / n as f64)).collect()
    }
}

/// The equally likely days a run draws from, in [`TABLE`] entries: 0 (the target holds) with
/// probability `1 - p_miss`; else a size (equally likely days), and with probability `p_again`
/// the re-planned target is missed too, adding another.
pub fn mixture(p_miss: f64, p_again: f64, sizes: &[i32]) -> Vec<i32> {
    if sizes.is_empty() {
        return vec![0; TABLE];
    }
    let (p, a) = (p_miss.clamp(0.0, 1.0), p_again.clamp(0.0, 1.0));
    let once = (TABLE as f64 * p * (1.0 - a)).round() as usize;
    let twice = ((TABLE as f64 * p).round() as usize).saturating_sub(once).min(TABLE - once);
    let pick = |list: &[i32], k: usize, of: usize| {
        let q = (k as f64 + 0.5) / of as f64;
        list[((q * list.len() as f64) as usize).min(list.len() - 1)]
    };
    let mut sums: Vec<i32> =
        sizes.iter().flat_map(|x| sizes.iter().map(move |y| x.saturating_add(*y))).collect();
    sums.sort_unstable();
    let mut out = vec![0; TABLE - once - twice];
    out.extend((0..once).map(|j| pick(sizes, j, once)));
    out.extend((0..twice).map(|j| pick(&sums, j, twice)));
    out.sort_unstable();
    out
}

/// The evidence a class's distribution is fitted from.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The class asked for.
    pub class: String,
    /// `task` when the class has resolved targets of its own (shrunk towards the pooled
    /// figures), `pooled` when it has none.
    pub source: String,
    /// The probability that a first target is missed.
    pub miss: Rate,
    /// The probability that a target already re-planned once is missed again.
    pub again: Rate,
    /// How far beyond a missed target the work finishes.
    pub sizes: Masses,
    /// Whether mass beyond the longest delay seen was placed at it (a lower bound).
    pub tail_at_longest: bool,
    /// A first target's slips as the runs draw them ([`mixture`]), sorted.
    pub days: Vec<i32>,
    /// The observations of the class itself, by index into [`History::observations`].
    pub used: Vec<usize>,
}

impl Fit {
    /// Whether the class has no evidence of its own.
    pub fn pooled(&self) -> bool {
        self.source != self.class
    }

    /// The `pct` percentile of the slips (the smallest with at least that share at or under).
    pub fn quantile(&self, pct: u64) -> i32 {
        quantile(&self.days, pct)
    }

    /// The slips a run draws for work whose current target is a re-plan.
    pub fn days_again(&self) -> Vec<i32> {
        mixture(self.again.p, self.again.p, &self.sizes.points(SIZES))
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

/// The longest slip learnt from, in days: ten years.
const LONGEST: i64 = 3650;

impl History {
    /// Read every task's original and proposed targets, judged on `as_of`.
    pub fn read(model: &Model, graph: &Graph, as_of: NaiveDate) -> History {
        let mut h = History::default();
        for idx in graph.dag.node_indices() {
            let Item::Task { action, task } = graph.dag[idx].item else { continue };
            let Some(class) = Class::of(model, graph, idx) else { continue };
            let t = &model.actions[action].tasks[task];
            let Some(original) = dated(t.original.as_deref()) else { continue };
            let complete = t.status == Status::Complete || model.actions[action].completed;
            let id = graph.dag[idx].id.clone();
            let days = |to: NaiveDate| (to - original).num_days().clamp(0, LONGEST) as i32;
            let o = match t.proposed.as_deref().map(Target::parse) {
                Some(Ok(Target::By(p))) if p > original => {
                    // The re-planned target: held if complete, missed if passed with the work
                    // open (the move so far only a lower bound), not known yet otherwise.
                    let (again, size) = if complete {
                        (Some(false), (days(p), true))
                    } else if p < as_of {
                        (Some(true), (days(as_of), false))
                    } else {
                        (None, (days(p), true))
                    };
                    Observation {
                        task: id,
                        class,
                        evidence: Evidence::Slip,
                        days: days(p),
                        missed: Some(true),
                        missed_again: again,
                        size: Some(size),
                    }
                }
                Some(Ok(Target::By(_))) => on_time(id, class),
                None | Some(Ok(Target::Unset)) => {
                    if complete {
                        on_time(id, class)
                    } else if original >= as_of {
                        h.censored.push(id.clone());
                        not_yet_due(id, class)
                    } else {
                        Observation {
                            task: id,
                            class,
                            evidence: Evidence::Overdue,
                            days: days(as_of),
                            missed: Some(true),
                            missed_again: None,
                            size: Some((days(as_of), false)),
                        }
                    }
                }
                // Re-planned to no date, or a phrase that is no date: no measure of slip.
                _ => continue,
            };
            h.observations.push(o);
        }
        h
    }

    /// The distribution of `class`: its own evidence shrunk towards every class's pooled
    /// evidence; without observation `skip`, for calibration.
    pub fn fit(&self, class: Class, skip: Option<usize>) -> Fit {
        self.fit_with(class, skip, PRIOR_WEIGHT)
    }

    /// [`History::fit`] with the pooled evidence weighing `weight` observations.
    pub fn fit_with(&self, class: Class, skip: Option<usize>, weight: f64) -> Fit {
        let kept = |i: &usize| Some(*i) != skip;
        let all: Vec<usize> = (0..self.observations.len()).filter(kept).collect();
        let own: Vec<usize> =
            all.iter().copied().filter(|&i| self.observations[i].class == class).collect();
        let rate = |ids: &[usize], of: &dyn Fn(&Observation) -> Option<bool>| {
            let resolved: Vec<bool> =
                ids.iter().filter_map(|&i| of(&self.observations[i])).collect();
            (resolved.iter().filter(|m| **m).count(), resolved.len())
        };
        let first = |o: &Observation| o.missed;
        let again = |o: &Observation| o.missed_again;
        let (pm, pn) = rate(&all, &first);
        let pooled_miss = if pn > 0 { pm as f64 / pn as f64 } else { 0.5 };
        let (om, on) = rate(&own, &first);
        let miss = Rate::shrunk(om, on, pooled_miss, weight);
        // A second re-plan is rarer evidence: every class's, shrunk towards the first targets'.
        let (am, an) = rate(&all, &again);
        let again = Rate::shrunk(am, an, pooled_miss, weight);
        let sizes_of = |ids: &[usize]| -> Vec<(i32, bool)> {
            ids.iter().filter_map(|&i| self.observations[i].size).collect()
        };
        let pooled_sizes = Masses::kaplan_meier(&sizes_of(&all)).unwrap_or(Masses(vec![(0, 1.0)]));
        let own_sizes = sizes_of(&own);
        let sizes = match Masses::kaplan_meier(&own_sizes) {
            Some(k) => {
                k.mixed(&pooled_sizes, own_sizes.len() as f64 / (own_sizes.len() as f64 + weight))
            }
            None => pooled_sizes,
        };
        let longest_exact =
            |obs: &[(i32, bool)]| obs.iter().max_by_key(|o| (o.0, o.1)).is_some_and(|o| !o.1);
        let tail_at_longest = longest_exact(&sizes_of(&all)) || longest_exact(&own_sizes);
        let days = mixture(miss.p, again.p, &sizes.points(SIZES));
        Fit {
            class: class.name(),
            source: if on > 0 { class.name() } else { "pooled".to_string() },
            miss,
            again,
            sizes,
            tail_at_longest,
            days,
            used: own,
        }
    }

    /// Hold each resolved observation out in turn, predict it from the rest (its class's fit
    /// without it), and say where it fell against the predicted P50 and P80. Kept for what it
    /// shows of the evidence; it cannot tell a right method from a wrong one on its own (see
    /// [`synthetic`]).
    pub fn calibrate(&self) -> Vec<Held> {
        (0..self.observations.len())
            .filter(|&i| self.observations[i].missed.is_some())
            .map(|i| {
                let o = &self.observations[i];
                let fit = self.fit(o.class, Some(i));
                let (p50, p80) = (fit.quantile(50), fit.quantile(80));
                Held { observation: i, source: fit.source, p50, p80 }
            })
            .collect()
    }
}

/// Open with its target still ahead: nothing known yet.
fn not_yet_due(task: String, class: Class) -> Observation {
    Observation {
        task,
        class,
        evidence: Evidence::NotYetDue,
        days: 0,
        missed: None,
        missed_again: None,
        size: None,
    }
}

fn on_time(task: String, class: Class) -> Observation {
    Observation {
        task,
        class,
        evidence: Evidence::OnTime,
        days: 0,
        missed: Some(false),
        missed_again: None,
        size: None,
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

/// The equally likely days of a three-point estimate, as a triangular distribution from
/// `earliest` through `likely` to `latest`, relative to `likely` (what the forecast uses).
pub fn triangular(earliest: NaiveDate, likely: NaiveDate, latest: NaiveDate) -> Vec<i32> {
    let (c, b) = ((likely - earliest).num_days() as i32, (latest - earliest).num_days() as i32);
    triangle(0, c, b).into_iter().map(|d| d - c).collect()
}

/// [`TABLE`] equally likely days of a triangular distribution from `a` through `c` to `b`.
pub fn triangle(a: i32, c: i32, b: i32) -> Vec<i32> {
    let (a, c, b) = (f64::from(a), f64::from(c), f64::from(b));
    if b <= a {
        return vec![a.round() as i32];
    }
    let fc = (c - a) / (b - a);
    (0..TABLE)
        .map(|i| {
            let u = (i as f64 + 0.5) / TABLE as f64;
            let x = if u < fc {
                a + ((b - a) * (c - a) * u).sqrt()
            } else {
                b - ((b - a) * (b - c) * (1.0 - u)).sqrt()
            };
            x.round() as i32
        })
        .collect()
}

pub mod synthetic;
pub mod versions;

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

    #[test]
    fn kaplan_meier_respects_censoring() {
        // Events at 10 and 30; one censored at 20: half the mass at 10, the rest at 30.
        let k = Masses::kaplan_meier(&[(10, true), (20, false), (30, true), (40, true)]).unwrap();
        assert_eq!(k.0.iter().map(|x| x.0).collect::<Vec<_>>(), [10, 30, 40]);
        assert!((k.0[0].1 - 0.25).abs() < 1e-9);
        assert!((k.0[1].1 - 0.375).abs() < 1e-9);
        // Treating the censored 20 as an event would put mass there: the estimate differs.
        let naive =
            Masses::kaplan_meier(&[(10, true), (20, true), (30, true), (40, true)]).unwrap();
        assert_ne!(k, naive);
        // Only censored observations: all the mass at the longest, a lower bound.
        let k = Masses::kaplan_meier(&[(50, false), (90, false)]).unwrap();
        assert_eq!(k.0, vec![(90, 1.0)]);
    }

    #[test]
    fn a_mixture_is_on_time_with_the_probability_the_target_holds() {
        let m = mixture(0.25, 0.0, &[30, 60]);
        assert_eq!(m.len(), TABLE);
        assert_eq!(m.iter().filter(|d| **d == 0).count(), TABLE * 3 / 4);
        assert_eq!(mixture(0.0, 0.5, &[30]), vec![0; TABLE]);
        // Missed twice: two sizes added.
        let m = mixture(1.0, 1.0, &[30]);
        assert_eq!(m, vec![60; TABLE]);
    }

    #[test]
    fn wilson_intervals_hold_the_estimate_and_narrow_with_evidence() {
        let few = Rate::shrunk(3, 6, 0.5, 0.0);
        let many = Rate::shrunk(300, 600, 0.5, 0.0);
        assert!(few.low < 0.5 && 0.5 < few.high);
        assert!(many.high - many.low < few.high - few.low);
    }

    #[test]
    fn a_triangle_centres_on_its_likeliest_date() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let t = triangular(d("2005-08-31"), d("2005-10-31"), d("2006-02-28"));
        assert_eq!(t.len(), TABLE);
        assert!(t[0] < 0 && *t.last().unwrap() > 0);
        assert!(t.windows(2).all(|w| w[0] <= w[1]));
    }
}
