//! The schedule compiled for speed: the graph in its topological order as flat arrays (incoming
//! edges as compressed rows, each with its lag; own finishes as day numbers), so that a forward
//! pass is a single loop over memory with no graph walking and no calendar types. Built once per
//! basis; a run is an overlay of slips (days later per node) on it. Simulation runs many passes
//! over one compiled schedule; the assessment's forward pass is the same loop.

use chrono::NaiveDate;
use petgraph::Direction;
use petgraph::visit::EdgeRef;

use super::Own;
use crate::graph::Graph;
use crate::model::Span;

/// A day number: days from 1 January of year 1 (chrono's `num_days_from_ce`).
pub type Day = i32;

/// "No date": unknown work.
pub const NONE: Day = Day::MIN;

/// What a node's own finish is, with its day where it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Complete on its day; does not move.
    Done,
    /// Finishes on its day or after what it waits on.
    Date,
    /// Finishes when what it waits on finishes.
    Follows,
    /// No forecast.
    Unknown,
}

/// The compiled schedule.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The node index of each position in topological order.
    pub node: Vec<u32>,
    /// The position of each node index.
    pub position: Vec<u32>,
    /// Incoming edges of position `i`: `in_from[in_start[i]..in_start[i + 1]]`.
    pub in_start: Vec<u32>,
    /// The position each incoming edge comes from.
    pub in_from: Vec<u32>,
    /// Each incoming edge's lag in days (its calendar months, if any, are in `in_months`).
    pub in_days: Vec<i32>,
    /// Each incoming edge's lag in calendar months, which cannot be counted in days (almost
    /// always zero).
    pub in_months: Vec<u32>,
    /// Own finish kind per position.
    pub kind: Vec<Kind>,
    /// Own finish day per position (`NONE` where it has none).
    pub own: Vec<Day>,
}

/// A day number of a date.
pub fn day(d: NaiveDate) -> Day {
    use chrono::Datelike;
    d.num_days_from_ce()
}

/// The date of a day number.
pub fn date(d: Day) -> Option<NaiveDate> {
    if d == NONE { None } else { NaiveDate::from_num_days_from_ce_opt(d) }
}

/// `d` plus a lag of `months` calendar months and `days` days, as [`Span::after`] counts them.
#[inline]
pub fn plus(d: Day, months: u32, days: i32) -> Day {
    if months == 0 {
        return d.saturating_add(days);
    }
    match date(d) {
        Some(x) => day(Span { months, days: days.max(0) as u32 }.after(x)),
        None => d,
    }
}

impl Compiled {
    /// Compile a graph with each edge's lag (by edge index) and each node's own finish.
    pub fn new(graph: &Graph, lag: &[Span], own: &[Own]) -> Compiled {
        let n = graph.order.len();
        let mut position = vec![0u32; n];
        let mut node = Vec::with_capacity(n);
        for (i, &x) in graph.order.iter().enumerate() {
            position[x.index()] = i as u32;
            node.push(x.index() as u32);
        }
        let mut in_start = Vec::with_capacity(n + 1);
        let mut in_from = Vec::with_capacity(graph.dag.edge_count());
        let mut in_days = Vec::with_capacity(graph.dag.edge_count());
        let mut in_months = Vec::with_capacity(graph.dag.edge_count());
        let mut kind = Vec::with_capacity(n);
        let mut own_day = Vec::with_capacity(n);
        for &x in &graph.order {
            in_start.push(in_from.len() as u32);
            // In the order petgraph lists them, so that ties break as the graph walk does.
            for e in graph.dag.edges_directed(x, Direction::Incoming) {
                in_from.push(position[e.source().index()]);
                let l = lag[e.id().index()];
                in_days.push(l.days as i32);
                in_months.push(l.months);
            }
            let (k, d) = match own[x.index()] {
                Own::Done(d) => (Kind::Done, day(d)),
                Own::Date(d) => (Kind::Date, day(d)),
                Own::Follows => (Kind::Follows, NONE),
                Own::Unknown => (Kind::Unknown, NONE),
            };
            kind.push(k);
            own_day.push(d);
        }
        in_start.push(in_from.len() as u32);
        Compiled { node, position, in_start, in_from, in_days, in_months, kind, own: own_day }
    }

    /// How many nodes.
    pub fn len(&self) -> usize {
        self.node.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.node.is_empty()
    }

    /// The forecast of every position: the later of its own day and each dependency's finish
    /// plus lag, then `slip[i]` days later (empty: no slips); complete work is fixed; anything
    /// that waits on unknown work is unknown (`NONE`). Writes into `out` (resized to fit).
    #[inline]
    pub fn forward_days(&self, slip: &[i32], out: &mut Vec<Day>) {
        out.clear();
        out.resize(self.len(), NONE);
        for i in 0..self.len() {
            let (mut d, mut known) = match self.kind[i] {
                Kind::Done => {
                    out[i] = self.own[i];
                    continue;
                }
                Kind::Date => (self.own[i], true),
                Kind::Follows => (NONE, true),
                Kind::Unknown => (NONE, false),
            };
            let (a, b) = (self.in_start[i] as usize, self.in_start[i + 1] as usize);
            for k in a..b {
                let f = out[self.in_from[k] as usize];
                if f == NONE {
                    known = false;
                    break;
                }
                let at = plus(f, self.in_months[k], self.in_days[k]);
                if at > d {
                    d = at;
                }
            }
            out[i] = if known && d != NONE {
                match slip.get(i) {
                    Some(&s) if s != 0 => d.saturating_add(s),
                    _ => d,
                }
            } else {
                NONE
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        let d = NaiveDate::from_ymd_opt(2005, 12, 31).unwrap();
        assert_eq!(date(day(d)), Some(d));
        assert_eq!(date(NONE), None);
        assert_eq!(day(NaiveDate::from_ymd_opt(2006, 1, 1).unwrap()) - day(d), 1);
    }

    #[test]
    fn month_lags_keep_month_ends() {
        let may = day(NaiveDate::from_ymd_opt(2005, 5, 31).unwrap());
        let august = day(NaiveDate::from_ymd_opt(2005, 8, 31).unwrap());
        assert_eq!(plus(may, 3, 0), august);
        assert_eq!(plus(may, 0, 92), august);
    }
}
