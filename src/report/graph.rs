//! `routemap graph`: the DAG as JSON, Graphviz DOT or Mermaid, critical edges marked.

use super::output::{Format, Rendered};
use super::render::{self, Render, Terminal, not_written};
use crate::error::Error;
use std::collections::HashSet;

use chrono::NaiveDate;
use petgraph::graph::NodeIndex;
use petgraph::visit::{Dfs, EdgeRef, Reversed};
use serde::Serialize;

use super::check::ModelInfo;
use super::standing::{fill, status_words, tint};
use super::svg;
use super::text;
use super::{Evaluated, RulesInfo};
use crate::assess::Standing;
use crate::model::Span;

/// Which part of the graph to show.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Outcomes whose upstream alone is shown; every outcome when empty.
    pub roots: Vec<NodeIndex>,
    /// Only the critical edges (the driving chains) and their nodes.
    pub critical: bool,
    /// Every node, also work no outcome waits on (when `roots` is empty).
    pub all: bool,
}

/// The JSON contract of `routemap graph --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct GraphOut {
    /// The nodes shown, in model order.
    pub nodes: Vec<NodeOut>,
    /// The edges between them: `to` waits on `from`.
    pub edges: Vec<EdgeOut>,
    /// Outcomes shown as groups rather than nodes (the whole graph only): those no work in the
    /// routemap serves, and those the council does not deliver, each group with what its
    /// outcomes share.
    pub apart: Vec<ApartOut>,
    /// Which model.
    pub model: ModelInfo,
    /// Which rules.
    pub rules: RulesInfo,
    /// Whether this is the whole graph (no outcome asked for, no `--critical`): a picture of
    /// it is drawn only while it stays legible.
    #[serde(skip)]
    pub whole: bool,
}

/// The most nodes the whole graph's SVG draws: past this its columns grow too tall to read, and
/// the per-outcome and critical views say more.
pub const MAX_SVG_NODES: usize = 80;

/// A node.
#[derive(Debug, Clone, Serialize)]
pub struct NodeOut {
    /// Stable id.
    pub id: String,
    /// outcome, task, project or milestone.
    pub kind: String,
    /// What it is.
    pub label: String,
    /// Forecast finish, or null.
    pub forecast: Option<NaiveDate>,
    /// An outcome's status; for work, the worst status of the outcomes whose driving chain it
    /// is on (null when it drives none).
    pub status: Option<Standing>,
}

/// A group of outcomes shown as one.
#[derive(Debug, Clone, Serialize)]
pub struct ApartOut {
    /// `Not in the routemap` or `Not applicable to this council`.
    pub group: String,
    /// The outcomes, R1..R29 then G1..G25.
    pub codes: Vec<String>,
    /// What they share: the verdict and its reason, or why they do not apply.
    pub reason: String,
}

impl ApartOut {
    /// The group as one line: "Not in the routemap (3): R1, R2, R3".
    fn line(&self) -> String {
        format!("{} ({}): {}", self.group, self.codes.len(), self.codes.join(", "))
    }
}

/// An edge.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeOut {
    /// The work waited on.
    pub from: String,
    /// The work that waits.
    pub to: String,
    /// The lag in days (a month counts as 30 days here; `lag` gives it exactly).
    pub lag_days: u32,
    /// The lag as written, e.g. `1m`, or empty.
    pub lag: String,
    /// Whether the edge is on some outcome's critical path.
    pub critical: bool,
}

fn worse(a: Standing, b: Standing) -> Standing {
    let rank = super::standing::worst_first;
    if rank(b) < rank(a) { b } else { a }
}

impl GraphOut {
    /// Build from an evaluation: the part `filter` chooses.
    pub fn new(e: &Evaluated, filter: &Filter) -> Self {
        let dag = &e.graph.dag;
        let chosen: Vec<&crate::assess::OutcomeResult> = if filter.roots.is_empty() {
            // The critical view of the whole routemap: the driving chains of the outcomes that
            // need attention (at risk, off track or not yet forecast).
            e.assessment
                .outcomes
                .iter()
                .filter(|r| !filter.critical || super::standing::needs_attention(r.standing))
                .collect()
        } else {
            e.assessment.outcomes.iter().filter(|r| filter.roots.contains(&r.node)).collect()
        };
        let critical: HashSet<(usize, usize)> = chosen
            .iter()
            .flat_map(|r| r.drivers.windows(2).map(|w| (w[0].index(), w[1].index())))
            .collect();
        // Each node's status: an outcome's own; work's the worst of the outcomes it drives.
        let mut status: Vec<Option<Standing>> = vec![None; dag.node_count()];
        for r in &e.assessment.outcomes {
            for n in r.drivers.iter().chain(std::iter::once(&r.node)) {
                let s = &mut status[n.index()];
                *s = Some(s.map_or(r.standing, |old| worse(old, r.standing)));
            }
            status[r.node.index()] = Some(r.standing);
        }
        // What to show: the upstream of the chosen outcomes (every node with --all).
        let mut shown = vec![filter.all && filter.roots.is_empty(); dag.node_count()];
        if !shown.iter().any(|s| *s) {
            let reversed = Reversed(dag);
            for r in &chosen {
                let mut dfs = Dfs::new(reversed, r.node);
                while let Some(n) = dfs.next(reversed) {
                    shown[n.index()] = true;
                }
            }
        }
        // The whole graph shows the outcomes nothing serves, and those the council does not
        // deliver, as groups rather than as rows of nodes ahead of the work it plans.
        let mut apart = Vec::new();
        if filter.roots.is_empty() {
            let set: Vec<usize> = (0..e.assessment.outcomes.len())
                .filter(|&i| super::standing::is_apart(&e.assessment.outcomes[i]))
                .collect();
            for &i in &set {
                let node = e.assessment.outcomes[i].node;
                let waited = dag.neighbors_directed(node, petgraph::Direction::Incoming).next();
                if waited.is_none() {
                    shown[node.index()] = false;
                }
            }
            let set: Vec<usize> = set
                .into_iter()
                .filter(|&i| !shown[e.assessment.outcomes[i].node.index()])
                .collect();
            for (group, lines) in super::standing::apart_groups(e, &set) {
                for (reason, codes) in lines {
                    apart.push(ApartOut { group: group.to_string(), codes, reason });
                }
            }
        }
        if filter.critical {
            let mut on_path = vec![false; dag.node_count()];
            for r in &chosen {
                for n in r.drivers.iter().chain(std::iter::once(&r.node)) {
                    on_path[n.index()] = true;
                }
            }
            for (s, c) in shown.iter_mut().zip(on_path) {
                *s = *s && c;
            }
        }
        // Model order: outcomes R1..R29 and G1..G25, then projects, then tasks as the routemap
        // lists them.
        let nodes: Vec<NodeOut> = dag
            .node_indices()
            .filter(|n| shown[n.index()])
            .map(|n| NodeOut {
                id: e.id(n).to_string(),
                kind: dag[n].kind.as_str().to_string(),
                label: e.label(n),
                forecast: e.assessment.forecast[n.index()],
                status: status[n.index()],
            })
            .collect();
        let mut refs: Vec<_> = dag
            .edge_references()
            .filter(|edge| shown[edge.source().index()] && shown[edge.target().index()])
            .filter(|edge| {
                !filter.critical
                    || critical.contains(&(edge.source().index(), edge.target().index()))
            })
            .collect();
        refs.sort_by_key(|edge| (edge.source(), edge.target()));
        let edges: Vec<EdgeOut> = refs
            .into_iter()
            .map(|edge| {
                let lag = e.assessment.basis.lag[edge.id().index()];
                EdgeOut {
                    from: e.id(edge.source()).to_string(),
                    to: e.id(edge.target()).to_string(),
                    lag_days: lag.months * 30 + lag.days,
                    lag: if lag == Span::default() { String::new() } else { lag.to_string() },
                    critical: critical.contains(&(edge.source().index(), edge.target().index())),
                }
            })
            .collect();
        GraphOut {
            nodes,
            edges,
            apart,
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
            whole: filter.roots.is_empty() && !filter.critical,
        }
    }

    /// Graphviz DOT. Nodes are named `n0`, `n1`... in order, never after their ids (an id is
    /// the council's text); each label is a quoted string that its text cannot close.
    pub fn dot(&self) -> String {
        use super::escape::dot_string;
        let names = self.names();
        let mut out = String::from(
            "digraph routemap {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n",
        );
        for (i, n) in self.nodes.iter().enumerate() {
            let shape = match n.kind.as_str() {
                "outcome" => "doubleoctagon",
                "project" => "box3d",
                "milestone" => "diamond",
                _ => "box",
            };
            // `\n` between the lines is DOT's own line break, written after the escaping.
            let label =
                [n.id.as_str(), &text::clip(&n.label, 40), &n.when()].map(dot_string).join("\\n");
            let colour = match n.status {
                Some(s) => {
                    format!(", style=filled, fillcolor=\"{}\", color=\"{}\"", tint(s), fill(s))
                }
                None => String::new(),
            };
            out.push_str(&format!("  n{i} [shape={shape}, label=\"{label}\"{colour}];\n"));
        }
        for e in &self.edges {
            let style = if e.critical { " [color=red, penwidth=2]" } else { "" };
            out.push_str(&format!("  {} -> {}{style};\n", names(&e.from), names(&e.to)));
        }
        for (k, a) in self.apart.iter().enumerate() {
            let label = [a.line(), text::clip(&a.reason, 80)].map(|t| dot_string(&t)).join("\\n");
            out.push_str(&format!("  g{k} [shape=note, label=\"{label}\"];\n"));
        }
        out.push_str("}\n");
        out
    }

    /// Each node's generated name (`n` and its place in the list) by id, as a function; an id
    /// not among the nodes (which an edge never has) gets a name no node has.
    fn names(&self) -> impl Fn(&str) -> String + '_ {
        let by_id: std::collections::HashMap<&str, usize> =
            self.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
        move |id: &str| by_id.get(id).map_or_else(|| "missing".to_string(), |i| format!("n{i}"))
    }

    /// Mermaid flowchart. Nodes are named `n0`, `n1`... in order, so ids that differ only in
    /// punctuation (`10-2`, `10_2`) stay two nodes; labels are written in Mermaid's entity
    /// codes wherever their text could be read as markup.
    pub fn mermaid(&self) -> String {
        use super::escape::mermaid_label;
        let id = self.names();
        let mut out = String::from("flowchart LR\n");
        for (i, n) in self.nodes.iter().enumerate() {
            let label = format!(
                "{}: {}<br/>{}",
                mermaid_label(&n.id),
                mermaid_label(&text::clip(&n.label, 40)),
                mermaid_label(&n.when())
            );
            let (open, close) = match n.kind.as_str() {
                "outcome" => ("{{", "}}"),
                "milestone" => ("{", "}"),
                "project" => ("[[", "]]"),
                _ => ("[", "]"),
            };
            out.push_str(&format!("  n{i}{open}\"{label}\"{close}\n"));
        }
        let mut critical = Vec::new();
        for (i, e) in self.edges.iter().enumerate() {
            out.push_str(&format!("  {} --> {}\n", id(&e.from), id(&e.to)));
            if e.critical {
                critical.push(i.to_string());
            }
        }
        for (k, a) in self.apart.iter().enumerate() {
            let label = format!(
                "{}<br/>{}",
                mermaid_label(&a.line()),
                mermaid_label(&text::clip(&a.reason, 80))
            );
            out.push_str(&format!("  g{k}>\"{label}\"]\n"));
        }
        if !critical.is_empty() {
            out.push_str(&format!(
                "  linkStyle {} stroke:#d00,stroke-width:3px\n",
                critical.join(",")
            ));
        }
        for s in Standing::ALL {
            let ids: Vec<String> =
                self.nodes.iter().filter(|n| n.status == Some(s)).map(|n| id(&n.id)).collect();
            if !ids.is_empty() {
                out.push_str(&format!(
                    "  classDef {} fill:{},stroke:{}\n  class {} {}\n",
                    s.as_str(),
                    tint(s),
                    fill(s),
                    ids.join(","),
                    s.as_str()
                ));
            }
        }
        out
    }
}

impl NodeOut {
    /// "31 Dec 2005 · at risk": the forecast and status on one line.
    pub fn when(&self) -> String {
        let date = self.forecast.map_or_else(|| "no date".to_string(), text::short_date);
        match self.status {
            Some(s) => format!("{date} · {}", status_words(s)),
            None => date,
        }
    }
}

impl Render for GraphOut {
    const FORMATS: &'static [Format] = &[Format::Json, Format::Dot, Format::Mermaid, Format::Svg];

    fn render(&self, format: Format, _: &Terminal) -> Result<Rendered, Error> {
        render::text(match format {
            Format::Json => super::json::to_string(self),
            Format::Dot => self.dot(),
            Format::Mermaid => self.mermaid(),
            Format::Svg if self.whole && self.nodes.len() > MAX_SVG_NODES => {
                return Err(crate::error::Diagnostic::new(format!(
                    "the whole graph has {} nodes, too many to draw legibly (at most {MAX_SVG_NODES})",
                    self.nodes.len()
                ))
                .help("draw one outcome's upstream (`routemap graph R8 --format svg`), the driving chains of the outcomes that need attention (`routemap graph --critical --format svg`), or the whole graph as DOT for Graphviz to lay out (`--format dot`)")
                .into());
            }
            Format::Svg => svg(self),
            Format::Table | Format::Csv | Format::Md | Format::Html | Format::Docx => {
                return Err(not_written(format));
            }
        })
    }
}

/// The graph laid out in layers over its topological order: each node one column left of
/// everything that waits on it, as far right as it can go; within a column, nodes ordered by
/// where what waits on them sits.
/// Nodes are boxes with the id, a short title and the forecast, filled by status; critical edges
/// are red and thick.
fn svg(g: &GraphOut) -> String {
    use std::collections::HashMap;
    let index: HashMap<&str, usize> =
        g.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    let n = g.nodes.len();
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &g.edges {
        if let (Some(&f), Some(&t)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) {
            preds[t].push(f);
        }
    }
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (t, ps) in preds.iter().enumerate() {
        for &f in ps {
            succs[f].push(t);
        }
    }
    // Each node as far right as it can go: its distance from the end of the longest chain it
    // starts, so that work sits just left of what waits on it and outcomes share the last
    // column.
    let mut to_end = vec![usize::MAX; n];
    fn depth(i: usize, next: &[Vec<usize>], memo: &mut [usize], guard: usize) -> usize {
        if memo[i] != usize::MAX {
            return memo[i];
        }
        if guard == 0 {
            return 0;
        }
        let d = next[i].iter().map(|&q| depth(q, next, memo, guard - 1) + 1).max().unwrap_or(0);
        memo[i] = d;
        d
    }
    for i in 0..n {
        depth(i, &succs, &mut to_end, n + 1);
    }
    let last = to_end.iter().copied().max().unwrap_or(0);
    let layers = if n == 0 { 0 } else { last + 1 };
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for (i, &d) in to_end.iter().enumerate() {
        columns[last - d].push(i);
    }
    // The last column in model order (R1..G25); each column to its left by the mean position
    // of what waits on its nodes, so that edges run as straight as they can.
    let mut pos = vec![0f64; n];
    for col in columns.iter_mut().rev() {
        let key = |i: &usize| {
            let q = &succs[*i];
            if q.is_empty() {
                *i as f64
            } else {
                q.iter().map(|&t| pos[t]).sum::<f64>() / q.len() as f64
            }
        };
        col.sort_by(|a, b| key(a).total_cmp(&key(b)).then(a.cmp(b)));
        let len = col.len().max(1) as f64;
        for (k, &i) in col.iter().enumerate() {
            pos[i] = k as f64 / len;
        }
    }
    let (bw, bh, gap_x, gap_y, margin) = (200u32, 48u32, 70u32, 14u32, 20u32);
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32;
    let width = margin * 2 + layers.max(1) as u32 * (bw + gap_x) - gap_x;
    // A line under the key for each group of outcomes shown apart.
    let apart = g.apart.len() as u32 * 16;
    let height = margin * 2 + tallest * (bh + gap_y) - gap_y + 30 + apart;
    let mut xy = vec![(0u32, 0u32); n];
    for (l, col) in columns.iter().enumerate() {
        // Centre short columns.
        let offset = (tallest - col.len() as u32) * (bh + gap_y) / 2;
        for (k, &i) in col.iter().enumerate() {
            xy[i] = (margin + l as u32 * (bw + gap_x), margin + offset + k as u32 * (bh + gap_y));
        }
    }
    let mut out = svg::open(width, height, "routemap dependency graph");
    out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker><marker id=\"arrow-critical\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#c62828\"/></marker></defs>\n");
    // Each node's column, and each column's free rows: the gaps between its boxes and the
    // space above and below them, by their middle.
    let mut column_of = vec![0usize; n];
    for (l, col) in columns.iter().enumerate() {
        for &i in col {
            column_of[i] = l;
        }
    }
    let lanes: Vec<Vec<u32>> = columns
        .iter()
        .map(|col| {
            let mut tops: Vec<u32> = col.iter().map(|&i| xy[i].1).collect();
            tops.sort_unstable();
            let mut free = vec![tops.first().map_or(margin, |t| t.saturating_sub(gap_y / 2))];
            free.extend(tops.iter().map(|t| t + bh + gap_y / 2));
            free
        })
        .collect();
    // Plain edges first, so critical ones are drawn over them.
    let mut edges: Vec<&EdgeOut> = g.edges.iter().collect();
    edges.sort_by_key(|e| e.critical);
    for e in edges {
        let (Some(&f), Some(&t)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) else {
            continue;
        };
        let (x1, y1) = (xy[f].0 + bw, xy[f].1 + bh / 2);
        let (x2, y2) = (xy[t].0, xy[t].1 + bh / 2);
        // An edge that passes columns between its ends runs through each of them along the
        // free row nearest its straight line, so that it never crosses a box; between columns,
        // a curve.
        let (from_col, to_col) = (column_of[f], column_of[t]);
        let mut points = vec![(f64::from(x1), f64::from(y1))];
        for (l, free) in lanes.iter().enumerate().take(to_col).skip(from_col + 1) {
            let share = (l - from_col) as f64 / (to_col - from_col) as f64;
            let want = f64::from(y1) + share * (f64::from(y2) - f64::from(y1));
            let lane = free
                .iter()
                .map(|&y| f64::from(y))
                .min_by(|a, b| (a - want).abs().total_cmp(&(b - want).abs()))
                .unwrap_or(want);
            let x = f64::from(margin + l as u32 * (bw + gap_x));
            points.push((x, lane));
            points.push((x + f64::from(bw), lane));
        }
        points.push((f64::from(x2), f64::from(y2)));
        let mut d = format!("M {x1} {y1}");
        for pair in points.windows(2) {
            let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
            if ay == by && bx - ax == f64::from(bw) {
                d.push_str(&format!(" L {bx:.1} {by:.1}"));
            } else {
                let mid = (ax + bx) / 2.0;
                d.push_str(&format!(" C {mid:.1} {ay:.1}, {mid:.1} {by:.1}, {bx:.1} {by:.1}"));
            }
        }
        let (stroke, w, mark) =
            if e.critical { ("#c62828", "2.5", "arrow-critical") } else { ("#999", "1", "arrow") };
        out.push_str(&format!(
            "<path class=\"edge{}\" d=\"{d}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{w}\" marker-end=\"url(#{mark})\"><title>{} waits on {}</title></path>\n",
            if e.critical { " critical" } else { "" },
            svg::esc(&e.to),
            svg::esc(&e.from)
        ));
    }
    for (i, node) in g.nodes.iter().enumerate() {
        let (x, y) = xy[i];
        let s = node.status;
        let (bg, border) = s.map_or(("#f5f5f5", "#757575"), |s| (tint(s), fill(s)));
        let rx = if node.kind == "outcome" { 14 } else { 3 };
        let when = node.when();
        out.push_str(&format!(
            "<g class=\"node {}\"><title>{}: {}</title><rect x=\"{x}\" y=\"{y}\" width=\"{bw}\" height=\"{bh}\" rx=\"{rx}\" fill=\"{bg}\" stroke=\"{border}\" stroke-width=\"{}\"/>\n<text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text>\n<text x=\"{}\" y=\"{}\">{}</text>\n<text x=\"{}\" y=\"{}\" fill=\"#333\" font-size=\"10\">{}</text></g>\n",
            svg::esc(&node.kind),
            svg::esc(&node.id),
            svg::esc(&node.label),
            if node.kind == "outcome" { 2 } else { 1 },
            x + 6,
            y + 14,
            svg::esc(&text::clip(&node.id, 30)),
            x + 6,
            y + 28,
            svg::esc(&text::clip(&node.label, 32)),
            x + 6,
            y + 42,
            svg::esc(&when)
        ));
    }
    // The key.
    let ky = height - 22 - apart;
    let mut kx = margin;
    for s in Standing::ALL {
        out.push_str(&format!(
            "<rect x=\"{kx}\" y=\"{ky}\" width=\"12\" height=\"12\" fill=\"{}\" stroke=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>\n",
            tint(s),
            fill(s),
            kx + 16,
            ky + 10,
            status_words(s)
        ));
        kx += 86;
    }
    out.push_str(&format!(
        "<line x1=\"{kx}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#c62828\" stroke-width=\"2.5\"/><text x=\"{}\" y=\"{}\">critical</text>\n",
        ky + 6,
        kx + 24,
        ky + 6,
        kx + 28,
        ky + 10
    ));
    let chars = (width.saturating_sub(2 * margin) / 6) as usize;
    for (k, a) in g.apart.iter().enumerate() {
        let line = format!("{} ({}): {}: {}", a.group, a.codes.len(), a.codes.join(", "), a.reason);
        out.push_str(&format!(
            "<text x=\"{margin}\" y=\"{}\"><title>{}</title>{}</text>\n",
            height - apart + 12 + k as u32 * 16,
            svg::esc(&line),
            svg::esc(&text::clip(&line, chars.max(20)))
        ));
    }
    out.push_str("</svg>\n");
    out
}
