//! The rhai rule scripts: the judgements a council reads and changes (deadlines, re-forecasting,
//! classification). Each script is compiled once; its top-level constants are folded into its
//! functions; hooks are then called without re-running the script body.
//!
//! Scripts run sandboxed: no file, module or network access (the engine starts from
//! `Engine::new_raw`, with no module resolver), no clock (`no_time`) and no way to wait (rhai's
//! core language package, which holds `sleep`, `exit` and `parse_json`, is left out), no `eval`,
//! no printing, and explicit bounds on operations, call depth, expression depth and string, array
//! and map sizes, and on the wall-clock time a whole run spends in rules.

pub mod answers;
pub mod api;
mod memo;
mod naming;
pub mod trace;
pub mod unit;

use std::cell::Cell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicBlobPackage, BasicFnPackage, BasicIteratorPackage,
    BasicMapPackage, BasicMathPackage, BasicStringPackage, BitFieldPackage, LogicPackage,
    MoreStringPackage, Package,
};
use rhai::{
    AST, CallFnOptions, Dynamic, Engine, EvalAltResult, FuncArgs, Map, Module, OptimizationLevel,
    Position, Scope,
};

use crate::error::{Diagnostic, Error, Location, io_reason};
use crate::model::short_hash;
use trace::Trace;

/// The rule files routemap reads, in the order they are reported, with their embedded defaults.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("deadlines", include_str!("../../rules/deadlines.rhai")),
    ("forecast", include_str!("../../rules/forecast.rhai")),
    ("classify", include_str!("../../rules/classify.rhai")),
    ("funding", include_str!("../../rules/funding.rhai")),
    ("risk", include_str!("../../rules/risk.rhai")),
    ("bvpi", include_str!("../../rules/bvpi.rhai")),
    ("ieg", include_str!("../../rules/ieg.rhai")),
    ("simulate", include_str!("../../rules/simulate.rhai")),
];

/// The hooks each rule file must define, with their number of arguments.
const HOOKS: &[(&str, &[(&str, usize)])] = &[
    ("deadlines", &[("deadline", 1)]),
    ("forecast", &[("own_finish", 1), ("done_on", 1), ("follow_on", 3)]),
    ("classify", &[("classify", 1), ("applies", 1)]),
    ("funding", &[("stream_at_risk", 1), ("weight", 1), ("share", 2)]),
    ("risk", &[("assess", 2), ("propose", 2)]),
    ("bvpi", &[("target", 1), ("enabled", 1), ("needs", 1)]),
    ("ieg", &[("position", 2), ("light", 3), ("checkpoint", 3)]),
    ("simulate", &[("common", 0), ("slip", 2)]),
];

/// Hooks added to a rule file after its first release: a council's own copy of the file that
/// lacks one uses the built-in hook, so that an upgrade does not break it.
const OPTIONAL_HOOKS: &[(&str, &str)] = &[
    ("forecast", "done_on"),
    ("forecast", "follow_on"),
    ("risk", "propose"),
    ("simulate", "common"),
    ("bvpi", "needs"),
    ("classify", "applies"),
    ("ieg", "light"),
    ("ieg", "checkpoint"),
];

/// How many independent hook calls make it worth starting threads for them.
const PARALLEL_FROM: usize = 2_048;

/// The most threads [`Rules::map`] uses.
const MAX_THREADS: usize = 8;

/// Operations one hook call may take before it is stopped as a runaway.
pub const MAX_OPERATIONS: u64 = 200_000;

/// The environment variable that sets the wall-clock budget, in seconds, of a whole run's rule
/// evaluation.
pub const TIME_LIMIT_VAR: &str = "ROUTEMAP_RULES_TIME_LIMIT";

/// The default wall-clock budget of a whole run's rule evaluation, in seconds: far above what
/// the default rules take on a million-node routemap, far below "it seems to hang".
pub const DEFAULT_TIME_LIMIT_SECONDS: u64 = 60;

/// The longest one hook call (or one file's constants) may run, whatever its operation count.
/// An operation is cheap when it works on numbers and short text, but copying, comparing or
/// size-checking a structure of thousands of small arrays is one operation too: 200,000 of
/// those would take minutes. The default rules take microseconds a call, and a call of 200,000
/// plain operations some tens of milliseconds.
pub const MAX_CALL_TIME: Duration = Duration::from_secs(1);

/// How often (in operations) a running script checks the clock: often enough to stop within
/// a tenth of a second even when each operation copies thousands of values, rarely enough to
/// cost nothing measurable.
const CLOCK_EVERY: u64 = 1 << 8;

/// The time a run has spent in rules, shared with the engine's progress callback. Hook calls
/// may run on several threads at once: `spent` is their time summed, and each thread keeps the
/// start of the call it is running.
#[derive(Debug)]
struct Budget {
    limit: Duration,
    /// Nanoseconds spent in finished hook calls, all threads together.
    spent: AtomicU64,
}

thread_local! {
    /// When the hook call running on this thread started.
    static CALL_STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
}

impl Budget {
    fn spent(&self) -> Duration {
        Duration::from_nanos(self.spent.load(Ordering::Relaxed))
    }

    fn exhausted(&self) -> bool {
        let running = CALL_STARTED.get().map_or(Duration::ZERO, |t| t.elapsed());
        self.spent() + running > self.limit
    }

    /// Why a running script must stop now, if it must: the run's budget is spent, or the call
    /// has run longer than [`MAX_CALL_TIME`].
    fn stop(&self) -> Option<&'static str> {
        let running = CALL_STARTED.get().map_or(Duration::ZERO, |t| t.elapsed());
        if self.spent() + running > self.limit {
            Some(OUT_OF_TIME)
        } else if running > MAX_CALL_TIME {
            Some(CALL_TOO_LONG)
        } else {
            None
        }
    }

    /// Run one hook call on this thread, counting its time.
    fn timed<T>(&self, call: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let outer = CALL_STARTED.replace(Some(start));
        let out = call();
        CALL_STARTED.set(outer);
        let nanos = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.spent.fetch_add(nanos, Ordering::Relaxed);
        out
    }
}

/// The marker a script stopped by the time budget is terminated with.
const OUT_OF_TIME: &str = "routemap: rules out of time";

/// The marker a script stopped by [`MAX_CALL_TIME`] is terminated with.
const CALL_TOO_LONG: &str = "routemap: rule call too long";

/// A rule file's coverage: the file, its coverable lines, and those of them that have run.
pub type Coverage<'a> = (&'a RuleFile, BTreeSet<usize>, BTreeSet<usize>);

/// One rule file: its text and, once compiled, its syntax tree and constants. A file read from
/// the `--rules` directory (and every file of traced rules) is compiled as the rules load, so
/// that its problems are reported before anything runs; an embedded file is compiled when a
/// hook of it is first called or its constants are first read, so that a command pays only for
/// the files it uses (`forecast` calls four of the eight). The embedded files are the
/// program's own, and a test compiles each.
#[derive(Debug, Clone)]
pub struct RuleFile {
    /// `classify`, `forecast`...
    pub name: &'static str,
    /// The path shown to users.
    pub path: String,
    text: String,
    compiled: OnceLock<Result<Compiled, Diagnostic>>,
    /// The built-in file, for optional hooks this one does not define.
    fallback: Option<Box<RuleFile>>,
}

/// A rule file compiled: its syntax tree, with its constants folded in, and the constants.
#[derive(Debug, Clone)]
struct Compiled {
    ast: AST,
    /// The script's top-level constants, as `NAME = value`, in file order.
    constants: Vec<(String, String)>,
    /// The script reads a work's id only to name the work in its answers' text (see `naming`).
    ids_only_name: bool,
}

/// The compiled rule set.
pub struct Rules {
    engine: Engine,
    budget: Arc<Budget>,
    /// The files read from the `--rules` directory (the others are embedded).
    pub from_directory: Vec<String>,
    /// The files, in [`DEFAULTS`] order.
    pub files: Vec<RuleFile>,
    /// A short hash of every file's name and text: which rules produced an output.
    pub hash: String,
    /// The lines run so far, when the rules were loaded to be tested.
    trace: Option<Trace>,
    /// How many threads [`Rules::map`] may share a large model's calls between.
    threads: usize,
    /// The per-work hooks' answers remembered by what each call read (`None`: every call
    /// runs, as when the rules are traced).
    memo: Option<Arc<Memos>>,
}

/// The remembered answers of the hooks called once per piece of work or dependency.
#[derive(Default)]
pub(crate) struct Memos {
    pub(crate) own_finish: memo::Memo<answers::OwnFinish>,
    pub(crate) done_on: memo::Memo<chrono::NaiveDate>,
    pub(crate) follow_on: memo::Memo<answers::FollowOnTime>,
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules").field("files", &self.files).field("hash", &self.hash).finish()
    }
}

/// The sandboxed, bounded engine every rule runs in. Its functions are rhai's standard packages
/// but for the core language package (`sleep`, `exit`, `parse_json`, `tag`, reflection) and the
/// time package: nothing a script calls can wait, read the clock or leave the script. The
/// functions left are pure and check their arguments (sizes against the limits below, numbers
/// for overflow); routemap's own are in [`api`].
///
/// The packages' functions are flattened into one module: rhai looks a function up in each
/// global module in turn, afresh for every hook call, so eleven modules cost a call about a
/// fifth more than one. Where two packages define the same function the later one wins, as it
/// would registered on its own after the other (none of these packages has engine settings of
/// its own to apply). One difference remains: rhai cannot be told the flattened module is its
/// standard library, which it asks only to list functions (the `metadata` feature, not built)
/// and to check for overridden operators when fast operators are off (they are on).
fn engine(budget: &Arc<Budget>) -> Engine {
    let mut engine = Engine::new_raw();
    let mut functions = Module::new();
    for package in [
        ArithmeticPackage::new().as_shared_module(),
        BasicStringPackage::new().as_shared_module(),
        BasicIteratorPackage::new().as_shared_module(),
        BasicFnPackage::new().as_shared_module(),
        BitFieldPackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicBlobPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
        MoreStringPackage::new().as_shared_module(),
    ] {
        functions.combine_flatten(Module::clone(&package));
    }
    engine.register_global_module(functions.into());
    let clock = Arc::clone(budget);
    engine.on_progress(
        move |ops| {
            if ops % CLOCK_EVERY == 0 { clock.stop().map(Dynamic::from) } else { None }
        },
    );
    engine.disable_symbol("eval");
    engine.set_max_operations(MAX_OPERATIONS);
    engine.set_max_call_levels(32);
    engine.set_max_expr_depths(64, 64);
    engine.set_max_string_size(10_000);
    engine.set_max_array_size(10_000);
    engine.set_max_map_size(1_000);
    engine.set_max_variables(1_000);
    engine.set_max_functions(1_000);
    engine.set_max_modules(0);
    engine.set_optimization_level(OptimizationLevel::None);
    api::register(&mut engine);
    engine
}

impl Rules {
    /// The embedded default rules, each replaced by `<dir>/<name>.rhai` where that file exists.
    /// Every entry of the directory whose name ends `.rhai` must be one of the rule files, and
    /// each must be readable: a misspelt name, a dangling link or an unreadable file is an error,
    /// never a silent fall-back to the embedded rule.
    pub fn load(dir: Option<&Path>) -> Result<Rules, Error> {
        Rules::load_with(dir, None)
    }

    /// The rules as [`Rules::load`] has them, on an engine that records which lines run (for
    /// `routemap test`; slower, so no other command does).
    pub fn load_traced(dir: Option<&Path>) -> Result<Rules, Error> {
        Rules::load_with(dir, Some(Trace::default()))
    }

    /// These rules, sharing a large model's independent calls between `threads` threads (kept
    /// to 1-8) instead of one per core. The answers are the same.
    pub fn on_threads(mut self, threads: usize) -> Rules {
        self.threads = threads.clamp(1, MAX_THREADS);
        self
    }

    /// These rules with hook answers remembered (the default, but for traced rules) or not:
    /// the answers are the same either way.
    pub fn memoised(mut self, on: bool) -> Rules {
        self.memo = (on && self.trace.is_none()).then(Arc::default);
        self
    }

    /// For each remembered hook (`own_finish`, `done_on`, `follow_on`): how many calls were
    /// answered from memory, and how many ran.
    pub fn memo_counts(&self) -> Vec<(&'static str, u64, u64)> {
        let Some(m) = &self.memo else { return Vec::new() };
        [
            ("own_finish", m.own_finish.counts()),
            ("done_on", m.done_on.counts()),
            ("follow_on", m.follow_on.counts()),
        ]
        .into_iter()
        .map(|(hook, (hits, misses))| (hook, hits, misses))
        .collect()
    }

    fn load_with(dir: Option<&Path>, trace: Option<Trace>) -> Result<Rules, Error> {
        let budget = Arc::new(Budget { limit: time_limit()?, spent: AtomicU64::new(0) });
        let mut engine = engine(&budget);
        if let Some(t) = &trace {
            t.register(&mut engine);
        }
        // Each file, and whether it is the embedded one.
        let mut sources: Vec<(RuleFile, bool)> = Vec::new();
        let mut custom: Vec<(&'static str, PathBuf)> = Vec::new();
        let mut diagnostics = Vec::new();
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                Error::msg(format!(
                    "cannot read the rules directory {}: {}",
                    dir.display(),
                    io_reason(&e)
                ))
            })?;
            let mut names: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            names.sort();
            let is_rule = |p: &&PathBuf| {
                p.extension().is_some_and(|x| x.to_string_lossy().eq_ignore_ascii_case("rhai"))
            };
            for path in names.iter().filter(is_rule) {
                let stem = path.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
                match DEFAULTS
                    .iter()
                    .find(|(n, _)| *n == stem && path.extension().is_some_and(|x| x == "rhai"))
                {
                    Some((name, _)) => custom.push((name, path.clone())),
                    None => {
                        let known: Vec<String> =
                            DEFAULTS.iter().map(|(n, _)| format!("{n}.rhai")).collect();
                        let near = crate::error::nearest(
                            &stem.to_lowercase(),
                            DEFAULTS.iter().map(|(n, _)| *n),
                        );
                        let mut d = Diagnostic::new(format!(
                            "unknown rule file {}: routemap reads {}",
                            path.display(),
                            known.join(", ")
                        ));
                        if let Some(n) = near.first() {
                            d = d.help(format!("did you mean {n}.rhai?"));
                        }
                        diagnostics.push(d);
                    }
                }
            }
        }
        let mut from_directory = Vec::new();
        for (name, default) in DEFAULTS {
            match custom.iter().find(|(n, _)| n == name) {
                Some((_, p)) => {
                    let dangling = std::fs::symlink_metadata(p)
                        .is_ok_and(|m| m.file_type().is_symlink())
                        && std::fs::metadata(p).is_err();
                    if dangling {
                        diagnostics.push(
                            Diagnostic::new(format!(
                                "cannot read {}: it is a symbolic link to nothing",
                                p.display()
                            ))
                            .help("remove the link to use the embedded rule, or point it at a rule file"),
                        );
                        continue;
                    }
                    match crate::input::read_text(p) {
                        Ok(text) => {
                            let path = p.display().to_string();
                            from_directory.push(path.clone());
                            sources.push((RuleFile::new(name, path, without_bom(text)), false));
                        }
                        Err(d) => diagnostics.push(d),
                    }
                }
                None => sources.push((RuleFile::embedded(name, default), true)),
            }
        }
        if !diagnostics.is_empty() {
            return Err(diagnostics.into());
        }
        let mut files = Vec::new();
        // The top level of each file runs while it compiles: its lines belong to that file.
        let enter = |path: &str| {
            if let Some(t) = &trace {
                t.enter(path);
            }
        };
        for (mut file, embedded) in sources {
            let name = file.name;
            if embedded && trace.is_none() {
                files.push(file);
                continue;
            }
            enter(&file.path);
            match file.compiled_on(&engine, &budget) {
                Ok(compiled) => {
                    let missing = OPTIONAL_HOOKS
                        .iter()
                        .any(|(f, hook)| *f == name && !compiled.defines(name, hook));
                    if missing && let Some((_, default)) = DEFAULTS.iter().find(|(n, _)| *n == name)
                    {
                        let built_in = RuleFile::embedded(name, default);
                        enter(&built_in.path);
                        match built_in.compiled_on(&engine, &budget) {
                            Ok(_) => file.fallback = Some(Box::new(built_in)),
                            Err(d) => diagnostics.push(d),
                        }
                    }
                    files.push(file);
                }
                Err(d) => diagnostics.push(d),
            }
        }
        if !diagnostics.is_empty() {
            return Err(diagnostics.into());
        }
        let parts: Vec<&[u8]> =
            files.iter().flat_map(|f| [f.name.as_bytes(), f.text.as_bytes()]).collect();
        let hash = short_hash(&parts);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS);
        let memo = trace.is_none().then(Arc::default);
        Ok(Rules { engine, budget, from_directory, files, hash, trace, threads, memo })
    }

    /// The rule file called `name` (one of [`DEFAULTS`]).
    pub fn file(&self, name: &str) -> &RuleFile {
        // `load` keeps a file for every name in DEFAULTS.
        self.files.iter().find(|f| f.name == name).unwrap_or(&self.files[0])
    }

    /// The compiled form of `rule` (compiling it now if it is an embedded file not yet used).
    fn compiled<'a>(&self, rule: &'a RuleFile) -> Result<&'a Compiled, Error> {
        rule.compiled_on(&self.engine, &self.budget).map_err(Error::from)
    }

    /// The top-level constants of rule file `name`, as `NAME = value`, in file order.
    pub fn constants(&self, name: &str) -> Result<&[(String, String)], Error> {
        Ok(&self.compiled(self.file(name))?.constants)
    }

    /// Whether the file `hook` of rule file `file` runs from reads a work's id only to name the
    /// work in its answers' text (see `naming`).
    pub(crate) fn ids_only_name(&self, file: &str, hook: &str) -> bool {
        self.compiled(self.hook_file(file, hook)).is_ok_and(|c| c.ids_only_name)
    }

    /// Call `hook` in rule file `file` with one argument.
    pub fn call(&self, file: &str, hook: &str, arg: Dynamic) -> Result<Dynamic, Error> {
        self.call_with(file, hook, (arg,))
    }

    /// Call a hook whose answer is text (such as `ieg.rhai`'s `position`), decoded here: an
    /// answer that is not text, or holds a control character, is an error naming `subject`
    /// (`for R8`) and what was `expected`.
    pub fn call_text(
        &self,
        file: &str,
        hook: &str,
        args: impl FuncArgs,
        subject: &str,
        expected: &str,
    ) -> Result<String, Error> {
        let answer = self.call_with(file, hook, args)?;
        let text = answer.into_immutable_string().map_err(|_| {
            self.bad_return(file, hook, &format!("something other than text {subject}"), expected)
        })?;
        self.check_answer(file, hook, &text.clone().into(), &subject)?;
        Ok(text.to_string())
    }

    /// The file whose `hook` runs: `file`, or the built-in one where `file` lacks an optional
    /// hook.
    fn hook_file(&self, file: &str, hook: &str) -> &RuleFile {
        let rule = self.file(file);
        // A file with a fallback was read from the directory, so compiled as the rules loaded.
        match (&rule.fallback, rule.compiled.get()) {
            (Some(built_in), Some(Ok(compiled))) if !compiled.defines(rule.name, hook) => built_in,
            _ => rule,
        }
    }

    /// Call `hook` in rule file `file` with any arguments.
    pub fn call_with(&self, file: &str, hook: &str, args: impl FuncArgs) -> Result<Dynamic, Error> {
        let rule = self.hook_file(file, hook);
        let compiled = self.compiled(rule)?;
        if self.budget.exhausted() {
            return Err(self.out_of_time(rule, hook).into());
        }
        if let Some(t) = &self.trace {
            t.enter(&rule.path);
        }
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        let result = self.budget.timed(|| {
            self.engine.call_fn_with_options::<Dynamic>(
                options,
                &mut Scope::new(),
                &compiled.ast,
                hook,
                args,
            )
        });
        result.map_err(|e| match e.unwrap_inner() {
            EvalAltResult::ErrorTerminated(token, _) if token.to_string() == OUT_OF_TIME => {
                self.out_of_time(rule, hook).into()
            }
            _ => runtime_error(rule, hook, &e).into(),
        })
    }

    /// `f` applied to every item, in order, for hook calls that do not depend on each other.
    /// Many items are split into contiguous runs shared between threads (rule calls are pure
    /// functions of their arguments, so the answers are the same on any number of threads);
    /// the error is that of the earliest item that fails, and no thread goes on past it. Only
    /// running out of the time budget, which all threads spend together, can happen at a
    /// different item on a different number of threads. Traced rules (`routemap test`)
    /// run on one thread, so that each line is recorded against the hook that ran it.
    pub fn map<T: Sync, U: Send>(
        &self,
        items: &[T],
        f: impl Fn(&T) -> Result<U, Error> + Sync,
    ) -> Result<Vec<U>, Error> {
        let parts = self.map_parts(items, f)?;
        let mut out = Vec::with_capacity(items.len());
        for part in parts {
            out.extend(part);
        }
        Ok(out)
    }

    /// [`Rules::map`], leaving the answers in the runs the threads made, in item order (their
    /// concatenation is `map`'s answer): a caller that reads them once need not copy them all
    /// into one list first.
    pub(crate) fn map_parts<T: Sync, U: Send>(
        &self,
        items: &[T],
        f: impl Fn(&T) -> Result<U, Error> + Sync,
    ) -> Result<Vec<Vec<U>>, Error> {
        let threads =
            if self.trace.is_some() || items.len() < PARALLEL_FROM { 1 } else { self.threads };
        if threads == 1 {
            return Ok(vec![items.iter().map(&f).collect::<Result<_, _>>()?]);
        }
        let size = items.len().div_ceil(threads);
        // The index of the earliest item known to have failed: a thread stops at any item after
        // it, as no answer past an error is wanted.
        let failed = AtomicUsize::new(usize::MAX);
        let parts: Vec<Result<Vec<U>, Error>> = std::thread::scope(|s| {
            let (f, failed) = (&f, &failed);
            let running: Vec<_> = items
                .chunks(size)
                .enumerate()
                .map(|(k, part)| {
                    s.spawn(move || {
                        let mut out = Vec::with_capacity(part.len());
                        for (j, item) in part.iter().enumerate() {
                            let at = k * size + j;
                            if failed.load(Ordering::Relaxed) < at {
                                break;
                            }
                            match f(item) {
                                Ok(u) => out.push(u),
                                Err(e) => {
                                    failed.fetch_min(at, Ordering::Relaxed);
                                    return Err(e);
                                }
                            }
                        }
                        Ok(out)
                    })
                })
                .collect();
            running
                .into_iter()
                .map(|t| t.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        });
        // Parts are complete up to the first that failed; those after it may have stopped.
        parts.into_iter().collect()
    }

    /// The diagnostic for a run whose rules have used up their time budget, at the hook that
    /// was running.
    fn out_of_time(&self, rule: &RuleFile, hook: &str) -> Diagnostic {
        Diagnostic::new(format!(
            "rule `{hook}` in {} was stopped: this run's rules have taken more than {} seconds",
            rule.path,
            seconds(self.budget.limit)
        ))
        .at(fn_location(rule, hook))
        .help(format!(
            "set {TIME_LIMIT_VAR} to a larger number of seconds to give the rules more time (see docs/rules.md)"
        ))
    }

    /// Check the map a hook returned: every key is one of `required` or `optional`, and every key
    /// of `required` is there and not `()`. `subject` names what the call was for (`for R8`).
    pub fn check_keys(
        &self,
        file: &str,
        hook: &str,
        map: &Map,
        subject: &dyn std::fmt::Display,
        (required, optional): (&[&str], &[&str]),
        expected: &str,
    ) -> Result<(), Error> {
        let known = || required.iter().chain(optional).copied();
        // A map's keys come in order, so the unknown key named is always the same one.
        if let Some(key) = map.keys().map(|k| k.as_str()).find(|k| !known().any(|n| n == *k)) {
            let near = crate::error::nearest(key, known());
            let help = match near.first() {
                Some(n) => format!("did you mean `{n}`? `{hook}` returns {expected}"),
                None => format!("expected {expected}"),
            };
            return Err(self.refused(
                file,
                hook,
                &format!("a map with the unknown key `{}` {subject}", clip(key)),
                &help,
            ));
        }
        if let Some(key) = required.iter().find(|k| map.get(**k).is_none_or(Dynamic::is_unit)) {
            return Err(self.bad_return(
                file,
                hook,
                &format!("a map with no `{key}` {subject}"),
                expected,
            ));
        }
        check_text(map).map_err(|(key, c)| self.unprintable(file, hook, key, c, subject))
    }

    /// Check every text in what a hook returned (however deep in arrays and maps) as
    /// [`Rules::check_keys`] checks a map's: `routemap test` shows a hook's whole answer, and
    /// `ieg.rhai`'s `position` returns bare text.
    pub fn check_answer(
        &self,
        file: &str,
        hook: &str,
        answer: &Dynamic,
        subject: &dyn std::fmt::Display,
    ) -> Result<(), Error> {
        let refuse = |(key, c)| self.unprintable(file, hook, key, c, subject);
        match answer.read_lock::<Map>() {
            Some(map) => check_text(&map).map_err(refuse),
            None => unprintable_in(answer).map_or(Ok(()), |c| Err(refuse((None, c)))),
        }
    }

    /// A hook returned text holding `c` (under `key` of its map, if any).
    fn unprintable(
        &self,
        file: &str,
        hook: &str,
        key: Option<&str>,
        c: char,
        subject: &dyn std::fmt::Display,
    ) -> Error {
        let what = match key {
            Some(k) => {
                let article = if k.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
                format!("{article} `{}` holding", clip(k))
            }
            None => "text holding".to_string(),
        };
        self.refused(
            file,
            hook,
            format!("{what} {} {subject}", char_name(c)).trim_end(),
            "text a rule returns is written to the terminal and to CSV, XML and HTML outputs, so it \
             may hold tabs and line breaks but no other control character (such as ESC, \\x1b) and \
             not U+FFFE or U+FFFF",
        )
    }

    /// Call `hook` as [`Rules::call_with`] does, and say where in its file the answer came from
    /// (the `return` or final expression that ran last) when the rules are traced.
    pub fn call_located(
        &self,
        file: &str,
        hook: &str,
        args: impl FuncArgs,
    ) -> (Result<Dynamic, Error>, Option<Location>) {
        let answer = self.call_with(file, hook, args);
        let rule = self.hook_file(file, hook);
        let at = self.trace.as_ref().map(Trace::answered_at).filter(|p| p.line().is_some());
        let location = match at {
            Some(pos) => located(&rule.path, &rule.text, pos, String::new()).location.map(|l| *l),
            None => fn_location(rule, hook),
        };
        (answer, location)
    }

    /// Where `hook` of rule file `file` is defined.
    pub fn hook_location(&self, file: &str, hook: &str) -> Option<Location> {
        fn_location(self.hook_file(file, hook), hook)
    }

    /// Per rule file: its coverable lines and those of them that have run (empty unless the
    /// rules were loaded with [`Rules::load_traced`]).
    pub fn coverage(&self) -> Result<Vec<Coverage<'_>>, Error> {
        self.files
            .iter()
            .map(|f| {
                let lines = trace::coverable(&self.compiled(f)?.ast);
                let run = self.trace.as_ref().map(|t| t.lines_run(&f.path)).unwrap_or_default();
                let run = run.intersection(&lines).copied().collect();
                Ok((f, lines, run))
            })
            .collect()
    }

    /// A diagnostic for a hook that returned something it must not, pointing at the hook.
    pub fn bad_return(&self, file: &str, hook: &str, got: &str, expected: &str) -> Error {
        self.refused(file, hook, got, &format!("expected {expected}"))
    }

    /// A diagnostic located at a hook's definition, with its own message and help.
    pub fn at_hook(&self, file: &str, hook: &str, message: &str, help: &str) -> Error {
        let rule = self.hook_file(file, hook);
        Diagnostic::new(format!("rule `{hook}` in {} {message}", rule.path))
            .at(fn_location(rule, hook))
            .help(format!("{help} (see docs/rules.md)"))
            .into()
    }

    /// A diagnostic for a hook that returned something it must not, with its own help.
    pub fn refused(&self, file: &str, hook: &str, got: &str, help: &str) -> Error {
        let rule = self.hook_file(file, hook);
        let location = fn_location(rule, hook);
        Diagnostic::new(format!("rule `{hook}` in {} returned {got}", rule.path))
            .at(location)
            .help(format!("{help} (see docs/rules.md)"))
            .into()
    }
}

/// The time budget: [`TIME_LIMIT_VAR`] when it is set, else [`DEFAULT_TIME_LIMIT_SECONDS`].
fn time_limit() -> Result<Duration, Error> {
    let bad = |text: &str| {
        Error::from(
            Diagnostic::new(format!(
                "{TIME_LIMIT_VAR} is `{text}`, which is not a number of seconds"
            ))
            .help("expected a number of seconds greater than 0, such as 120 or 0.5"),
        )
    };
    match std::env::var(TIME_LIMIT_VAR) {
        Err(std::env::VarError::NotPresent) => Ok(Duration::from_secs(DEFAULT_TIME_LIMIT_SECONDS)),
        Err(std::env::VarError::NotUnicode(_)) => Err(bad("?")),
        Ok(text) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| *s > 0.0)
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .ok_or_else(|| bad(&text)),
    }
}

/// A rule file's text without the byte order mark an editor may put first (Windows editors
/// write one when saving as UTF-8): it is no part of the script. It comes before the first line,
/// so lines and columns are the same without it.
fn without_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// A duration in seconds as a person writes it: `60`, `0.001`.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 { format!("{s:.0}") } else { format!("{s}") }
}

/// A key as a message quotes it: at most 40 characters, any control character written as an
/// escape (`\u{1b}`).
fn clip(key: &str) -> String {
    let shown = |k: &str| crate::error::escape_controls(k);
    match key.char_indices().nth(40) {
        Some((cut, _)) => format!("{}...", shown(&key[..cut])),
        None => shown(key),
    }
}

/// The first character of `text` that must not reach a terminal, a CSV file or an XML file
/// (see [`crate::error::unprintable`]).
pub fn unprintable(text: &str) -> Option<char> {
    text.chars().find(|c| crate::error::unprintable(*c))
}

/// The first key of `map` whose value holds text with a character [`unprintable`] finds, and
/// that character.
fn check_text(map: &Map) -> Result<(), (Option<&str>, char)> {
    match map.iter().find_map(|(k, v)| unprintable_in(v).map(|c| (k.as_str(), c))) {
        Some((k, c)) => Err((Some(k), c)),
        None => Ok(()),
    }
}

/// The first character [`unprintable`] finds in any text of `value`, however deep in arrays and
/// maps.
fn unprintable_in(value: &Dynamic) -> Option<char> {
    if let Some(text) = value.read_lock::<rhai::ImmutableString>() {
        return unprintable(&text);
    }
    if let Some(items) = value.read_lock::<rhai::Array>() {
        return items.iter().find_map(unprintable_in);
    }
    if let Some(map) = value.read_lock::<Map>() {
        return map.values().find_map(unprintable_in);
    }
    None
}

/// A character [`unprintable`] finds, as a message names it: `the control character U+001B
/// (ESC)`, `the non-character U+FFFF`.
fn char_name(c: char) -> String {
    let name = match c {
        '\u{1b}' => " (ESC)",
        '\r' => " (carriage return)",
        '\0' => " (NUL)",
        '\u{7f}' => " (DEL)",
        '\u{9b}' => " (CSI)",
        _ => "",
    };
    let kind = if c.is_control() { "control character" } else { "non-character" };
    format!("the {kind} U+{:04X}{name}", u32::from(c))
}

fn compile(
    engine: &Engine,
    budget: &Budget,
    name: &'static str,
    path: &str,
    text: &str,
) -> Result<Compiled, Diagnostic> {
    let ast = engine.compile(text).map_err(|e| {
        let message = e.0.to_string();
        located(path, text, e.1, format!("cannot compile rule file {path}: {message}"))
    })?;
    // Run the top level once to evaluate the constants, then fold them into the functions.
    let mut scope = Scope::new();
    budget.timed(|| engine.run_ast_with_scope(&mut scope, &ast)).map_err(|e| {
        let (message, pos) = innermost(&e);
        let d = located(
            path,
            text,
            pos,
            format!("rule file {path} failed while setting its constants: {message}"),
        );
        let too_long = matches!(
            e.unwrap_inner(),
            EvalAltResult::ErrorTerminated(token, _) if token.to_string() == CALL_TOO_LONG
        );
        if too_long { d.help(too_long_help()) } else { d }
    })?;
    // Constants are listed in outputs (`routemap exposure` shows funding's): no control
    // characters, as for what a hook returns.
    for (n, _, v) in scope.iter().filter(|(_, constant, _)| *constant) {
        if let Some(c) = unprintable_in(&v) {
            let needle = format!("const {n}");
            let at = text.lines().enumerate().find(|(_, l)| l.contains(&needle)).map(|(i, l)| {
                let column = l.find(&needle).unwrap_or(0) + 1;
                Location::new(path, i + 1, column, l, needle.len())
            });
            return Err(Diagnostic::new(format!(
                "rule file {path} sets its constant `{n}` to text holding {}",
                char_name(c)
            ))
            .at(at)
            .help("constants are shown in outputs: take out control characters other than tab and line feed"));
        }
    }
    let constants = scope
        .iter()
        .filter(|(_, constant, _)| *constant)
        .map(|(n, _, v)| (n.to_string(), api::display(&v)))
        .collect();
    let ast = engine.optimize_ast(&scope, ast, OptimizationLevel::Simple);
    let ids_only_name = naming::ids_only_name(&ast);
    let compiled = Compiled { ast, constants, ids_only_name };
    let hooks = HOOKS.iter().find(|(n, _)| *n == name).map_or(&[][..], |(_, h)| *h);
    for &(hook, arity) in hooks {
        let optional = OPTIONAL_HOOKS.contains(&(name, hook));
        if !optional
            && !compiled.ast.iter_functions().any(|f| f.name == hook && f.params.len() == arity)
        {
            let params = ["x", "y", "z"][..arity].join(", ");
            return Err(Diagnostic::new(format!(
                "rule file {path} defines no `fn {hook}({params})`"
            ))
            .help("every rule file must define its hooks (see docs/rules.md)"));
        }
    }
    Ok(compiled)
}

impl RuleFile {
    /// A rule file `name` at `path`, not yet compiled.
    fn new(name: &'static str, path: String, text: String) -> RuleFile {
        RuleFile { name, path, text, compiled: OnceLock::new(), fallback: None }
    }

    /// The embedded rule file `name`, whose text is `text` (its entry in [`DEFAULTS`]).
    fn embedded(name: &'static str, text: &str) -> RuleFile {
        RuleFile::new(name, format!("<embedded>/rules/{name}.rhai"), text.to_string())
    }

    /// The file compiled on `engine`: compiled on the first call (on whichever thread makes
    /// it; the others wait for it), and its outcome kept.
    fn compiled_on(&self, engine: &Engine, budget: &Budget) -> Result<&Compiled, Diagnostic> {
        self.compiled
            .get_or_init(|| compile(engine, budget, self.name, &self.path, &self.text))
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl Compiled {
    /// Whether the file (rule file `name`) defines `hook` with the arguments routemap passes it.
    fn defines(&self, name: &str, hook: &str) -> bool {
        let arity = HOOKS
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, hooks)| hooks.iter().find(|(h, _)| *h == hook))
            .map(|(_, a)| *a);
        self.ast.iter_functions().any(|f| f.name == hook && Some(f.params.len()) == arity)
    }
}

/// The innermost error of a call chain (where the script really failed) and its position.
fn innermost(e: &EvalAltResult) -> (String, Position) {
    let mut inner = e;
    while let EvalAltResult::ErrorInFunctionCall(_, _, err, _) = inner {
        inner = err;
    }
    // A message of routemap's own functions reads as it is, without rhai's "Runtime error: ".
    let mut message = match inner {
        EvalAltResult::ErrorRuntime(value, _) if value.is_string() => value.to_string(),
        EvalAltResult::ErrorTerminated(token, _) if token.to_string() == CALL_TOO_LONG => {
            format!("it was stopped after running for {} second", seconds(MAX_CALL_TIME))
        }
        EvalAltResult::ErrorTerminated(token, _) if token.to_string() == OUT_OF_TIME => {
            format!("it was stopped: the run's rules have used up their time ({TIME_LIMIT_VAR})")
        }
        _ => inner.to_string(),
    };
    if let Some(cut) = message.rfind(" (line ") {
        message.truncate(cut);
    }
    (message, inner.position())
}

fn runtime_error(rule: &RuleFile, hook: &str, e: &EvalAltResult) -> Diagnostic {
    let (message, pos) = innermost(e);
    let runaway = matches!(
        e.unwrap_inner(),
        EvalAltResult::ErrorTooManyOperations(_) | EvalAltResult::ErrorStackOverflow(_)
    );
    let too_long = matches!(
        e.unwrap_inner(),
        EvalAltResult::ErrorTerminated(token, _) if token.to_string() == CALL_TOO_LONG
    );
    let mut d = located(
        &rule.path,
        &rule.text,
        pos,
        format!("rule `{hook}` in {} failed: {message}", rule.path),
    );
    // A runaway is stopped wherever it happens to be, with no position: point at the hook.
    if d.location.is_none() {
        d = d.at(fn_location(rule, hook));
    }
    if runaway {
        d.help(format!(
            "the rule was stopped after {MAX_OPERATIONS} operations or too deep a call chain; does it loop forever?"
        ))
    } else if too_long {
        d.help(too_long_help())
    } else {
        d
    }
}

/// What to do about a call stopped by [`MAX_CALL_TIME`].
fn too_long_help() -> String {
    format!(
        "one rule call may run for {} second and {MAX_OPERATIONS} operations; copying, comparing or growing large nested arrays or maps takes long for each operation: build them once, outside loops (see docs/rules.md)",
        seconds(MAX_CALL_TIME)
    )
}

fn located(path: &str, text: &str, pos: Position, message: String) -> Diagnostic {
    let location = pos.line().map(|line| {
        let column = pos.position().unwrap_or(1);
        Location::new(path, line, column, text.lines().nth(line - 1).unwrap_or(""), 1)
    });
    Diagnostic::new(message).at(location)
}

fn fn_location(rule: &RuleFile, hook: &str) -> Option<Location> {
    let needle = format!("fn {hook}(");
    rule.text.lines().enumerate().find(|(_, l)| l.contains(&needle)).map(|(i, l)| {
        Location::new(&rule.path, i + 1, l.find(&needle).unwrap_or(0) + 1, l, needle.len() - 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Standing};

    /// Each embedded file compiles and defines its hooks: the embedded files are compiled only
    /// when first used, so no command would show a broken one until it called it.
    #[test]
    fn every_embedded_rule_file_compiles() {
        let rules = Rules::load(None).expect("the embedded rules load");
        assert_eq!(rules.files.len(), DEFAULTS.len());
        for file in &rules.files {
            if let Err(e) = rules.compiled(file) {
                panic!("{} does not compile: {e:?}", file.path);
            }
        }
    }

    /// An embedded file is compiled when a hook of it is first called, not as the rules load.
    #[test]
    fn an_embedded_rule_file_is_compiled_on_first_use() {
        let rules = Rules::load(None).expect("the embedded rules load");
        let compiled = |name: &str| rules.file(name).compiled.get().is_some();
        assert!(DEFAULTS.iter().all(|(name, _)| !compiled(name)), "compiled as they loaded");
        rules.share(Category::Required, Standing::OffTrack).expect("funding's share answers");
        assert!(compiled("funding"));
        assert!(DEFAULTS.iter().filter(|(n, _)| *n != "funding").all(|(n, _)| !compiled(n)));
    }
}
