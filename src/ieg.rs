//! The IEG return: each priority outcome's position in the words the council's self-assessment
//! uses (`rules/ieg.rhai`), from the forecast's classification.

use crate::assess::Assessment;
use crate::error::Error;
use crate::model::Model;
use crate::rules::Rules;

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
