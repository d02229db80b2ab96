//! The straightforward reference passes the compiled schedule is checked against: the forward
//! pass, the backward pass and the driving chains written as plain walks over the petgraph graph,
//! with calendar dates throughout. Slow and obviously right; used only by the property tests.

use chrono::NaiveDate;
use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use routemap::graph::Graph;
use routemap::model::Span;
use routemap::schedule::Own;

/// The forward pass: each node's forecast finish, and the earliest it can finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward {
    /// Forecast finish per node (`None`: unknown).
    pub forecast: Vec<Option<NaiveDate>>,
    /// The earliest each node can finish from what is known, even where its forecast is
    /// unknown: the later of its own date and its known dependencies' finishes plus lag.
    pub floor: Vec<Option<NaiveDate>>,
    /// Forecast finish per node before its own slip (equal to `forecast` where nothing slips):
    /// what its dependencies and own date alone allow.
    pub unslipped: Vec<Option<NaiveDate>>,
    /// Earliest finish per node before its own slip.
    pub unslipped_floor: Vec<Option<NaiveDate>>,
}

/// Forecast finish of every node, in node-index order.
///
/// A node finishes at the later of its own date and each dependency's finish plus the edge's
/// lag, then later still by its slip, if any (`slip` is indexed by node; empty means none).
/// Anything that waits on unknown work is unknown; complete work is fixed and does not slip.
pub fn forward(graph: &Graph, lag: &[Span], own: &[Own], slip: &[Option<Span>]) -> Forward {
    let n = own.len();
    let mut fwd = Forward {
        forecast: vec![None; n],
        floor: vec![None; n],
        unslipped: vec![None; n],
        unslipped_floor: vec![None; n],
    };
    for &node in &graph.order {
        let s = slip.get(node.index()).copied().flatten();
        let step = step(graph, lag, own, &fwd, node, s);
        fwd.set(node, step);
    }
    fwd
}

/// One node's four finishes: forecast, floor, and both before its own slip.
pub type Step = [Option<NaiveDate>; 4];

impl Forward {
    /// Set a node's four finishes.
    pub fn set(&mut self, n: NodeIndex, s: Step) {
        let i = n.index();
        [self.forecast[i], self.floor[i], self.unslipped[i], self.unslipped_floor[i]] = s;
    }
}

/// One node of the forward pass, from what its dependencies' finishes are in `fwd` now: its
/// forecast and floor, and both before its slip `slip`. [`forward`] runs it over the order; an
/// incremental what-if runs it over the nodes downstream of a slip.
pub fn step(
    graph: &Graph,
    lag: &[Span],
    own: &[Own],
    fwd: &Forward,
    n: NodeIndex,
    slip: Option<Span>,
) -> Step {
    let (mut date, mut known) = match own[n.index()] {
        Own::Done(d) => return [Some(d); 4],
        Own::Date(d) => (Some(d), true),
        Own::Follows => (None, true),
        Own::Unknown => (None, false),
    };
    let mut least = date;
    for e in graph.dag.edges_directed(n, Direction::Incoming) {
        let p = e.source().index();
        match fwd.forecast[p] {
            Some(f) => date = date.max(Some(lag[e.id().index()].after(f))),
            None => known = false,
        }
        if let Some(f) = fwd.floor[p] {
            least = least.max(Some(lag[e.id().index()].after(f)));
        }
    }
    let date = if known { date } else { None };
    match slip {
        Some(s) => [date.map(|d| s.after(d)), least.map(|d| s.after(d)), date, least],
        None => [date, least, date, least],
    }
}

/// Latest finish of every node such that every outcome it feeds meets its deadline (`None`:
/// it feeds no outcome with a deadline). `deadline` is indexed by node.
pub fn backward(
    graph: &Graph,
    lag: &[Span],
    deadline: &[Option<NaiveDate>],
) -> Vec<Option<NaiveDate>> {
    let mut latest: Vec<Option<NaiveDate>> = deadline.to_vec();
    for &n in graph.order.iter().rev() {
        for e in graph.dag.edges_directed(n, Direction::Outgoing) {
            if let Some(l) = latest[e.target().index()] {
                let by = lag[e.id().index()].before(l);
                let slot = &mut latest[n.index()];
                *slot = Some(slot.map_or(by, |cur| cur.min(by)));
            }
        }
    }
    latest
}

/// The chain of nodes that sets `node`'s forecast, from the root cause to `node`.
///
/// At each step the chain moves to the dependency whose finish plus lag equals this node's
/// forecast before its own slip (for unknown forecasts: to a dependency that is unknown); on a
/// tie the dependency earliest in the model wins, and a dependency wins over the node's own
/// date. The chain stops at complete work, at unknown work, and where the node's own date alone
/// sets its forecast.
pub fn drivers(
    graph: &Graph,
    lag: &[Span],
    own: &[Own],
    fwd: &Forward,
    node: NodeIndex,
) -> Vec<NodeIndex> {
    chain(graph, lag, own, &fwd.forecast, &fwd.unslipped, true, node)
}

/// The chain of nodes that sets `node`'s earliest possible finish (its floor), from the root
/// cause to `node`: for work whose forecast is unknown, the dated work that already makes it
/// this late. Moves as [`drivers`] does, through unknown work too.
pub fn floor_drivers(
    graph: &Graph,
    lag: &[Span],
    own: &[Own],
    fwd: &Forward,
    node: NodeIndex,
) -> Vec<NodeIndex> {
    chain(graph, lag, own, &fwd.floor, &fwd.unslipped_floor, false, node)
}

fn chain(
    graph: &Graph,
    lag: &[Span],
    own: &[Own],
    finish: &[Option<NaiveDate>],
    unslipped: &[Option<NaiveDate>],
    stop_at_unknown: bool,
    node: NodeIndex,
) -> Vec<NodeIndex> {
    let mut chain = vec![node];
    let mut n = node;
    loop {
        match own[n.index()] {
            Own::Done(_) => break,
            Own::Unknown if stop_at_unknown => break,
            _ => {}
        }
        let f = unslipped[n.index()];
        let next = graph
            .dag
            .edges_directed(n, Direction::Incoming)
            .filter(|e| {
                let pf = finish[e.source().index()];
                match f {
                    Some(f) => pf.map(|pf| lag[e.id().index()].after(pf)) == Some(f),
                    None => stop_at_unknown && pf.is_none(),
                }
            })
            .map(|e| e.source())
            .min();
        match next {
            Some(p) if !chain.contains(&p) => {
                chain.push(p);
                n = p;
            }
            _ => break,
        }
    }
    chain.reverse();
    chain
}
