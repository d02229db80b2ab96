//! The values rule scripts see: `Date`, and read-only views of work and outcomes with getters.

use super::memo::{self, Field};
use chrono::{Datelike, NaiveDate};
use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, Position};

use petgraph::graph::NodeIndex;

use crate::graph::{Graph, Item};
use crate::model::by_text::ByText;
use crate::model::{Bvpi157, Bvpi157Interaction, Model, Outcome, Span, Status, Target};

/// A piece of work (task, project or milestone) as `own_finish` sees it.
#[derive(Debug, Clone)]
pub struct WorkView {
    pub(crate) id: ImmutableString,
    pub(crate) kind: ImmutableString,
    pub(crate) title: ImmutableString,
    pub(crate) status: ImmutableString,
    pub(crate) status_text: ImmutableString,
    pub(crate) target: ImmutableString,
    pub(crate) target_date: Option<NaiveDate>,
    pub(crate) start_date: Option<NaiveDate>,
    pub(crate) phrase: ImmutableString,
    pub(crate) comments: ImmutableString,
    pub(crate) waits_on: i64,
    pub(crate) duration: Option<Span>,
    pub(crate) as_of: NaiveDate,
    pub(crate) reported: NaiveDate,
    pub(crate) partnership: bool,
    pub(crate) deadline: Option<NaiveDate>,
    pub(crate) needed_by: Option<NaiveDate>,
    pub(crate) estimate: Option<[NaiveDate; 3]>,
    /// Which argument of the call this view is (0 for the first), so that the fields a
    /// remembered call read are known by argument (see `rules::memo`).
    pub(crate) slot: u8,
}

/// An outcome as `deadline` and `classify` see it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OutcomeView {
    pub(crate) code: ImmutableString,
    pub(crate) category: ImmutableString,
    pub(crate) title: ImmutableString,
    pub(crate) area: ImmutableString,
    pub(crate) deadline: Option<NaiveDate>,
    pub(crate) forecast: Option<NaiveDate>,
    pub(crate) no_earlier_than: Option<NaiveDate>,
    pub(crate) slack_days: Option<i64>,
    pub(crate) as_of: NaiveDate,
    pub(crate) tasks_total: i64,
    pub(crate) tasks_complete: i64,
    pub(crate) tasks_not_started: i64,
    pub(crate) assumed_drivers: i64,
    pub(crate) assumptions: i64,
    pub(crate) partnership: bool,
    pub(crate) council_tasks: i64,
    pub(crate) council_tasks_complete: i64,
    pub(crate) basis: Option<DateBasis>,
    pub(crate) council_tier: Option<ImmutableString>,
    pub(crate) delivered_by: Vec<ImmutableString>,
    pub(crate) not_applicable: Option<ImmutableString>,
}

/// What a date rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateBasis {
    /// The council's own target for that work.
    Stated,
    /// Set through the graph by the council's own targets for other work.
    Derived,
    /// A rule's default: a duration, an overdue re-forecast, a reading of a phrase, an estimate.
    Assumed,
}

impl DateBasis {
    /// Every basis.
    pub const ALL: [DateBasis; 3] = [DateBasis::Stated, DateBasis::Derived, DateBasis::Assumed];

    /// The snake-case name used in output and rules.
    pub fn as_str(self) -> &'static str {
        match self {
            DateBasis::Stated => "stated",
            DateBasis::Derived => "derived",
            DateBasis::Assumed => "assumed",
        }
    }

    /// The basis named `s`, as `as_str` writes it.
    pub fn parse(s: &str) -> Option<DateBasis> {
        DateBasis::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

impl WorkView {
    /// A piece of work as `own_finish` and `done_on` see it, given the outcomes' deadlines.
    pub(crate) fn judged(
        model: &Model,
        graph: &Graph,
        deadline: &[Option<NaiveDate>],
        idx: NodeIndex,
        as_of: NaiveDate,
    ) -> WorkView {
        let mut work = WorkView::new(model, graph, idx, as_of);
        // The earliest deadline among the outcomes this work serves directly.
        work.deadline = graph
            .dag
            .neighbors_directed(idx, petgraph::Direction::Outgoing)
            .filter_map(|s| deadline[s.index()])
            .min();
        work.needed_by = needed_by(model, graph, idx);
        work
    }

    /// This view with its id shown as the placeholder for argument `slot` (see `naming`).
    pub(crate) fn named(&self, slot: u8) -> WorkView {
        WorkView { id: super::naming::placeholder(slot).into(), ..self.clone() }
    }

    /// A piece of work as the rules see it, with no deadline.
    fn new(model: &Model, graph: &Graph, idx: NodeIndex, as_of: NaiveDate) -> WorkView {
        let node = &graph.dag[idx];
        let waits_on =
            graph.dag.neighbors_directed(idx, petgraph::Direction::Incoming).count() as i64;
        let mut partnership = false;
        let mut start_date = None;
        let mut comments = "";
        let mut estimate = None;
        let (kind, title, status, status_text, target, phrase, duration) = match node.item {
            Item::Task { action, task } => {
                let t = &model.actions[action].tasks[task];
                partnership = model.actions[action].partnership;
                comments = t.comments.as_deref().unwrap_or("");
                estimate = t.estimate.as_ref();
                (
                    "task",
                    t.text.as_str(),
                    t.status,
                    t.status_text.as_deref(),
                    t.target,
                    t.target_phrase(),
                    None,
                )
            }
            Item::Project(p) => {
                let p = &model.projects[p];
                comments = p.progress.as_deref().unwrap_or("");
                estimate = p.estimate.as_ref();
                // A project's finish phrase is its target; failing that, its start.
                let (target, phrase) = match (p.finish, p.start) {
                    (Target::Unset, start) if start != Target::Unset => {
                        let start = match start {
                            Target::By(d) => Target::Starts(d),
                            other => other,
                        };
                        (start, p.start_text.as_deref().unwrap_or(""))
                    }
                    (finish, start) => {
                        // A start beside a finish dates the work; the span between them is its
                        // duration unless the model states one (see `load`).
                        start_date = start.date();
                        (finish, p.finish_text.as_deref().unwrap_or(""))
                    }
                };
                (
                    p.kind.as_str(),
                    p.title.as_str(),
                    p.status,
                    p.status_text.as_deref(),
                    target,
                    phrase,
                    p.duration,
                )
            }
            Item::Outcome(_) => ("outcome", "", Status::Unreported, None, Target::Unset, "", None),
        };
        WorkView {
            id: node.id.as_str().into(),
            kind: shared(kind),
            title: title.into(),
            status: shared(status.as_str()),
            status_text: shared(status_text.unwrap_or("")),
            target: shared(target.kind()),
            target_date: target.date(),
            start_date,
            phrase: shared(phrase),
            comments: shared(comments),
            waits_on,
            duration,
            as_of,
            reported: model.document.issue_date,
            partnership,
            deadline: None,
            needed_by: None,
            // Lengths of time count from the work's start where it has one, else the as-of date.
            estimate: estimate.and_then(|e| {
                let from = start_date.or(target.date().filter(|_| target.kind() == "start"));
                let [a, b, c] = e.points.map(|p| p.date(from.unwrap_or(as_of)));
                Some([a?, b?, c?])
            }),
            slot: 0,
        }
    }
}

/// A text most pieces of work share with others (a kind, a status, a target phrase, an empty
/// comment) as one rhai string per thread, not one per view: a large model's views are most of
/// the memory its rules use. Texts longer than a phrase, and texts met after the memory is
/// full, are made afresh.
fn shared(text: &str) -> ImmutableString {
    thread_local! {
        static TEXTS: std::cell::RefCell<ByText<ImmutableString>> =
            std::cell::RefCell::default();
    }
    TEXTS.with(|texts| texts.borrow_mut().get_or(text, |t| ImmutableString::from(t)))
}

/// The earliest date the council's own targets for the work waiting on `idx` need it by: their
/// finish targets (work finishes after what it waits on finishes); none when no work with a
/// stated finish waits on it.
fn needed_by(model: &Model, graph: &Graph, idx: NodeIndex) -> Option<NaiveDate> {
    graph
        .dag
        .neighbors_directed(idx, petgraph::Direction::Outgoing)
        .filter_map(|s| needs_by(model, graph, s))
        .min()
}

/// The finish work `idx` states (the date it needs what it waits on by): none for outcomes,
/// undated work, and work the routemap gives only a start.
fn needs_by(model: &Model, graph: &Graph, idx: NodeIndex) -> Option<NaiveDate> {
    let target = match graph.dag[idx].item {
        Item::Task { action, task } => model.actions[action].tasks[task].target,
        Item::Project(p) => model.projects[p].finish,
        Item::Outcome(_) => return None,
    };
    match target {
        Target::By(d) => Some(d),
        _ => None,
    }
}

impl OutcomeView {
    /// An outcome as `deadline` and `funding.rhai` see it, before any forecast.
    fn new(outcome: &Outcome, as_of: NaiveDate) -> OutcomeView {
        OutcomeView {
            code: outcome.code.as_str().into(),
            category: outcome.category.as_str().into(),
            title: outcome.title.as_str().into(),
            area: outcome.area.as_str().into(),
            deadline: None,
            forecast: None,
            no_earlier_than: None,
            slack_days: None,
            as_of,
            tasks_total: 0,
            tasks_complete: 0,
            tasks_not_started: 0,
            assumed_drivers: 0,
            assumptions: 0,
            partnership: false,
            council_tasks: 0,
            council_tasks_complete: 0,
            basis: None,
            council_tier: outcome.council_tier.map(|t| t.as_str().into()),
            delivered_by: outcome.tiers.iter().map(|t| t.as_str().into()).collect(),
            not_applicable: outcome.marked_not_applicable.as_deref().map(Into::into),
        }
    }
}

/// What the rules are told of an outcome once it is forecast, as plain values: everything in
/// its [`OutcomeView`] beyond the outcome's model data. Each result keeps these; the view itself
/// is built only to call a rule ([`OutcomeFacts::view`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutcomeFacts {
    /// Its deadline.
    pub deadline: Option<NaiveDate>,
    /// Its forecast finish.
    pub forecast: Option<NaiveDate>,
    /// The earliest it can finish from what is known.
    pub no_earlier_than: Option<NaiveDate>,
    /// Deadline minus forecast, in days.
    pub slack_days: Option<i64>,
    /// The date it is judged on.
    pub as_of: NaiveDate,
    /// Tasks serving it directly.
    pub tasks_total: i64,
    /// Of those, complete.
    pub tasks_complete: i64,
    /// Of those, not started.
    pub tasks_not_started: i64,
    /// Drivers whose own finish is a rule assumption.
    pub assumed_drivers: i64,
    /// Upstream work whose own finish is a rule assumption.
    pub assumptions: i64,
    /// Whether every task serving it is a partnership's.
    pub partnership: bool,
    /// Tasks serving it directly that the council itself leads (not a partnership's).
    pub council_tasks: i64,
    /// Of those, complete.
    pub council_tasks_complete: i64,
    /// What its forecast date rests on (or, with no forecast, its earliest finish; none when
    /// neither is known).
    pub basis: Option<DateBasis>,
}

impl OutcomeView {
    /// An outcome before any forecast (as `deadline` and `funding.rhai` see it), as a rule
    /// argument.
    pub fn unforecast(outcome: &Outcome, as_of: NaiveDate) -> Dynamic {
        Dynamic::from(OutcomeView::new(outcome, as_of))
    }
}

impl OutcomeFacts {
    /// The view a rule sees of `outcome` with these facts, as a rule argument.
    pub fn view(&self, outcome: &Outcome) -> Dynamic {
        let f = *self;
        Dynamic::from(OutcomeView {
            deadline: f.deadline,
            forecast: f.forecast,
            no_earlier_than: f.no_earlier_than,
            slack_days: f.slack_days,
            tasks_total: f.tasks_total,
            tasks_complete: f.tasks_complete,
            tasks_not_started: f.tasks_not_started,
            assumed_drivers: f.assumed_drivers,
            assumptions: f.assumptions,
            partnership: f.partnership,
            council_tasks: f.council_tasks,
            council_tasks_complete: f.council_tasks_complete,
            basis: f.basis,
            ..OutcomeView::new(outcome, f.as_of)
        })
    }
}

/// A funding stream as `stream_at_risk` sees it.
#[derive(Debug, Clone)]
pub struct StreamView {
    pub(crate) id: ImmutableString,
    pub(crate) name: ImmutableString,
    pub(crate) financial_year: ImmutableString,
    pub(crate) amount_gbp: i64,
    pub(crate) year_end: Option<NaiveDate>,
    pub(crate) paid_on: Option<NaiveDate>,
    pub(crate) as_of: NaiveDate,
}

/// A register risk as `assess` sees it.
#[derive(Debug, Clone)]
pub struct RiskView {
    pub(crate) reference: ImmutableString,
    pub(crate) title: ImmutableString,
    pub(crate) description: ImmutableString,
    pub(crate) likelihood: ImmutableString,
    pub(crate) impact: ImmutableString,
    pub(crate) residual_likelihood: Option<ImmutableString>,
}

/// What the forecast says that bears on a risk, as `assess` sees it.
#[derive(Debug, Clone)]
pub struct EvidenceView {
    /// Outcome counts by category (required, good) and status (achieved .. not applicable).
    pub(crate) counts: [[i64; 6]; 2],
    /// Of those, the outcomes whose status rests on a rule's assumption.
    pub(crate) assumed: [[i64; 6]; 2],
    pub(crate) required_least_slack: Option<i64>,
    pub(crate) required_deadline: Option<NaiveDate>,
    pub(crate) exposure_gbp: i64,
    pub(crate) total_gbp: i64,
    pub(crate) as_of: NaiveDate,
    /// From a simulation, when the report has one: the share of runs in which each number of
    /// Required outcomes missed its deadline (index: how many); empty without one.
    pub(crate) required_misses: Vec<f64>,
}

/// A dependency as `follow_on` sees it: a map, `#{ implied }`.
pub(crate) fn edge(implied: bool) -> Map {
    let mut edge = Map::new();
    edge.insert("implied".into(), Dynamic::from(implied));
    edge
}

/// The BVPI 157 table as `bvpi.rhai`'s `target` sees it: a map of the table's baseline, the
/// national target as written, where its rows end (`final_percent`) and the as-of date.
pub(crate) fn table(t: &Bvpi157, final_percent: u32, as_of: NaiveDate) -> Map {
    let mut view = Map::new();
    view.insert("enabled_percent".into(), Dynamic::from(i64::from(t.enabled_percent)));
    view.insert("target".into(), Dynamic::from(t.target.clone()));
    view.insert("final_percent".into(), Dynamic::from(i64::from(final_percent)));
    view.insert("as_of".into(), Dynamic::from(as_of));
    view
}

/// An interaction group of the BVPI 157 table as `bvpi.rhai`'s `enabled` and `needs` see it (as
/// a map of its row's fields, its gain, the as-of date and its linked work).
#[derive(Debug, Clone)]
pub struct GroupView<'a> {
    /// The table's row.
    pub row: &'a Bvpi157Interaction,
    /// The points it adds over the row above it.
    pub gain: u32,
    /// The date it is judged on.
    pub as_of: NaiveDate,
    /// Its linked work, in link order.
    pub work: Vec<LinkedWork>,
}

/// A piece of work linked to an interaction group, as the group's `work` list shows it.
#[derive(Debug, Clone)]
pub struct LinkedWork {
    /// Its id.
    pub id: String,
    /// `task`, `project`, `national` or `milestone`.
    pub kind: &'static str,
    /// Its title (a task's text).
    pub title: String,
    /// Its status (complete when the basis has it done).
    pub status: Status,
    /// Its forecast finish.
    pub forecast: Option<NaiveDate>,
    /// Whether it is done.
    pub done: bool,
    /// Why its forecast is unknown, where it is.
    pub unknown_reason: Option<String>,
}

impl GroupView<'_> {
    /// The map the hooks see.
    pub(crate) fn map(&self) -> Map {
        let row = self.row;
        let items: Array = self.work.iter().map(|w| Dynamic::from(w.map())).collect();
        let mut g = Map::new();
        g.insert("interaction".into(), Dynamic::from(row.interaction.clone()));
        let services: Array = row.services.iter().map(|s| Dynamic::from(s.clone())).collect();
        g.insert("services".into(), Dynamic::from(services));
        let processes = row.esd_processes.map_or(Dynamic::UNIT, |p| Dynamic::from(i64::from(p)));
        g.insert("processes".into(), processes);
        g.insert("target_percent".into(), Dynamic::from(i64::from(row.enabled_target_percent)));
        g.insert("gain".into(), Dynamic::from(i64::from(self.gain)));
        g.insert("as_of".into(), Dynamic::from(self.as_of));
        g.insert("work".into(), Dynamic::from(items));
        g
    }
}

impl LinkedWork {
    fn map(&self) -> Map {
        let mut w = Map::new();
        w.insert("id".into(), Dynamic::from(self.id.clone()));
        w.insert("kind".into(), Dynamic::from(self.kind.to_string()));
        w.insert("title".into(), Dynamic::from(self.title.clone()));
        w.insert("status".into(), Dynamic::from(self.status.as_str().to_string()));
        w.insert("forecast".into(), opt(self.forecast));
        w.insert("done".into(), Dynamic::from(self.done));
        w.insert("unknown_reason".into(), opt(self.unknown_reason.clone()));
        w
    }
}

/// A value as a person reads it: dates as `2005-12-31`, everything else as rhai prints it.
pub fn display(v: &Dynamic) -> String {
    match v.read_lock::<NaiveDate>() {
        Some(d) => d.to_string(),
        None => v.to_string(),
    }
}

fn opt<T: Clone + Send + Sync + 'static>(v: Option<T>) -> Dynamic {
    v.map_or(Dynamic::UNIT, Dynamic::from)
}

type Fallible<T> = Result<T, Box<EvalAltResult>>;

fn script_error(message: String) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(message.into(), Position::NONE))
}

/// Register `Date` and the views on an engine.
pub fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<NaiveDate>("Date")
        .register_fn("date", |y: i64, m: i64, d: i64| -> Fallible<NaiveDate> {
            let (y, m, d) = (i32::try_from(y), u32::try_from(m), u32::try_from(d));
            match (y, m, d) {
                (Ok(y), Ok(m), Ok(d)) => NaiveDate::from_ymd_opt(y, m, d),
                _ => None,
            }
            .ok_or_else(|| script_error("date(year, month, day) names no real day".into()))
        })
        .register_fn("add_months", |d: &mut NaiveDate, n: i64| -> Fallible<NaiveDate> {
            let months = u32::try_from(n)
                .map_err(|_| script_error(format!("add_months({n}): months must be 0 or more")))?;
            Span { months, days: 0 }
                .checked_after(*d)
                .ok_or_else(|| script_error(format!("add_months({n}) leaves the calendar")))
        })
        .register_fn("add_days", |d: &mut NaiveDate, n: i64| -> Fallible<NaiveDate> {
            chrono::TimeDelta::try_days(n)
                .and_then(|delta| d.checked_add_signed(delta))
                .ok_or_else(|| script_error(format!("add_days({n}) leaves the calendar")))
        })
        .register_get("year", |d: &mut NaiveDate| i64::from(d.year()))
        .register_get("month", |d: &mut NaiveDate| i64::from(d.month()))
        .register_get("day", |d: &mut NaiveDate| i64::from(d.day()))
        .register_fn("pounds", |n: i64| {
            let text = crate::format::gbp(n.unsigned_abs());
            if n < 0 { format!("-{text}") } else { text }
        })
        .register_fn("long_date", |d: NaiveDate| crate::format::long_date(d))
        .register_fn(
            "mixture",
            |p_miss: f64, p_again: f64, sizes: rhai::Array| -> Fallible<rhai::Array> {
                let sizes: Vec<i32> = sizes
                    .iter()
                    .map(|d| d.as_int().ok().and_then(|d| i32::try_from(d).ok()))
                    .collect::<Option<_>>()
                    .ok_or_else(|| {
                        script_error(
                            "mixture(p_miss, p_again, sizes): sizes are whole numbers of days"
                                .into(),
                        )
                    })?;
                Ok(crate::simulate::learn::mixture(p_miss, p_again, &sizes)
                    .into_iter()
                    .map(|d| Dynamic::from(i64::from(d)))
                    .collect())
            },
        )
        .register_fn("to_string", |d: &mut NaiveDate| d.to_string())
        .register_fn("to_debug", |d: &mut NaiveDate| d.to_string())
        .register_fn("-", |a: NaiveDate, b: NaiveDate| (a - b).num_days())
        .register_fn("==", |a: NaiveDate, b: NaiveDate| a == b)
        .register_fn("!=", |a: NaiveDate, b: NaiveDate| a != b)
        .register_fn("<", |a: NaiveDate, b: NaiveDate| a < b)
        .register_fn("<=", |a: NaiveDate, b: NaiveDate| a <= b)
        .register_fn(">", |a: NaiveDate, b: NaiveDate| a > b)
        .register_fn(">=", |a: NaiveDate, b: NaiveDate| a >= b)
        // Comparing a Date with () (an unknown date) is false, not an error.
        .register_fn("==", |_: NaiveDate, _: ()| false)
        .register_fn("!=", |_: NaiveDate, _: ()| true)
        .register_fn("==", |_: (), _: NaiveDate| false)
        .register_fn("!=", |_: (), _: NaiveDate| true);

    engine
        .register_type_with_name::<WorkView>("Work")
        .register_get("id", |w: &mut WorkView| {
            memo::note(w.slot, Field::Id);
            w.id.clone()
        })
        .register_get("kind", |w: &mut WorkView| {
            memo::note(w.slot, Field::Kind);
            w.kind.clone()
        })
        .register_get("title", |w: &mut WorkView| {
            memo::note(w.slot, Field::Title);
            w.title.clone()
        })
        .register_get("status", |w: &mut WorkView| {
            memo::note(w.slot, Field::Status);
            w.status.clone()
        })
        .register_get("status_text", |w: &mut WorkView| {
            memo::note(w.slot, Field::StatusText);
            w.status_text.clone()
        })
        .register_get("target", |w: &mut WorkView| {
            memo::note(w.slot, Field::Target);
            w.target.clone()
        })
        .register_get("target_date", |w: &mut WorkView| {
            memo::note(w.slot, Field::TargetDate);
            opt(w.target_date)
        })
        .register_get("start_date", |w: &mut WorkView| {
            memo::note(w.slot, Field::StartDate);
            opt(w.start_date)
        })
        .register_get("phrase", |w: &mut WorkView| {
            memo::note(w.slot, Field::Phrase);
            w.phrase.clone()
        })
        .register_get("comments", |w: &mut WorkView| {
            memo::note(w.slot, Field::Comments);
            w.comments.clone()
        })
        .register_get("waits_on", |w: &mut WorkView| {
            memo::note(w.slot, Field::WaitsOn);
            w.waits_on
        })
        .register_get("has_duration", |w: &mut WorkView| {
            memo::note(w.slot, Field::Duration);
            w.duration.is_some()
        })
        .register_fn("after_duration", |w: &mut WorkView, start: NaiveDate| -> Fallible<Dynamic> {
            memo::note(w.slot, Field::Duration);
            match w.duration {
                None => Ok(Dynamic::UNIT),
                Some(d) => d.checked_after(start).map(Dynamic::from).ok_or_else(|| {
                    script_error(format!("after_duration({start}) leaves the calendar"))
                }),
            }
        })
        .register_get("as_of", |w: &mut WorkView| {
            memo::note(w.slot, Field::AsOf);
            w.as_of
        })
        .register_get("reported", |w: &mut WorkView| {
            memo::note(w.slot, Field::Reported);
            w.reported
        })
        .register_get("partnership", |w: &mut WorkView| {
            memo::note(w.slot, Field::Partnership);
            w.partnership
        })
        .register_get("deadline", |w: &mut WorkView| {
            memo::note(w.slot, Field::Deadline);
            opt(w.deadline)
        })
        .register_get("needed_by", |w: &mut WorkView| {
            memo::note(w.slot, Field::NeededBy);
            opt(w.needed_by)
        })
        .register_get("estimate", |w: &mut WorkView| {
            memo::note(w.slot, Field::Estimate);
            match w.estimate {
                None => Dynamic::UNIT,
                Some([earliest, likely, latest]) => {
                    let mut m = rhai::Map::new();
                    m.insert("earliest".into(), Dynamic::from(earliest));
                    m.insert("likely".into(), Dynamic::from(likely));
                    m.insert("latest".into(), Dynamic::from(latest));
                    Dynamic::from(m)
                }
            }
        });

    engine
        .register_type_with_name::<OutcomeView>("Outcome")
        .register_get("code", |o: &mut OutcomeView| o.code.clone())
        .register_get("category", |o: &mut OutcomeView| o.category.clone())
        .register_get("title", |o: &mut OutcomeView| o.title.clone())
        .register_get("area", |o: &mut OutcomeView| o.area.clone())
        .register_get("deadline", |o: &mut OutcomeView| opt(o.deadline))
        .register_get("forecast", |o: &mut OutcomeView| opt(o.forecast))
        .register_get("slack_days", |o: &mut OutcomeView| opt(o.slack_days))
        .register_get("no_earlier_than", |o: &mut OutcomeView| opt(o.no_earlier_than))
        .register_get("as_of", |o: &mut OutcomeView| o.as_of)
        .register_get("tasks_total", |o: &mut OutcomeView| o.tasks_total)
        .register_get("tasks_complete", |o: &mut OutcomeView| o.tasks_complete)
        .register_get("tasks_not_started", |o: &mut OutcomeView| o.tasks_not_started)
        .register_get("assumed_drivers", |o: &mut OutcomeView| o.assumed_drivers)
        .register_get("assumptions", |o: &mut OutcomeView| o.assumptions)
        .register_get("partnership", |o: &mut OutcomeView| o.partnership)
        .register_get("council_tasks", |o: &mut OutcomeView| o.council_tasks)
        .register_get("council_tasks_complete", |o: &mut OutcomeView| o.council_tasks_complete)
        .register_get("basis", |o: &mut OutcomeView| {
            o.basis.map_or(Dynamic::UNIT, |b| Dynamic::from(b.as_str()))
        })
        .register_get("council_tier", |o: &mut OutcomeView| opt(o.council_tier.clone()))
        .register_get("delivered_by", |o: &mut OutcomeView| {
            o.delivered_by.iter().cloned().map(Dynamic::from).collect::<rhai::Array>()
        })
        .register_get("not_applicable", |o: &mut OutcomeView| opt(o.not_applicable.clone()));

    engine
        .register_type_with_name::<StreamView>("Stream")
        .register_get("id", |s: &mut StreamView| s.id.clone())
        .register_get("name", |s: &mut StreamView| s.name.clone())
        .register_get("financial_year", |s: &mut StreamView| s.financial_year.clone())
        .register_get("amount_gbp", |s: &mut StreamView| s.amount_gbp)
        .register_get("year_end", |s: &mut StreamView| opt(s.year_end))
        .register_get("paid_on", |s: &mut StreamView| opt(s.paid_on))
        .register_get("as_of", |s: &mut StreamView| s.as_of);

    engine
        .register_type_with_name::<RiskView>("Risk")
        .register_get("reference", |r: &mut RiskView| r.reference.clone())
        .register_get("title", |r: &mut RiskView| r.title.clone())
        .register_get("description", |r: &mut RiskView| r.description.clone())
        .register_get("likelihood", |r: &mut RiskView| r.likelihood.clone())
        .register_get("impact", |r: &mut RiskView| r.impact.clone())
        .register_get("residual_likelihood", |r: &mut RiskView| {
            r.residual_likelihood.clone().map_or(Dynamic::UNIT, Dynamic::from)
        });

    engine.register_type_with_name::<EvidenceView>("Evidence");
    const STATUSES: [&str; 6] =
        ["achieved", "on_track", "at_risk", "off_track", "unknown", "not_applicable"];
    for (c, category) in ["required", "good"].into_iter().enumerate() {
        // The outcomes the council delivers: not-applicable ones are counted apart.
        engine.register_get(format!("{category}_total"), move |e: &mut EvidenceView| {
            e.counts[c][..5].iter().sum::<i64>()
        });
        for (s, status) in STATUSES.into_iter().enumerate() {
            engine.register_get(format!("{category}_{status}"), move |e: &mut EvidenceView| {
                e.counts[c][s]
            });
            engine.register_get(
                format!("{category}_{status}_assumed"),
                move |e: &mut EvidenceView| e.assumed[c][s],
            );
        }
    }
    engine
        .register_get("required_least_slack", |e: &mut EvidenceView| opt(e.required_least_slack))
        .register_get("required_deadline", |e: &mut EvidenceView| opt(e.required_deadline))
        .register_get("exposure_gbp", |e: &mut EvidenceView| e.exposure_gbp)
        .register_get("total_gbp", |e: &mut EvidenceView| e.total_gbp)
        .register_get("as_of", |e: &mut EvidenceView| e.as_of)
        .register_get("simulated", |e: &mut EvidenceView| !e.required_misses.is_empty())
        .register_fn("p_required_misses_at_least", |e: &mut EvidenceView, n: i64| {
            if e.required_misses.is_empty() {
                return Dynamic::UNIT;
            }
            let from = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
            Dynamic::from(e.required_misses.iter().skip(from).sum::<f64>())
        });
}

/// What `simulate.rhai`'s `slip` is shown of a piece of work's evidence (`learnt`): built once
/// per class of work, then given each piece of work's own future and whether its date is
/// assumed. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Learnt(rhai::Map);

/// A learnt probability as `slip` sees it: its name (`p_miss`), the estimate and its interval.
pub struct LearntRate<'a> {
    /// `p_miss` or `p_again`.
    pub name: &'a str,
    /// The estimate.
    pub p: f64,
    /// The interval's lower end.
    pub low: f64,
    /// Its upper end.
    pub high: f64,
}

fn days_array(days: &[i32]) -> rhai::Array {
    days.iter().map(|d| Dynamic::from(i64::from(*d))).collect()
}

impl Learnt {
    /// A class's evidence: its name, the days a first target gives, how many observations it
    /// has and whether it borrowed every class's, its effective sample, its probabilities and
    /// the sizes of a miss.
    pub fn new(
        class: &str,
        days: &[i32],
        (observations, pooled, effective): (i64, bool, f64),
        rates: &[LearntRate],
        sizes: &[i32],
    ) -> Learnt {
        let mut m = rhai::Map::new();
        m.insert("class".into(), Dynamic::from(class.to_string()));
        m.insert("days".into(), Dynamic::from(days_array(days)));
        m.insert("observations".into(), Dynamic::from(observations));
        m.insert("pooled".into(), Dynamic::from(pooled));
        m.insert("effective_observations".into(), Dynamic::from(effective));
        for r in rates {
            m.insert(r.name.into(), Dynamic::from(r.p));
            m.insert(format!("{}_low", r.name).into(), Dynamic::from(r.low));
            m.insert(format!("{}_high", r.name).into(), Dynamic::from(r.high));
        }
        m.insert("sizes".into(), Dynamic::from(days_array(sizes)));
        Learnt(m)
    }

    /// The same evidence for one piece of work: its future (`target`, `replanned`...), the days
    /// that future gives where they are not a first target's, and whether its date is assumed.
    pub fn for_work(&self, future: &str, days: Option<&[i32]>, assumed: bool) -> Learnt {
        let mut m = self.0.clone();
        m.insert("future".into(), Dynamic::from(future.to_string()));
        if let Some(days) = days {
            m.insert("days".into(), Dynamic::from(days_array(days)));
        }
        m.insert("assumed".into(), Dynamic::from(assumed));
        Learnt(m)
    }

    /// As a rule argument.
    pub(crate) fn into_map(self) -> rhai::Map {
        self.0
    }
}
