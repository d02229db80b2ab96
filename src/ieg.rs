//! The IEG return: each priority outcome's position in the words the council's self-assessment
//! uses, its traffic light at each of the return's key dates, and a Good outcome's December 2005
//! checkpoint (`rules/ieg.rhai`), from the forecast's classification and its dates.

use chrono::NaiveDate;
use petgraph::Direction;

use crate::assess::{Assessment, DateBasis, OutcomeResult, Standing};
use crate::error::{Diagnostic, Error};
use crate::graph::{Graph, Item, NodeKind};
use crate::model::{Category, Model, Status, Target};
use crate::rules::Rules;
pub use crate::rules::answers::{Colour, KeyDate};

/// The return dates councils reported against: 31 March 2005, 31 July 2005, 31 December 2005
/// and 31 March 2006.
pub const DEFAULT_DATES: [(i32, u32, u32); 4] =
    [(2005, 3, 31), (2005, 7, 31), (2005, 12, 31), (2006, 3, 31)];

/// The Good outcomes' checkpoint: approved and in active implementation by December 2005.
pub const DEFAULT_CHECKPOINT: (i32, u32, u32) = (2005, 12, 31);

/// The most key dates a return shows: beyond a dozen the table no longer fits a page.
pub const MAX_DATES: usize = 12;

/// The dates a return judges each outcome on: its key dates, in order, and the Good outcomes'
/// checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDates {
    /// The key dates, earliest first, none twice.
    pub dates: Vec<NaiveDate>,
    /// The checkpoint date.
    pub checkpoint: NaiveDate,
}

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

impl Default for KeyDates {
    fn default() -> Self {
        KeyDates {
            dates: DEFAULT_DATES.into_iter().map(ymd).collect(),
            checkpoint: ymd(DEFAULT_CHECKPOINT),
        }
    }
}

impl KeyDates {
    /// The key dates given on the command line (the defaults when none are), sorted; a date
    /// given twice, or more than [`MAX_DATES`], is refused.
    pub fn new(dates: &[NaiveDate], checkpoint: Option<NaiveDate>) -> Result<KeyDates, Error> {
        let default = KeyDates::default();
        let mut sorted = if dates.is_empty() { default.dates } else { dates.to_vec() };
        sorted.sort();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(Diagnostic::new(format!("--dates gives {} twice", w[0]))
                .help(
                    "give each key date of the return once, such as --dates 2005-03-31,2005-12-31",
                )
                .into());
        }
        if sorted.len() > MAX_DATES {
            return Err(Diagnostic::new(format!(
                "--dates gives {} dates; a return shows at most {MAX_DATES}",
                sorted.len()
            ))
            .help("give the return's key dates only, such as --dates 2005-03-31,2005-12-31")
            .into());
        }
        Ok(KeyDates { dates: sorted, checkpoint: checkpoint.unwrap_or(default.checkpoint) })
    }
}

/// One judgement of the return on one date: its colour (or checkpoint met), the rule's reason,
/// and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement<T> {
    /// Where the outcome stands on the date, as the rule saw it.
    pub at: KeyDate,
    /// The rule's answer: a [`Colour`], or whether the checkpoint is met.
    pub value: T,
    /// The rule's reason.
    pub reason: String,
    /// What it rests on: the rule's word, else the outcome's verdict's basis.
    pub basis: DateBasis,
}

/// An outcome's judgements in the return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// Its traffic light on each key date, in order: black throughout for an outcome the council
    /// does not deliver.
    pub lights: Vec<Judgement<Colour>>,
    /// A Good outcome's checkpoint (none for a Required one, or one that does not apply).
    pub checkpoint: Option<Judgement<bool>>,
}

/// The position of every outcome of `a`, in its order, as the rules word it.
pub fn positions(model: &Model, rules: &Rules, a: &Assessment) -> Result<Vec<String>, Error> {
    a.outcomes
        .iter()
        .map(|r| {
            let view = r.facts.view(&model.outcomes[r.outcome]);
            let args = (view, r.standing.as_str().to_string());
            let subject = format!("for {}", model.outcomes[r.outcome].code);
            let expected = "the position as text, such as \"Achieved\"";
            rules.call_text("ieg", "position", args, &subject, expected)
        })
        .collect()
}

/// Every outcome of `a`'s lights on `dates`' key dates and, for a Good outcome, its checkpoint,
/// in the outcomes' order.
pub fn judge(
    model: &Model,
    graph: &Graph,
    rules: &Rules,
    a: &Assessment,
    dates: &KeyDates,
) -> Result<Vec<Judged>, Error> {
    a.outcomes
        .iter()
        .map(|r| {
            let outcome = &model.outcomes[r.outcome];
            let at = |date| key_date(model, graph, a, r, date);
            if r.standing == Standing::NotApplicable {
                let black = |date| Judgement {
                    at: at(date),
                    value: Colour::Black,
                    reason: r.reason.clone(),
                    basis: r.basis,
                };
                return Ok(Judged {
                    lights: dates.dates.iter().map(|d| black(*d)).collect(),
                    checkpoint: None,
                });
            }
            let lights = dates
                .dates
                .iter()
                .map(|d| {
                    let at = at(*d);
                    let l = rules.light(outcome, &r.facts, r.standing, &at)?;
                    let basis = l.basis.unwrap_or(r.basis);
                    Ok(Judgement { at, value: l.colour, reason: l.reason, basis })
                })
                .collect::<Result<Vec<_>, Error>>()?;
            let checkpoint = match r.category {
                Category::Required => None,
                Category::Good => {
                    let at = at(dates.checkpoint);
                    let c = rules.checkpoint(outcome, &r.facts, r.standing, &at)?;
                    let basis = c.basis.unwrap_or(r.basis);
                    Some(Judgement { at, value: c.met, reason: c.reason, basis })
                }
            };
            Ok(Judged { lights, checkpoint })
        })
        .collect()
}

/// Where outcome `r` stands on `date`: recorded (on or before the as-of date) or forecast; done
/// when its forecast finish is on or before the date; and how many of the tasks serving it are
/// finished, and finished or under way, by then. A task is under way by a date when it is
/// finished by then; when the routemap reports it in progress, on target or on-going and the
/// date is not before the as-of date (when it started is not recorded); or when its target is a
/// start on or before the date, and the date is not before the as-of date.
pub fn key_date(
    model: &Model,
    graph: &Graph,
    a: &Assessment,
    r: &OutcomeResult,
    date: NaiveDate,
) -> KeyDate {
    let as_of = a.basis.as_of;
    let (mut done, mut started) = (0, 0);
    for t in graph.dag.neighbors_directed(r.node, Direction::Incoming) {
        if graph.dag[t].kind != NodeKind::Task {
            continue;
        }
        let finished = a.forecast[t.index()].is_some_and(|f| f <= date);
        let under_way = match graph.dag[t].item {
            Item::Task { action, task } => {
                let task = &model.actions[action].tasks[task];
                let reported =
                    matches!(task.status, Status::InProgress | Status::OnTarget | Status::Ongoing);
                let planned = matches!(task.target, Target::Starts(s) if s <= date);
                date >= as_of && (reported || planned)
            }
            _ => false,
        };
        done += i64::from(finished);
        started += i64::from(finished || under_way);
    }
    KeyDate {
        date,
        recorded: date <= as_of,
        done: r.forecast.is_some_and(|f| f <= date),
        due: r.deadline <= date,
        tasks_done: done,
        tasks_started: started,
    }
}
