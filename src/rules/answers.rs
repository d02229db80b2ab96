//! What the hooks answer, as Rust values: each hook's answer type, and beside it the call that
//! makes the hook and decodes its rhai answer, checking the answer's shape (its keys with
//! [`Rules::check_keys`], its text for control characters, its numbers and dates for range) and
//! refusing what does not fit with an error located at the hook. Code outside `rules/` calls
//! these and never sees a rhai value.

use chrono::NaiveDate;
use rhai::{Dynamic, FuncArgs, Map};

use super::Rules;
use super::api::{
    self, DateBasis, EvidenceView, GroupView, OutcomeFacts, OutcomeView, RiskView, StreamView,
    WorkView,
};
use crate::error::Error;
use crate::format::Deferred;
use crate::model::{Bvpi157, Category, Level, Outcome, Span, Standing};

/// A value of a returned map, unless it is missing or `()`.
fn get(map: &Map, key: &str) -> Option<Dynamic> {
    map.get(key).filter(|v| !v.is_unit()).cloned()
}

/// A number a rule returned, whole or not.
fn number(v: &Dynamic) -> Option<f64> {
    v.as_float().ok().or_else(|| v.as_int().ok().map(|i| i as f64))
}

/// What `forecast.rhai`'s `own_finish` says of a piece of work that is not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnFinish {
    /// When it finishes of itself.
    pub finish: Finish,
    /// The assumption a date or a `follows` rests on.
    pub assumption: Option<String>,
    /// Why its finish is unknown.
    pub unknown_reason: Option<String>,
}

/// How a piece of work that is not complete finishes, as `own_finish` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// On this date (on or after the as-of date), or later if what it waits on finishes later.
    On(NaiveDate),
    /// When what it waits on finishes.
    Follows,
    /// It cannot be told.
    Unknown,
}

/// What `forecast.rhai`'s `follow_on` says of a dependency: the time after what is waited on
/// finishes before the work waiting can, and the assumption it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowOnTime {
    /// The time, in days.
    pub span: Span,
    /// The assumption it rests on (shared: many dependencies rest on the same one, and a
    /// remembered answer is handed out again for each).
    pub assumption: Option<std::sync::Arc<str>>,
}

impl super::memo::Named for OwnFinish {
    fn filled(self, ids: &[&str]) -> Self {
        let fill = |t: Option<String>| t.map(|t| super::naming::fill(&t, ids).unwrap_or(t));
        OwnFinish {
            assumption: fill(self.assumption),
            unknown_reason: fill(self.unknown_reason),
            ..self
        }
    }
}

impl super::memo::Named for FollowOnTime {
    fn filled(self, ids: &[&str]) -> Self {
        let assumption = self.assumption.map(|t| match super::naming::fill(&t, ids) {
            Some(filled) => filled.into(),
            None => t,
        });
        FollowOnTime { assumption, ..self }
    }
}

/// One stream's standing under the funding rules (`stream_at_risk`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamTerm {
    /// Still at risk on the as-of date.
    pub at_risk: bool,
    /// The rule's reason.
    pub reason: String,
    /// How the outcomes put it at risk.
    pub method: Method,
}

/// How a stream at risk is exposed by the outcomes' statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Paid against a return judged as a whole: the stream is exposed by the largest share any
    /// outcome's status gives, and that exposure is divided equally among the outcomes giving it.
    Return,
    /// Shared among the outcomes by weight: each outcome exposes its part by its status's share.
    ProRata,
}

impl Method {
    /// The name `stream_at_risk` gives.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Return => "return",
            Method::ProRata => "pro_rata",
        }
    }
}

/// The largest weight an outcome may have: weights are relative, and a bound keeps the
/// arithmetic exact.
const MAX_WEIGHT: f64 = 1_000_000.0;

/// What `bvpi.rhai`'s `target` sets: the e-enabled percentage to reach, and by when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BvpiTarget {
    /// The percentage, 0 to 100.
    pub percent: u32,
    /// The date it is to be met by.
    pub by: NaiveDate,
}

/// What `bvpi.rhai`'s `enabled` says of an interaction group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enabled {
    /// The date it is enabled, if any (never for a group with no linked work).
    pub date: Option<NaiveDate>,
    /// The rule's reason.
    pub reason: String,
    /// The linked work that sets (or withholds) its date, as the rule named it: its place in
    /// the group's `work`.
    pub by: Option<usize>,
}

/// How the rules scored one risk on one forecast (`risk.rhai`'s `assess`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Score {
    /// The forecast bears on the risk.
    Assessed {
        /// Likelihood.
        likelihood: Level,
        /// Impact.
        impact: Level,
        /// Why that likelihood.
        likelihood_reason: String,
        /// Why that impact.
        impact_reason: String,
    },
    /// The forecast holds no evidence on the risk.
    NotAssessed {
        /// Why not.
        reason: String,
    },
}

impl Rules {
    /// Call `hook` of rule file `file`, whose answer is a map with `keys` (required, optional):
    /// anything else is refused, naming `subject` (`for R8`) and what was `expected`.
    fn call_map(
        &self,
        file: &str,
        hook: &str,
        args: impl FuncArgs,
        subject: &str,
        keys: (&[&str], &[&str]),
        expected: &str,
    ) -> Result<Map, Error> {
        let answer = self.call_with(file, hook, args)?;
        let map = answer.try_cast::<Map>().ok_or_else(|| {
            self.bad_return(file, hook, &format!("something other than a map {subject}"), expected)
        })?;
        self.check_keys(file, hook, &map, &subject, keys, expected)?;
        Ok(map)
    }

    /// An outcome's deadline, from `deadlines.rhai`'s `deadline`.
    pub fn deadline(&self, outcome: &Outcome, as_of: NaiveDate) -> Result<NaiveDate, Error> {
        let answer = self.call("deadlines", "deadline", OutcomeView::unforecast(outcome, as_of))?;
        answer.try_cast::<NaiveDate>().ok_or_else(|| {
            self.bad_return(
                "deadlines",
                "deadline",
                &format!("something other than a Date for {}", outcome.code),
                "a Date, such as date(2005, 12, 31)",
            )
        })
    }

    /// Whether the council delivers `outcome`, from `classify.rhai`'s `applies`: `None` when it
    /// does, else the rule's reason why not.
    pub fn applies(&self, outcome: &Outcome, as_of: NaiveDate) -> Result<Option<String>, Error> {
        let expected = "#{ applies: true } or #{ applies: false, reason: \"...\" }";
        let subject = format!("for {}", outcome.code);
        let map = self.call_map(
            "classify",
            "applies",
            (OutcomeView::unforecast(outcome, as_of),),
            &subject,
            (&["applies"], &["reason"]),
            expected,
        )?;
        let bad = |got: &str| {
            self.bad_return("classify", "applies", &format!("{got} {subject}"), expected)
        };
        match map.get("applies").and_then(|v| v.as_bool().ok()) {
            Some(true) => Ok(None),
            Some(false) => match map.get("reason") {
                Some(r) if r.is_string() && !r.to_string().trim().is_empty() => {
                    Ok(Some(r.to_string()))
                }
                _ => Err(bad("`applies: false` with no text `reason`")),
            },
            None => Err(bad("an `applies` that is not true or false")),
        }
    }

    /// The date complete work finished, from `forecast.rhai`'s `done_on`: no later than the
    /// as-of date.
    pub fn done_on(&self, work: &WorkView) -> Result<NaiveDate, Error> {
        match &self.memo {
            Some(m) => {
                m.done_on.answer(&[work], (work.as_of, 0), || false, |v| self.done_on_now(v[0]))
            }
            None => self.done_on_now(work),
        }
    }

    fn done_on_now(&self, work: &WorkView) -> Result<NaiveDate, Error> {
        let as_of = work.as_of;
        let answer = self.call("forecast", "done_on", Dynamic::from(work.clone()))?;
        answer.try_cast::<NaiveDate>().filter(|d| *d <= as_of).ok_or_else(|| {
            self.bad_return(
                "forecast",
                "done_on",
                &format!("something other than a Date on or before {as_of} for `{}`", work.id),
                "a Date no later than the as-of date",
            )
        })
    }

    /// When work that is not complete finishes of itself, from `forecast.rhai`'s `own_finish`.
    pub fn own_finish(&self, work: &WorkView) -> Result<OwnFinish, Error> {
        match &self.memo {
            Some(m) => {
                let naming = || self.ids_only_name("forecast", "own_finish");
                m.own_finish.answer(&[work], (work.as_of, 0), naming, |v| self.own_finish_now(v[0]))
            }
            None => self.own_finish_now(work),
        }
    }

    fn own_finish_now(&self, work: &WorkView) -> Result<OwnFinish, Error> {
        let as_of = work.as_of;
        let answer = self.call("forecast", "own_finish", Dynamic::from(work.clone()))?;
        let expected = "#{ date: <Date> }, #{ date, assumption }, #{ follows: true, assumption } or #{ unknown: true, reason }";
        let bad = |got: &str| {
            self.bad_return("forecast", "own_finish", &format!("{got} for `{}`", work.id), expected)
        };
        let map = answer.try_cast::<Map>().ok_or_else(|| bad("something other than a map"))?;
        let subject = Deferred(|f| write!(f, "for `{}`", work.id));
        let keys: (&[&str], &[&str]) = if map.contains_key("unknown") {
            (&["unknown", "reason"], &[])
        } else if map.contains_key("follows") {
            (&["follows", "assumption"], &[])
        } else if map.contains_key("date") {
            (&["date"], &["assumption"])
        } else {
            return Err(bad("a map with none of `date`, `follows` or `unknown`"));
        };
        self.check_keys("forecast", "own_finish", &map, &subject, keys, expected)?;
        let text = |key: &str| match get(&map, key) {
            None => Ok(None),
            Some(v) if v.is_string() => Ok(Some(v.to_string())),
            Some(v) => Err(bad(&format!("a `{key}` that is not text (`{v}`)"))),
        };
        let assumption = text("assumption")?;
        let flag = |key: &str| get(&map, key).and_then(|v| v.as_bool().ok()) == Some(true);
        let mut unknown_reason = None;
        let finish = if map.contains_key("unknown") {
            if !flag("unknown") {
                return Err(bad("`unknown` other than true"));
            }
            unknown_reason = text("reason")?;
            Finish::Unknown
        } else if map.contains_key("follows") {
            if !flag("follows") {
                return Err(bad("`follows` other than true"));
            }
            Finish::Follows
        } else {
            // `check_keys` has made sure `date` is there.
            let d = get(&map, "date").and_then(|d| d.try_cast::<NaiveDate>());
            let d = d.ok_or_else(|| bad("a `date` that is not a Date"))?;
            if d < as_of {
                return Err(self.refused(
                    "forecast",
                    "own_finish",
                    &format!("{d}, before the as-of date {as_of}, {subject}, which is not complete"),
                    "unfinished work finishes on or after the as-of date (`work.as_of`); complete work is dated by `done_on`",
                ));
            }
            Finish::On(d)
        };
        Ok(OwnFinish { finish, assumption, unknown_reason })
    }

    /// The follow-on time of `work` waiting on `waits_on`, from `forecast.rhai`'s
    /// `follow_on(work, waits_on, edge)`; `implied` is the dependency's mark in the model.
    pub fn follow_on(
        &self,
        work: &WorkView,
        waits_on: &WorkView,
        implied: bool,
    ) -> Result<FollowOnTime, Error> {
        let Some(m) = &self.memo else { return self.follow_on_now(work, waits_on, implied) };
        let extra = (work.as_of, u8::from(implied));
        let naming = || self.ids_only_name("forecast", "follow_on");
        m.follow_on
            .answer(&[work, waits_on], extra, naming, |v| self.follow_on_now(v[0], v[1], implied))
    }

    fn follow_on_now(
        &self,
        work: &WorkView,
        waits_on: &WorkView,
        implied: bool,
    ) -> Result<FollowOnTime, Error> {
        // The view waited on is the call's second argument (the memory reads views by their
        // place in the call; the getters note it from the view).
        let mut second = waits_on.clone();
        second.slot = 1;
        let args = (work.clone(), second, api::edge(implied));
        let answer = self.call_with("forecast", "follow_on", args)?;
        let subject = Deferred(|f| write!(f, "for `{}` waiting on `{}`", work.id, waits_on.id));
        let bad = |got: &str| {
            self.bad_return(
                "forecast",
                "follow_on",
                &format!("{got} {subject}"),
                &format!(
                    "#{{ days: <whole number from 0 to {}> }} or #{{ days, assumption }}",
                    Span::MAX_DAYS
                ),
            )
        };
        let map = answer.try_cast::<Map>().ok_or_else(|| bad("something other than a map"))?;
        self.check_keys(
            "forecast",
            "follow_on",
            &map,
            &subject,
            (&["days"], &["assumption"]),
            "#{ days: <whole number> } or #{ days, assumption }",
        )?;
        let days = get(&map, "days")
            .and_then(|d| d.as_int().ok())
            .ok_or_else(|| bad("a map with no whole-number `days`"))?;
        let days = u32::try_from(days)
            .ok()
            .filter(|d| *d <= Span::MAX_DAYS)
            .ok_or_else(|| bad(&format!("`days: {days}`")))?;
        let assumption = match get(&map, "assumption") {
            None => None,
            Some(v) if v.is_string() => Some(v.to_string().into()),
            Some(v) => return Err(bad(&format!("an `assumption` that is not text (`{v}`)"))),
        };
        Ok(FollowOnTime { span: Span { months: 0, days }, assumption })
    }

    /// How `outcome` stands on what `facts` say of it, why, and what that verdict rests on, from
    /// `classify.rhai`'s `classify`. Without a `basis` in the answer, the verdict rests on what
    /// the facts' forecast rests on (the council's own dates where there is no forecast: what
    /// they leave out is why).
    pub fn classify(
        &self,
        outcome: &Outcome,
        facts: &OutcomeFacts,
    ) -> Result<(Standing, String, DateBasis), Error> {
        let expected = "#{ status: \"achieved\" | \"on_track\" | \"at_risk\" | \"off_track\" | \"unknown\", reason: \"...\", basis: \"stated\" | \"derived\" | \"assumed\" (optional) }";
        let subject = format!("for {}", outcome.code);
        let map = self.call_map(
            "classify",
            "classify",
            (facts.view(outcome),),
            &subject,
            (&["status", "reason"], &["basis"]),
            expected,
        )?;
        let bad = |got: &str| {
            self.bad_return("classify", "classify", &format!("{got} {subject}"), expected)
        };
        let status = get(&map, "status").map(|v| v.to_string()).unwrap_or_default();
        let standing =
            Standing::parse(&status).ok_or_else(|| bad(&format!("status `{status}`")))?;
        if standing == Standing::NotApplicable {
            return Err(self.refused(
                "classify",
                "classify",
                &format!("status `not_applicable` {subject}"),
                "whether an outcome applies is decided before anything is scheduled, by `applies(outcome)` in classify.rhai: return #{ applies: false, reason } there",
            ));
        }
        let reason = match get(&map, "reason") {
            Some(v) if v.is_string() => v.to_string(),
            v => {
                return Err(bad(&format!(
                    "a `reason` that is not text (`{}`)",
                    v.unwrap_or_default()
                )));
            }
        };
        let basis = match get(&map, "basis") {
            None => facts.basis.unwrap_or(DateBasis::Stated),
            Some(v) => DateBasis::parse(&v.to_string())
                .filter(|_| v.is_string())
                .ok_or_else(|| bad(&format!("basis `{v}`")))?,
        };
        Ok((standing, reason, basis))
    }

    /// Whether a funding stream is still at risk, why, and how the outcomes expose it, from
    /// `funding.rhai`'s `stream_at_risk`.
    pub fn stream_at_risk(&self, stream: &StreamView) -> Result<StreamTerm, Error> {
        let answer = self.call("funding", "stream_at_risk", Dynamic::from(stream.clone()))?;
        let bad = || {
            self.bad_return(
                "funding",
                "stream_at_risk",
                &format!(
                    "something other than #{{ at_risk: true | false, reason }} for `{}`",
                    stream.id
                ),
                "#{ at_risk: true, reason: \"...\" }",
            )
        };
        let map = answer.try_cast::<Map>().ok_or_else(bad)?;
        let expected = "#{ at_risk: true | false, reason: \"...\", method: \"return\" | \"pro_rata\" (optional) }";
        self.check_keys(
            "funding",
            "stream_at_risk",
            &map,
            &format!("for `{}`", stream.id),
            (&["at_risk", "reason"], &["method"]),
            expected,
        )?;
        let at_risk = map.get("at_risk").and_then(|v| v.as_bool().ok()).ok_or_else(bad)?;
        let reason =
            map.get("reason").filter(|v| v.is_string()).map(|v| v.to_string()).ok_or_else(bad)?;
        // Rules written before `method` share every stream pro rata.
        let method = match map.get("method").filter(|v| !v.is_unit()) {
            None => Method::ProRata,
            Some(v) => [Method::Return, Method::ProRata]
                .into_iter()
                .find(|m| v.is_string() && v.to_string() == m.as_str())
                .ok_or_else(|| {
                    self.bad_return(
                        "funding",
                        "stream_at_risk",
                        &format!("method `{v}` for `{}`", stream.id),
                        expected,
                    )
                })?,
        };
        Ok(StreamTerm { at_risk, reason, method })
    }

    /// An outcome's weight among the outcomes that share a funding stream (0 to 1,000,000),
    /// from `funding.rhai`'s `weight`.
    pub fn weight(&self, outcome: &Outcome, as_of: NaiveDate) -> Result<f64, Error> {
        let w = self.call("funding", "weight", OutcomeView::unforecast(outcome, as_of))?;
        match number(&w) {
            Some(w) if (0.0..=MAX_WEIGHT).contains(&w) => Ok(w),
            _ => Err(self.bad_return(
                "funding",
                "weight",
                &format!("`{w}` for {}", outcome.code),
                "a number from 0 to 1,000,000",
            )),
        }
    }

    /// The share (0 to 1) of an outcome's weight that `standing` exposes in `category`, from
    /// `funding.rhai`'s `share(category, status)`.
    pub fn share(&self, category: Category, standing: Standing) -> Result<f64, Error> {
        let args = (Dynamic::from(category.as_str()), Dynamic::from(standing.as_str()));
        let v = self.call_with("funding", "share", args)?;
        match number(&v) {
            Some(x) if (0.0..=1.0).contains(&x) => Ok(x),
            _ => Err(self.bad_return(
                "funding",
                "share",
                &format!("`{v}` for {} outcomes {}", category.as_str(), standing.as_str()),
                "a number from 0 to 1",
            )),
        }
    }

    /// How the rules score a risk of the register on a forecast's evidence, from `risk.rhai`'s
    /// `assess(risk, evidence)`.
    pub fn score(&self, risk: &RiskView, evidence: &EvidenceView) -> Result<Score, Error> {
        let args = (Dynamic::from(risk.clone()), Dynamic::from(evidence.clone()));
        let answer = self.call_with("risk", "assess", args)?;
        let bad = |got: &str| {
            self.bad_return(
                "risk",
                "assess",
                &format!("{got} for risk {}", risk.reference),
                "#{ likelihood: \"High\" | \"Medium\" | \"Low\", impact, likelihood_reason, impact_reason } or #{ assessed: false, reason }",
            )
        };
        let map = answer.try_cast::<Map>().ok_or_else(|| bad("something other than a map"))?;
        let expected = "#{ likelihood: \"High\" | \"Medium\" | \"Low\", impact, likelihood_reason, impact_reason } or #{ assessed: false, reason }";
        let keys: (&[&str], &[&str]) = if map.contains_key("assessed") {
            (&["assessed", "reason"], &[])
        } else {
            (&["likelihood", "impact", "likelihood_reason", "impact_reason"], &[])
        };
        let subject = format!("for risk {}", risk.reference);
        self.check_keys("risk", "assess", &map, &subject, keys, expected)?;
        for key in ["reason", "likelihood_reason", "impact_reason"] {
            if let Some(v) = map.get(key).filter(|v| !v.is_string()) {
                return Err(bad(&format!("a `{key}` that is not text (`{v}`)")));
            }
        }
        let text = |k: &str| map.get(k).filter(|v| !v.is_unit()).map(|v| v.to_string());
        if map.contains_key("assessed") {
            if map.get("assessed").and_then(|v| v.as_bool().ok()) != Some(false) {
                return Err(bad("`assessed` other than false"));
            }
            return Ok(Score::NotAssessed { reason: text("reason").unwrap_or_default() });
        }
        let level = |k: &str| {
            let t = text(k).unwrap_or_default();
            Level::parse(&t).ok_or_else(|| bad(&format!("{k} `{t}`")))
        };
        Ok(Score::Assessed {
            likelihood: level("likelihood")?,
            impact: level("impact")?,
            likelihood_reason: text("likelihood_reason").unwrap_or_default(),
            impact_reason: text("impact_reason").unwrap_or_default(),
        })
    }

    /// Whether an outcome that stands as `standing` on what `facts` say calls for proposed
    /// actions, from `risk.rhai`'s `propose(outcome, status)`.
    pub fn propose(
        &self,
        outcome: &Outcome,
        facts: &OutcomeFacts,
        standing: Standing,
    ) -> Result<bool, Error> {
        let args = (facts.view(outcome), Dynamic::from(standing.as_str()));
        let answer = self.call_with("risk", "propose", args)?;
        answer.as_bool().map_err(|_| {
            self.bad_return(
                "risk",
                "propose",
                &format!("`{answer}` for {}", outcome.code),
                "true or false",
            )
        })
    }

    /// The BVPI 157 target of table `t` (whose rows end at `final_percent`), from `bvpi.rhai`'s
    /// `target(table)`.
    pub fn bvpi_target(
        &self,
        t: &Bvpi157,
        final_percent: u32,
        as_of: NaiveDate,
    ) -> Result<BvpiTarget, Error> {
        let view = api::table(t, final_percent, as_of);
        let answer = self.call("bvpi", "target", Dynamic::from(view))?;
        let bad_target = |got: &str| {
            self.bad_return("bvpi", "target", got, "#{ percent: <0..100>, by: <Date> }")
        };
        let map =
            answer.try_cast::<Map>().ok_or_else(|| bad_target("something other than a map"))?;
        self.check_keys(
            "bvpi",
            "target",
            &map,
            &"for the BVPI 157 table",
            (&["percent", "by"], &[]),
            "#{ percent: <0..100>, by: <Date> }",
        )?;
        let percent = get(&map, "percent")
            .and_then(|v| v.as_int().ok())
            .and_then(|p| u32::try_from(p).ok())
            .filter(|p| *p <= 100)
            .ok_or_else(|| bad_target("a `percent` that is not a whole number from 0 to 100"))?;
        let by = get(&map, "by")
            .and_then(|v| v.try_cast::<NaiveDate>())
            .ok_or_else(|| bad_target("a `by` that is not a Date"))?;
        Ok(BvpiTarget { percent, by })
    }

    /// When an interaction group is enabled, why, and which of its linked work decides it, from
    /// `bvpi.rhai`'s `enabled(group)`. Nothing can show a group with no linked work enabled: a
    /// date for one is refused.
    pub fn enabled(&self, group: &GroupView) -> Result<Enabled, Error> {
        let expected = "#{ date: <Date or ()>, reason: \"...\", by: \"<id of its linked work>\" }";
        let subject = format!("for `{}`", group.row.interaction);
        let map = self.call_map(
            "bvpi",
            "enabled",
            (group.map(),),
            &subject,
            (&["reason"], &["date", "by"]),
            expected,
        )?;
        let bad =
            |got: &str| self.bad_return("bvpi", "enabled", &format!("{got} {subject}"), expected);
        let date = match get(&map, "date") {
            None => None,
            Some(d) => {
                Some(d.try_cast::<NaiveDate>().ok_or_else(|| bad("a `date` that is not a Date"))?)
            }
        };
        if group.work.is_empty() && date.is_some() {
            return Err(bad("a date for a group with no linked work"));
        }
        let reason = get(&map, "reason").map(|v| v.to_string()).unwrap_or_default();
        let by =
            match get(&map, "by").map(|v| v.to_string()) {
                None => None,
                Some(id) => {
                    let at = group.work.iter().position(|w| w.id == id);
                    Some(at.ok_or_else(|| {
                        bad(&format!("`by: \"{id}\"`, which is not its linked work"))
                    })?)
                }
            };
        Ok(Enabled { date, reason, by })
    }

    /// How many of a group's linked pieces of work must finish for it to count as enabled, from
    /// `bvpi.rhai`'s `needs(group)` (the share of them, 0 to 1): what `simulate` applies in each
    /// run, where no rule can be called.
    pub fn needs(&self, group: &GroupView) -> Result<usize, Error> {
        let expected = "#{ share: <a number from 0 to 1> }";
        let subject = format!("for `{}`", group.row.interaction);
        let map =
            self.call_map("bvpi", "needs", (group.map(),), &subject, (&["share"], &[]), expected)?;
        let share = get(&map, "share")
            .as_ref()
            .and_then(number)
            .filter(|s| (0.0..=1.0).contains(s))
            .ok_or_else(|| {
                let got = format!("a `share` that is not a number from 0 to 1 {subject}");
                self.bad_return("bvpi", "needs", &got, expected)
            })?;
        let linked = group.work.len();
        Ok(((share * linked as f64).ceil() as usize).max(usize::from(linked > 0)))
    }
}

/// The largest spread `slip` may return.
pub const MAX_SPREAD: f64 = 10.0;

/// The largest slip, in days, `slip` may return (either way).
pub const MAX_DAYS: i64 = 3650;

impl Rules {
    /// `simulate.rhai`'s programme-wide common factor, from 0 to 1.
    pub fn common(&self) -> Result<f64, Error> {
        let c = self.call_with("simulate", "common", ())?;
        number(&c).filter(|x| (0.0..=1.0).contains(x)).ok_or_else(|| {
            self.bad_return("simulate", "common", &format!("`{c}`"), "a number from 0 to 1")
        })
    }

    /// `simulate.rhai`'s `slip` for work `id`: the days it may finish later, each equally
    /// likely, and their spread.
    pub fn slip(
        &self,
        id: &str,
        work: super::api::WorkView,
        learnt: super::api::Learnt,
    ) -> Result<(Vec<i32>, f64), Error> {
        let answer = self.call_with("simulate", "slip", (work, learnt.into_map()))?;
        let bad = |got: &str| {
            self.bad_return(
                "simulate",
                "slip",
                &format!("{got} for `{id}`"),
                &format!(
                    "#{{ days: [<whole numbers from -{MAX_DAYS} to {MAX_DAYS}>, at least one], spread: <number from 0 to {MAX_SPREAD}> }}, with no other keys"
                ),
            )
        };
        let map = answer.try_cast::<Map>().ok_or_else(|| bad("something other than a map"))?;
        if let Some(k) = map.keys().find(|k| !matches!(k.as_str(), "days" | "spread")) {
            return Err(bad(&format!("an unknown key `{k}`")));
        }
        let mut map = map;
        let days = map.remove("days").ok_or_else(|| bad("a map with no `days`"))?;
        let days = days
            .try_cast::<rhai::Array>()
            .filter(|d| !d.is_empty())
            .ok_or_else(|| bad("`days` that is not a list with at least one number"))?;
        let mut out = Vec::with_capacity(days.len());
        for d in days {
            match d.as_int() {
                Ok(x) if (-MAX_DAYS..=MAX_DAYS).contains(&x) => out.push(x as i32),
                _ => return Err(bad(&format!("`{d}` among its `days`"))),
            }
        }
        let spread = map.get("spread").ok_or_else(|| bad("a map with no `spread`"))?;
        let spread = number(spread)
            .filter(|s| (0.0..=MAX_SPREAD).contains(s))
            .ok_or_else(|| bad(&format!("`spread: {spread}`")))?;
        Ok((out, spread))
    }
}

/// A traffic light of the IEG return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// Achieved, or on course.
    Green,
    /// At risk, or achieved late.
    Amber,
    /// Missed, or will be.
    Red,
    /// The council does not deliver the outcome (decided by `applies`, never by `light`).
    Black,
}

impl Colour {
    /// Every colour, in the order the return lists them.
    pub const ALL: [Colour; 4] = [Colour::Green, Colour::Amber, Colour::Red, Colour::Black];

    /// The name `light` returns, and JSON and CSV write: `green`.
    pub fn as_str(self) -> &'static str {
        match self {
            Colour::Green => "green",
            Colour::Amber => "amber",
            Colour::Red => "red",
            Colour::Black => "black",
        }
    }
}

/// Where an outcome stands on one of the IEG return's key dates, as `ieg.rhai`'s `light` and
/// `checkpoint` see it (their `at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyDate {
    /// The key date.
    pub date: NaiveDate,
    /// On or before the as-of date: what the routemap records was done by then, not a forecast.
    pub recorded: bool,
    /// The outcome's forecast finish is on or before the date.
    pub done: bool,
    /// The outcome's deadline is on or before the date.
    pub due: bool,
    /// Of the tasks serving it, those finished by the date on the forecast.
    pub tasks_done: i64,
    /// Of the tasks serving it, those finished or under way by the date.
    pub tasks_started: i64,
}

impl KeyDate {
    /// The map the hooks see.
    fn map(&self) -> Map {
        let mut m = Map::new();
        m.insert("date".into(), Dynamic::from(self.date));
        m.insert("recorded".into(), Dynamic::from(self.recorded));
        m.insert("done".into(), Dynamic::from(self.done));
        m.insert("due".into(), Dynamic::from(self.due));
        m.insert("tasks_done".into(), Dynamic::from(self.tasks_done));
        m.insert("tasks_started".into(), Dynamic::from(self.tasks_started));
        m
    }
}

/// What `ieg.rhai`'s `light` says of an outcome on a key date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Light {
    /// Green, amber or red (never black: `applies` decides that).
    pub colour: Colour,
    /// The rule's reason.
    pub reason: String,
    /// What the judgement rests on, when the rule says (else the outcome's verdict's basis).
    pub basis: Option<DateBasis>,
}

/// What `ieg.rhai`'s `checkpoint` says of a Good outcome on the checkpoint date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Approved and in active implementation by then.
    pub met: bool,
    /// The rule's reason.
    pub reason: String,
    /// What the judgement rests on, when the rule says (else the outcome's verdict's basis).
    pub basis: Option<DateBasis>,
}

/// What `light` and `checkpoint` answer beside their own key: the rule's reason and basis.
struct Judgement {
    map: Map,
    reason: String,
    basis: Option<DateBasis>,
    subject: String,
}

impl Rules {
    /// Call `ieg.rhai`'s `hook(outcome, status, at)`, whose answer is a map with `key`, a text
    /// `reason` and an optional `basis` and nothing else: the map, its reason and basis decoded,
    /// and what a message about it names (`for G3 on 2005-12-31`).
    #[allow(clippy::too_many_arguments)]
    fn judgement(
        &self,
        hook: &str,
        key: &str,
        outcome: &Outcome,
        facts: &OutcomeFacts,
        standing: Standing,
        at: &KeyDate,
        expected: &str,
    ) -> Result<Judgement, Error> {
        let subject = format!("for {} on {}", outcome.code, at.date);
        let args = (facts.view(outcome), Dynamic::from(standing.as_str()), at.map());
        let keys: (&[&str], &[&str]) = (&[key, "reason"], &["basis"]);
        let map = self.call_map("ieg", hook, args, &subject, keys, expected)?;
        let (reason, basis) = reason_and_basis(&map)
            .map_err(|got| self.bad_return("ieg", hook, &format!("{got} {subject}"), expected))?;
        Ok(Judgement { map, reason, basis, subject })
    }

    /// The traffic light of `outcome` (standing as `standing` on what `facts` say) on the key
    /// date `at`, from `ieg.rhai`'s `light(outcome, status, at)`.
    pub fn light(
        &self,
        outcome: &Outcome,
        facts: &OutcomeFacts,
        standing: Standing,
        at: &KeyDate,
    ) -> Result<Light, Error> {
        let expected = "#{ colour: \"green\" | \"amber\" | \"red\", reason: \"...\", basis: \"stated\" | \"derived\" | \"assumed\" (optional) }";
        let j = self.judgement("light", "colour", outcome, facts, standing, at, expected)?;
        let colour = get(&j.map, "colour").map(|v| v.to_string()).unwrap_or_default();
        let colour = match Colour::ALL.into_iter().find(|c| c.as_str() == colour) {
            Some(Colour::Black) => {
                return Err(self.refused(
                    "ieg",
                    "light",
                    &format!("colour `black` {}", j.subject),
                    "black is for an outcome the council does not deliver, which is decided by `applies(outcome)` in classify.rhai: `light` is called only for an outcome that applies",
                ));
            }
            Some(c) => c,
            None => {
                let got = format!("colour `{colour}` {}", j.subject);
                return Err(self.bad_return("ieg", "light", &got, expected));
            }
        };
        Ok(Light { colour, reason: j.reason, basis: j.basis })
    }

    /// Whether a Good `outcome` is approved and in active implementation on the checkpoint date
    /// `at`, from `ieg.rhai`'s `checkpoint(outcome, status, at)`.
    pub fn checkpoint(
        &self,
        outcome: &Outcome,
        facts: &OutcomeFacts,
        standing: Standing,
        at: &KeyDate,
    ) -> Result<Checkpoint, Error> {
        let expected = "#{ met: true | false, reason: \"...\", basis: \"stated\" | \"derived\" | \"assumed\" (optional) }";
        let j = self.judgement("checkpoint", "met", outcome, facts, standing, at, expected)?;
        let met = get(&j.map, "met").and_then(|v| v.as_bool().ok()).ok_or_else(|| {
            let got = format!("a `met` that is not true or false {}", j.subject);
            self.bad_return("ieg", "checkpoint", &got, expected)
        })?;
        Ok(Checkpoint { met, reason: j.reason, basis: j.basis })
    }
}

/// A judgement's text `reason` and optional `basis`, or what is wrong with them.
fn reason_and_basis(map: &Map) -> Result<(String, Option<DateBasis>), String> {
    let reason = match get(map, "reason") {
        Some(v) if v.is_string() && !v.to_string().trim().is_empty() => v.to_string(),
        v => return Err(format!("a `reason` that is not text (`{}`)", v.unwrap_or_default())),
    };
    let basis = match get(map, "basis") {
        None => None,
        Some(v) => Some(
            DateBasis::parse(&v.to_string())
                .filter(|_| v.is_string())
                .ok_or_else(|| format!("basis `{v}`"))?,
        ),
    };
    Ok((reason, basis))
}
