//! Hook answers remembered by what the hook read: a hook is a pure function of the view it is
//! given, so a call that would read the same values as an earlier one gets that one's answer
//! without running. Which fields a call read is recorded as it runs (each getter of a `Work`
//! view notes its field), so a call that never reads a work's id serves every work whose fields
//! it read are the same. A call that read the id could serve only that work asked again, and is
//! not kept, unless the rule file reads ids only to name the work in its answers' text (see
//! `naming`): then the call runs on views whose ids are placeholders, and its answer serves
//! every work whose other fields read the same, with the work's id put in.
//!
//! The memory is a tree per hook: each node is the field the hook reads next (the script is
//! deterministic, so given the values read so far the next read is always the same), with a
//! branch for each value met, and each leaf an answer. A lookup walks it reading the new view's
//! values; a miss runs the hook with reads recorded and adds its path.

use std::cell::RefCell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;
use rhai::ImmutableString;
use rustc_hash::FxHashMap as HashMap;

use super::api::WorkView;
use super::naming;
use crate::error::Error;
use crate::model::Span;

/// A field of a `Work` view, as the getters note it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Field {
    Id,
    Kind,
    Title,
    Status,
    StatusText,
    Target,
    TargetDate,
    StartDate,
    Phrase,
    Comments,
    WaitsOn,
    /// `has_duration` and `after_duration(start)` both read the duration.
    Duration,
    AsOf,
    Reported,
    Partnership,
    Deadline,
    NeededBy,
    Estimate,
}

/// One field's value, as a key of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Value {
    Text(ImmutableString),
    Date(Option<NaiveDate>),
    Int(i64),
    Bool(bool),
    Span(Option<Span>),
    Estimate(Option<[NaiveDate; 3]>),
}

fn value(w: &WorkView, field: Field) -> Value {
    match field {
        Field::Id => Value::Text(w.id.clone()),
        Field::Kind => Value::Text(w.kind.clone()),
        Field::Title => Value::Text(w.title.clone()),
        Field::Status => Value::Text(w.status.clone()),
        Field::StatusText => Value::Text(w.status_text.clone()),
        Field::Target => Value::Text(w.target.clone()),
        Field::TargetDate => Value::Date(w.target_date),
        Field::StartDate => Value::Date(w.start_date),
        Field::Phrase => Value::Text(w.phrase.clone()),
        Field::Comments => Value::Text(w.comments.clone()),
        Field::WaitsOn => Value::Int(w.waits_on),
        Field::Duration => Value::Span(w.duration),
        Field::AsOf => Value::Date(Some(w.as_of)),
        Field::Reported => Value::Date(Some(w.reported)),
        Field::Partnership => Value::Bool(w.partnership),
        Field::Deadline => Value::Date(w.deadline),
        Field::NeededBy => Value::Date(w.needed_by),
        Field::Estimate => Value::Estimate(w.estimate),
    }
}

thread_local! {
    /// The reads of the call running on this thread, while one is recorded: which argument
    /// (its slot) and which field.
    static READS: RefCell<Option<Vec<(u8, Field)>>> = const { RefCell::new(None) };
}

/// Note that the running call read `field` of the view in argument `slot` (called by every
/// getter of a `Work` view; nothing is kept unless a call is being recorded).
pub(crate) fn note(slot: u8, field: Field) {
    READS.with(|r| {
        if let Some(reads) = r.borrow_mut().as_mut() {
            reads.push((slot, field));
        }
    });
}

/// Run `call` with its reads recorded, first reads first, each field once.
fn recorded<A>(call: impl FnOnce() -> A) -> (A, Vec<(u8, Field)>) {
    let outer = READS.with(|r| r.borrow_mut().replace(Vec::new()));
    let answer = call();
    let mut reads =
        READS.with(|r| std::mem::replace(&mut *r.borrow_mut(), outer)).unwrap_or_default();
    // A call reads a few fields: a look back along the list finds the repeats.
    let mut kept = 0;
    for i in 0..reads.len() {
        if !reads[..kept].contains(&reads[i]) {
            reads[kept] = reads[i];
            kept += 1;
        }
    }
    reads.truncate(kept);
    (answer, reads)
}

enum Node<A> {
    /// Nothing known yet past this point.
    Open,
    /// The hook reads this field of this argument next.
    Read { slot: u8, field: Field, next: Branches },
    /// The hook answers without reading more: the answer, and whether it holds placeholders
    /// for the views' ids (see `naming`).
    Answer(A, bool),
}

/// The nodes after a read, by the value read. Most reads meet one value or a few (a status, a
/// target's kind), so a few are kept in a list, and a map is made only for many, hashed with a
/// fast hasher (a model crafted to collide slows only its own run, as for the graph's index).
enum Branches {
    Few(Vec<(Value, usize)>),
    Many(HashMap<Value, usize>),
}

/// How many values a read keeps in a list before it keeps them in a map.
const FEW: usize = 8;

impl Branches {
    fn one(key: Value, node: usize) -> Self {
        Branches::Few(vec![(key, node)])
    }

    fn get(&self, key: &Value) -> Option<usize> {
        match self {
            Branches::Few(list) => list.iter().find(|(k, _)| k == key).map(|&(_, n)| n),
            Branches::Many(map) => map.get(key).copied(),
        }
    }

    fn insert(&mut self, key: Value, node: usize) {
        match self {
            Branches::Few(list) if list.len() < FEW => list.push((key, node)),
            Branches::Few(list) => {
                let mut map: HashMap<Value, usize> = list.drain(..).collect();
                map.insert(key, node);
                *self = Branches::Many(map);
            }
            Branches::Many(map) => {
                map.insert(key, node);
            }
        }
    }
}

/// The remembered answers of one hook (see the module's page), and how often they served.
pub(crate) struct Memo<A> {
    tree: Mutex<Tree<A>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

struct Tree<A> {
    nodes: Vec<Node<A>>,
    /// A root per value of what every answer depends on besides the views' reads (the as-of
    /// date, which the answer's checks use, and an edge's mark).
    roots: HashMap<(NaiveDate, u8), usize>,
    /// An answer with placeholders was found to differ from the real call's: none is kept for
    /// the rest of the run.
    unnamed: bool,
}

impl<A> Default for Memo<A> {
    fn default() -> Self {
        Memo {
            tree: Mutex::new(Tree { nodes: Vec::new(), roots: HashMap::default(), unnamed: false }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }
}

/// An answer that may name the work it was asked for (see `naming`).
pub(crate) trait Named: Clone + PartialEq {
    /// The answer with the placeholder of each view's id put back as that id (`ids[slot]`).
    fn filled(self, ids: &[&str]) -> Self;
}

impl Named for NaiveDate {
    fn filled(self, _: &[&str]) -> Self {
        self
    }
}

impl<A: Named> Memo<A> {
    /// The answer for `views` (argument 0, 1...) and `extra`: remembered, or from `call`, which
    /// runs the hook on the views it is given and decodes its answer. Errors are never
    /// remembered.
    ///
    /// `naming`: whether the hook's file reads a work's id only to name the work in its
    /// answers' text (see `naming`), asked only when the memory has no answer. A call that reads an id then runs on views whose ids are placeholders,
    /// and that answer is kept, to serve every call whose views read the same but for their
    /// ids, with their ids put in. It is checked first against the call on the real views: one
    /// that differs (a script can make the placeholders' marker at run time, which the reading
    /// of the file cannot see) clears the memory and stops the naming for the run. Such a call
    /// runs twice and counts as one miss.
    pub(crate) fn answer(
        &self,
        views: &[&WorkView],
        extra: (NaiveDate, u8),
        naming: impl FnOnce() -> bool,
        call: impl Fn(&[&WorkView]) -> Result<A, Error>,
    ) -> Result<A, Error> {
        let ids = || views.iter().map(|v| v.id.as_str()).collect::<Vec<_>>();
        // An id longer than a placeholder could make a text too long where the placeholder
        // did not (an id is never longer but in a model that breaks the bound on ids).
        let fits = views.iter().all(|v| v.id.len() <= naming::PLACEHOLDER_BYTES);
        if let Some((a, named)) = self.lock().find(views, extra)
            && (!named || fits)
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(if named { a.filled(&ids()) } else { a });
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        if !fits || self.lock().unnamed || !naming() {
            let (answer, reads) = recorded(|| call(views));
            let answer = answer?;
            // An answer that read a work's id could serve only that work asked again on the
            // same date, which a run seldom does, and keeping one per work is most of a large
            // model's memo. So it is not kept.
            if !reads.iter().any(|&(_, field)| field == Field::Id) {
                self.lock().insert(views, extra, &reads, (answer.clone(), false));
            }
            return Ok(answer);
        }
        let stand_ins: Vec<WorkView> = (0u8..).zip(views).map(|(slot, v)| v.named(slot)).collect();
        let asked: Vec<&WorkView> = stand_ins.iter().collect();
        let (answer, reads) = recorded(|| call(&asked));
        // An error is the real call's (its message names the work).
        let Ok(answer) = answer else { return call(views) };
        let (reads, read_id): (Vec<_>, Vec<_>) =
            reads.into_iter().partition(|&(_, field)| field != Field::Id);
        if read_id.is_empty() {
            // The id was not read, so the placeholders made no difference.
            self.lock().insert(views, extra, &reads, (answer.clone(), false));
            return Ok(answer);
        }
        let real = call(views)?;
        let same = answer.clone().filled(&ids()) == real;
        let mut tree = self.lock();
        if same && !tree.unnamed {
            tree.insert(views, extra, &reads, (answer, true));
        } else if !same {
            // The file's reading missed something (a script can make the marker at run time):
            // nothing named is trusted for the rest of the run.
            tree.unnamed = true;
            tree.nodes.clear();
            tree.roots.clear();
        }
        Ok(real)
    }

    /// How many calls were answered from memory, and how many ran.
    pub(crate) fn counts(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tree<A>> {
        // A panic while holding the lock leaves a tree that is still whole.
        self.tree.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<A: Clone> Tree<A> {
    fn find(&self, views: &[&WorkView], extra: (NaiveDate, u8)) -> Option<(A, bool)> {
        let mut at = *self.roots.get(&extra)?;
        loop {
            match &self.nodes[at] {
                Node::Open => return None,
                Node::Answer(a, named) => return Some((a.clone(), *named)),
                Node::Read { slot, field, next } => {
                    let view = views.get(usize::from(*slot))?;
                    at = next.get(&value(view, *field))?;
                }
            }
        }
    }

    fn insert(
        &mut self,
        views: &[&WorkView],
        extra: (NaiveDate, u8),
        reads: &[(u8, Field)],
        answer: (A, bool),
    ) {
        let mut at = match self.roots.get(&extra) {
            Some(&root) => root,
            None => {
                self.nodes.push(Node::Open);
                self.roots.insert(extra, self.nodes.len() - 1);
                self.nodes.len() - 1
            }
        };
        for &(slot, field) in reads {
            let Some(view) = views.get(usize::from(slot)) else { return };
            let key = value(view, field);
            let fresh = self.nodes.len();
            let next = match &mut self.nodes[at] {
                node @ Node::Open => {
                    *node = Node::Read { slot, field, next: Branches::one(key, fresh) };
                    None
                }
                Node::Read { slot: s, field: f, next } if (*s, *f) == (slot, field) => {
                    match next.get(&key) {
                        Some(n) => Some(n),
                        None => {
                            next.insert(key, fresh);
                            None
                        }
                    }
                }
                // A hook that read otherwise than before on the same values (it cannot, being
                // pure) or answered already: keep what is known.
                _ => return,
            };
            at = match next {
                Some(n) => n,
                None => {
                    self.nodes.push(Node::Open);
                    fresh
                }
            };
        }
        if let Node::Open = self.nodes[at] {
            self.nodes[at] = Node::Answer(answer.0, answer.1);
        }
    }
}
