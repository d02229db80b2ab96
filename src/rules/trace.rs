//! Which lines of the rule files ran, through rhai's debugger: registered only on an engine
//! built for `routemap test`, so that no other command pays for it.
//!
//! A **coverable line** is a line of a function body holding a statement or expression that
//! rhai gives a position to, in the file as compiled (its constants folded in, so a branch that a
//! constant makes unreachable is not counted). Comments, blank lines, lone braces and the
//! top-level constants (which run whenever the file loads) are not coverable.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use rhai::debugger::{DebuggerCommand, DebuggerEvent};
use rhai::{AST, ASTNode, Engine, Position, Stmt};

#[derive(Debug, Default)]
struct State {
    /// The rule file whose hook is running.
    current: String,
    /// Lines run, per rule file path.
    hits: HashMap<String, BTreeSet<usize>>,
    /// The call level of the running hook's own body: the lowest seen since the hook was
    /// entered. A helper function it calls runs one level deeper, and is not where the answer
    /// came from: its value reaches the answer through a line of the hook's.
    level: Option<usize>,
    /// The last statement of the hook's own body reported in the running call, and whether it
    /// is a `return`.
    statement: (Position, bool),
    /// The first expression of the hook's own body reported after that statement on a later
    /// line (an implicit return).
    tail: Position,
}

/// What the debugger has seen so far; cheap to clone (one shared record).
#[derive(Debug, Clone, Default)]
pub struct Trace(Arc<Mutex<State>>);

impl Trace {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the record half-written: each update is one insert.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Register the debugger on `engine`: it steps into every statement and expression of
    /// every call and records its line.
    pub fn register(&self, engine: &mut Engine) {
        let trace = self.clone();
        // rhai marks its debugger interface volatile (it may change between versions), not
        // deprecated; this is the one place that uses it.
        #[allow(deprecated)]
        engine.register_debugger(
            |_, debugger| debugger,
            move |context, event, node: ASTNode, _, pos: Position| {
                if matches!(event, DebuggerEvent::Start | DebuggerEvent::Step)
                    && let Some(line) = pos.line()
                {
                    let mut state = trace.state();
                    let current = state.current.clone();
                    state.hits.entry(current).or_default().insert(line);
                    // Where the answer came from: the last statement of the hook's own body
                    // that ran, or the expression after it that is the hook's implicit return.
                    // Statements of the functions it calls (deeper levels) are passed over, so
                    // a value worded by a helper is found at the hook's line that returned it.
                    let level = context.call_level();
                    match state.level {
                        Some(hook) if level > hook => return Ok(DebuggerCommand::StepInto),
                        Some(hook) if level == hook => {}
                        _ => {
                            state.level = Some(level);
                            state.statement = (Position::NONE, false);
                            state.tail = Position::NONE;
                        }
                    }
                    if let ASTNode::Stmt(stmt) = node {
                        state.statement = (pos, matches!(stmt, Stmt::Return(..)));
                        state.tail = Position::NONE;
                    } else if state.tail.is_none()
                        && state.statement.0.line().is_none_or(|l| l < line)
                    {
                        state.tail = pos;
                    }
                }
                Ok(DebuggerCommand::StepInto)
            },
        );
    }

    /// A hook of the rule file `path` is about to run.
    pub(crate) fn enter(&self, path: &str) {
        let mut state = self.state();
        path.clone_into(&mut state.current);
        state.level = None;
        state.statement = (Position::NONE, false);
        state.tail = Position::NONE;
    }

    /// Where the answer of the call since [`Trace::enter`] came from: the `return` that ended
    /// it, or the expression it ended on, in the hook's own body (never in a function it
    /// called).
    pub(crate) fn answered_at(&self) -> Position {
        let state = self.state();
        match state.statement {
            (pos, true) => pos,
            (pos, false) if state.tail.is_none() => pos,
            _ => state.tail,
        }
    }

    /// The lines of `path` that have run.
    pub fn lines_run(&self, path: &str) -> BTreeSet<usize> {
        self.state().hits.get(path).cloned().unwrap_or_default()
    }
}

/// The coverable lines of a compiled rule file (see the module documentation).
pub fn coverable(ast: &AST) -> BTreeSet<usize> {
    let mut lines = BTreeSet::new();
    ast.clone_functions_only().walk(&mut |path: &[ASTNode]| {
        if let Some(line) = path.last().and_then(|n| n.position().line()) {
            lines.insert(line);
        }
        true
    });
    lines
}

#[cfg(test)]
mod tests {
    use rhai::{OptimizationLevel, Scope};

    use super::*;

    /// Compile as the rules loader does: run the top level, fold its constants in.
    fn compiled(text: &str) -> AST {
        let engine = Engine::new_raw();
        let ast = engine.compile(text).expect("the script compiles");
        let mut scope = Scope::new();
        engine.run_ast_with_scope(&mut scope, &ast).expect("the top level runs");
        engine.optimize_ast(&scope, ast, OptimizationLevel::Simple)
    }

    #[test]
    fn coverable_lines_hold_code_in_functions() {
        let ast = compiled(
            "// a comment\n\
             const IN_PLACE = true;\n\
             \n\
             fn f(a) {\n\
             \x20   // why\n\
             \x20   if a > 1 {\n\
             \x20       return 1;\n\
             \x20   }\n\
             \x20   if IN_PLACE {\n\
             \x20       return 2;\n\
             \x20   }\n\
             \x20   return 3;\n\
             }\n",
        );
        // Not the comments, the constant, the braces, nor `return 3`, which IN_PLACE makes
        // unreachable.
        assert_eq!(coverable(&ast).into_iter().collect::<Vec<_>>(), vec![6, 7, 10]);
    }

    #[test]
    fn a_traced_call_records_its_lines_and_where_it_answered() {
        let trace = Trace::default();
        let mut engine = Engine::new_raw();
        trace.register(&mut engine);
        let ast = engine
            .compile("fn f(a) {\n    if a > 1 {\n        return 1;\n    }\n    a + 2\n}\n")
            .expect("the script compiles");
        trace.enter("f.rhai");
        let two: i64 = engine.call_fn(&mut Scope::new(), &ast, "f", (0_i64,)).expect("f runs");
        assert_eq!(two, 2);
        // Within the function (line 1, the call itself, is not coverable).
        let run = |t: &Trace| -> Vec<usize> {
            t.lines_run("f.rhai").intersection(&coverable(&ast)).copied().collect()
        };
        assert_eq!(run(&trace), vec![2, 5]);
        assert_eq!(trace.answered_at().line(), Some(5));
        trace.enter("f.rhai");
        let one: i64 = engine.call_fn(&mut Scope::new(), &ast, "f", (5_i64,)).expect("f runs");
        assert_eq!(one, 1);
        assert_eq!(trace.answered_at().line(), Some(3));
        assert_eq!(run(&trace), vec![2, 3, 5]);
    }

    #[test]
    fn an_answer_worded_by_a_helper_is_found_at_the_hooks_line() {
        let trace = Trace::default();
        let mut engine = Engine::new_raw();
        trace.register(&mut engine);
        let ast = engine
            .compile(
                "fn f(a) {\n    if a > 1 {\n        return words(a);\n    }\n    let w = words(a);\n    w + \"!\"\n}\n\
                 fn words(n) {\n    if n == 1 {\n        \"one\"\n    } else {\n        \"many\"\n    }\n}\n",
            )
            .expect("the script compiles");
        trace.enter("f.rhai");
        let many: String = engine.call_fn(&mut Scope::new(), &ast, "f", (5_i64,)).expect("f runs");
        assert_eq!(many, "many");
        assert_eq!(trace.answered_at().line(), Some(3), "the `return`, not the helper's line 12");
        trace.enter("f.rhai");
        let one: String = engine.call_fn(&mut Scope::new(), &ast, "f", (1_i64,)).expect("f runs");
        assert_eq!(one, "one!");
        assert_eq!(trace.answered_at().line(), Some(6), "the final expression, not line 10");
        // The helper's lines still count as run.
        assert!(trace.lines_run("f.rhai").contains(&10), "{:?}", trace.lines_run("f.rhai"));
    }
}
