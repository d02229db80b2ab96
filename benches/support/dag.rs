//! Synthetic routemaps for measuring scale: a seeded, layered random DAG of tasks and projects
//! (each task waits on 0-3 earlier pieces of work), written as a JSON model. The same seed and
//! size always give the same bytes. Used by the benchmarks and by `examples/dag.rs`, which writes
//! one to standard output for whole-process measurements (see docs/performance.md).

#![allow(dead_code)]

use std::fmt::Write;

/// A small counter-based generator (SplitMix64): stable across platforms and versions.
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec"];
const STATUSES: [&str; 6] = ["Complete", "In progress", "On target", "Not started", "Started", ""];

/// A model of about `nodes` pieces of work: one project in twenty, the rest tasks in actions of
/// ten, every action serving one outcome, each piece of work waiting on 0-3 random earlier ones.
pub fn dag(nodes: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(nodes * 160);
    out.push_str("{\"document\":{\"council\":\"Synthetic Council\",\"title\":\"Synthetic routemap\",\"version\":\"1\",\"issue_date\":\"2005-04-13\"},\n\"projects\":[\n");
    let projects = nodes / 20;
    // Ids of the work made so far, for dependencies.
    let mut ids: Vec<String> = Vec::with_capacity(nodes);
    let target = |rng: &mut Rng| format!("{} {}", MONTHS[rng.below(12)], 2004 + rng.below(3));
    let waits = |rng: &mut Rng, ids: &[String], out: &mut String| {
        out.push_str("\"waits_on\":[");
        if !ids.is_empty() {
            let k = rng.below(4);
            let mut seen: Vec<usize> = Vec::new();
            for _ in 0..k {
                let j = rng.below(ids.len());
                if seen.contains(&j) {
                    continue;
                }
                if !seen.is_empty() {
                    out.push(',');
                }
                seen.push(j);
                let _ = write!(out, "{{\"id\":\"{}\"}}", ids[j]);
            }
        }
        out.push(']');
    };
    for p in 0..projects {
        if p > 0 {
            out.push_str(",\n");
        }
        let id = format!("p{p}");
        let _ = write!(
            out,
            "{{\"id\":\"{id}\",\"title\":\"Project {p}\",\"finish\":\"{}\",\"status\":\"{}\",",
            target(&mut rng),
            STATUSES[1 + rng.below(4)]
        );
        waits(&mut rng, &ids, &mut out);
        out.push('}');
        ids.push(id);
    }
    out.push_str("],\n\"actions\":[\n");
    let tasks = nodes - projects;
    let actions = tasks.div_ceil(10);
    let mut made = 0;
    for a in 0..actions {
        if a > 0 {
            out.push_str(",\n");
        }
        let code = if rng.below(2) == 0 {
            format!("R{}", 1 + rng.below(29))
        } else {
            format!("G{}", 1 + rng.below(25))
        };
        let _ = write!(
            out,
            "{{\"ref\":\"{a}\",\"section\":\"Section {}\",\"outcomes\":[\"{code}\"],\"tasks\":[",
            a % 17
        );
        for t in 0..10.min(tasks - made) {
            if t > 0 {
                out.push(',');
            }
            let id = format!("{a}.{}", t + 1);
            let _ = write!(
                out,
                "{{\"text\":\"Task {id}\",\"original\":\"{}\",\"proposed\":\"{}\",\"status\":\"{}\",",
                target(&mut rng),
                target(&mut rng),
                STATUSES[rng.below(STATUSES.len())]
            );
            waits(&mut rng, &ids, &mut out);
            out.push('}');
            ids.push(id);
            made += 1;
        }
        out.push_str("]}");
    }
    out.push_str("]}\n");
    out
}
