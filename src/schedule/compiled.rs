//! The schedule compiled for speed: the graph in its topological order as flat arrays (incoming
//! and outgoing edges as compressed rows, each with its lag in days), so that the forward and
//! backward passes, the driving chains and the upstream sets are loops over memory with no graph
//! walking and no calendar types (dates become day numbers on the way in and dates again on the
//! way out). Compiled once per graph and set of lags; a scenario is an overlay on it (its own
//! finishes and slips), and [`Compiled::update`] carries a change through its downstream cone
//! alone. The assessment, what-if, sensitivity, BVPI 157, the risk plan and the simulation all
//! run on it.

use chrono::NaiveDate;
use petgraph::Direction;
use petgraph::graph::NodeIndex;
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

/// A day number of a date.
pub fn day(d: NaiveDate) -> Day {
    use chrono::Datelike;
    d.num_days_from_ce()
}

/// The date of a day number.
pub fn date(d: Day) -> Option<NaiveDate> {
    if d == NONE { None } else { NaiveDate::from_num_days_from_ce_opt(d) }
}

/// The day number of the calendar's last day (`NaiveDate::MAX`), checked by a test.
pub const MAX_DAY: Day = 95_745_399;

/// The day number of the calendar's first day (`NaiveDate::MIN`), checked by a test.
pub const MIN_DAY: Day = -95_746_129;

/// `d` plus a lag of `months` calendar months and `days` days, as [`Span::after`] counts them
/// (past the calendar's end: its last day).
#[inline]
pub fn plus(d: Day, months: u32, days: i32) -> Day {
    if months == 0 {
        return d.saturating_add(days).min(MAX_DAY);
    }
    match date(d) {
        Some(x) => day(Span { months, days: days.max(0) as u32 }.after(x)),
        None => d,
    }
}

/// `d` less a lag of `months` calendar months and `days` days, as [`Span::before`] counts
/// them (before the calendar's start: its first day).
#[inline]
pub fn minus(d: Day, months: u32, days: i32) -> Day {
    if months == 0 {
        return d.saturating_sub(days).max(MIN_DAY);
    }
    match date(d) {
        Some(x) => day(Span { months, days: days.max(0) as u32 }.before(x)),
        None => d,
    }
}

/// The compiled schedule: the graph's structure in topological order, with each edge's lag.
/// Built once per graph and set of lags; own finishes come with each pass (a scenario changes
/// them), so one compiled schedule serves a baseline and all its scenarios.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The node index of each position in topological order.
    pub node: Vec<u32>,
    /// The position of each node index.
    pub position: Vec<u32>,
    /// Incoming edges of position `i`: `in_from[in_start[i]..in_start[i + 1]]`, in the order
    /// petgraph lists them.
    pub in_start: Vec<u32>,
    /// The position each incoming edge comes from.
    pub in_from: Vec<u32>,
    /// Each incoming edge's lag in days (its calendar months, if any, are in `in_months`).
    pub in_days: Vec<i32>,
    /// Each incoming edge's lag in calendar months, which cannot be counted in days (almost
    /// always zero).
    pub in_months: Vec<u32>,
    /// Outgoing edges of position `i`: `out_to[out_start[i]..out_start[i + 1]]`, the positions
    /// that wait on it.
    pub out_start: Vec<u32>,
    /// The position each outgoing edge goes to.
    pub out_to: Vec<u32>,
}

/// Own finishes by position, as day numbers: what [`Compiled::forward_days`] runs on.
#[derive(Debug, Clone)]
pub struct Owns {
    /// Own finish kind per position.
    pub kind: Vec<Kind>,
    /// Own finish day per position (`NONE` where it has none).
    pub day: Vec<Day>,
}

/// The forward pass by position: each node's forecast finish and the earliest it can finish,
/// and both before its own slip. `NONE` where there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pass {
    /// Forecast finish (`NONE`: unknown).
    pub forecast: Vec<Day>,
    /// The earliest it can finish from what is known, even where its forecast is unknown: the
    /// later of its own date and its known dependencies' finishes plus lag.
    pub floor: Vec<Day>,
    /// Forecast finish before its own slip (equal to `forecast` where nothing slips).
    pub unslipped: Vec<Day>,
    /// Earliest finish before its own slip.
    pub unslipped_floor: Vec<Day>,
}

/// One position's four finishes: forecast, floor, and both before its own slip.
pub type Step = [Day; 4];

impl Pass {
    /// A position's four finishes.
    #[inline]
    pub fn get(&self, i: usize) -> Step {
        [self.forecast[i], self.floor[i], self.unslipped[i], self.unslipped_floor[i]]
    }

    /// Set a position's four finishes.
    #[inline]
    pub fn set(&mut self, i: usize, s: Step) {
        [self.forecast[i], self.floor[i], self.unslipped[i], self.unslipped_floor[i]] = s;
    }
}

/// The kind and day number of an own finish.
#[inline]
fn own_day(own: Own) -> (Kind, Day) {
    match own {
        Own::Done(d) => (Kind::Done, day(d)),
        Own::Date(d) => (Kind::Date, day(d)),
        Own::Follows => (Kind::Follows, NONE),
        Own::Unknown => (Kind::Unknown, NONE),
    }
}

impl Compiled {
    /// Compile a graph with each edge's lag (by edge index).
    pub fn new(graph: &Graph, lag: &[Span]) -> Compiled {
        // Incoming edges in the order petgraph lists them, so that ties break as they always
        // have.
        Compiled::build(&graph.order, graph.dag.edge_count(), |x| {
            graph
                .dag
                .edges_directed(x, Direction::Incoming)
                .map(|e| (e.source(), lag[e.id().index()]))
        })
    }

    /// Compile nodes in topological `order` with `edges` edges in all, each node waiting on what
    /// `incoming` lists for it (each with its lag).
    fn build<I: Iterator<Item = (NodeIndex, Span)>>(
        order: &[NodeIndex],
        edges: usize,
        incoming: impl Fn(NodeIndex) -> I,
    ) -> Compiled {
        let n = order.len();
        let mut position = vec![0u32; n];
        let mut node = Vec::with_capacity(n);
        for (i, &x) in order.iter().enumerate() {
            position[x.index()] = i as u32;
            node.push(x.index() as u32);
        }
        let mut in_start = Vec::with_capacity(n + 1);
        let mut in_from = Vec::with_capacity(edges);
        let mut in_days = Vec::with_capacity(edges);
        let mut in_months = Vec::with_capacity(edges);
        let mut out_start = vec![0u32; n + 1];
        for &x in order {
            in_start.push(in_from.len() as u32);
            for (source, l) in incoming(x) {
                let from = position[source.index()];
                in_from.push(from);
                out_start[from as usize + 1] += 1;
                in_days.push(l.days as i32);
                in_months.push(l.months);
            }
        }
        in_start.push(in_from.len() as u32);
        // Outgoing edges: the incoming ones sorted by where they come from (a counting sort).
        for i in 0..n {
            out_start[i + 1] += out_start[i];
        }
        let mut fill = out_start.clone();
        let mut out_to = vec![0u32; in_from.len()];
        for i in 0..n {
            for &from in &in_from[in_start[i] as usize..in_start[i + 1] as usize] {
                out_to[fill[from as usize] as usize] = i as u32;
                fill[from as usize] += 1;
            }
        }
        Compiled { node, position, in_start, in_from, in_days, in_months, out_start, out_to }
    }

    /// How many nodes.
    pub fn len(&self) -> usize {
        self.node.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.node.is_empty()
    }

    /// The position of a node.
    #[inline]
    pub fn at(&self, n: NodeIndex) -> usize {
        self.position[n.index()] as usize
    }

    /// The node at a position.
    #[inline]
    pub fn node_at(&self, i: usize) -> NodeIndex {
        NodeIndex::new(self.node[i] as usize)
    }

    /// Position `i`'s incoming edges, as indexes into `in_from`, `in_days` and `in_months`.
    #[inline]
    pub fn incoming(&self, i: usize) -> std::ops::Range<usize> {
        self.in_start[i] as usize..self.in_start[i + 1] as usize
    }

    /// The positions that wait on position `i`.
    #[inline]
    pub fn waiting(&self, i: usize) -> &[u32] {
        &self.out_to[self.out_start[i] as usize..self.out_start[i + 1] as usize]
    }

    /// Own finishes (by node index) as day numbers by position.
    pub fn owns(&self, own: &[Own]) -> Owns {
        let (kind, day) = self.node.iter().map(|&x| own_day(own[x as usize])).unzip();
        Owns { kind, day }
    }

    /// Values by position as dates by node index: where calendar types come back.
    pub fn dates(&self, by_position: &[Day]) -> Vec<Option<NaiveDate>> {
        self.position.iter().map(|&i| date(by_position[i as usize])).collect()
    }

    /// The date of node `n` in values by position.
    #[inline]
    pub fn date_of(&self, by_position: &[Day], n: NodeIndex) -> Option<NaiveDate> {
        date(by_position[self.at(n)])
    }

    /// Position `i`'s finishes from what its dependencies' finishes are in `pass` now, with own
    /// finish `own` and slip `slip`: the later of its own date and each dependency's finish
    /// plus lag, then later still by its slip. Anything that waits on unknown work is unknown;
    /// complete work is fixed and does not slip.
    #[inline]
    pub fn step(&self, pass: &Pass, i: usize, own: Own, slip: Option<Span>) -> Step {
        let (kind, mut d) = own_day(own);
        let mut known = match kind {
            Kind::Done => return [d; 4],
            Kind::Date | Kind::Follows => true,
            Kind::Unknown => false,
        };
        let mut least = d;
        for k in self.incoming(i) {
            let p = self.in_from[k] as usize;
            let (months, days) = (self.in_months[k], self.in_days[k]);
            match pass.forecast[p] {
                NONE => known = false,
                f => d = d.max(plus(f, months, days)),
            }
            let f = pass.floor[p];
            if f != NONE {
                least = least.max(plus(f, months, days));
            }
        }
        let d = if known { d } else { NONE };
        let slipped = |x: Day| match slip {
            Some(s) if x != NONE => plus(x, s.months, s.days as i32),
            _ => x,
        };
        [slipped(d), slipped(least), d, least]
    }

    /// The forward pass: every position's finishes, from own finishes and slips by node index
    /// (`slip` empty: none).
    pub fn forward(&self, own: &[Own], slip: &[Option<Span>]) -> Pass {
        let n = self.len();
        let mut pass = Pass {
            forecast: vec![NONE; n],
            floor: vec![NONE; n],
            unslipped: vec![NONE; n],
            unslipped_floor: vec![NONE; n],
        };
        for i in 0..n {
            let x = self.node[i] as usize;
            let step = self.step(&pass, i, own[x], slip.get(x).copied().flatten());
            pass.set(i, step);
        }
        pass
    }

    /// Bring `pass` up to date after the own finishes or slips (by node index) of the positions
    /// `seeds` changed: each seed is recomputed, then whatever waits on a position whose
    /// finishes moved, in topological order, stopping where nothing moves; so only the changed
    /// positions' downstream cone is visited, and the result equals [`Compiled::forward`].
    /// Each changed position's finishes from before are pushed onto `undo`, in the order
    /// changed (restore them in reverse to go back).
    pub fn update(
        &self,
        pass: &mut Pass,
        own: &[Own],
        slip: &[Option<Span>],
        seeds: &[usize],
        undo: &mut Vec<(usize, Step)>,
    ) {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let mut heap: BinaryHeap<Reverse<usize>> = seeds.iter().copied().map(Reverse).collect();
        let mut last = None;
        while let Some(Reverse(i)) = heap.pop() {
            // A position queued twice comes off the heap twice in a row.
            if last == Some(i) {
                continue;
            }
            last = Some(i);
            let x = self.node[i] as usize;
            let old = pass.get(i);
            let step = self.step(pass, i, own[x], slip.get(x).copied().flatten());
            if step == old {
                continue;
            }
            undo.push((i, old));
            pass.set(i, step);
            for &y in self.waiting(i) {
                heap.push(Reverse(y as usize));
            }
        }
    }

    /// Latest finish of every position such that every outcome it feeds meets its deadline
    /// (`NONE`: it feeds no outcome with a deadline). `deadline` is by node index.
    pub fn backward(&self, deadline: &[Option<NaiveDate>]) -> Vec<Day> {
        let mut latest: Vec<Day> =
            self.node.iter().map(|&x| deadline[x as usize].map_or(NONE, day)).collect();
        // In reverse order a position's latest finish is final when it is reached (all that
        // waits on it comes later in the order and has handed its own down), so it is handed on
        // to what it waits on.
        for i in (0..self.len()).rev() {
            let l = latest[i];
            if l == NONE {
                continue;
            }
            for k in self.incoming(i) {
                let by = minus(l, self.in_months[k], self.in_days[k]);
                let slot = &mut latest[self.in_from[k] as usize];
                if *slot == NONE || by < *slot {
                    *slot = by;
                }
            }
        }
        latest
    }

    /// The chain of nodes that sets `node`'s forecast, from the root cause to `node`.
    ///
    /// At each step the chain moves to the dependency whose finish plus lag equals this node's
    /// forecast before its own slip (for unknown forecasts: to a dependency that is unknown);
    /// on a tie the dependency earliest in the model wins, and a dependency wins over the
    /// node's own date. The chain stops at complete work, at unknown work, and where the node's
    /// own date alone sets its forecast.
    pub fn drivers(&self, own: &[Own], pass: &Pass, node: NodeIndex) -> Vec<NodeIndex> {
        self.chain(own, &pass.forecast, &pass.unslipped, true, node)
    }

    /// The chain of nodes that sets `node`'s earliest possible finish (its floor), from the root
    /// cause to `node`: for work whose forecast is unknown, the dated work that already makes it
    /// this late. Moves as [`Compiled::drivers`] does, through unknown work too.
    pub fn floor_drivers(&self, own: &[Own], pass: &Pass, node: NodeIndex) -> Vec<NodeIndex> {
        self.chain(own, &pass.floor, &pass.unslipped_floor, false, node)
    }

    fn chain(
        &self,
        own: &[Own],
        finish: &[Day],
        unslipped: &[Day],
        stop_at_unknown: bool,
        node: NodeIndex,
    ) -> Vec<NodeIndex> {
        let mut chain = vec![node];
        let mut i = self.at(node);
        loop {
            match own[self.node[i] as usize] {
                Own::Done(_) => break,
                Own::Unknown if stop_at_unknown => break,
                _ => {}
            }
            let f = unslipped[i];
            // Of the dependencies that set it, the one earliest in the model (lowest node index).
            let next = self
                .incoming(i)
                .filter(|&k| {
                    let pf = finish[self.in_from[k] as usize];
                    if f == NONE {
                        stop_at_unknown && pf == NONE
                    } else {
                        pf != NONE && plus(pf, self.in_months[k], self.in_days[k]) == f
                    }
                })
                .map(|k| self.in_from[k] as usize)
                .min_by_key(|&p| self.node[p]);
            // Positions fall along the chain, so it cannot come back to itself.
            match next {
                Some(p) => {
                    chain.push(self.node_at(p));
                    i = p;
                }
                None => break,
            }
        }
        chain.reverse();
        chain
    }

    /// Every node each of `targets` still depends on, in index order: what it waits on,
    /// directly or not, not looking past complete work (which no longer waits on anything).
    /// One pass over the schedule rather than one walk per target: each position carries the
    /// set of targets it is upstream of (a bit per target), handed from each position to what
    /// it waits on, in reverse topological order.
    pub fn upstream_open_each(&self, own: &[Own], targets: &[NodeIndex]) -> Vec<Vec<NodeIndex>> {
        let words = targets.len().div_ceil(64).max(1);
        let n = self.len();
        // A target named twice has the bit of its first place in `targets`, and its answer is
        // copied to the others at the end.
        let mut target_bit = vec![None; n];
        let mut first = Vec::with_capacity(targets.len());
        for (t, &x) in targets.iter().enumerate() {
            first.push(*target_bit[self.at(x)].get_or_insert(t));
        }
        // `reach[i * words..][..words]`: the targets position `i` is upstream of.
        let mut reach = vec![0u64; n * words];
        let mut hand_on = vec![0u64; words];
        for i in (0..n).rev() {
            // What `i` hands to what it waits on: the targets beyond it, unless it is complete
            // (nothing is looked for past complete work), and itself if it is a target.
            if matches!(own[self.node[i] as usize], Own::Done(_)) {
                hand_on.fill(0);
            } else {
                hand_on.copy_from_slice(&reach[i * words..][..words]);
            }
            if let Some(t) = target_bit[i] {
                hand_on[t / 64] |= 1 << (t % 64);
            }
            if hand_on.iter().all(|w| *w == 0) {
                continue;
            }
            for &p in &self.in_from[self.incoming(i)] {
                let row = &mut reach[p as usize * words..][..words];
                for (r, h) in row.iter_mut().zip(&hand_on) {
                    *r |= h;
                }
            }
        }
        let mut out = vec![Vec::new(); targets.len()];
        for (x, &i) in self.position.iter().enumerate() {
            for (w, &bits) in reach[i as usize * words..][..words].iter().enumerate() {
                let mut bits = bits;
                while bits != 0 {
                    let t = w * 64 + bits.trailing_zeros() as usize;
                    out[t].push(NodeIndex::new(x));
                    bits &= bits - 1;
                }
            }
        }
        for (t, &f) in first.iter().enumerate() {
            if f != t {
                out[t] = out[f].clone();
            }
        }
        out
    }

    /// The forecast of every position, from own finishes by position: the later of its own day
    /// and each dependency's finish plus lag, then `slip[i]` days later (empty: no slips);
    /// complete work is fixed; anything that waits on unknown work is unknown (`NONE`). Writes
    /// into `out` (resized to fit). The simulation's pass: forecasts alone, no floors.
    #[inline]
    pub fn forward_days(&self, owns: &Owns, slip: &[i32], out: &mut Vec<Day>) {
        out.clear();
        out.resize(self.len(), NONE);
        for i in 0..self.len() {
            let (mut d, mut known) = match owns.kind[i] {
                Kind::Done => {
                    out[i] = owns.day[i];
                    continue;
                }
                Kind::Date => (owns.day[i], true),
                Kind::Follows => (NONE, true),
                Kind::Unknown => (NONE, false),
            };
            for k in self.incoming(i) {
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
                    Some(&s) if s != 0 => d.saturating_add(s).min(MAX_DAY),
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

    fn on(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn days(n: u32) -> Span {
        Span { months: 0, days: n }
    }

    /// A schedule of `n` nodes whose order is their index, with `edges` (from, to, lag).
    fn schedule(n: usize, edges: &[(usize, usize, Span)]) -> Compiled {
        let order: Vec<NodeIndex> = (0..n).map(NodeIndex::new).collect();
        Compiled::build(&order, edges.len(), |x| {
            edges.iter().filter(move |e| e.1 == x.index()).map(|e| (NodeIndex::new(e.0), e.2))
        })
    }

    fn forecasts(c: &Compiled, own: &[Own], slip: &[Option<Span>]) -> Vec<Option<NaiveDate>> {
        c.dates(&c.forward(own, slip).forecast)
    }

    #[test]
    fn day_numbers_round_trip() {
        let d = on(2005, 12, 31);
        assert_eq!(date(day(d)), Some(d));
        assert_eq!(date(NONE), None);
        assert_eq!(day(on(2006, 1, 1)) - day(d), 1);
    }

    #[test]
    fn the_calendar_bounds_are_chronos() {
        assert_eq!(MAX_DAY, day(NaiveDate::MAX));
        assert_eq!(MIN_DAY, day(NaiveDate::MIN));
        // Past either end, a lag stops at the end, as `Span` does.
        assert_eq!(plus(MAX_DAY - 1, 0, 10), MAX_DAY);
        assert_eq!(date(plus(MAX_DAY - 1, 0, 10)), Some(days(10).after(NaiveDate::MAX)));
        assert_eq!(minus(MIN_DAY + 1, 0, 10), MIN_DAY);
        assert_eq!(date(minus(MIN_DAY + 1, 0, 10)), Some(days(10).before(NaiveDate::MIN)));
    }

    #[test]
    fn month_lags_keep_month_ends() {
        let may = day(on(2005, 5, 31));
        let august = day(on(2005, 8, 31));
        assert_eq!(plus(may, 3, 0), august);
        assert_eq!(plus(may, 0, 92), august);
        assert_eq!(minus(august, 3, 0), may);
        assert_eq!(minus(day(on(2005, 9, 30)), 1, 0), august);
    }

    /// 0 -> 2 (10 days), 1 -> 2, 2 -> 3 (a month): node 3 has no date of its own.
    fn diamond() -> Compiled {
        schedule(4, &[(0, 2, days(10)), (1, 2, days(0)), (2, 3, Span { months: 1, days: 0 })])
    }

    fn dated() -> [Own; 4] {
        [
            Own::Date(on(2005, 6, 30)),
            Own::Date(on(2005, 7, 5)),
            Own::Date(on(2005, 7, 1)),
            Own::Follows,
        ]
    }

    #[test]
    fn forward_takes_the_latest_dependency_plus_its_lag() {
        let f = forecasts(&diamond(), &dated(), &[]);
        let expected = [on(2005, 6, 30), on(2005, 7, 5), on(2005, 7, 10), on(2005, 8, 10)];
        assert_eq!(f, expected.map(Some));
    }

    #[test]
    fn unknown_work_withholds_what_waits_on_it_but_keeps_a_floor() {
        let c = diamond();
        let mut own = dated();
        own[0] = Own::Unknown;
        let pass = c.forward(&own, &[]);
        assert_eq!(c.dates(&pass.forecast), [None, Some(on(2005, 7, 5)), None, None]);
        assert_eq!(
            c.dates(&pass.floor),
            [None, Some(on(2005, 7, 5)), Some(on(2005, 7, 5)), Some(on(2005, 8, 5))]
        );
    }

    #[test]
    fn complete_work_is_fixed_and_a_slip_moves_what_waits_on_it() {
        let c = diamond();
        let mut own = dated();
        own[2] = Own::Done(on(2005, 5, 1));
        assert_eq!(forecasts(&c, &own, &[])[2..], [Some(on(2005, 5, 1)), Some(on(2005, 6, 1))]);
        let slip = [Some(days(10)), None, None, None];
        let pass = c.forward(&dated(), &slip);
        assert_eq!(c.date_of(&pass.forecast, NodeIndex::new(0)), Some(on(2005, 7, 10)));
        assert_eq!(c.date_of(&pass.unslipped, NodeIndex::new(0)), Some(on(2005, 6, 30)));
        assert_eq!(c.date_of(&pass.forecast, NodeIndex::new(3)), Some(on(2005, 8, 20)));
    }

    #[test]
    fn backward_takes_the_earliest_deadline_less_each_lag() {
        let c = diamond();
        let mut deadline = [None, None, Some(on(2005, 11, 1)), Some(on(2005, 12, 31))];
        // 2's own deadline is earlier than 3's less a month (30 November): it wins.
        assert_eq!(
            c.dates(&c.backward(&deadline)),
            [
                Some(on(2005, 10, 22)),
                Some(on(2005, 11, 1)),
                Some(on(2005, 11, 1)),
                Some(on(2005, 12, 31))
            ]
        );
        deadline[2] = None;
        assert_eq!(
            c.dates(&c.backward(&deadline)),
            [
                Some(on(2005, 11, 20)),
                Some(on(2005, 11, 30)),
                Some(on(2005, 11, 30)),
                Some(on(2005, 12, 31))
            ]
        );
        assert_eq!(c.dates(&c.backward(&[None; 4])), [None; 4]);
    }

    #[test]
    fn drivers_follow_the_dependency_that_sets_each_finish() {
        let c = diamond();
        let own = dated();
        let ids = |chain: Vec<NodeIndex>| chain.iter().map(|n| n.index()).collect::<Vec<_>>();
        assert_eq!(ids(c.drivers(&own, &c.forward(&own, &[]), NodeIndex::new(3))), [0, 2, 3]);
        // A tie goes to the dependency earliest in the model.
        let mut tie = own;
        tie[1] = Own::Date(on(2005, 7, 10));
        assert_eq!(ids(c.drivers(&tie, &c.forward(&tie, &[]), NodeIndex::new(3))), [0, 2, 3]);
        // Its own date sets it: the chain stops there.
        let mut late = own;
        late[2] = Own::Date(on(2005, 9, 1));
        assert_eq!(ids(c.drivers(&late, &c.forward(&late, &[]), NodeIndex::new(3))), [2, 3]);
        // Unknown work: the forecast's chain leads to it, the floor's to the dated work.
        let mut unknown = own;
        unknown[0] = Own::Unknown;
        let pass = c.forward(&unknown, &[]);
        assert_eq!(ids(c.drivers(&unknown, &pass, NodeIndex::new(3))), [0, 2, 3]);
        assert_eq!(ids(c.floor_drivers(&unknown, &pass, NodeIndex::new(3))), [1, 2, 3]);
    }

    #[test]
    fn an_update_equals_a_full_pass_and_undoes() {
        let c = diamond();
        let own = dated();
        let before = c.forward(&own, &[]);
        for (node, change) in [
            (0, Own::Date(on(2005, 9, 1))),
            (0, Own::Date(on(2005, 1, 1))),
            (1, Own::Unknown),
            (2, Own::Done(on(2005, 4, 1))),
        ] {
            let mut changed = own;
            changed[node] = change;
            let mut pass = before.clone();
            let mut undo = Vec::new();
            c.update(&mut pass, &changed, &[], &[c.at(NodeIndex::new(node))], &mut undo);
            assert_eq!(pass, c.forward(&changed, &[]), "node {node} changed to {change:?}");
            for (i, old) in undo.into_iter().rev() {
                pass.set(i, old);
            }
            assert_eq!(pass, before);
        }
    }

    #[test]
    fn upstream_sets_stop_at_complete_work() {
        let c = diamond();
        let mut own = dated();
        let all: Vec<NodeIndex> = (0..4).map(NodeIndex::new).collect();
        let ids = |sets: Vec<Vec<NodeIndex>>| {
            sets.iter().map(|s| s.iter().map(|n| n.index()).collect()).collect::<Vec<Vec<_>>>()
        };
        assert_eq!(
            ids(c.upstream_open_each(&own, &all)),
            [vec![], vec![], vec![0, 1], vec![0, 1, 2]]
        );
        own[2] = Own::Done(on(2005, 4, 1));
        assert_eq!(ids(c.upstream_open_each(&own, &all)), [vec![], vec![], vec![0, 1], vec![2]]);
    }
}
