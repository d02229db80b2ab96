//! The shape of a model file and a catalogue file: which fields each map has, which are
//! required, and which hold nested maps. serde stops at the first missing or unknown field; when
//! a file fails, this walk finds every one of them so that one run reports them all. A unit test
//! keeps these tables equal to the serde types' own field lists.

use serde_yaml::Value;

/// One kind of map in a file.
#[derive(Debug)]
pub struct Shape {
    /// What the map is, for messages (`task`).
    pub name: &'static str,
    /// Its fields.
    pub fields: &'static [Field],
}

/// One field of a map.
#[derive(Debug)]
pub struct Field {
    /// The field's name as written in the file.
    pub name: &'static str,
    /// Must be present.
    pub required: bool,
    /// What it holds.
    pub holds: Holds,
}

/// What a field holds, as far as the walk needs to know.
#[derive(Debug)]
pub enum Holds {
    /// A value the walk does not look inside.
    Value,
    /// A map of this shape.
    Map(&'static Shape),
    /// A list of maps of this shape.
    List(&'static Shape),
}

const fn req(name: &'static str) -> Field {
    Field { name, required: true, holds: Holds::Value }
}

const fn opt(name: &'static str) -> Field {
    Field { name, required: false, holds: Holds::Value }
}

const fn list(name: &'static str, of: &'static Shape) -> Field {
    Field { name, required: false, holds: Holds::List(of) }
}

/// A model file.
pub static MODEL: Shape = Shape {
    name: "model",
    fields: &[
        Field { name: "document", required: true, holds: Holds::Map(&DOCUMENT) },
        opt("catalogue"),
        opt("status_words"),
        list("projects", &PROJECT),
        list("actions", &ACTION),
        list("funding", &FUNDING),
        list("risks", &RISK),
        list("cmt_risks", &CMT_RISK),
        Field { name: "bvpi157", required: false, holds: Holds::Map(&BVPI157) },
        list("not_applicable", &NOT_APPLICABLE),
    ],
};

/// A catalogue file.
pub static CATALOGUE: Shape = Shape {
    name: "catalogue",
    fields: &[Field { name: "outcomes", required: true, holds: Holds::List(&OUTCOME) }],
};

static DOCUMENT: Shape = Shape {
    name: "document",
    fields: &[
        req("council"),
        req("title"),
        req("version"),
        req("issue_date"),
        opt("target_cabinet"),
        opt("tier"),
    ],
};

static OUTCOME: Shape = Shape {
    name: "outcome",
    fields: &[req("code"), req("category"), req("title"), req("area"), opt("tiers")],
};

static NOT_APPLICABLE: Shape =
    Shape { name: "not_applicable entry", fields: &[req("outcome"), req("reason")] };

static ESTIMATE: Shape = Shape {
    name: "estimate",
    fields: &[req("earliest"), req("likely"), req("latest"), opt("source")],
};

static DEPENDENCY: Shape = Shape {
    name: "waits_on entry",
    fields: &[req("id"), opt("lag"), opt("implied"), opt("source")],
};

static PROJECT: Shape = Shape {
    name: "project",
    fields: &[
        req("id"),
        req("title"),
        opt("kind"),
        opt("start"),
        opt("finish"),
        opt("duration"),
        opt("status"),
        opt("progress"),
        opt("owner"),
        list("waits_on", &DEPENDENCY),
        opt("source"),
        Field { name: "estimate", required: false, holds: Holds::Map(&ESTIMATE) },
    ],
};

static TASK: Shape = Shape {
    name: "task",
    fields: &[
        opt("id"),
        req("text"),
        opt("original"),
        opt("proposed"),
        opt("status"),
        opt("status_note"),
        opt("owner"),
        opt("comments"),
        list("waits_on", &DEPENDENCY),
        Field { name: "estimate", required: false, holds: Holds::Map(&ESTIMATE) },
    ],
};

static ACTION: Shape = Shape {
    name: "action",
    fields: &[
        req("ref"),
        req("section"),
        opt("completed"),
        opt("partnership"),
        opt("outcomes"),
        opt("requirement"),
        opt("owner"),
        list("tasks", &TASK),
    ],
};

static FUNDING: Shape = Shape {
    name: "funding stream",
    fields: &[
        req("id"),
        req("name"),
        req("amount_gbp"),
        req("financial_year"),
        opt("depends_on"),
        opt("source"),
        opt("paid_on"),
    ],
};

static RISK: Shape = Shape {
    name: "risk",
    fields: &[
        req("ref"),
        req("title"),
        req("description"),
        req("likelihood"),
        req("impact"),
        opt("residual_likelihood"),
        opt("proposed_actions"),
        opt("responsibility"),
        Field { name: "delays", required: false, holds: Holds::Map(&RISK_DELAY) },
    ],
};

static RISK_DELAY: Shape = Shape {
    name: "risk delays",
    fields: &[
        req("work"),
        req("probability"),
        opt("mitigated_probability"),
        Field { name: "delay", required: true, holds: Holds::Map(&DELAY_SPANS) },
        opt("source"),
    ],
};

static DELAY_SPANS: Shape =
    Shape { name: "delay", fields: &[req("earliest"), req("likely"), req("latest")] };

static CMT_RISK: Shape =
    Shape { name: "CMT risk", fields: &[opt("identified"), req("risk"), opt("countermeasures")] };

static BVPI157: Shape = Shape {
    name: "bvpi157",
    fields: &[req("enabled_percent"), req("target"), list("interactions", &BVPI157_INTERACTION)],
};

static BVPI157_INTERACTION: Shape = Shape {
    name: "BVPI 157 interaction",
    fields: &[
        req("interaction"),
        opt("services"),
        opt("esd_processes"),
        req("enabled_target_percent"),
        list("enabled_by", &BVPI157_LINK),
    ],
};

static BVPI157_LINK: Shape =
    Shape { name: "enabled_by entry", fields: &[req("id"), opt("implied"), req("source")] };

/// A missing or unknown field found by [`walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// `path` is a map of `shape` with no `field`.
    Missing { path: String, shape: &'static str, field: &'static str },
    /// `path` names a field its map does not have; `fields` are those it may have.
    Unknown { path: String, field: String, fields: Vec<&'static str> },
}

/// Every missing and unknown field of `value` against `shape`, in file order.
pub fn walk(value: &Value, shape: &'static Shape) -> Vec<Finding> {
    let mut out = Vec::new();
    walk_map(value, shape, "", &mut out);
    out
}

fn walk_map(value: &Value, shape: &'static Shape, path: &str, out: &mut Vec<Finding>) {
    let Value::Mapping(map) = value else { return };
    let join =
        |field: &str| if path.is_empty() { field.to_string() } else { format!("{path}.{field}") };
    for (key, v) in map {
        let Some(key) = key.as_str() else { continue };
        match shape.fields.iter().find(|f| f.name == key) {
            None => out.push(Finding::Unknown {
                path: join(key),
                field: key.to_string(),
                fields: shape.fields.iter().map(|f| f.name).collect(),
            }),
            Some(f) => match f.holds {
                Holds::Value => {}
                Holds::Map(inner) => walk_map(v, inner, &join(key), out),
                Holds::List(inner) => {
                    if let Value::Sequence(items) = v {
                        for (i, item) in items.iter().enumerate() {
                            walk_map(item, inner, &format!("{}[{i}]", join(key)), out);
                        }
                    }
                }
            },
        }
    }
    for f in shape.fields.iter().filter(|f| f.required) {
        if !map.contains_key(f.name) {
            let path = if path.is_empty() { ".".to_string() } else { path.to_string() };
            out.push(Finding::Missing { path, shape: shape.name, field: f.name });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Action, Bvpi157, Bvpi157Interaction, Bvpi157Link, Catalogue, CmtRisk, DelaySpans,
        Dependency, Document, Estimate, FundingStream, Model, NotApplicable, Outcome, Project,
        Risk, RiskDelay, Task,
    };

    /// A deserializer that only records the fields serde's derive asks for.
    struct Fields(std::cell::RefCell<Vec<&'static str>>);

    impl<'de> serde::Deserializer<'de> for &Fields {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: serde::de::Visitor<'de>>(
            self,
            _: V,
        ) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.borrow_mut().extend_from_slice(fields);
            Err(serde::de::Error::custom("recorded"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    fn fields_of<T: serde::de::DeserializeOwned>() -> Vec<&'static str> {
        let f = Fields(std::cell::RefCell::new(Vec::new()));
        let _ = T::deserialize(&f);
        f.0.into_inner()
    }

    fn names(shape: &Shape) -> Vec<&'static str> {
        shape.fields.iter().map(|f| f.name).collect()
    }

    #[test]
    fn every_shape_lists_exactly_the_fields_serde_reads() {
        let pairs: Vec<(&Shape, Vec<&'static str>)> = vec![
            (&MODEL, fields_of::<Model>()),
            (&CATALOGUE, fields_of::<Catalogue>()),
            (&DOCUMENT, fields_of::<Document>()),
            (&OUTCOME, fields_of::<Outcome>()),
            (&DEPENDENCY, fields_of::<Dependency>()),
            (&PROJECT, fields_of::<Project>()),
            (&TASK, fields_of::<Task>()),
            (&ACTION, fields_of::<Action>()),
            (&FUNDING, fields_of::<FundingStream>()),
            (&RISK, fields_of::<Risk>()),
            (&CMT_RISK, fields_of::<CmtRisk>()),
            (&BVPI157, fields_of::<Bvpi157>()),
            (&BVPI157_INTERACTION, fields_of::<Bvpi157Interaction>()),
            (&BVPI157_LINK, fields_of::<Bvpi157Link>()),
            (&NOT_APPLICABLE, fields_of::<NotApplicable>()),
            (&ESTIMATE, fields_of::<Estimate>()),
            (&RISK_DELAY, fields_of::<RiskDelay>()),
            (&DELAY_SPANS, fields_of::<DelaySpans>()),
        ];
        for (shape, serde_fields) in pairs {
            assert!(!serde_fields.is_empty(), "{}: serde named no fields", shape.name);
            assert_eq!(names(shape), serde_fields, "the fields of {}", shape.name);
        }
    }

    #[test]
    fn finds_every_missing_and_unknown_field() {
        let text = "document:\n  council: X\n  titel: Y\nactions:\n  - ref: '1'\n    tasks:\n      - original: Dec 2005\n      - text: ok\n        colour: red\n";
        let value: Value = serde_yaml::from_str(text).unwrap();
        let found = walk(&value, &MODEL);
        let short: Vec<String> = found
            .iter()
            .map(|f| match f {
                Finding::Missing { path, field, .. } => format!("missing {path}.{field}"),
                Finding::Unknown { path, .. } => format!("unknown {path}"),
            })
            .collect();
        assert_eq!(
            short,
            [
                "unknown document.titel",
                "missing document.title",
                "missing document.version",
                "missing document.issue_date",
                "missing actions[0].tasks[0].text",
                "unknown actions[0].tasks[1].colour",
                "missing actions[0].section",
            ]
        );
    }
}
