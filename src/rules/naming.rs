//! Whether a rule file reads a work's `id` only to name the work in the text of its answers
//! (`assumption: `${work.id}: target passed...``), found from its syntax tree. Where it does,
//! the id decides nothing: an answer found for one piece of work, with a placeholder where its
//! name goes, serves every other piece of work whose other fields read the same, with that
//! work's name put in (see `memo`). A large model's overdue work is mostly named in its
//! answers, so this is the difference between one rule call per piece of work and one per
//! distinct case.
//!
//! The reading errs towards "no": any use of a property called `id` other than as a part of a
//! text built by interpolation that goes unexamined into what a function returns, a function
//! whose answer may hold such a text called anywhere its answer is not returned in turn, a
//! function pointer (through which a property could be read unseen), or a constant holding the
//! placeholders' marker, and the file's ids are taken to decide its answers. Function pointers
//! are refused wherever they appear: as `Fn`, `call` or `curry`, or as a closure (which rhai
//! may fold into a constant). So is a file whose functions rhai's places (lines and columns up
//! to 65,535) cannot tell apart.

use std::collections::BTreeSet;

use rhai::{AST, ASTFlags, ASTNode, Dynamic, Expr, FnCallExpr, Position, Stmt};

/// The character that opens and closes a placeholder: a Unicode non-character, which no text of
/// a model may hold (see `model::chars`).
pub(crate) const MARKER: char = '\u{FDD0}';

/// How many bytes a placeholder takes: as many as the longest id it may stand for (ids are
/// ASCII, at most `model::MAX_ID_CHARS` long), so that every text a call builds with it is at
/// least as long as with the id, and a call that keeps within the engine's bound on a text's
/// length with the placeholder keeps within it with any id it stands for.
pub(crate) const PLACEHOLDER_BYTES: usize = crate::model::MAX_ID_CHARS;

/// The placeholder a named call is shown instead of the id of the view in argument `slot`: the
/// marker, the slot, `_` up to [`PLACEHOLDER_BYTES`], the marker.
pub(crate) fn placeholder(slot: u8) -> String {
    let slot = slot.to_string();
    let fill = PLACEHOLDER_BYTES - 2 * MARKER.len_utf8() - slot.len();
    format!("{MARKER}{slot}{}{MARKER}", "_".repeat(fill))
}

/// `text` with each placeholder replaced by the id of its view (`ids[slot]`), in one pass (an
/// id put in is never read again), or `None` when it holds no marker. A marker that does not
/// open a whole placeholder is kept as it is.
pub(crate) fn fill(text: &str, ids: &[&str]) -> Option<String> {
    if !text.contains(MARKER) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARKER) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match rest.get(..PLACEHOLDER_BYTES).and_then(slot_of).and_then(|slot| ids.get(slot)) {
            Some(id) => {
                out.push_str(id);
                rest = &rest[PLACEHOLDER_BYTES..];
            }
            None => {
                out.push(MARKER);
                rest = &rest[MARKER.len_utf8()..];
            }
        }
    }
    out.push_str(rest);
    // Kept for the rest of the run, one a piece of work: no spare room.
    out.shrink_to_fit();
    Some(out)
}

/// The slot whose placeholder `p` is (as [`placeholder`] writes it), if it is one.
fn slot_of(p: &str) -> Option<usize> {
    let inner = p.strip_prefix(MARKER)?.strip_suffix(MARKER)?;
    let digits = inner.trim_end_matches('_');
    let plain = digits.bytes().all(|b| b.is_ascii_digit()) && !digits.is_empty();
    // As `u8::to_string` writes a number: no leading zero.
    let canonical = digits == "0" || !digits.starts_with('0');
    if p.len() != PLACEHOLDER_BYTES || !plain || !canonical {
        return None;
    }
    digits.parse::<u8>().ok().map(usize::from)
}

/// Whether every read of a work's id in `ast` only names the work in an answer's text (see the
/// module's page).
pub(crate) fn ids_only_name(ast: &AST) -> bool {
    // Each function's body, by where it stands in the file (rhai does not name the type that
    // holds a function's statements, but reaches them in its walk of the whole tree).
    let bodies: Vec<(String, Position, Position)> = ast
        .iter_fn_def()
        .map(|f| (f.name.to_string(), f.body.start_position(), f.body.end_position()))
        .collect();
    let mut scan =
        Scan { functions: bodies.iter().map(|b| b.0.clone()).collect(), ..Scan::default() };
    // rhai counts lines and columns up to 65,535 and no further: past that, places no longer
    // tell one function from another.
    let counted = |p: Position| p.line().is_some_and(|l| l < 65_535) && p.position() < Some(65_535);
    if !bodies.iter().all(|(_, start, end)| counted(*start) && counted(*end)) {
        return false;
    }
    ast.walk(&mut |path: &[ASTNode]| {
        match path {
            [ASTNode::Stmt(s)] => {
                let at = s.position();
                let mut within =
                    bodies.iter().filter(|(_, start, end)| (*start..=*end).contains(&at));
                let body = within.next();
                if within.next().is_some() || (!counted(at) && !at.is_none()) {
                    scan.refused = true;
                }
                scan.current = body.map_or_else(String::new, |b| b.0.clone());
                // A statement's value is dropped or, as its function's last, returned.
                scan.stmt(s, if body.is_some() { At::Answer } else { At::Other });
            }
            [_] => scan.refused = true,
            _ => {}
        }
        true
    });
    if scan.refused {
        return false;
    }
    // A function that returns what a naming function returns names too.
    let mut naming = scan.naming;
    loop {
        let more: Vec<String> = scan
            .answer_calls
            .iter()
            .filter(|(caller, callee)| naming.contains(callee) && !naming.contains(caller))
            .map(|(caller, _)| caller.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        naming.extend(more);
    }
    scan.other_calls.is_disjoint(&naming)
}

/// Where a value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// Unexamined into what the function returns.
    Answer,
    /// Anywhere else: a condition, a variable, an argument, an operand.
    Other,
}

#[derive(Default)]
struct Scan {
    /// The script's own functions.
    functions: BTreeSet<String>,
    /// The function being read (empty at the top level).
    current: String,
    /// Functions whose answer names a work.
    naming: BTreeSet<String>,
    /// (caller, callee): the callee's answer is returned by the caller.
    answer_calls: BTreeSet<(String, String)>,
    /// Functions whose answer is used otherwise.
    other_calls: BTreeSet<String>,
    /// Something was found that may let an id decide an answer.
    refused: bool,
}

impl Scan {
    /// A block, whose last statement's value is its value (the others' are dropped).
    fn block(&mut self, stmts: &[Stmt], at: At) {
        for (i, s) in stmts.iter().enumerate() {
            self.stmt(s, if i + 1 == stmts.len() { at } else { At::Answer });
        }
    }

    fn stmt(&mut self, s: &Stmt, at: At) {
        match s {
            Stmt::Noop(_) => {}
            Stmt::If(f, _) => {
                self.expr(&f.expr, At::Other);
                self.block(f.body.statements(), at);
                self.block(f.branch.statements(), at);
            }
            Stmt::Switch(x, _) => {
                let (on, cases) = &**x;
                self.expr(on, At::Other);
                for case in &cases.expressions {
                    self.expr(&case.lhs, At::Other);
                    self.expr(&case.rhs, at);
                }
            }
            Stmt::While(f, _) | Stmt::Do(f, _, _) => {
                self.expr(&f.expr, At::Other);
                self.block(f.body.statements(), At::Other);
                self.block(f.branch.statements(), At::Other);
            }
            Stmt::For(x, _) => {
                let f = &x.2;
                self.expr(&f.expr, At::Other);
                self.block(f.body.statements(), At::Other);
                self.block(f.branch.statements(), At::Other);
            }
            Stmt::Var(x, _, _) => self.expr(&x.1, At::Other),
            Stmt::Assignment(x) => {
                self.expr(&x.1.lhs, At::Other);
                self.expr(&x.1.rhs, At::Other);
            }
            Stmt::FnCall(call, _) => self.call(call, at),
            Stmt::Block(b) => self.block(b.statements(), at),
            Stmt::Expr(e) => self.expr(e, at),
            // `return x` answers with x wherever it stands; `throw x` does not (a `catch` may
            // examine it), nor does `break x`.
            Stmt::Return(e, flags, _) => {
                let at = if flags.contains(ASTFlags::BREAK) { At::Other } else { At::Answer };
                if let Some(e) = e {
                    self.expr(e, at);
                }
            }
            Stmt::BreakLoop(e, _, _) => {
                if let Some(e) = e {
                    self.expr(e, At::Other);
                }
            }
            Stmt::TryCatch(f, _) => {
                self.block(f.body.statements(), At::Other);
                self.block(f.branch.statements(), At::Other);
            }
            // Closures' shared variables, modules, and whatever a later rhai adds.
            _ => self.refused = true,
        }
    }

    fn expr(&mut self, e: &Expr, at: At) {
        match e {
            Expr::InterpolatedString(parts, _) => {
                for part in parts.iter() {
                    match part {
                        Expr::Dot(x, _, _) if at == At::Answer && is_id(&x.rhs) => {
                            self.naming.insert(self.current.clone());
                            self.expr(&x.lhs, At::Other);
                        }
                        _ => self.expr(part, At::Other),
                    }
                }
            }
            Expr::Map(x, _) => {
                let (entries, constants) = &**x;
                for (_, value) in entries.iter() {
                    self.expr(value, at);
                }
                if constants.values().any(suspect) {
                    self.refused = true;
                }
            }
            // Any other read of an id: it may decide something.
            Expr::Property(p, _) if p.2 == "id" => self.refused = true,
            Expr::Property(..) | Expr::Variable(..) | Expr::ThisPtr(_) | Expr::Unit(_) => {}
            Expr::BoolConstant(..) | Expr::IntegerConstant(..) | Expr::FloatConstant(..) => {}
            Expr::StringConstant(s, _) => self.refused |= s.contains(MARKER),
            Expr::CharConstant(c, _) => self.refused |= *c == MARKER,
            Expr::DynamicConstant(d, _) => self.refused |= suspect(d),
            Expr::Array(items, _) => items.iter().for_each(|i| self.expr(i, At::Other)),
            Expr::Stmt(block) => self.block(block.statements(), at),
            Expr::FnCall(call, _) => self.call(call, at),
            // `x.f()`: the method's answer is the expression's.
            Expr::MethodCall(call, _) => self.call(call, at),
            Expr::Dot(x, _, _) => {
                self.expr(&x.lhs, At::Other);
                self.expr(&x.rhs, at);
            }
            Expr::Index(x, _, _) => {
                self.expr(&x.lhs, At::Other);
                self.expr(&x.rhs, At::Other);
            }
            Expr::And(xs, _) | Expr::Or(xs, _) | Expr::Coalesce(xs, _) => {
                xs.iter().for_each(|x| self.expr(x, At::Other));
            }
            _ => self.refused = true,
        }
    }

    fn call(&mut self, call: &FnCallExpr, at: At) {
        let name = call.name.as_str();
        // Function pointers call functions by a name made at run time, out of sight.
        if matches!(name, "Fn" | "call" | "curry") {
            self.refused = true;
        }
        if self.functions.contains(name) {
            match at {
                At::Answer => {
                    self.answer_calls.insert((self.current.clone(), name.to_string()));
                }
                At::Other => {
                    self.other_calls.insert(name.to_string());
                }
            }
        }
        for arg in call.args.iter() {
            self.expr(arg, At::Other);
        }
    }
}

/// Whether `e` is the property `id`.
fn is_id(e: &Expr) -> bool {
    matches!(e, Expr::Property(p, _) if p.2 == "id")
}

/// Whether a constant holds, at any depth, a function pointer (which a function such as an
/// array's `map` calls out of sight; rhai folds a literal list of closures into a constant) or
/// the placeholders' marker.
fn suspect(d: &Dynamic) -> bool {
    if d.is_fnptr() {
        return true;
    }
    if let Some(s) = d.read_lock::<rhai::ImmutableString>() {
        return s.contains(MARKER);
    }
    if let Some(c) = d.read_lock::<char>() {
        return *c == MARKER;
    }
    if let Some(items) = d.read_lock::<rhai::Array>() {
        return items.iter().any(suspect);
    }
    if let Some(map) = d.read_lock::<rhai::Map>() {
        return map.iter().any(|(k, v)| k.contains(MARKER) || suspect(v));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(script: &str) -> bool {
        let mut engine = rhai::Engine::new_raw();
        engine.set_max_expr_depths(64, 64);
        let ast = engine.compile(script).expect("compiles");
        // As the rules are compiled: with the constants folded in.
        let scope = rhai::Scope::new();
        ids_only_name(&engine.optimize_ast(&scope, ast, rhai::OptimizationLevel::Simple))
    }

    #[test]
    fn an_id_in_an_answers_text_only_names() {
        assert!(reads(
            r#"
            fn own_finish(work) {
                if work.status == "x" { return #{ date: work.as_of, assumption: `${work.id}: late` }; }
                let p = `"${work.phrase}"`;
                if work.waits_on > 0 { dated(work) } else { #{ unknown: true, reason: `${work.id} ${p}` } }
            }
            fn dated(work) {
                switch work.kind { "task" => #{ date: work.as_of, assumption: `${work.id}` }, _ => named(work) }
            }
            fn named(work) { `${work.id} is named` }
            fn follow_on(work, waits_on, edge) { #{ days: 0, assumption: `${work.id} after ${waits_on.id}` } }
            "#
        ));
        assert!(reads(include_str!("../../rules/forecast.rhai")));
    }

    #[test]
    fn an_id_that_may_decide_is_refused() {
        for script in [
            // Compared, kept, measured, indexed, thrown, or passed on.
            r#"fn f(work) { if work.id == "1" { 1 } else { 2 } }"#,
            r#"fn f(work) { let i = work.id; #{ assumption: `${i}` } }"#,
            r#"fn f(work) { #{ assumption: `${work.id.len()}` } }"#,
            r#"fn f(work) { #{ assumption: work.id } }"#,
            r#"fn f(work) { throw `${work.id}`; }"#,
            r#"fn f(work) { #{ n: g(`${work.id}`) } } fn g(x) { x }"#,
            // A text that names a work, examined before it is returned.
            r#"fn f(work) { let m = #{ a: `${work.id}` }; if m.a.len() > 3 { 1 } else { 2 } }"#,
            r#"fn f(work) { if g(work).len() > 3 { 1 } } fn g(w) { `${w.id}` }"#,
            r#"fn f(work) { let a = h(work); a } fn h(w) { g(w) } fn g(w) { #{ a: `${w.id}` } }"#,
            // A function pointer, and a constant holding the placeholders' marker.
            r#"fn f(work) { let g = Fn("g"); g.call(work) } fn g(w) { 1 }"#,
            "fn f(work) { #{ assumption: `\u{FDD0}0\u{FDD0} ${work.id}` } }",
            // A closure, folded into a constant list, that a list's `map` calls.
            r#"fn f(work) { let n = [|w| `${w.id}`]; if [work].map(n[0])[0] == "7" { 1 } }"#,
        ] {
            assert!(!reads(script), "{script}");
        }
    }

    #[test]
    fn functions_told_apart_only_past_where_rhai_counts_are_refused() {
        // `name_of` names a work and is compared; past column 65,535 its place is `spacer`'s.
        for spacer in [" ".repeat(70_000), format!("{}{}", "\n".repeat(65_600), " ".repeat(100))] {
            let script = format!(
                "fn spacer() {{{spacer}}}\nfn name_of(w) {{\n`${{w.id}}`\n}}\nfn f(work) {{ if name_of(work) == \"7\" {{ 1 }} }}"
            );
            assert!(!reads(&script));
        }
    }

    #[test]
    fn a_placeholder_is_filled_with_its_views_id() {
        let text = format!("{} waits on {}", placeholder(0), placeholder(1));
        assert_eq!(fill(&text, &["10.3", "10.2"]).as_deref(), Some("10.3 waits on 10.2"));
        assert_eq!(fill("no name", &["10.3"]), None);
        // An id put in next to a marker of the script's own is not read as a placeholder.
        let text = format!("{MARKER}{}{MARKER} after {}", placeholder(0), placeholder(1));
        let filled = format!("{MARKER}1{MARKER} after p1");
        assert_eq!(fill(&text, &["1", "p1"]), Some(filled));
        // Every placeholder is as long as the longest id.
        for slot in [0, 1, 10, 255] {
            assert_eq!(placeholder(slot).len(), PLACEHOLDER_BYTES);
            assert_eq!(slot_of(&placeholder(slot)), Some(usize::from(slot)));
        }
        let zero_led = placeholder(10).replacen("10", "01", 1);
        assert_eq!(slot_of(&zero_led), None);
        let ids: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        assert_eq!(fill(&placeholder(10), &ids).as_deref(), Some("t10"));
    }
}
