//! A session: one request (model, rules, as-of date) opened once — the model loaded, its graph
//! built, the rules compiled and the baseline assessed — and the one place that evaluates a
//! scenario against its baseline. Every command runs through it.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use petgraph::graph::NodeIndex;

use crate::assess::{self, Assessment, OutcomeResult};
use crate::bvpi;
use crate::error::{Diagnostic, Error, suggest};
use crate::graph::{Graph, Item};
use crate::model::{self, Model, Source};
use crate::risk;
use crate::rules::Rules;
use crate::scenario::{self, Scenario, Slip};
use crate::simulate::{Options, Plan, Simulation};

/// A loaded, evaluated routemap: what every evaluating command starts from.
pub struct Session {
    /// The model.
    pub model: Model,
    /// Its graph.
    pub graph: Graph,
    /// The compiled rules (shared: `rollup` judges many councils with one compiled set).
    pub rules: Arc<Rules>,
    /// The baseline assessment.
    pub assessment: Assessment,
}

/// A piece of work as another version of the routemap had it: what [`Session::with_earlier`]
/// puts back.
#[derive(Debug, Clone, PartialEq)]
pub struct Earlier {
    /// The node, in this session's graph.
    pub node: NodeIndex,
    /// Its own finish in the other version.
    pub own: crate::schedule::Own,
    /// The rule's assumption behind that finish, if any.
    pub assumption: Option<String>,
    /// Why it had no date, if it had none.
    pub unknown_reason: Option<String>,
}

/// A scenario assessed beside the baseline it is compared with.
pub struct Compared<'a> {
    /// The routemap judged on the scenario's date: the session's baseline, or (for a scenario
    /// with an `as_of` of its own) the routemap re-judged on that date.
    pub baseline: Cow<'a, Assessment>,
    /// The scenario's assessment.
    pub scenario: Assessment,
}

impl Session {
    /// Load model and rules and evaluate on `as_of` (default: the model's issue date).
    pub fn open(
        source: &Source,
        rules: Option<&Path>,
        as_of: Option<NaiveDate>,
    ) -> Result<Session, Error> {
        // The model and the rules do not depend on each other: each is read and checked on its
        // own thread (the rules' own files compiled there; the embedded ones when first used).
        // A model's errors are reported before the rules'.
        let (loaded, rules) = std::thread::scope(|s| {
            let compiling = s.spawn(|| Rules::load(rules));
            let loaded = load(source);
            let rules = compiling.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (loaded, rules)
        });
        let (model, graph) = loaded?;
        Session::assess(model, graph, Arc::new(rules?), as_of)
    }

    /// A session over a model already loaded (and its graph) and rules already compiled,
    /// evaluated on `as_of` (default: the model's issue date): `rollup` opens each council so,
    /// having filled in the tier its manifest gives, with the rules its councils share.
    pub fn assess(
        model: Model,
        graph: Graph,
        rules: Arc<Rules>,
        as_of: Option<NaiveDate>,
    ) -> Result<Session, Error> {
        let as_of = as_of.unwrap_or(model.document.issue_date);
        let assessment = assess::evaluate(&model, &graph, &rules, as_of)?;
        Ok(Session { model, graph, rules, assessment })
    }

    /// The view reports draw on.
    pub fn evaluated(&self) -> Evaluated<'_> {
        self.on(&self.assessment)
    }

    /// The view reports draw on, for another assessment of the same routemap.
    pub fn on<'a>(&'a self, assessment: &'a Assessment) -> Evaluated<'a> {
        Evaluated { model: &self.model, graph: &self.graph, rules: &self.rules, assessment }
    }

    /// Every outcome's verdict without the assumptions it rests on (in the assessment's order),
    /// and whether each assumption was tried alone: see [`crate::assumptions::without`].
    pub fn without(&self) -> Result<(Vec<Option<crate::assumptions::Without>>, bool), Error> {
        crate::assumptions::without(&self.model, &self.graph, &self.rules, &self.assessment)
    }

    /// This routemap judged with some work as another version of it had that work (its own
    /// finish, with the assumption or the reason for no date behind it) and some edges'
    /// follow-on times replaced, through the incremental assessment from the baseline (a new
    /// schedule only where a follow-on time changes).
    pub fn with_earlier(
        &self,
        work: &[Earlier],
        lags: &[(petgraph::graph::EdgeIndex, crate::model::Span)],
    ) -> Result<Assessment, Error> {
        let mut basis = self.assessment.basis.clone();
        for w in work {
            let i = w.node.index();
            basis.own[i] = w.own;
            if let Some(s) = basis.slip.get_mut(i) {
                *s = None;
            }
            std::sync::Arc::make_mut(&mut basis.assumption)[i] = w.assumption.clone();
            std::sync::Arc::make_mut(&mut basis.unknown_reason)[i] = w.unknown_reason.clone();
        }
        for (e, lag) in lags {
            if basis.lag[e.index()] != *lag {
                std::sync::Arc::make_mut(&mut basis.lag)[e.index()] = *lag;
                std::sync::Arc::make_mut(&mut basis.lag_assumption)[e.index()] = None;
            }
        }
        assess::assess_reusing(&self.model, &self.graph, &self.rules, basis, Some(&self.assessment))
    }

    /// The outcome with this code (any case), or a message naming the nearest.
    pub fn outcome(&self, code: &str) -> Result<&OutcomeResult, Error> {
        let wanted = code.trim().to_uppercase();
        self.assessment.outcomes.iter().find(|r| self.graph.dag[r.node].id == wanted).ok_or_else(
            || {
                let codes = self.model.outcomes.iter().map(|o| o.code.as_str());
                Diagnostic::new(format!("no outcome `{code}`"))
                    .help(format!(
                        "outcome codes are R1..R29 and G1..G25; {}",
                        suggest(&wanted, codes)
                    ))
                    .into()
            },
        )
    }

    /// Evaluate a scenario against its baseline. A scenario judged on another date is compared
    /// with the routemap judged on that date, so that what it reports moving is what its slips
    /// move; this is the only place a baseline is chosen.
    pub fn compare(&self, sc: &Scenario) -> Result<Compared<'_>, Error> {
        let baseline = match sc.as_of.filter(|d| *d != self.assessment.basis.as_of) {
            Some(d) => Cow::Owned(assess::evaluate(&self.model, &self.graph, &self.rules, d)?),
            None => Cow::Borrowed(&self.assessment),
        };
        let scenario = scenario::run(&self.model, &self.graph, &self.rules, &baseline, sc)?;
        Ok(Compared { baseline, scenario })
    }

    /// Compare every scenario, reporting the errors of all of them at once.
    pub fn compare_all(&self, scenarios: &[Scenario]) -> Result<Vec<Compared<'_>>, Error> {
        let mut out = Vec::with_capacity(scenarios.len());
        let mut errors = Vec::new();
        for sc in scenarios {
            match self.compare(sc) {
                Ok(c) => out.push(c),
                Err(e) => errors.extend(e.diagnostics),
            }
        }
        if errors.is_empty() { Ok(out) } else { Err(errors.into()) }
    }

    /// The scenarios of a file, then the command line's slips as one more (named "command
    /// line"); an error when there are none.
    pub fn scenarios(&self, slips: &[String], file: Option<&Path>) -> Result<Vec<Scenario>, Error> {
        let mut out = match file {
            Some(path) => scenario::load_file(path, &self.model, &self.graph)?,
            None => Vec::new(),
        };
        if !slips.is_empty() {
            out.push(Scenario {
                name: "command line".into(),
                description: None,
                as_of: None,
                slips: self.slips(slips)?,
            });
        }
        if out.is_empty() {
            return Err(Diagnostic::new("what-if needs something to slip")
                .help("give --slip ID=+3m (repeatable) or --scenario FILE; `routemap sensitivity` tries every slip")
                .into());
        }
        Ok(out)
    }

    /// Command-line slips (`ID=+3m`), each checked against the model; every bad one is reported.
    pub fn slips(&self, slips: &[String]) -> Result<Vec<Slip>, Error> {
        let mut errors = Vec::new();
        let mut parsed = Vec::new();
        for text in slips {
            match Slip::parse(text)
                .and_then(|slip| scenario::targets(&self.model, &self.graph, &slip).map(|_| slip))
            {
                Ok(slip) => parsed.push(slip),
                Err(d) => errors.push(d.prefixed("--slip ")),
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        Ok(parsed)
    }
}

/// Load a model and build its graph: the first two stages every command needs.
pub fn load(source: &Source) -> Result<(Model, Graph), Error> {
    let model = model::load(source)?;
    let graph = Graph::build(&model)?;
    Ok((model, graph))
}

/// An assessment with what it was made from (the model, its graph and the rules): everything
/// a report or `check` draws on. The reports add their own helpers (`label`, `provenance`).
#[derive(Clone, Copy)]
pub struct Evaluated<'a> {
    /// The model.
    pub model: &'a Model,
    /// Its graph.
    pub graph: &'a Graph,
    /// The rules used.
    pub rules: &'a Rules,
    /// The assessment.
    pub assessment: &'a Assessment,
}

impl Evaluated<'_> {
    /// The node's stable id.
    pub fn id(&self, n: NodeIndex) -> &str {
        &self.graph.dag[n].id
    }

    /// Who is responsible for a node: the task's owner, else its action's; the project's owner.
    pub fn owner(&self, n: NodeIndex) -> Option<String> {
        match self.graph.dag[n].item {
            Item::Outcome(_) => None,
            Item::Task { action, task } => {
                let a = &self.model.actions[action];
                a.tasks[task].owner.as_deref().map(str::to_string).or_else(|| a.owner.clone())
            }
            Item::Project(p) => self.model.projects[p].owner.clone(),
        }
    }
}

/// `what-if`: the scenarios (a file's, then the command line's slips), each compared with its
/// baseline, their BVPI 157 before and after, and, when asked, a simulation of each beside the
/// baseline's.
pub struct WhatIfRun<'a> {
    /// The scenarios, in file order, the command line's last.
    pub scenarios: Vec<Scenario>,
    /// Each scenario against its baseline.
    pub compared: Vec<Compared<'a>>,
    /// Each scenario's BVPI 157 forecast before and after (none without a BVPI 157 table).
    pub bvpi: Vec<(Option<bvpi::BvpiForecast>, Option<bvpi::BvpiForecast>)>,
    /// The session's baseline BVPI 157 forecast.
    pub baseline_bvpi: Option<bvpi::BvpiForecast>,
    /// With `--simulate`: the baseline's simulation and each scenario's.
    pub simulation: Option<(Simulation, Vec<Simulation>)>,
    /// Whether the scenarios came from a file (compared side by side) or the command line alone.
    pub from_file: bool,
}

/// `risk-report`: the proposed actions and their on-time forecast, the register risks scored
/// on the baseline, on that forecast and on each scenario, the BVPI 157 forecast, and a
/// simulation when asked.
pub struct RiskRun {
    /// The proposed actions and the forecast if each finishes by its latest finish.
    pub plan: risk::ActionPlan,
    /// The scenarios of a file, in file order.
    pub scenarios: Vec<Scenario>,
    /// Each scenario's assessment.
    pub runs: Vec<Assessment>,
    /// The register risks scored on the baseline (with the simulation, when there is one).
    pub baseline_scores: Vec<risk::Score>,
    /// Scored on the forecast with every proposed action on time.
    pub after_scores: Vec<risk::Score>,
    /// Scored on each scenario.
    pub scenario_scores: Vec<Vec<risk::Score>>,
    /// The baseline's BVPI 157 forecast (none without a BVPI 157 table).
    pub bvpi: Option<bvpi::BvpiForecast>,
    /// With `--simulate`: the baseline's simulation.
    pub simulation: Option<Simulation>,
    /// The baseline's verdicts without the assumptions they rest on, by outcome, and whether
    /// each assumption was tried alone ([`crate::assumptions::without`]).
    pub without: (Vec<Option<crate::assumptions::Without>>, bool),
}

/// `simulate`'s runs: the baseline's, each register risk's without it and with its mitigated
/// probability, and each assumption varied.
pub struct SimulateRun {
    /// The baseline's runs.
    pub sim: Simulation,
    /// Per register risk that delays work: its runs without it, and with its mitigated
    /// probability where the model gives one.
    pub events: Vec<(crate::simulate::Event, Simulation, Option<Simulation>)>,
    /// Per assumption varied, its runs.
    pub varied: Vec<(crate::simulate::Variation, Simulation)>,
}

/// What `simulate` was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimulateAsk {
    /// The runs.
    Runs,
    /// The learnt slip distributions only.
    Distributions,
    /// The calibration of the learnt distributions only.
    Calibration,
}

impl Session {
    /// `what-if`: the scenarios of `file` and the command line's `slips`, each compared with
    /// its baseline, with BVPI 157 before and after, and (with `simulate`) simulated.
    pub fn what_if(
        &self,
        slips: &[String],
        file: Option<&Path>,
        simulate: Option<Options>,
    ) -> Result<WhatIfRun<'_>, Error> {
        let scenarios = self.scenarios(slips, file)?;
        let compared = self.compare_all(&scenarios)?;
        // The session's baseline is judged once; a scenario on its own date has its own.
        let baseline_bvpi = self.bvpi(&self.assessment)?;
        let mut bvpi = Vec::with_capacity(compared.len());
        for c in &compared {
            let before = match &c.baseline {
                Cow::Borrowed(_) => baseline_bvpi.clone(),
                Cow::Owned(own) => self.bvpi(own)?,
            };
            bvpi.push((before, self.bvpi(&c.scenario)?));
        }
        let simulation = match simulate {
            Some(options) => {
                let base = self.simulate(&self.assessment, options, &|_| {})?;
                let each = compared
                    .iter()
                    .map(|c| self.simulate(&c.scenario, options, &|_| {}))
                    .collect::<Result<Vec<_>, Error>>()?;
                Some((base, each))
            }
            None => None,
        };
        Ok(WhatIfRun {
            baseline_bvpi,
            scenarios,
            compared,
            bvpi,
            simulation,
            from_file: file.is_some(),
        })
    }

    /// `risk-report`: everything the report is written from (every rule call is made here).
    pub fn risk(&self, file: Option<&Path>, simulate: Option<Options>) -> Result<RiskRun, Error> {
        let (m, g, r, a) = (&self.model, &self.graph, &self.rules, &self.assessment);
        let scenarios = match file {
            Some(_) => self.scenarios(&[], file)?,
            None => Vec::new(),
        };
        let plan = risk::plan(m, g, r, a)?;
        let runs: Vec<Assessment> =
            self.compare_all(&scenarios)?.into_iter().map(|c| c.scenario).collect();
        let simulation = match simulate {
            Some(options) => Some(self.simulate(a, options, &|_| {})?),
            None => None,
        };
        let scenario_scores =
            runs.iter().map(|run| risk::score(m, g, r, run, None)).collect::<Result<_, _>>()?;
        Ok(RiskRun {
            without: self.without()?,
            baseline_scores: risk::score(m, g, r, a, simulation.as_ref())?,
            after_scores: risk::score(m, g, r, &plan.after, None)?,
            scenario_scores,
            bvpi: self.bvpi(a)?,
            plan,
            scenarios,
            runs,
            simulation,
        })
    }

    /// `bvpi`: the command line's slips, checked, and the assessment BVPI 157 is judged on (the
    /// baseline, or the baseline with the slips), with the forecast of the model's BVPI 157
    /// table (an error when it has none).
    pub fn bvpi_with(
        &self,
        slips: &[String],
    ) -> Result<(Vec<Slip>, Cow<'_, Assessment>, bvpi::BvpiForecast), Error> {
        bvpi::table(&self.model)?;
        let parsed = self.slips(slips)?;
        let judged = if parsed.is_empty() {
            Cow::Borrowed(&self.assessment)
        } else {
            let sc = Scenario {
                name: "command line".into(),
                description: None,
                as_of: None,
                slips: parsed.clone(),
            };
            Cow::Owned(self.compare(&sc)?.scenario)
        };
        let f = bvpi::evaluate_table(&self.model, &self.graph, &self.rules, &judged)?;
        Ok((parsed, judged, f))
    }

    /// The BVPI 157 forecast of an assessment of this routemap (none without a BVPI 157 table).
    pub fn bvpi(&self, a: &Assessment) -> Result<Option<bvpi::BvpiForecast>, Error> {
        bvpi::evaluate(&self.model, &self.graph, &self.rules, a)
    }

    /// The IEG return's position for each outcome, in the return's words (`ieg.rhai`).
    pub fn ieg_positions(&self) -> Result<Vec<String>, Error> {
        crate::ieg::positions(&self.model, &self.rules, &self.assessment)
    }

    /// The IEG return's traffic light for each outcome on each key date, and each Good
    /// outcome's checkpoint (`ieg.rhai`), in the outcomes' order.
    pub fn ieg_lights(
        &self,
        dates: &crate::ieg::KeyDates,
    ) -> Result<Vec<crate::ieg::Judged>, Error> {
        crate::ieg::judge(&self.model, &self.graph, &self.rules, &self.assessment, dates)
    }

    /// A simulation of an assessment of this routemap: the plan (the only rule calls), then the
    /// runs, `progress` told how many are done as they go.
    pub fn simulate(
        &self,
        a: &Assessment,
        options: Options,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Simulation, Error> {
        let plan = Plan::new(&self.model, &self.graph, &self.rules, a)?;
        Ok(plan.run_with(&self.graph, a, options, progress))
    }

    /// `simulate`'s runs of the baseline under `plan` (until the standard errors are small enough
    /// when `auto`), each register risk's runs without it and with its mitigated probability,
    /// and with `assumptions` the runs under each assumption varied: the same seed and runs.
    pub fn simulate_all(
        &self,
        plan: &Plan,
        options: Options,
        auto: bool,
        assumptions: bool,
        progress: &(dyn Fn(u64) + Sync),
    ) -> SimulateRun {
        let (g, a) = (&self.graph, &self.assessment);
        let sim = if auto {
            plan.run_auto(g, a, options, progress)
        } else {
            plan.run_with(g, a, options, progress)
        };
        let same = Options { runs: sim.runs, ..options };
        let events = plan
            .events
            .iter()
            .enumerate()
            .map(|(k, event)| {
                let without = plan.with_event(k, 0.0).run(g, a, same);
                let mitigated = event.mitigated.map(|p| plan.with_event(k, p).run(g, a, same));
                (event.clone(), without, mitigated)
            })
            .collect();
        let varied = if assumptions {
            crate::simulate::Variation::ALL
                .iter()
                .map(|v| (*v, plan.varied(*v).run(g, a, same)))
                .collect()
        } else {
            Vec::new()
        };
        SimulateRun { sim, events, varied }
    }

    /// The simulation plan of the baseline: learnt distributions and their calibration.
    pub fn simulation_plan(&self) -> Result<Plan, Error> {
        Plan::new(&self.model, &self.graph, &self.rules, &self.assessment)
    }
}
