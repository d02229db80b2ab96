//! The routemap as a directed acyclic graph: outcome, task, project and milestone nodes; an edge
//! `A -> B` means B waits on A (a task's edge to an outcome means the outcome waits on the task).

use std::collections::{HashMap, VecDeque};

use hashbrown::HashTable;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use rustc_hash::FxBuildHasher;

use crate::error::{Diagnostic, Error};
use crate::model::{Model, ProjectKind, Span};

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    /// An ODPM priority outcome.
    Outcome,
    /// A task of an action.
    Task,
    /// A project or national project.
    Project,
    /// A dated event with no duration.
    Milestone,
}

impl NodeKind {
    /// The lower-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Outcome => "outcome",
            NodeKind::Task => "task",
            NodeKind::Project => "project",
            NodeKind::Milestone => "milestone",
        }
    }
}

/// Where in the model a node's data lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// `model.outcomes[i]`.
    Outcome(usize),
    /// `model.actions[action].tasks[task]`.
    Task {
        /// Index of the action.
        action: usize,
        /// Index of the task within it.
        task: usize,
    },
    /// `model.projects[i]`.
    Project(usize),
}

/// A node of the graph.
#[derive(Debug, Clone)]
pub struct Node {
    /// The stable id: outcome code, task id or project slug.
    pub id: String,
    /// What it stands for.
    pub kind: NodeKind,
    /// Its model data.
    pub item: Item,
}

/// An edge: the target waits on the source, `lag` after it finishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// Time after the source finishes before the target can, as the model states it (zero
    /// where it states none, and for a task's edge to the outcome it serves).
    pub lag: Span,
    /// A `waits_on` entry with no `lag` of its own: the follow-on time is the rules' to decide
    /// (`forecast.rhai` `follow_on`), and `lag` is only the starting point.
    pub follow_on: bool,
    /// The `waits_on` entry is implied rather than stated.
    pub implied: bool,
}

/// The dependency graph with one topological order, computed once.
#[derive(Debug, Clone)]
pub struct Graph {
    /// The DAG.
    pub dag: DiGraph<Node, Edge>,
    /// Node index by id, hashed with a fast hasher (a model crafted to collide slows only its
    /// own run); the ids themselves are kept once, in the nodes.
    index: HashTable<NodeIndex>,
    /// Every node, each after everything it waits on.
    pub order: Vec<NodeIndex>,
}

impl Graph {
    /// Build the graph of a validated model. A dependency loop is an error naming its nodes.
    pub fn build(model: &Model) -> Result<Graph, Error> {
        // Sized from the model: a graph grown as it is built can hold twice what it needs.
        let nodes = model.outcomes.len()
            + model.projects.len()
            + model.actions.iter().map(|a| a.tasks.len()).sum::<usize>();
        let edges = model.projects.iter().map(|p| p.waits_on.len()).sum::<usize>()
            + model
                .actions
                .iter()
                .map(|a| a.tasks.iter().map(|t| t.waits_on.len() + a.outcomes.len()).sum::<usize>())
                .sum::<usize>();
        let mut dag = DiGraph::with_capacity(nodes, edges);
        let add = |dag: &mut DiGraph<Node, Edge>, id: &str, kind, item| {
            dag.add_node(Node { id: id.to_string(), kind, item });
        };
        for (i, o) in model.outcomes.iter().enumerate() {
            add(&mut dag, &o.code, NodeKind::Outcome, Item::Outcome(i));
        }
        for (i, p) in model.projects.iter().enumerate() {
            let kind = match p.kind {
                ProjectKind::Milestone => NodeKind::Milestone,
                _ => NodeKind::Project,
            };
            add(&mut dag, &p.id, kind, Item::Project(i));
        }
        for (a, action) in model.actions.iter().enumerate() {
            for (t, task) in action.tasks.iter().enumerate() {
                add(&mut dag, &task.id, NodeKind::Task, Item::Task { action: a, task: t });
            }
        }
        // An id named twice (which validation refuses) stands for its last node.
        let mut index = HashTable::with_capacity(dag.node_count());
        for n in dag.node_indices() {
            let id = dag[n].id.as_str();
            match index.find_mut(id_hash(id), |&m: &NodeIndex| dag[m].id == id) {
                Some(slot) => *slot = n,
                None => {
                    index.insert_unique(id_hash(id), n, |&m| id_hash(&dag[m].id));
                }
            }
        }
        let waits = |dep: &crate::model::Dependency| Edge {
            lag: dep.lag,
            follow_on: dep.lag_text.is_none(),
            implied: dep.implied,
        };
        // The edges from what `deps` name to `to` (each found once), in the order written.
        let wait_on = |dag: &mut DiGraph<Node, Edge>, deps: &[crate::model::Dependency], to| {
            for dep in deps {
                if let Some(from) = find(&index, dag, &dep.id) {
                    dag.add_edge(from, to, waits(dep));
                }
            }
        };
        for p in &model.projects {
            if let Some(to) = find(&index, &dag, &p.id) {
                wait_on(&mut dag, &p.waits_on, to);
            }
        }
        let serves = Edge { lag: Span::default(), follow_on: false, implied: false };
        for action in &model.actions {
            // Every task of an action serves its outcomes.
            let outcomes: Vec<NodeIndex> =
                action.outcomes.iter().filter_map(|code| find(&index, &dag, code)).collect();
            for task in &action.tasks {
                let Some(t) = find(&index, &dag, &task.id) else { continue };
                wait_on(&mut dag, &task.waits_on, t);
                for &o in &outcomes {
                    dag.add_edge(t, o, serves);
                }
            }
        }
        // Sort first: only a graph that cannot be sorted pays for finding and naming its loops.
        let Some(order) = topological_order(&dag) else {
            return Err(cycles(&dag)
                .into_iter()
                .map(|c| cycle_diagnostic(model, &dag, &c))
                .collect::<Vec<_>>()
                .into());
        };
        Ok(Graph { dag, index, order })
    }

    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        find(&self.index, &self.dag, id)
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.dag.edge_count()
    }
}

/// The nodes in the topological order `petgraph::algo::toposort` gives (the reverse of the
/// order in which depth-first searches from each node in turn finish the nodes),
/// or none if the graph has a loop. petgraph then searches the graph a second time, backwards,
/// to find loops; here one pass over the edges does it, as in a graph with no loop every edge
/// runs forwards in that order.
fn topological_order<N, E>(dag: &DiGraph<N, E>) -> Option<Vec<NodeIndex>> {
    let n = dag.node_count();
    let mut discovered = vec![false; n];
    let mut finished = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut stack = Vec::new();
    for start in dag.node_indices() {
        if discovered[start.index()] {
            continue;
        }
        stack.push(start);
        while let Some(&x) = stack.last() {
            if !discovered[x.index()] {
                discovered[x.index()] = true;
                stack.extend(dag.neighbors(x).filter(|s| !discovered[s.index()]));
            } else {
                stack.pop();
                if !finished[x.index()] {
                    finished[x.index()] = true;
                    order.push(x);
                }
            }
        }
    }
    order.reverse();
    let mut position = vec![0u32; n];
    for (i, x) in order.iter().enumerate() {
        // A graph indexed by u32 holds fewer than u32::MAX nodes.
        position[x.index()] = i as u32;
    }
    let forwards =
        dag.raw_edges().iter().all(|e| position[e.source().index()] < position[e.target().index()]);
    forwards.then_some(order)
}

fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    FxBuildHasher.hash_one(id)
}

/// The node `index` holds for `id`.
fn find(index: &HashTable<NodeIndex>, dag: &DiGraph<Node, Edge>, id: &str) -> Option<NodeIndex> {
    index.find(id_hash(id), |&n| dag[n].id == id).copied()
}

/// Every dependency loop, each as its nodes in "waits on" order starting from its earliest node.
pub fn cycles<N, E>(dag: &DiGraph<N, E>) -> Vec<Vec<NodeIndex>> {
    let mut out = Vec::new();
    for scc in tarjan_scc(dag) {
        let start = match scc.iter().min() {
            Some(&s) => s,
            None => continue,
        };
        let self_loop = dag.edges(start).any(|e| e.target() == start);
        if scc.len() == 1 && !self_loop {
            continue;
        }
        // Walk "waits on" (edges backwards) from start until back at start, breadth first, so
        // the loop named is the shortest through that node.
        let mut came_from: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        'search: while let Some(n) = queue.pop_front() {
            let mut preds: Vec<NodeIndex> = dag
                .edges_directed(n, petgraph::Direction::Incoming)
                .map(|e| e.source())
                .filter(|p| scc.contains(p))
                .collect();
            preds.sort();
            for p in preds {
                if p == start {
                    came_from.insert(start, n);
                    break 'search;
                }
                if let std::collections::hash_map::Entry::Vacant(e) = came_from.entry(p) {
                    e.insert(n);
                    queue.push_back(p);
                }
            }
        }
        let mut path = vec![start];
        let mut n = came_from.get(&start).copied();
        while let Some(prev) = n {
            if prev == start {
                break;
            }
            path.push(prev);
            n = came_from.get(&prev).copied();
        }
        // `path` runs start, then the node start waits on (reached last), ...: reverse the tail.
        path[1..].reverse();
        out.push(path);
    }
    out.sort();
    out
}

fn cycle_diagnostic(model: &Model, dag: &DiGraph<Node, Edge>, cycle: &[NodeIndex]) -> Diagnostic {
    let ids: Vec<&str> = cycle.iter().map(|&n| dag[n].id.as_str()).collect();
    let mut named: Vec<String> = ids.iter().map(|id| format!("`{id}`")).collect();
    named.push(format!("`{}`", ids[0]));
    // Each node's waits_on entry that names the next one round the loop: the first is the
    // primary place, the others are shown with it.
    let entries: Vec<_> = model
        .projects
        .iter()
        .flat_map(|p| p.waits_on.iter().map(move |d| (p.id.as_str(), d)))
        .chain(model.tasks().flat_map(|(_, t)| t.waits_on.iter().map(move |d| (t.id.as_str(), d))))
        .collect();
    let file = &model.origin.model;
    let mut d = Diagnostic::new(format!("dependency cycle: {}", named.join(" waits on ")))
        .help("work cannot wait on itself; remove one of these `waits_on` entries");
    for (i, id) in ids.iter().enumerate() {
        let next = ids[(i + 1) % ids.len()];
        let Some((_, dep)) = entries.iter().find(|(owner, dep)| owner == id && dep.id == next)
        else {
            continue;
        };
        let label = format!("`{id}` waits on `{next}`");
        d = if i == 0 {
            d.at(file.at(&dep.path())).label(label)
        } else {
            d.also(file.at(&dep.path()), label)
        };
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            rng_seed: proptest::test_runner::RngSeed::Fixed(28),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// The order is petgraph's, and a graph with a loop (a self-loop among them) has none.
        #[test]
        fn the_topological_order_is_petgraphs(
            n in 1u32..40,
            edges in prop::collection::vec((0u32..40, 0u32..40), 0..80),
            acyclic in any::<bool>(),
        ) {
            let edges: Vec<(u32, u32)> = edges
                .into_iter()
                .map(|(a, b)| (a % n, b % n))
                // Forward edges only make a graph with no loop.
                .filter(|&(a, b)| !acyclic || a < b)
                .collect();
            let g = graph(&edges, n);
            let ours = topological_order(&g);
            match petgraph::algo::toposort(&g, None) {
                Ok(order) => prop_assert_eq!(ours, Some(order)),
                Err(_) => prop_assert_eq!(ours, None),
            }
        }
    }

    fn graph(edges: &[(u32, u32)], n: u32) -> DiGraph<(), ()> {
        let mut g = DiGraph::new();
        for _ in 0..n {
            g.add_node(());
        }
        for &(a, b) in edges {
            g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), ());
        }
        g
    }

    fn ids(c: &[NodeIndex]) -> Vec<usize> {
        c.iter().map(|n| n.index()).collect()
    }

    #[test]
    fn names_every_node_of_a_loop_in_waits_on_order() {
        // 0 -> 1 -> 2 -> 0: 1 waits on 0, 2 waits on 1, 0 waits on 2.
        let found = cycles(&graph(&[(0, 1), (1, 2), (2, 0), (2, 3)], 4));
        assert_eq!(found.len(), 1);
        assert_eq!(ids(&found[0]), vec![0, 2, 1]);
    }

    #[test]
    fn self_loop_and_acyclic() {
        assert_eq!(ids(&cycles(&graph(&[(1, 1)], 2))[0]), vec![1]);
        assert!(cycles(&graph(&[(0, 1), (0, 2), (1, 2)], 3)).is_empty());
    }
}
