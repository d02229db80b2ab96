//! Simulation-based calibration: routemaps generated from slip processes whose truth is known,
//! recorded as a routemap records them on its as-of date (re-plans, completions, open work with
//! its target passed or still ahead), learnt from as [`History::fit`] learns, and scored against
//! the futures the known process produces: how often the work's slip fell at or under the
//! learnt P50 and P80 (beside the known process's own), and the Brier score of the learnt
//! probability of finishing by a deadline (beside the known process's own). A learner that
//! ignores censoring fails it ([`Learner::IgnoresCensoring`]).

use super::{Class, Evidence, History, Masses, Observation, Rate, SIZES, mixture, quantile};

/// How large a miss is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Size {
    /// Exponential with this mean, in days: light-tailed.
    Exponential(f64),
    /// Log-normal with this median, in days, and log-scale spread: heavy-tailed.
    LogNormal(f64, f64),
}

/// A known slip process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Process {
    /// Its name in output.
    pub name: &'static str,
    /// The probability a target is missed.
    pub q: f64,
    /// The probability a re-planned target is missed again.
    pub q_again: f64,
    /// How large each miss is.
    pub size: Size,
    /// Work shares its size with this many projects (each project's sizes scaled by one draw
    /// of a log-normal factor of spread 0.6): correlated work. 0: independent.
    pub projects: usize,
}

/// The processes `simulate --calibration` and the tests score.
pub const PROCESSES: [Process; 3] = [
    Process {
        name: "light-tailed",
        q: 0.4,
        q_again: 0.3,
        size: Size::Exponential(90.0),
        projects: 0,
    },
    Process {
        name: "heavy-tailed",
        q: 0.5,
        q_again: 0.4,
        size: Size::LogNormal(60.0, 1.1),
        projects: 0,
    },
    Process {
        name: "shared projects",
        q: 0.35,
        q_again: 0.3,
        size: Size::Exponential(75.0),
        projects: 8,
    },
];

/// How the evidence is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learner {
    /// As routemap reads it ([`History::fit`]).
    Censored,
    /// A deliberately broken reading: open work with its target still ahead counted as on
    /// time, and lower bounds counted as exact slips.
    IgnoresCensoring,
}

/// How a learner did on one process.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// The process.
    pub process: &'static str,
    /// Tasks in the generated history.
    pub history: usize,
    /// Future targets predicted.
    pub future: usize,
    /// The known probability that a target is missed, and the learnt one.
    pub q_true: f64,
    /// The learnt one.
    pub q_learnt: f64,
    /// Share of the futures' slips at or under the learnt P50.
    pub coverage_p50: f64,
    /// At or under the learnt P80.
    pub coverage_p80: f64,
    /// At or under the known process's own P50 (what a perfect learner would score).
    pub true_coverage_p50: f64,
    /// At or under its own P80.
    pub true_coverage_p80: f64,
    /// Brier score of the learnt probability of finishing by each deadline.
    pub brier: f64,
    /// Brier score of the known process's own probability.
    pub true_brier: f64,
}

impl Score {
    /// Whether the learnt figures are as good as the known process's, within `tolerance` of
    /// each coverage and `brier_tolerance` of its Brier score.
    pub fn passes(&self, tolerance: f64, brier_tolerance: f64) -> bool {
        (self.coverage_p50 - self.true_coverage_p50).abs() <= tolerance
            && (self.coverage_p80 - self.true_coverage_p80).abs() <= tolerance
            && self.brier - self.true_brier <= brier_tolerance
    }
}

/// The simulation's generator (SplitMix64), with the draws the synthetic processes need.
struct Rng(crate::simulate::SplitMix);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(crate::simulate::SplitMix(seed))
    }

    /// Uniform in (0, 1).
    fn unit(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    fn days(&mut self, from: i32, to: i32) -> i32 {
        from + (self.unit() * f64::from(to - from)) as i32
    }
}

impl Process {
    fn size(&self, rng: &mut Rng, factor: f64) -> i32 {
        let x = match self.size {
            Size::Exponential(mean) => -mean * rng.unit().ln(),
            Size::LogNormal(median, sigma) => median * (sigma * rng.normal()).exp(),
        };
        ((x * factor).round() as i32).clamp(1, 3650)
    }

    /// One piece of work's true slip beyond its target (negative: early).
    fn slip(&self, rng: &mut Rng, factor: f64) -> (i32, Option<(i32, bool)>) {
        if rng.unit() >= self.q {
            return (-rng.days(0, 20), None);
        }
        let first = self.size(rng, factor);
        let again = rng.unit() < self.q_again;
        let more = if again { self.size(rng, factor) } else { 0 };
        (first + more, Some((first, again)))
    }
}

/// The as-of date's day number; targets are days relative to it.
const AS_OF: i32 = 0;

/// Generate a history of `n` tasks from `process` as a routemap records it on the as-of date,
/// and `m` future targets (not yet due, not re-planned), each with its deadline's slack and the
/// slip that then happens; the factors of its projects are drawn from `seed` too.
fn generate(
    process: &Process,
    seed: u64,
    n: usize,
    m: usize,
) -> (History, Vec<(i32, i32, usize)>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let projects = process.projects.max(1);
    let factors: Vec<f64> = (0..projects)
        .map(|_| if process.projects == 0 { 1.0 } else { (0.6 * rng.normal()).exp() })
        .collect();
    let class = Class { kind: "task" };
    let mut h = History::default();
    for i in 0..n {
        let project = i % projects;
        let original = rng.days(-540, 360);
        let (slip, missed) = process.slip(&mut rng, factors[project]);
        let finish = original + slip;
        let complete = finish <= AS_OF;
        let task = format!("t{i}");
        // A missed target is re-planned a month before it falls due, to the first miss's end.
        let o = match missed {
            Some((first, _)) if original - 30 < AS_OF => {
                let proposed = original + first;
                let (again, size) = if complete {
                    (Some(false), (first, true))
                } else if proposed < AS_OF {
                    (Some(true), (AS_OF - original, false))
                } else {
                    (None, (first, true))
                };
                Observation {
                    task,
                    class,
                    evidence: Evidence::Slip,
                    days: first,
                    missed: Some(true),
                    missed_again: again,
                    size: Some(size),
                }
            }
            _ if complete => super::on_time(task, class),
            _ if original >= AS_OF => {
                h.censored.push(task.clone());
                super::not_yet_due(task, class)
            }
            _ => Observation {
                task,
                class,
                evidence: Evidence::Overdue,
                days: AS_OF - original,
                missed: Some(true),
                missed_again: None,
                size: Some((AS_OF - original, false)),
            },
        };
        h.observations.push(o);
    }
    let future = (0..m)
        .map(|j| {
            let project = (n + j) % projects;
            let slack = rng.days(0, 240);
            let (slip, _) = process.slip(&mut rng, factors[project]);
            (slack, slip, project)
        })
        .collect();
    (h, future, factors)
}

/// What a learner makes of a history: the probability a target is missed and the sizes.
fn learn(h: &History, learner: Learner) -> (Rate, Rate, Masses) {
    let class = Class { kind: "task" };
    match learner {
        Learner::Censored => {
            let f = h.fit(class, None);
            (f.miss, f.again, f.sizes)
        }
        Learner::IgnoresCensoring => {
            let mut read = h.clone();
            for o in &mut read.observations {
                if o.evidence == Evidence::NotYetDue {
                    o.missed = Some(false);
                }
                if let Some((d, _)) = o.size {
                    o.size = Some((d, true));
                }
            }
            let f = read.fit(class, None);
            (f.miss, f.again, f.sizes)
        }
    }
}

/// Score `learner` on `process`: a history of `n` tasks, `m` futures, from `seed`.
pub fn score(process: &Process, learner: Learner, seed: u64, n: usize, m: usize) -> Score {
    let (h, future, factors) = generate(process, seed, n, m);
    let (miss, again, sizes) = learn(&h, learner);
    let learnt = mixture(miss.p, again.p, &sizes.points(SIZES));
    let (p50, p80) = (quantile(&learnt, 50), quantile(&learnt, 80));
    let p_learnt =
        |slack: i32| learnt.partition_point(|s| *s <= slack) as f64 / learnt.len() as f64;
    // The known process's own figures for each project, from many draws of it.
    let mut truth_rng = Rng::new(seed ^ 0x5eed);
    let truth: Vec<Vec<i32>> = factors
        .iter()
        .map(|f| {
            let mut s: Vec<i32> =
                (0..4000).map(|_| process.slip(&mut truth_rng, *f).0.max(0)).collect();
            s.sort_unstable();
            s
        })
        .collect();
    let (mut c50, mut c80, mut t50, mut t80, mut brier, mut true_brier) = (0, 0, 0, 0, 0.0, 0.0);
    for &(slack, slip, project) in &future {
        // Lateness: a routemap records no finish dates, so finishing early counts as on time.
        let slip = slip.max(0);
        let t = &truth[project];
        c50 += usize::from(slip <= p50);
        c80 += usize::from(slip <= p80);
        t50 += usize::from(slip <= quantile(t, 50));
        t80 += usize::from(slip <= quantile(t, 80));
        let happened = f64::from(u8::from(slip <= slack));
        let p_true = t.partition_point(|s| *s <= slack) as f64 / t.len() as f64;
        brier += (p_learnt(slack) - happened).powi(2);
        true_brier += (p_true - happened).powi(2);
    }
    let m = future.len().max(1) as f64;
    Score {
        process: process.name,
        history: h.observations.len(),
        future: future.len(),
        q_true: process.q,
        q_learnt: miss.p,
        coverage_p50: c50 as f64 / m,
        coverage_p80: c80 as f64 / m,
        true_coverage_p50: t50 as f64 / m,
        true_coverage_p80: t80 as f64 / m,
        brier: brier / m,
        true_brier: true_brier / m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Coverage within five points of the known process's, Brier within 0.01 of its own.
    const TOLERANCE: f64 = 0.05;
    const BRIER_TOLERANCE: f64 = 0.01;

    #[test]
    fn the_censored_learner_is_calibrated_on_every_process() {
        for p in &PROCESSES {
            let s = score(p, Learner::Censored, 2005, 1500, 3000);
            assert!(s.passes(TOLERANCE, BRIER_TOLERANCE), "{s:#?}");
        }
    }

    #[test]
    fn a_learner_that_ignores_censoring_fails() {
        for p in &PROCESSES {
            let s = score(p, Learner::IgnoresCensoring, 2005, 1500, 3000);
            assert!(!s.passes(TOLERANCE, BRIER_TOLERANCE), "{s:#?}");
        }
    }
}
