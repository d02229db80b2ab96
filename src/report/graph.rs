//! `routemap graph`: the DAG as JSON, Graphviz DOT or Mermaid, critical edges marked.

use std::collections::HashSet;

use petgraph::visit::EdgeRef;
use serde::Serialize;

use super::Evaluated;
use crate::model::Span;

/// The JSON contract of `routemap graph --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct GraphOut {
    /// Every node.
    pub nodes: Vec<NodeOut>,
    /// Every edge: `to` waits on `from`.
    pub edges: Vec<EdgeOut>,
}

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
    pub forecast: Option<String>,
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

impl GraphOut {
    /// Build from an evaluation.
    pub fn new(e: &Evaluated) -> Self {
        let critical: HashSet<(usize, usize)> = e
            .assessment
            .outcomes
            .iter()
            .flat_map(|r| r.drivers.windows(2).map(|w| (w[0].index(), w[1].index())))
            .collect();
        // Model order: outcomes R1..R29 and G1..G25, then projects, then tasks as the routemap
        // lists them.
        let nodes: Vec<NodeOut> = e
            .graph
            .dag
            .node_indices()
            .map(|n| NodeOut {
                id: e.id(n).to_string(),
                kind: e.graph.dag[n].kind.as_str().to_string(),
                label: e.label(n),
                forecast: e.assessment.forecast[n.index()].map(|d| d.to_string()),
            })
            .collect();
        let mut refs: Vec<_> = e.graph.dag.edge_references().collect();
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
        GraphOut { nodes, edges }
    }

    /// Graphviz DOT.
    pub fn dot(&self) -> String {
        let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let mut out = String::from(
            "digraph routemap {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n",
        );
        for n in &self.nodes {
            let shape = match n.kind.as_str() {
                "outcome" => "doubleoctagon",
                "project" => "box3d",
                "milestone" => "diamond",
                _ => "box",
            };
            let label = format!("{}\\n{}", n.id, super::text::clip(&n.label, 40).replace('"', "'"));
            out.push_str(&format!("  {} [shape={shape}, label=\"{label}\"];\n", q(&n.id)));
        }
        for e in &self.edges {
            let style = if e.critical { " [color=red, penwidth=2]" } else { "" };
            out.push_str(&format!("  {} -> {}{style};\n", q(&e.from), q(&e.to)));
        }
        out.push_str("}\n");
        out
    }

    /// Mermaid flowchart.
    pub fn mermaid(&self) -> String {
        let id = |s: &str| format!("n_{}", s.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
        let mut out = String::from("flowchart LR\n");
        for n in &self.nodes {
            let label = format!("{}: {}", n.id, super::text::clip(&n.label, 40)).replace('"', "'");
            let (open, close) = match n.kind.as_str() {
                "outcome" => ("{{", "}}"),
                "milestone" => ("{", "}"),
                "project" => ("[[", "]]"),
                _ => ("[", "]"),
            };
            out.push_str(&format!("  {}{open}\"{label}\"{close}\n", id(&n.id)));
        }
        let mut critical = Vec::new();
        for (i, e) in self.edges.iter().enumerate() {
            out.push_str(&format!("  {} --> {}\n", id(&e.from), id(&e.to)));
            if e.critical {
                critical.push(i.to_string());
            }
        }
        if !critical.is_empty() {
            out.push_str(&format!(
                "  linkStyle {} stroke:#d00,stroke-width:3px\n",
                critical.join(",")
            ));
        }
        out
    }
}
