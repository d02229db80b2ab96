//! One hook called directly, as `routemap test`'s hook cases call it: any hook, with arguments
//! given as values ([`Arg`]: a view, or a map written in YAML), and its answer kept whole
//! ([`Answer`]) to be shown and compared with what a case expects, as a person writes it.

use chrono::NaiveDate;
use rhai::{Dynamic, Map};

use super::Rules;
use super::api::{self, EvidenceView, OutcomeView, RiskView, StreamView, WorkView};
use crate::error::{Error, Location};

/// An argument of a hook called directly.
#[derive(Debug, Clone)]
pub enum Arg {
    /// An outcome.
    Outcome(OutcomeView),
    /// A piece of work.
    Work(WorkView),
    /// A dependency, as `follow_on` sees it.
    Edge {
        /// The model marks it implied.
        implied: bool,
    },
    /// A funding stream.
    Stream(StreamView),
    /// A register risk.
    Risk(RiskView),
    /// What a forecast says that bears on risks.
    Evidence(EvidenceView),
    /// Text, such as a category or a status.
    Text(String),
    /// A map-shaped input written in YAML as the hook sees it: `YYYY-MM-DD` text is a `Date`,
    /// `~` is `()`, whole numbers are integers, and lists and maps nest.
    Plain(serde_yaml::Value),
}

impl Arg {
    fn value(self) -> Dynamic {
        match self {
            Arg::Outcome(v) => Dynamic::from(v),
            Arg::Work(v) => Dynamic::from(v),
            Arg::Edge { implied } => Dynamic::from(api::edge(implied)),
            Arg::Stream(v) => Dynamic::from(v),
            Arg::Risk(v) => Dynamic::from(v),
            Arg::Evidence(v) => Dynamic::from(v),
            Arg::Text(t) => Dynamic::from(t),
            Arg::Plain(v) => plain(&v),
        }
    }
}

/// What a hook called directly returned, undecoded.
#[derive(Debug, Clone)]
pub struct Answer(Dynamic);

impl Answer {
    /// A returned map's field, or `None` when the answer is not a map or lacks it.
    pub fn field(&self, name: &str) -> Option<Answer> {
        self.0.read_lock::<Map>().and_then(|m| m.get(name).cloned()).map(Answer)
    }

    /// Whether the answer is a map.
    pub fn is_map(&self) -> bool {
        self.0.is_map()
    }

    /// Whether the answer is the expected one: numbers by value (2 is 2.0), dates and text as
    /// written, `~` for `()`.
    pub fn matches(&self, expected: &serde_yaml::Value) -> bool {
        same(expected, &self.0)
    }
}

/// The answer as a person reads it in a failure: dates `2005-12-31`, text as it is, unknown
/// `()`.
impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&show(&self.0))
    }
}

impl Rules {
    /// Call `hook` of rule file `file` with `args`, as [`Rules::call_located`] does, and check
    /// every text in the answer for control characters as every command does (such text is
    /// refused, never shown).
    pub fn call_direct(
        &self,
        file: &str,
        hook: &str,
        args: Vec<Arg>,
    ) -> (Result<Answer, Error>, Option<Location>) {
        let args: Vec<Dynamic> = args.into_iter().map(Arg::value).collect();
        let (answer, location) = self.call_located(file, hook, args);
        let answer =
            answer.and_then(|a| self.check_answer(file, hook, &a, &"").map(|()| Answer(a)));
        (answer, location)
    }
}

/// A YAML value as a hook sees it (see [`Arg::Plain`]).
fn plain(v: &serde_yaml::Value) -> Dynamic {
    use serde_yaml::Value;
    match v {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from(i),
            None => Dynamic::from(n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Dynamic::from(d),
            Err(_) => Dynamic::from(s.clone()),
        },
        Value::Sequence(items) => Dynamic::from(items.iter().map(plain).collect::<rhai::Array>()),
        Value::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                if let Some(k) = k.as_str() {
                    out.insert(k.into(), plain(v));
                }
            }
            Dynamic::from(out)
        }
        Value::Tagged(t) => plain(&t.value),
    }
}

/// A value as a person reads it in a failure: dates `2005-12-31`, text as it is, unknown `()`.
fn show(v: &Dynamic) -> String {
    if let Some(map) = v.read_lock::<Map>() {
        let fields: Vec<String> = map.iter().map(|(k, v)| format!("{k}: {}", quoted(v))).collect();
        return format!("#{{ {} }}", fields.join(", "));
    }
    if let Some(items) = v.read_lock::<rhai::Array>() {
        let items: Vec<String> = items.iter().map(quoted).collect();
        return format!("[{}]", items.join(", "));
    }
    if v.is_unit() {
        return "()".into();
    }
    api::display(v)
}

/// A value inside a map or array: text in quotes.
fn quoted(v: &Dynamic) -> String {
    if v.is_string() { format!("{:?}", v.to_string()) } else { show(v) }
}

/// Whether a returned value is the expected one (see [`Answer::matches`]).
fn same(expected: &serde_yaml::Value, actual: &Dynamic) -> bool {
    use serde_yaml::Value;
    match expected {
        Value::Null => actual.is_unit(),
        Value::Bool(b) => actual.as_bool().ok() == Some(*b),
        Value::Number(n) => {
            let got = actual.as_float().ok().or_else(|| actual.as_int().ok().map(|i| i as f64));
            n.as_f64().zip(got).is_some_and(|(e, g)| (e - g).abs() < 1e-9)
        }
        Value::String(s) => (actual.is_string() || actual.is::<NaiveDate>()) && show(actual) == *s,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> serde_yaml::Value {
        serde_yaml::from_str(text).expect("YAML")
    }

    #[test]
    fn answers_compare_as_a_person_writes_them() {
        let date = NaiveDate::from_ymd_opt(2005, 12, 31).expect("a day");
        assert!(same(&yaml("2005-12-31"), &Dynamic::from(date)));
        assert!(!same(&yaml("2005-12-30"), &Dynamic::from(date)));
        assert!(same(&yaml("2"), &Dynamic::from(2.0_f64)));
        assert!(same(&yaml("0.5"), &Dynamic::from(0.5_f64)));
        assert!(!same(&yaml("1"), &Dynamic::from(true)));
        assert!(same(&yaml("true"), &Dynamic::from(true)));
        assert!(same(&yaml("~"), &Dynamic::UNIT));
        assert!(same(&yaml("at_risk"), &Dynamic::from("at_risk")));
        assert!(!same(&yaml("\"2\""), &Dynamic::from(2_i64)));
    }

    #[test]
    fn maps_are_shown_with_their_fields() {
        let mut map = Map::new();
        map.insert(
            "date".into(),
            Dynamic::from(NaiveDate::from_ymd_opt(2005, 7, 13).expect("a day")),
        );
        map.insert("reason".into(), Dynamic::from("late"));
        assert_eq!(show(&Dynamic::from(map)), "#{ date: 2005-07-13, reason: \"late\" }");
    }
}
