//! The IEG return: each priority outcome's position in the words the council's self-assessment
//! uses (`rules/ieg.rhai`), from the forecast's classification.

use rhai::Dynamic;

use crate::assess::Assessment;
use crate::error::Error;
use crate::rules::Rules;

/// The position of every outcome of `a`, in its order, as the rules word it.
pub fn positions(rules: &Rules, a: &Assessment) -> Result<Vec<String>, Error> {
    a.outcomes
        .iter()
        .map(|r| {
            let args =
                (Dynamic::from(r.view.clone()), Dynamic::from(r.standing.as_str().to_string()));
            let answer = rules.call_with("ieg", "position", args)?;
            answer.into_immutable_string().map(|s| s.to_string()).map_err(|_| {
                rules.bad_return(
                    "ieg",
                    "position",
                    &format!("something other than text for {}", r.view.code),
                    "the position as text, such as \"Achieved\"",
                )
            })
        })
        .collect()
}
