//! Synthetic councils' routemaps for `routemap rollup`, deterministic by seed: used by
//! `examples/rollup.rs` (which writes them to a directory with a manifest) and by the roll-up's
//! property tests (`tests/integration/rollup.rs`). See docs/rollup.md.

use serde_json::{Value, json};

/// The base routemaps synthetic councils are derived from.
const CHARNWOOD: &str = include_str!("../../fixtures/charnwood/routemap.yaml");
const LOXLEY: &str = include_str!("../../fixtures/loxley/routemap.yaml");

/// England's nine regions.
const REGIONS: [&str; 9] = [
    "East Midlands",
    "East of England",
    "London",
    "North East",
    "North West",
    "South East",
    "South West",
    "West Midlands",
    "Yorkshire and the Humber",
];

/// Parts of invented place names: 20 × 20 names before a number is needed.
const FIRST: [&str; 20] = [
    "Ash", "Brack", "Cald", "Dun", "Elm", "Fen", "Gold", "Hol", "Ives", "Kel", "Lang", "Mar",
    "Nor", "Oak", "Pen", "Rad", "Staf", "Thorn", "Wal", "York",
];
const SECOND: [&str; 20] = [
    "by", "ley", "ford", "mere", "ton", "wick", "field", "ham", "stow", "well", "bury", "den",
    "worth", "combe", "thorpe", "holm", "gate", "moor", "dale", "brook",
];

/// The simulation's seeded generator (SplitMix64): the same seed, the same councils, on every
/// machine.
struct Rng(routemap::simulate::SplitMix);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Uniform in lo..=hi.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// The tier of council `c`, in England's 2005 proportions (238 districts, 34 counties, 46
/// unitaries, 36 metropolitan and 33 London boroughs of 387).
fn tier(rng: &mut Rng) -> &'static str {
    let x = rng.between(0, 386);
    match x {
        0..238 => "district",
        238..272 => "county",
        272..318 => "unitary",
        318..354 => "metropolitan",
        _ => "london_borough",
    }
}

fn name(c: usize, tier: &str) -> String {
    let place = format!("{}{}", FIRST[c % 20], SECOND[(c / 20) % 20]);
    let place = if c >= 400 { format!("{place} {}", c / 400 + 1) } else { place };
    match tier {
        "district" if c.is_multiple_of(2) => format!("{place} District Council"),
        "district" => format!("{place} Borough Council"),
        "county" => format!("{place}shire County Council"),
        "unitary" => format!("{place} Council"),
        "metropolitan" => format!("{place} Metropolitan Borough Council"),
        _ => format!("London Borough of {place}"),
    }
}

fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// A target phrase moved by `months`, written as a routemap writes one (`March 2006`).
fn moved(phrase: &str, months: i64) -> Option<String> {
    let date = routemap::model::Target::parse(phrase).ok()?.date()?;
    let shifted = if months >= 0 {
        date.checked_add_months(chrono::Months::new(months as u32))?
    } else {
        date.checked_sub_months(chrono::Months::new((-months) as u32))?
    };
    Some(shifted.format("%B %Y").to_string())
}

/// The work a county, unitary or metropolitan or London borough does towards the outcomes a
/// district does not deliver (schools, social care, libraries, trading standards).
fn county_actions(rng: &mut Rng, enabling: &[String]) -> Vec<Value> {
    let groups: [(&str, &str, &[&str], [&str; 2]); 3] = [
        (
            "C1",
            "Education – Schools",
            &["R1", "R2", "G1"],
            [
                "Online school admissions through the county admissions portal",
                "Educational support pages deep-linked from the council's website",
            ],
        ),
        (
            "C2",
            "Social care",
            &["R18", "R19", "G16", "G17"],
            [
                "Social care case management system with electronic records",
                "Shared assessment of children at risk with partner agencies",
            ],
        ),
        (
            "C3",
            "Libraries and trading standards",
            &["R12", "G6"],
            [
                "Online renewal and reservation of library books",
                "Trading standards information shared online with businesses",
            ],
        ),
    ];
    let statuses = ["In progress", "Not started", "Complete", "On target"];
    groups
        .iter()
        .map(|(reference, section, outcomes, texts)| {
            let tasks: Vec<Value> = texts
                .iter()
                .map(|text| {
                    let month = rng.between(0, 11);
                    let target = moved("June 2005", month).unwrap_or_else(|| "Dec 2005".into());
                    let status = statuses[rng.between(0, 3) as usize];
                    let mut task = json!({
                        "text": text,
                        "original": target,
                        "proposed": "-",
                        "status": status,
                    });
                    if !enabling.is_empty() && rng.chance(0.4) {
                        let p = &enabling[rng.between(0, enabling.len() as i64 - 1) as usize];
                        task["waits_on"] = json!([{ "id": p }]);
                    }
                    task
                })
                .collect();
            json!({
                "ref": reference,
                "section": section,
                "outcomes": outcomes,
                "requirement": format!("The council's own delivery of {}", outcomes.join(", ")),
                "tasks": tasks,
            })
        })
        .collect()
}

/// One synthetic council's model, from its base routemap.
fn council(base: &Value, rng: &mut Rng, name: &str, tier: &str) -> Value {
    let mut m = base.clone();
    let Some(obj) = m.as_object_mut() else { return m };
    // The national catalogue is built in: the base's relative catalogue line would not resolve
    // beside the generated file.
    obj.remove("catalogue");
    if let Some(doc) = obj.get_mut("document").and_then(Value::as_object_mut) {
        let issued = doc
            .get("issue_date")
            .and_then(Value::as_str)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .unwrap_or_default();
        let as_of = issued + chrono::Days::new(rng.between(0, 150) as u64) - chrono::Days::new(45);
        doc.insert("council".into(), json!(name));
        doc.insert("version".into(), json!(format!("Version {}", rng.between(1, 5))));
        doc.insert("issue_date".into(), json!(as_of.to_string()));
        doc.insert("tier".into(), json!(tier));
        doc.remove("target_cabinet");
    }
    // How far on the council is: a few councils have done most of their work, most little more
    // than their base routemap says.
    let progress = rng.unit().powi(3);
    // Enabling projects that wait on nothing: work may be made to wait on them without a loop.
    let mut enabling = Vec::new();
    if let Some(projects) = obj.get_mut("projects").and_then(Value::as_array_mut) {
        for p in projects.iter_mut() {
            if let Some(finish) = p.get("finish").and_then(Value::as_str)
                && rng.chance(0.4)
                && let Some(f) = moved(finish, rng.between(-1, 6))
            {
                p["finish"] = json!(f);
            }
            if rng.chance(progress) {
                p["status"] = json!("Complete");
            }
            let free = p.get("waits_on").and_then(Value::as_array).is_none_or(Vec::is_empty);
            if free && let Some(id) = p.get("id").and_then(Value::as_str) {
                enabling.push(id.to_string());
            }
        }
    }
    let statuses = ["Complete", "In progress", "Not started", "On target"];
    if let Some(actions) = obj.get_mut("actions").and_then(Value::as_array_mut) {
        for a in actions.iter_mut() {
            let Some(tasks) = a.get_mut("tasks").and_then(Value::as_array_mut) else { continue };
            for t in tasks.iter_mut() {
                if rng.chance(0.35) {
                    let from = t
                        .get("proposed")
                        .and_then(Value::as_str)
                        .filter(|p| moved(p, 0).is_some())
                        .or_else(|| t.get("original").and_then(Value::as_str))
                        .map(str::to_string);
                    if let Some(p) = from.and_then(|f| moved(&f, rng.between(-2, 5))) {
                        t["proposed"] = json!(p);
                    }
                }
                if rng.chance(0.15) {
                    t["status"] = json!(statuses[rng.between(0, 3) as usize]);
                }
                if rng.chance(progress) {
                    t["status"] = json!("Complete");
                }
                if !enabling.is_empty() && rng.chance(0.08) {
                    let p = enabling[rng.between(0, enabling.len() as i64 - 1) as usize].clone();
                    let deps = t.as_object_mut().map(|o| o.entry("waits_on").or_insert(json!([])));
                    if let Some(Value::Array(deps)) = deps
                        && !deps.iter().any(|d| d["id"] == json!(p))
                    {
                        deps.push(json!({ "id": p }));
                    }
                }
            }
        }
        if tier != "district" {
            actions.extend(county_actions(rng, &enabling));
        }
    }
    m
}

/// `n` synthetic councils from `seed`: each file's path (relative to the output directory) and
/// text, the manifest first.
pub fn generate(n: usize, seed: u64) -> Result<Vec<(String, String)>, String> {
    let parse = |text: &str| -> Result<Value, String> {
        serde_yaml::from_str(text).map_err(|e| format!("cannot read a base routemap: {e}"))
    };
    let bases = [parse(CHARNWOOD)?, parse(LOXLEY)?];
    let mut manifest = format!(
        "# Synthetic councils generated by examples/rollup.rs ({n} councils, seed {seed}):\n\
         # invented names, derived from the Charnwood and Loxley routemaps; not real councils.\n\
         councils:\n"
    );
    let mut files = Vec::with_capacity(n + 1);
    for c in 0..n {
        let mut rng = Rng(routemap::simulate::SplitMix(
            seed ^ (c as u64).wrapping_mul(0x2545_f491_4f6c_dd1d),
        ));
        let tier = tier(&mut rng);
        // London boroughs are in London; no other kind of council is.
        let region = match tier {
            "london_borough" => "London",
            _ => [&REGIONS[..2], &REGIONS[3..]].concat()[rng.between(0, 7) as usize],
        };
        let name = name(c, tier);
        let base = if rng.chance(0.15) { &bases[1] } else { &bases[0] };
        let model = council(base, &mut rng, &name, tier);
        let file = format!("councils/{:03}-{}.json", c + 1, slug(&name));
        manifest.push_str(&format!(
            "  - name: {name}\n    model: {file}\n    tier: {tier}\n    region: {region}\n"
        ));
        let text = serde_json::to_string(&model).map_err(|e| e.to_string())?;
        files.push((file, text + "\n"));
    }
    files.insert(0, ("manifest.yaml".to_string(), manifest));
    Ok(files)
}
