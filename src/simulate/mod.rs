//! Monte Carlo deadline risk: many scenarios sampled from slip distributions learnt from the
//! routemap's own history ([`learn`]), which `rules/simulate.rhai` may override.
//!
//! [`Plan::new`] does everything that needs the rules, once per model: each unfinished piece of
//! work's distribution (one `slip` call each), the common factor, each outcome's funding at risk
//! on time and late. [`Plan::run`] is native code over the compiled schedule: per run, sample
//! each piece of work's slip, one forward pass, each outcome on time or late. Runs are split
//! into fixed chunks of [`CHUNK`] runs, each run with its own random stream keyed by the seed and
//! its index, and the chunks are merged in run order, so the same seed gives the same result
//! whatever the number of threads.

pub mod learn;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use petgraph::graph::NodeIndex;

use crate::assess::{Assessment, Standing};
use crate::error::Error;
use crate::graph::{Graph, Item};
use crate::model::{Category, Model};
use crate::rules::Rules;
use crate::rules::api::{Learnt, LearntRate, WorkView};
use crate::schedule::compiled::{self, Compiled, Day, Kind, NONE, Owns};
use crate::schedule::{self, Own};
use learn::{Class, Fit, History};

/// Runs per chunk: the unit of work a thread takes, and of merging.
pub const CHUNK: u64 = 1024;

/// The runs kept whole for rank correlations (sensitivity): at most the first this many.
pub const SENSITIVITY_RUNS: u64 = 10_000;

/// The most values (a slip per piece of work and a date per Required outcome, per run) kept
/// for rank correlations: a large model keeps fewer runs, so memory does not grow with the
/// model times the runs (20 million values: 80 MB).
pub const SENSITIVITY_VALUES: u64 = 20_000_000;

/// The largest spread and slip (in days, either way) `slip` may return: its answer is decoded
/// in `rules/`.
pub use crate::rules::answers::{MAX_DAYS, MAX_SPREAD};

/// One piece of work's distribution, as the runs use it.
#[derive(Debug, Clone)]
pub struct Sampled {
    /// Its node.
    pub node: NodeIndex,
    /// Its class and the evidence it was fitted from (one per class, shared by its work).
    pub fit: Arc<Fit>,
    /// Whether its date is assumed.
    pub assumed: bool,
    /// What its future is drawn from.
    pub future: Future,
    /// Whether the rule returned other days than it was shown.
    pub overridden: bool,
    /// What the rule returned: the days (sorted) and the spread.
    pub days: Days,
    /// The spread.
    pub spread: f64,
    position: u32,
    offset: u32,
}

/// The days `slip` returned for a piece of work, sorted: one list shared by every piece of work
/// given the same (as the default gives each class's learnt days), so that a model of 10,000
/// pieces of work with 10,000 learnt days each holds them once, not 10,000 times.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Days(Arc<[i32]>);

impl std::ops::Deref for Days {
    type Target = [i32];
    fn deref(&self) -> &[i32] {
        &self.0
    }
}

impl std::borrow::Borrow<[i32]> for Days {
    fn borrow(&self) -> &[i32] {
        &self.0
    }
}

impl PartialEq<Vec<i32>> for Days {
    fn eq(&self, other: &Vec<i32>) -> bool {
        *self.0 == **other
    }
}

#[derive(Debug, Clone)]
struct Slot {
    node: NodeIndex,
    position: usize,
    deadline: Day,
    required: bool,
    /// For an outcome achieved on the as-of date (a verdict that may rest on the council's own
    /// work while a partner's is open): its forecast, its date in every run, as no slip can
    /// undo it.
    achieved: Option<Day>,
    /// Pounds at risk on time, late, and with no date, in the streams shared pro rata.
    pounds: [u64; 3],
    /// Per stream judged on a return (in [`Plan::returns`] order): the share of it this outcome
    /// exposes on time, late, and with no date.
    shares: Vec<[f64; 3]>,
}

/// Everything the runs need, computed once per model.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The compiled schedule of the baseline.
    pub compiled: Arc<Compiled>,
    /// The baseline's own finishes, by position.
    pub owns: Owns,
    /// Every piece of work that may slip, in node order.
    pub sampled: Vec<Sampled>,
    /// The programme-wide common factor, 0 to 1.
    pub common: f64,
    /// What the distributions were learnt from.
    pub history: History,
    table: Vec<i32>,
    /// A scenario's slips, in days, per position (zero in the baseline): added to every run.
    base: Vec<i32>,
    threshold: u32,
    slots: Vec<Slot>,
    /// Every stream at risk that is judged on a return: its index in the model and amount.
    returns: Vec<(usize, u64)>,
    /// The register's risks that delay work when they occur.
    pub events: Vec<Event>,
    /// The BVPI 157 table's groups, where the model has one.
    bvpi: Option<BvpiPlan>,
}

/// What a run needs to tell the BVPI 157 percentage on the deadline: each group's linked work
/// (by position), how many of them must finish (from bvpi.rhai's `needs`), and what it adds.
#[derive(Debug, Clone)]
struct BvpiPlan {
    baseline: u32,
    target: u32,
    deadline: Day,
    groups: Vec<(Vec<usize>, usize, u32)>,
}

/// BVPI 157 across the runs.
#[derive(Debug, Clone)]
pub struct BvpiSim {
    /// The target percentage.
    pub target_percent: u32,
    /// Its deadline.
    pub deadline: NaiveDate,
    /// The share of runs that reach the target by the deadline.
    pub p_target: f64,
    /// How many runs reached each percentage on the deadline (index: percent).
    pub percent_runs: Vec<u64>,
}

/// Options of a simulation.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Runs, at least 1.
    pub runs: u64,
    /// The seed.
    pub seed: u64,
    /// Threads, at least 1.
    pub threads: usize,
}

/// What all of a plan's `slip` calls may take together: this, and [`SLIP_TIME_PER_CALL`] more for
/// each call. A `slip` that returns `learnt.days` takes microseconds.
pub const SLIP_TIME_BASE: std::time::Duration = std::time::Duration::from_secs(2);

/// What each `slip` call adds to what they may take together.
pub const SLIP_TIME_PER_CALL: std::time::Duration = std::time::Duration::from_millis(1);

/// `--runs auto` runs until every headline probability's standard error is at most this.
pub const AUTO_SE: f64 = 0.005;

/// `--runs auto` starts with this many runs.
pub const AUTO_PILOT: u64 = 2 * CHUNK;

/// `--runs auto` never runs more than this many.
pub const AUTO_CAP: u64 = 1_000_000;

/// The Monte Carlo standard error of a share `p` of `runs` runs.
pub fn standard_error(p: f64, runs: u64) -> f64 {
    (p * (1.0 - p) / runs.max(1) as f64).sqrt()
}

impl Simulation {
    /// The headline probabilities: each Required outcome's P(on time), P(BVPI 157 target) and
    /// each stream's P(at risk).
    pub fn headline(&self) -> Vec<f64> {
        let runs = self.runs.max(1) as f64;
        let mut out: Vec<f64> =
            self.outcomes.iter().filter(|o| o.required).map(|o| o.on_time as f64 / runs).collect();
        out.extend(self.bvpi157.as_ref().map(|b| b.p_target));
        out.extend(self.streams_at_risk.iter().map(|(_, p)| *p));
        out
    }

    /// The largest standard error among the headline probabilities.
    pub fn max_se(&self) -> f64 {
        self.headline().iter().map(|p| standard_error(*p, self.runs)).fold(0.0, f64::max)
    }

    /// The expected number of Required outcomes missing their deadline, and its standard error.
    pub fn expected_misses(&self) -> (f64, f64) {
        let runs = self.runs.max(1) as f64;
        let mean: f64 =
            self.required_misses.iter().enumerate().map(|(k, n)| k as f64 * *n as f64).sum::<f64>()
                / runs;
        let var: f64 = self
            .required_misses
            .iter()
            .enumerate()
            .map(|(k, n)| (k as f64 - mean).powi(2) * *n as f64)
            .sum::<f64>()
            / runs;
        (mean, (var / runs).sqrt())
    }
}

/// The seed `simulate` uses unless told another.
pub const DEFAULT_SEED: u64 = 2005;

impl Options {
    /// `runs` runs from `seed` on `threads` threads (default: as many as the machine has).
    pub fn new(runs: u64, seed: u64, threads: Option<u64>) -> Options {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Options { runs, seed, threads: threads.map_or(cores, |t| usize::try_from(t).unwrap_or(1)) }
    }
}

/// One outcome's simulated dates.
#[derive(Debug, Clone)]
pub struct OutcomeSim {
    /// Its node.
    pub node: NodeIndex,
    /// Required (by 31 December 2005) rather than Good.
    pub required: bool,
    /// Its deadline.
    pub deadline: NaiveDate,
    /// The deterministic forecast.
    pub forecast: Option<NaiveDate>,
    /// Runs on time.
    pub on_time: u64,
    /// Percentile dates (`None`: that share of runs has no date).
    pub p50: Option<NaiveDate>,
    /// P80.
    pub p80: Option<NaiveDate>,
    /// P95.
    pub p95: Option<NaiveDate>,
    /// The mean date of the runs with one.
    pub mean: Option<NaiveDate>,
    /// The unfinished work most often on its driving chain, with that share.
    pub most_critical: Option<(NodeIndex, f64)>,
    /// Spearman rank correlation of its date with each upstream piece of work's slip, largest
    /// first (Required outcomes only).
    pub sensitivity: Vec<(NodeIndex, f64)>,
}

/// The result of a simulation.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// Runs.
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// Every outcome, in model order.
    pub outcomes: Vec<OutcomeSim>,
    /// How many runs had each number of Required outcomes miss their deadline (index: count).
    pub required_misses: Vec<u64>,
    /// Mean exposure, whole pounds.
    pub exposure_mean: u64,
    /// P80 exposure.
    pub exposure_p80: u64,
    /// P95 exposure.
    pub exposure_p95: u64,
    /// Per unfinished node on the driving chain of some outcome in some run: the share of
    /// runs, largest first (ties in node order). Complete work, which cannot slip, is left out.
    pub criticality: Vec<(NodeIndex, f64)>,
    /// BVPI 157 on its deadline, where the model has the table.
    pub bvpi157: Option<BvpiSim>,
    /// Per funding stream judged on a return and at risk (its index in the model): the share of
    /// runs in which some outcome exposed it.
    pub streams_at_risk: Vec<(usize, f64)>,
    /// Per register risk that delays work (its place in the register): the share of runs in
    /// which it occurred.
    pub events: Vec<(usize, f64)>,
}

/// Ask the rules for every piece of work's distribution and the common factor, and take each
/// outcome's funding terms: the only rule calls a simulation makes.
impl Plan {
    /// The plan for an assessment (its basis supplies own finishes, lags and deadlines), learnt
    /// from the routemap's own targets.
    pub fn new(model: &Model, graph: &Graph, rules: &Rules, a: &Assessment) -> Result<Plan, Error> {
        Plan::learnt_from(model, graph, rules, a, History::read(model, graph, a.basis.as_of))
    }

    /// The plan for an assessment, learnt from `history` (the routemap's own targets, with
    /// earlier versions' where given).
    pub fn learnt_from(
        model: &Model,
        graph: &Graph,
        rules: &Rules,
        a: &Assessment,
        history: History,
    ) -> Result<Plan, Error> {
        let basis = &a.basis;
        let compiled = Arc::clone(&a.schedule);
        let owns = compiled.owns(&basis.own);
        // A scenario's slips (later by a span) stay in every run: the days each one adds to
        // the work's forecast.
        let mut base = vec![0i32; compiled.len()];
        for (i, slip) in basis.slip.iter().enumerate() {
            if let (Some(span), Some(f)) = (slip, a.forecast[i]) {
                base[compiled.position[i] as usize] = (f - span.before(f)).num_days() as i32;
            }
        }
        let common = rules.common()?;
        // Work of one class shares its fit and what `slip` is shown of it, made once per class.
        let mut fits: HashMap<Class, (Arc<Fit>, Learnt)> = HashMap::new();
        let mut work = Vec::new();
        for idx in graph.dag.node_indices() {
            let Some(class) = Class::of(model, graph, idx) else { continue };
            if matches!(basis.own[idx.index()], Own::Done(_) | Own::Unknown) {
                continue;
            }
            fits.entry(class).or_insert_with(|| {
                let fit = history.fit(class, None);
                let learnt = learnt_of(&fit);
                (Arc::new(fit), learnt)
            });
            work.push((idx, class));
        }
        // One `slip` call per piece of work, independent of each other: a large model's share
        // threads (`Rules::map`). Together they may take SLIP_TIME_BASE and SLIP_TIME_PER_CALL
        // for each call made: a slow `slip` is stopped within seconds on a small routemap, not
        // after minutes, and a large one keeps ample room.
        let slip_time = std::sync::atomic::AtomicU64::new(0);
        let slip_calls = std::sync::atomic::AtomicU64::new(0);
        let answers = rules.map(&work, |&(idx, class)| {
            let view = WorkView::judged(model, graph, &basis.deadline, idx, basis.as_of);
            let target = view.target.to_string();
            let assumed = basis.assumption[idx.index()].is_some()
                || matches!(target.as_str(), "start" | "ongoing");
            let (fit, class_learnt) = fits.get(&class).expect("every class's fit is made above");
            let own = basis.own[idx.index()];
            let (shown, future) = future_of(model, graph, idx, &view, own, fit);
            // Work drawn from the evidence beyond its missed target, or from its own estimate,
            // no longer rests on the rules' date for it.
            let assumed = assumed && matches!(future, Future::Target | Future::Replanned);
            let own_days = (future != Future::Target).then_some(shown.as_slice());
            let learnt = class_learnt.for_work(future.as_str(), own_days, assumed);
            let started = std::time::Instant::now();
            let answer = rules.slip(&graph.dag[idx].id, view, learnt);
            let took = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            let spent = slip_time.fetch_add(took, Ordering::Relaxed).saturating_add(took);
            let calls = slip_calls.fetch_add(1, Ordering::Relaxed) + 1;
            let allowed = SLIP_TIME_BASE + SLIP_TIME_PER_CALL * u32::try_from(calls).unwrap_or(u32::MAX);
            if u128::from(spent) > allowed.as_nanos() {
                let spent = std::time::Duration::from_nanos(spent);
                return Err(rules.at_hook(
                    "simulate",
                    "slip",
                    &format!(
                        "took {:.1} s over its first {calls} calls ({:.0} ms a call), more than the {:.1} s they may take",
                        spent.as_secs_f64(),
                        spent.as_secs_f64() * 1000.0 / calls as f64,
                        allowed.as_secs_f64()
                    ),
                    "make `slip` faster: return `learnt.days`, or a shorter list (a list built item by item with `push` is checked whole after every item, so a long one is slow to build)",
                ));
            }
            let (mut days, spread) = answer?;
            if !days.is_sorted() {
                days.sort_unstable();
            }
            // The learnt days given back as they are (as the default gives them) are not kept
            // once per piece of work: `None` stands for them.
            let learnt = fits.get(&class).is_some_and(|(f, _)| f.days == days);
            let as_shown = shown == days;
            Ok((if learnt { None } else { Some(days) }, spread, assumed, future, as_shown))
        })?;
        // Answers with the same days share one list, and with the same spread too, one run of
        // the table: nothing kept per piece of work grows with the evidence.
        let mut sampled = Vec::with_capacity(work.len());
        let mut table = Vec::new();
        let mut lists: HashSet<Days> = HashSet::new();
        let mut learnt_days: HashMap<Class, Days> = HashMap::new();
        let mut runs: HashMap<(Days, u64), u32> = HashMap::new();
        for (&(idx, class), (days, spread, assumed, future, as_shown)) in work.iter().zip(answers) {
            let fit = fits.get(&class).map(|(f, _)| Arc::clone(f));
            let fit = fit.unwrap_or_else(|| Arc::new(history.fit(class, None)));
            let mut share = |days: Vec<i32>| match lists.get(days.as_slice()) {
                Some(same) => same.clone(),
                None => {
                    let new = Days(days.into());
                    lists.insert(new.clone());
                    new
                }
            };
            let days = match days {
                Some(own) => share(own),
                None => learnt_days.entry(class).or_insert_with(|| share(fit.days.clone())).clone(),
            };
            let offset = *runs.entry((days.clone(), spread.to_bits())).or_insert_with(|| {
                let offset = table.len() as u32;
                table.extend(days.iter().map(|d| (f64::from(*d) * spread).round() as i32));
                offset
            });
            sampled.push(Sampled {
                node: idx,
                fit,
                assumed,
                future,
                overridden: !as_shown,
                days,
                spread,
                position: compiled.position[idx.index()],
                offset,
            });
        }
        let terms = &basis.terms;
        let returns: Vec<(usize, u64)> = terms
            .streams
            .iter()
            .enumerate()
            .filter(|(_, t)| t.at_risk && t.method == crate::funding::Method::Return)
            .map(|(k, _)| (k, model.funding[k].amount_gbp))
            .collect();
        let mut slots = Vec::new();
        // An outcome the council does not deliver is left out of the runs.
        for r in a.outcomes.iter().filter(|r| r.standing != Standing::NotApplicable) {
            let Item::Outcome(o) = graph.dag[r.node].item else { continue };
            let category = model.outcomes[o].category;
            let state = |s: Standing| -> u64 {
                let row = usize::from(category == Category::Good);
                let col = Standing::ALL.iter().position(|x| *x == s).unwrap_or(0);
                terms
                    .streams
                    .iter()
                    .zip(&terms.portions)
                    .filter(|(t, _)| t.at_risk && t.method == crate::funding::Method::ProRata)
                    .map(|(_, p)| (p[o] as f64 * terms.share[row][col]).round() as u64)
                    .sum()
            };
            let share = |s: Standing| -> f64 {
                let row = usize::from(category == Category::Good);
                let col = Standing::ALL.iter().position(|x| *x == s).unwrap_or(0);
                terms.share[row][col] * f64::from(u8::from(terms.weight[o] > 0.0))
            };
            let achieved = (r.standing == Standing::Achieved)
                .then(|| compiled::day(r.forecast.unwrap_or(basis.as_of)));
            let on_time = if achieved.is_some() { Standing::Achieved } else { Standing::OnTrack };
            slots.push(Slot {
                node: r.node,
                position: compiled.position[r.node.index()] as usize,
                deadline: compiled::day(r.deadline),
                required: category == Category::Required,
                achieved,
                pounds: [state(on_time), state(Standing::OffTrack), state(Standing::Unknown)],
                shares: returns
                    .iter()
                    .map(|_| [share(on_time), share(Standing::OffTrack), share(Standing::Unknown)])
                    .collect(),
            });
        }
        let threshold = threshold_of(common);
        let moving: HashSet<u32> = sampled.iter().map(|s| s.position).collect();
        let events = model
            .risks
            .iter()
            .enumerate()
            .filter_map(|(risk, r)| {
                let d = r.delays.as_ref()?;
                let positions = d
                    .work
                    .iter()
                    .filter_map(|id| graph.node(id))
                    .map(|n| compiled.position[n.index()])
                    .filter(|p| moving.contains(p))
                    .map(|p| p as usize)
                    .collect();
                let [a, c, b] = d.delay.spans.map(|s| s.approx_days() as i32);
                Some(Event {
                    risk,
                    probability: d.probability,
                    mitigated: d.mitigated_probability,
                    positions,
                    threshold: threshold_of(d.probability),
                    days: learn::triangle(a, c, b),
                })
            })
            .collect();
        let bvpi = crate::bvpi::evaluate(model, graph, rules, a)?.map(|f| BvpiPlan {
            baseline: f.baseline_percent,
            target: f.target_percent,
            deadline: compiled::day(f.deadline),
            groups: f
                .groups
                .iter()
                .map(|g| {
                    let positions: Vec<usize> =
                        g.work.iter().map(|n| compiled.position[n.index()] as usize).collect();
                    (positions, g.needs, g.gain)
                })
                .collect(),
        });
        Ok(Plan {
            compiled,
            owns,
            sampled,
            common,
            history,
            table,
            base,
            threshold,
            slots,
            returns,
            events,
            bvpi,
        })
    }

    /// The plan with one of its assumptions varied: the common factor, the spread of assumed
    /// dates, or the learnt probability of a miss at an end of its interval.
    pub fn varied(&self, v: Variation) -> Plan {
        let mut p = self.clone();
        match v {
            Variation::Common(c) => {
                p.common = c;
                p.threshold =
                    if c >= 1.0 { u32::MAX } else { (c * f64::from(u32::MAX)).round() as u32 };
            }
            Variation::Spread(factor) => {
                for i in 0..p.sampled.len() {
                    if p.sampled[i].assumed {
                        let days = p.sampled[i].days.to_vec();
                        let spread = p.sampled[i].spread * factor;
                        p.rewrite(i, &days, spread);
                    }
                }
            }
            Variation::Miss(end) => {
                for i in 0..p.sampled.len() {
                    let s = &p.sampled[i];
                    if s.overridden {
                        continue;
                    }
                    let at = |r: learn::Rate| if end == End::Low { r.low } else { r.high };
                    let sizes = s.fit.sizes.points(learn::SIZES);
                    let days = match s.future {
                        Future::Target => learn::mixture(at(s.fit.miss), at(s.fit.again), &sizes),
                        Future::Replanned => {
                            learn::mixture(at(s.fit.again), at(s.fit.again), &sizes)
                        }
                        Future::Overdue | Future::Estimate => continue,
                    };
                    let spread = s.spread;
                    p.rewrite(i, &days, spread);
                }
            }
        }
        p
    }

    /// The plan with register risk `k` (in [`Plan::events`]) at this probability.
    pub fn with_event(&self, k: usize, probability: f64) -> Plan {
        let mut p = self.clone();
        if let Some(e) = p.events.get_mut(k) {
            e.threshold = threshold_of(probability);
        }
        p
    }

    /// Give sampled work `i` these days and spread, in a run of the table of its own.
    fn rewrite(&mut self, i: usize, days: &[i32], spread: f64) {
        let s = &mut self.sampled[i];
        s.offset = self.table.len() as u32;
        s.days = Days(days.into());
        s.spread = spread;
        self.table.extend(days.iter().map(|d| (f64::from(*d) * spread).round() as i32));
    }

    /// The runs kept whole for rank correlations: the first [`SENSITIVITY_RUNS`], fewer when
    /// that many would keep more than [`SENSITIVITY_VALUES`] values.
    pub fn kept_runs(&self) -> u64 {
        let per_run =
            (self.sampled.len() + self.slots.iter().filter(|s| s.required).count()) as u64;
        SENSITIVITY_RUNS.min(SENSITIVITY_VALUES / per_run.max(1)).max(1)
    }

    /// Every spread set to zero: the runs reproduce the deterministic forecast.
    pub fn without_spread(&mut self) {
        self.table.iter_mut().for_each(|d| *d = 0);
        self.sampled.iter_mut().for_each(|s| s.spread = 0.0);
    }

    /// Every piece of work's slips `days` later (for tests of monotonicity).
    pub fn shifted(&mut self, node: NodeIndex, days: i32) {
        if let Some(s) = self.sampled.iter_mut().find(|s| s.node == node) {
            // Its run of the table may be shared with other work: shift a copy of its own.
            let (a, b) = (s.offset as usize, s.offset as usize + s.days.len());
            s.offset = self.table.len() as u32;
            self.table.extend_from_within(a..b);
            let len = self.table.len();
            self.table[len - (b - a)..].iter_mut().for_each(|d| *d = d.saturating_add(days));
        }
    }

    /// Run until every headline probability's Monte Carlo standard error is at most
    /// [`AUTO_SE`], or [`AUTO_CAP`] runs: a pilot of [`AUTO_PILOT`] runs, then as many as the
    /// largest p(1 - p) seen needs, again until it holds. The runs are those of `opt.seed`, so the
    /// result is the one `--runs N` gives for the N it stops at.
    pub fn run_auto(
        &self,
        graph: &Graph,
        a: &Assessment,
        opt: Options,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Simulation {
        let mut runs = AUTO_PILOT;
        loop {
            let sim = self.run_with(graph, a, Options { runs, ..opt }, progress);
            let worst = sim.headline().iter().map(|p| p * (1.0 - p)).fold(0.0, f64::max);
            if sim.max_se() <= AUTO_SE || runs >= AUTO_CAP {
                return sim;
            }
            let needed = (worst / (AUTO_SE * AUTO_SE)).ceil() as u64;
            runs = needed.div_ceil(CHUNK).saturating_mul(CHUNK).max(runs + CHUNK).min(AUTO_CAP);
        }
    }

    /// Run the simulation.
    pub fn run(&self, graph: &Graph, a: &Assessment, opt: Options) -> Simulation {
        self.run_with(graph, a, opt, &|_| {})
    }

    /// Run the simulation, telling `progress` how many runs are done after each chunk (in
    /// whatever order the threads finish them; the result does not depend on it).
    pub fn run_with(
        &self,
        graph: &Graph,
        a: &Assessment,
        opt: Options,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Simulation {
        let runs = opt.runs.max(1);
        let chunks = runs.div_ceil(CHUNK) as usize;
        let next = AtomicUsize::new(0);
        let finished = std::sync::atomic::AtomicU64::new(0);
        // Totals are sums of whole numbers, so they merge in any order; the runs kept whole
        // for rank correlations are put back in run order by chunk.
        let total = Mutex::new(Accum::new(self));
        let kept_chunks = self.kept_runs().div_ceil(CHUNK) as usize;
        let kept: Mutex<Vec<Option<Kept>>> = Mutex::new(vec![None; kept_chunks.min(chunks)]);
        let threads = opt.threads.clamp(1, chunks.max(1));
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    loop {
                        let c = next.fetch_add(1, Ordering::Relaxed);
                        if c >= chunks {
                            break;
                        }
                        let from = c as u64 * CHUNK;
                        let to = (from + CHUNK).min(runs);
                        let mut acc = self.chunk(opt.seed, from, to);
                        let sample =
                            (std::mem::take(&mut acc.slips), std::mem::take(&mut acc.dates));
                        if c < kept_chunks
                            && let Ok(mut k) = kept.lock()
                        {
                            k[c] = Some(sample);
                        }
                        if let Ok(mut t) = total.lock() {
                            t.merge(acc);
                        }
                        progress(finished.fetch_add(to - from, Ordering::Relaxed) + to - from);
                    }
                });
            }
        });
        let mut total = total.into_inner().unwrap_or_else(|_| Accum::new(self));
        for (slips, dates) in kept.into_inner().unwrap_or_default().into_iter().flatten() {
            total.slips.extend(slips);
            total.dates.extend(dates);
        }
        self.finish(graph, a, runs, opt.seed, total)
    }

    /// Runs `from..to` alone, with nothing kept but their totals (for the benchmark): returns
    /// how many were on time, summed over outcomes.
    pub fn runs_only(&self, seed: u64, from: u64, to: u64) -> u64 {
        self.chunk(seed, from, to).on_time.iter().sum()
    }

    fn chunk(&self, seed: u64, from: u64, to: u64) -> Accum {
        let mut acc = Accum::new(self);
        let c = &self.compiled;
        let n = c.len();
        let mut slip = self.base.clone();
        let mut out = Vec::with_capacity(n);
        let mut stamp = vec![u64::MAX; n];
        let mut worst = vec![0.0f64; self.returns.len()];
        let keep = self.kept_runs();
        for run in from..to {
            let mut rng = SplitMix(mix(seed, run));
            let programme = (rng.next_u64() >> 32) as u32;
            for s in &self.sampled {
                let x = rng.next_u64();
                let own = (x >> 32) as u32;
                let u = if (x as u32) < self.threshold { programme } else { own };
                let len = s.days.len() as u64;
                let i = ((u64::from(u) * len) >> 32) as usize;
                let p = s.position as usize;
                slip[p] = self.base[p].saturating_add(self.table[s.offset as usize + i]);
            }
            // The register's risks: each occurs or not, and delays the work it names.
            for (k, ev) in self.events.iter().enumerate() {
                let x = rng.next_u64();
                if (x as u32) < ev.threshold {
                    let i = (((x >> 32) * ev.days.len() as u64) >> 32) as usize;
                    for &p in &ev.positions {
                        slip[p] = slip[p].saturating_add(ev.days[i]);
                    }
                    acc.occurred[k] += 1;
                }
            }
            c.forward_days(&self.owns, &slip, &mut out);
            let mut misses = 0usize;
            let mut pounds = 0u64;
            worst.iter_mut().for_each(|w| *w = 0.0);
            for (o, slot) in self.slots.iter().enumerate() {
                let d = slot.achieved.unwrap_or(out[slot.position]);
                let on_time = slot.achieved.is_some() || (d != NONE && d <= slot.deadline);
                acc.hist[o].add(d);
                if on_time {
                    acc.on_time[o] += 1;
                } else if slot.required {
                    misses += 1;
                }
                let state = if on_time {
                    0
                } else if d != NONE {
                    1
                } else {
                    2
                };
                pounds += slot.pounds[state];
                for (w, s) in worst.iter_mut().zip(&slot.shares) {
                    *w = w.max(s[state]);
                }
                if run < keep && slot.required {
                    acc.dates.push(if d == NONE { i32::MAX } else { d });
                }
                // The driving chain: from the outcome back through the dependency that set
                // each finish (before its own slip), to work its own date sets.
                // An achieved outcome has none: no work of its sets its date.
                let mut i = slot.position;
                loop {
                    if slot.achieved.is_some()
                        || matches!(self.owns.kind[i], Kind::Done | Kind::Unknown)
                        || out[i] == NONE
                    {
                        break;
                    }
                    let target = out[i] - slip[i];
                    let Some(k) = c.incoming(i).find(|&k| {
                        let f = out[c.in_from[k] as usize];
                        f != NONE && compiled::plus(f, c.in_months[k], c.in_days[k]) == target
                    }) else {
                        break;
                    };
                    i = c.in_from[k] as usize;
                    acc.critical[o * n + i] += 1;
                    if stamp[i] != run {
                        stamp[i] = run;
                        acc.any[i] += 1;
                    }
                }
            }
            if run < keep {
                acc.slips.extend(self.sampled.iter().map(|s| slip[s.position as usize]));
            }
            acc.misses[misses] += 1;
            for (k, (w, (_, amount))) in worst.iter().zip(&self.returns).enumerate() {
                pounds += (*amount as f64 * w).round() as u64;
                acc.exposed[k] += u64::from(*w > 0.0);
            }
            acc.pounds.push(pounds);
            if let Some(b) = &self.bvpi {
                let mut percent = b.baseline;
                for (work, needs, gain) in &b.groups {
                    // Enabled by the deadline when `needs` of its linked work finish by then.
                    let done = work.iter().filter(|&&p| out[p] != NONE && out[p] <= b.deadline);
                    if !work.is_empty() && done.count() >= *needs {
                        percent += gain;
                    }
                }
                let percent = percent.min(100) as usize;
                acc.bvpi[percent] += 1;
            }
        }
        acc
    }

    fn finish(
        &self,
        graph: &Graph,
        a: &Assessment,
        runs: u64,
        seed: u64,
        acc: Accum,
    ) -> Simulation {
        let c = &self.compiled;
        let n = c.len();
        let share = |x: u64| round(x as f64 / runs as f64, 4);
        let kept = runs.min(self.kept_runs()) as usize;
        let required: Vec<usize> =
            self.slots.iter().enumerate().filter(|(_, s)| s.required).map(|(i, _)| i).collect();
        let slip_ranks: Vec<Vec<f64>> = (0..self.sampled.len())
            .map(|j| {
                let xs: Vec<i32> =
                    (0..kept).map(|r| acc.slips[r * self.sampled.len() + j]).collect();
                ranks(&xs)
            })
            .collect();
        let mut outcomes = Vec::with_capacity(self.slots.len());
        for (o, slot) in self.slots.iter().enumerate() {
            let h = &acc.hist[o];
            let most_critical = (0..n)
                .filter(|&p| acc.critical[o * n + p] > 0 && self.owns.kind[p] != Kind::Done)
                .max_by(|&x, &y| {
                    acc.critical[o * n + x]
                        .cmp(&acc.critical[o * n + y])
                        .then(c.node_at(y).cmp(&c.node_at(x)))
                })
                .map(|p| (c.node_at(p), share(acc.critical[o * n + p])));
            let mut sensitivity = Vec::new();
            if let Some(r) = required.iter().position(|&x| x == o) {
                let dates: Vec<i32> =
                    (0..kept).map(|run| acc.dates[run * required.len() + r]).collect();
                let date_ranks = ranks(&dates);
                let upstream = schedule::upstream_open(graph, &a.basis.own, slot.node);
                for (j, s) in self.sampled.iter().enumerate() {
                    if upstream.binary_search(&s.node).is_ok() {
                        let rho = round(pearson(&slip_ranks[j], &date_ranks), 3);
                        if rho != 0.0 {
                            sensitivity.push((s.node, rho));
                        }
                    }
                }
                sensitivity.sort_by(|x, y| y.1.abs().total_cmp(&x.1.abs()).then(x.0.cmp(&y.0)));
            }
            outcomes.push(OutcomeSim {
                node: slot.node,
                required: slot.required,
                deadline: compiled::date(slot.deadline).unwrap_or_default(),
                forecast: a.forecast[slot.node.index()],
                on_time: acc.on_time[o],
                p50: h.quantile(50, runs),
                p80: h.quantile(80, runs),
                p95: h.quantile(95, runs),
                mean: h.mean(),
                most_critical,
                sensitivity,
            });
        }
        let mut pounds = acc.pounds;
        let sum: u128 = pounds.iter().map(|p| u128::from(*p)).sum();
        pounds.sort_unstable();
        let at = |pct: u64| pounds[((runs * pct).div_ceil(100).max(1) - 1) as usize];
        let mut criticality: Vec<(NodeIndex, f64)> = (0..n)
            .filter(|&p| acc.any[p] > 0 && self.owns.kind[p] != Kind::Done)
            .map(|p| (c.node_at(p), share(acc.any[p])))
            .collect();
        criticality.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        let mut required_misses = acc.misses;
        let count = self.slots.iter().filter(|s| s.required).count();
        required_misses.truncate(count + 1);
        let bvpi157 = self.bvpi.as_ref().map(|b| {
            let reached: u64 = acc.bvpi.iter().skip(b.target as usize).sum();
            BvpiSim {
                target_percent: b.target,
                deadline: compiled::date(b.deadline).unwrap_or(NaiveDate::MIN),
                p_target: share(reached),
                percent_runs: acc.bvpi.clone(),
            }
        });
        let streams_at_risk =
            self.returns.iter().zip(&acc.exposed).map(|((k, _), n)| (*k, share(*n))).collect();
        let events =
            self.events.iter().zip(&acc.occurred).map(|(e, n)| (e.risk, share(*n))).collect();
        Simulation {
            bvpi157,
            streams_at_risk,
            events,
            runs,
            seed,
            outcomes,
            required_misses,
            exposure_mean: ((sum + u128::from(runs) / 2) / u128::from(runs)) as u64,
            exposure_p80: at(80),
            exposure_p95: at(95),
            criticality,
        }
    }
}

/// What `slip` is shown of a class's evidence (the days are a first target's; [`future_of`]
/// replaces them for work whose future is another).
fn learnt_of(fit: &Fit) -> Learnt {
    let rate = |name, r: learn::Rate| LearntRate { name, p: r.p, low: r.low, high: r.high };
    Learnt::new(
        &fit.class,
        &fit.days,
        (fit.used.len() as i64, fit.pooled(), fit.miss.effective),
        &[rate("p_miss", fit.miss), rate("p_again", fit.again)],
        &fit.sizes.points(learn::SIZES),
    )
}

/// One assumption of the simulation, varied across its plausible range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Variation {
    /// The common factor set to this.
    Common(f64),
    /// The spread of assumed dates multiplied by this.
    Spread(f64),
    /// Every learnt probability of a miss at this end of its 95% interval.
    Miss(End),
}

/// An end of an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The lower.
    Low,
    /// The upper.
    High,
}

impl Variation {
    /// The variations `simulate --assumptions` runs.
    pub const ALL: [Variation; 6] = [
        Variation::Common(0.0),
        Variation::Common(1.0),
        Variation::Spread(0.5),
        Variation::Spread(2.0),
        Variation::Miss(End::Low),
        Variation::Miss(End::High),
    ];

    /// In words.
    pub fn words(self) -> String {
        match self {
            Variation::Common(c) => format!("common factor {c}"),
            Variation::Spread(f) => format!("spread of assumed dates x{f}"),
            Variation::Miss(End::Low) => "P(miss) at its interval's lower end".into(),
            Variation::Miss(End::High) => "P(miss) at its interval's upper end".into(),
        }
    }
}

/// A register risk as the runs see it: whether it occurs, and if so how long it delays the
/// work it names.
#[derive(Debug, Clone)]
pub struct Event {
    /// Its place in the model's register.
    pub risk: usize,
    /// The chance it occurs.
    pub probability: f64,
    /// The chance once its proposed actions are taken, where the register gives one.
    pub mitigated: Option<f64>,
    /// The work it delays, by position (unfinished work only).
    positions: Vec<usize>,
    threshold: u32,
    /// Equally likely delays, in days.
    days: Vec<i32>,
}

fn threshold_of(p: f64) -> u32 {
    if p >= 1.0 { u32::MAX } else { (p.clamp(0.0, 1.0) * f64::from(u32::MAX)).round() as u32 }
}

/// What a piece of work's future is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Future {
    /// Its current target, first set: held, or missed (and perhaps missed again).
    Target,
    /// A target already re-planned once: held, or missed again.
    Replanned,
    /// A stated target already passed with the work open: finishes beyond it, by the sizes seen
    /// beyond that many days.
    Overdue,
    /// No date of its own but a three-point estimate: drawn from it.
    Estimate,
}

impl Future {
    /// The name `slip` sees (`learnt.future`) and output uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Future::Target => "target",
            Future::Replanned => "replanned",
            Future::Overdue => "overdue",
            Future::Estimate => "estimate",
        }
    }
}

/// The days later than its forecast own finish (`own`) a piece of work may finish, each equally
/// likely, and which future they are.
fn future_of(
    model: &Model,
    graph: &Graph,
    idx: NodeIndex,
    view: &WorkView,
    own: Own,
    fit: &Fit,
) -> (Vec<i32>, Future) {
    let own_date = match own {
        Own::Date(d) => Some(d),
        _ => None,
    };
    if let (Some([earliest, likely, latest]), Some(own)) = (view.estimate, own_date) {
        let shift = (likely - own).num_days() as i32;
        let days = learn::triangular(earliest, likely, latest).iter().map(|d| d + shift).collect();
        return (days, Future::Estimate);
    }
    if let (Some(target), Some(own)) = (view.target_date, own_date)
        && view.target.as_str() == "date"
        && target < view.as_of
    {
        // Already missed: beyond its target by more than the days since, as the evidence saw
        // missed targets go on.
        let since = (view.as_of - target).num_days() as i32;
        let base = (target - own).num_days() as i32;
        let sizes = fit.sizes.beyond(since).points(learn::SIZES);
        let days = learn::mixture(1.0, 0.0, &sizes).iter().map(|d| d + base).collect();
        return (days, Future::Overdue);
    }
    if is_replanned(model, graph, idx) {
        (fit.days_again(), Future::Replanned)
    } else {
        (fit.days.clone(), Future::Target)
    }
}

/// Whether a task's current target is a re-plan: proposed later than its original.
fn is_replanned(model: &Model, graph: &Graph, idx: NodeIndex) -> bool {
    let Item::Task { action, task } = graph.dag[idx].item else { return false };
    let t = &model.actions[action].tasks[task];
    let d = |p: Option<&str>| match p.map(crate::model::Target::parse) {
        Some(Ok(crate::model::Target::By(d))) => Some(d),
        _ => None,
    };
    matches!((d(t.original.as_deref()), d(t.proposed.as_deref())), (Some(o), Some(p)) if p > o)
}

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// Mid-ranks of `xs` (ties share the mean of their ranks).
fn ranks(xs: &[i32]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..xs.len()).collect();
    order.sort_by_key(|&i| (xs[i], i));
    let mut out = vec![0.0; xs.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && xs[order[j + 1]] == xs[order[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = mid;
        }
        i = j + 1;
    }
    out
}

/// Pearson correlation; 0 where either side does not vary.
fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    if x.is_empty() {
        return 0.0;
    }
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 { 0.0 } else { sxy / (sxx * syy).sqrt() }
}

/// SplitMix64: a small, fast generator; one stream per run. The synthetic calibration and the
/// example councils' generator draw from it too, so the same seed gives the same numbers
/// everywhere.
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The starting state of run `run`'s stream under `seed`.
fn mix(seed: u64, run: u64) -> u64 {
    let mut s = SplitMix(seed ^ run.wrapping_mul(0xd1b5_4a32_d192_ed03));
    s.next_u64()
}

/// A histogram of day numbers, growing to fit, with a count of runs with no date.
#[derive(Debug, Clone, Default)]
struct Hist {
    base: Day,
    counts: Vec<u64>,
    none: u64,
    sum: i128,
}

impl Hist {
    #[inline]
    fn add(&mut self, d: Day) {
        self.add_n(d, 1);
    }

    fn add_n(&mut self, d: Day, n: u64) {
        if d == NONE {
            self.none += n;
            return;
        }
        self.sum += i128::from(d) * i128::from(n);
        if self.counts.is_empty() {
            self.base = d;
        }
        if d < self.base {
            let grow = (self.base - d) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.base = d;
        }
        let i = (d - self.base) as usize;
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += n;
    }

    fn merge(&mut self, other: &Hist) {
        for (i, c) in other.counts.iter().enumerate() {
            if *c > 0 {
                self.add_n(other.base + i as Day, *c);
            }
        }
        self.none += other.none;
    }

    fn quantile(&self, pct: u64, runs: u64) -> Option<NaiveDate> {
        let need = (runs * pct).div_ceil(100).max(1);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= need {
                return compiled::date(self.base + i as Day);
            }
        }
        None
    }

    fn mean(&self) -> Option<NaiveDate> {
        let known: u64 = self.counts.iter().sum();
        if known == 0 {
            return None;
        }
        let k = i128::from(known);
        let m = (2 * self.sum + k).div_euclid(2 * k);
        compiled::date(m as Day)
    }
}

/// A chunk's runs kept whole for rank correlations: slips per sampled work, then Required
/// outcomes' dates, run by run.
type Kept = (Vec<i32>, Vec<i32>);

/// What a chunk of runs adds up to.
#[derive(Debug, Clone)]
struct Accum {
    hist: Vec<Hist>,
    on_time: Vec<u64>,
    critical: Vec<u64>,
    any: Vec<u64>,
    misses: Vec<u64>,
    pounds: Vec<u64>,
    slips: Vec<i32>,
    dates: Vec<i32>,
    /// Runs by BVPI 157 percentage on the deadline.
    bvpi: Vec<u64>,
    /// Runs in which each stream judged on a return was exposed.
    exposed: Vec<u64>,
    /// Runs in which each register risk occurred.
    occurred: Vec<u64>,
}

impl Accum {
    fn new(p: &Plan) -> Accum {
        let (o, n) = (p.slots.len(), p.compiled.len());
        Accum {
            hist: vec![Hist::default(); o],
            on_time: vec![0; o],
            critical: vec![0; o * n],
            any: vec![0; n],
            misses: vec![0; o + 1],
            pounds: Vec::new(),
            slips: Vec::new(),
            dates: Vec::new(),
            bvpi: vec![0; 101],
            exposed: vec![0; p.returns.len()],
            occurred: vec![0; p.events.len()],
        }
    }

    fn merge(&mut self, other: Accum) {
        for (h, x) in self.hist.iter_mut().zip(&other.hist) {
            h.merge(x);
        }
        let add = |a: &mut Vec<u64>, b: &[u64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.on_time, &other.on_time);
        add(&mut self.critical, &other.critical);
        add(&mut self.any, &other.any);
        add(&mut self.misses, &other.misses);
        add(&mut self.bvpi, &other.bvpi);
        add(&mut self.exposed, &other.exposed);
        add(&mut self.occurred, &other.occurred);
        self.pounds.extend(other.pounds);
        self.slips.extend(other.slips);
        self.dates.extend(other.dates);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_their_mid_rank() {
        assert_eq!(ranks(&[10, 0, 10, 5]), vec![3.5, 1.0, 3.5, 2.0]);
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]) - 1.0).abs() < 1e-12);
        assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), 0.0);
    }

    #[test]
    fn histograms_grow_both_ways_and_merge() {
        let mut h = Hist::default();
        for d in [10, 5, 20, 10] {
            h.add(d);
        }
        h.add(NONE);
        let mut g = Hist::default();
        g.merge(&h);
        assert_eq!(g.quantile(50, 5), compiled::date(10));
        assert_eq!(g.quantile(80, 5), compiled::date(20));
        assert_eq!(g.quantile(95, 5), None);
        assert_eq!(g.mean(), compiled::date(11));
    }
}
