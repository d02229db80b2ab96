//! The IEG return: each priority outcome's position in the words the council's self-assessment
//! uses (`rules/ieg.rhai`), from the forecast's classification.

use rhai::Dynamic;

use crate::assess::Assessment;
use crate::error::Error;
use crate::model::Model;
use crate::rules::Rules;

/// The position of every outcome of `a`, in its order, as the rules word it.
pub fn positions(model: &Model, rules: &Rules, a: &Assessment) -> Result<Vec<String>, Error> {
    a.outcomes
        .iter()
        .map(|r| {
            let args = (
                r.facts.view(&model.outcomes[r.outcome]),
                Dynamic::from(r.standing.as_str().to_string()),
            );
            let answer = rules.call_with("ieg", "position", args)?;
            let code = &model.outcomes[r.outcome].code;
            let text = answer.into_immutable_string().map_err(|_| {
                rules.bad_return(
                    "ieg",
                    "position",
                    &format!("something other than text for {code}"),
                    "the position as text, such as \"Achieved\"",
                )
            })?;
            rules.check_answer("ieg", "position", &text.clone().into(), &format!("for {code}"))?;
            Ok(text.to_string())
        })
        .collect()
}
