//! Scheduling: each node's own finish, and the passes over the graph's one topological order in
//! [`compiled`] (the forward pass to forecast finishes, the backward pass from deadlines to
//! latest finishes, the chains that drive each outcome and the upstream sets of all outcomes at
//! once), pure functions of the graph, each edge's lag and each node's own finish, linear in
//! nodes plus edges. Here: slack, and walks up the graph from one node.

use chrono::NaiveDate;
use petgraph::Direction;
use petgraph::graph::NodeIndex;

use crate::graph::Graph;

pub mod compiled;

/// A node's own finish, before its dependencies are considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Own {
    /// Complete: finished on this date, whatever it waits on.
    Done(NaiveDate),
    /// Finishes on this date, or later if what it waits on finishes later.
    Date(NaiveDate),
    /// No date of its own: finishes when what it waits on finishes.
    Follows,
    /// No forecast can be made.
    Unknown,
}

/// Days from `forecast` to `latest`: negative when the work is forecast to finish too late.
pub fn slack(latest: Option<NaiveDate>, forecast: Option<NaiveDate>) -> Option<i64> {
    Some((latest? - forecast?).num_days())
}

/// Every node `node` still depends on, in index order: what it waits on, directly or not, not
/// looking past complete work (which no longer waits on anything).
pub fn upstream_open(graph: &Graph, own: &[Own], node: NodeIndex) -> Vec<NodeIndex> {
    walk_up(graph, node, |n| matches!(own[n.index()], Own::Done(_)))
}

/// Every node `node` depends on, directly or not (not including itself), in index order.
pub fn upstream(graph: &Graph, node: NodeIndex) -> Vec<NodeIndex> {
    walk_up(graph, node, |_| false)
}

/// The nodes `node` waits on, directly or not, in index order, not looking past a node for which
/// `stop` holds (it is included, what it waits on is not).
fn walk_up(graph: &Graph, node: NodeIndex, stop: impl Fn(NodeIndex) -> bool) -> Vec<NodeIndex> {
    let mut seen = vec![false; graph.dag.node_count()];
    let mut stack = vec![node];
    let mut out = Vec::new();
    while let Some(n) = stack.pop() {
        if n != node && stop(n) {
            continue;
        }
        for p in graph.dag.neighbors_directed(n, Direction::Incoming) {
            if !seen[p.index()] {
                seen[p.index()] = true;
                out.push(p);
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}
