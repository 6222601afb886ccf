//! Expressions: jq, through the `jaq` crates, sandboxed and bounded.
//!
//! [`Program::compile`] checks an expression (syntax, known filters, the sandbox) and
//! returns a program; [`Program::run`] evaluates it on a JSON value with the run's plain
//! variables as `$name` and `$vars`. Nothing in an expression can read the machine:
//! `env`/`$ENV`, `input`/`inputs`, `debug`/`stderr`, `halt`, `localtime` and the like
//! are not there. Evaluation is bounded in steps, time and nesting depth: a runaway
//! expression (`[range(1e12)]`, `repeat(.)`, `def f: [f]; f`) ends with an error instead
//! of hanging or exhausting the stack.

use std::cell::Cell;
use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use jaq_core::load::{Arena, File, Loader, lex, parse};
use jaq_core::native::{Filter as NativeFilter, Fun, bome, v};
use jaq_core::{Ctx, DataT, Lut, Vars, compile, data::HasLut};
use jaq_json::Val;
use jaq_std::ValT as _;
use serde_json::{Map, Number, Value};

/// Builtins an expression may not call: they read the process environment, stdin,
/// stderr, the local clock, or stop the program.
const FORBIDDEN: &[&str] = &[
    "env",
    "halt",
    "halt_error",
    "input",
    "inputs",
    "debug",
    "debug_empty",
    "stderr",
    "stderr_empty",
    "localtime",
    "strflocaltime",
    "input_filename",
    "input_line_number",
    "get_search_list",
    "get_prog_origin",
    "get_jq_origin",
    "$__prog_args",
    "splits_",
];

/// How long one evaluation may take.
const MAX_TIME: Duration = Duration::from_millis(500);
/// How many evaluation steps (filter calls, generated values) one evaluation may take.
const MAX_STEPS: u64 = 2_000_000;
/// Stack that must stay free while evaluating; deeper recursion is an error. It is
/// also what walks over a value (comparing, writing, dropping) may use: values nest at
/// most [`jaq_json::limits::MAX_DEPTH`] levels deep.
const STACK_RESERVE: usize = 512 * 1024;
/// An evaluation starting with less stack than this left runs on a new stack segment of
/// [`GROWN_STACK`] bytes.
const STACK_NEEDED: usize = 2 * STACK_RESERVE;
const GROWN_STACK: usize = 8 * 1024 * 1024;
/// Nesting depth of a value handed back from an expression.
const MAX_DEPTH: usize = 256;
/// Nesting depth of a value handed to an expression (its input and variables); values
/// built while evaluating nest at most [`jaq_json::limits::MAX_DEPTH`] deep.
const MAX_INPUT_DEPTH: usize = jaq_json::limits::MAX_DEPTH;
/// How much one evaluation may build: arrays, objects and strings made while evaluating
/// (text made by `tostring`/`tojson` included) and the value handed back.
pub const MAX_MEMORY: usize = 256 * 1024 * 1024;
/// Longest error text taken from jaq (its messages may quote whole values).
const MAX_MESSAGE: usize = 300;

/// A problem with an expression's text, found when it is compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    /// What is wrong.
    pub message: String,
    /// Byte offset into the expression where the problem is.
    pub offset: usize,
}

impl ExprError {
    /// The 1-based column (in characters) of the problem within `text`.
    pub fn column(&self, text: &str) -> usize {
        text.get(..self.offset).map_or(1, |before| before.chars().count() + 1)
    }
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why an evaluation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// What went wrong, as a person reads it.
    pub message: String,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl EvalError {
    fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

/// A compiled expression, ready to run many times.
pub struct Program {
    filter: jaq_core::Filter<Budgeted>,
    /// The global variables it was compiled with (`$vars` first), without `$`.
    globals: Vec<String>,
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Program").field("globals", &self.globals).finish_non_exhaustive()
    }
}

/// The outputs of an evaluation, in order (an expression may give none or several).
pub type Outputs = Vec<Value>;

impl Program {
    /// Checks `text` as it is read from a file: every `$name` it mentions is assumed
    /// to exist (run variables are only known when the flow runs).
    pub fn check(text: &str) -> Result<(), ExprError> {
        let names = mentioned_variables(text);
        Self::compile(text, names.iter().map(String::as_str)).map(|_| ())
    }

    /// Compiles `text`, with `variables` (names without `$`) available as `$name`
    /// besides `$vars`.
    pub fn compile<'n>(text: &str, variables: impl IntoIterator<Item = &'n str>) -> Result<Self, ExprError> {
        let mut globals = vec!["vars".to_owned()];
        globals.extend(variables.into_iter().filter(|n| is_identifier(n) && !is_reserved(n)).map(str::to_owned));
        globals.dedup();
        let dollars: Vec<String> = globals.iter().map(|n| format!("${n}")).collect();

        let arena = Arena::default();
        let loader = Loader::new(std_defs().iter().cloned());
        let modules = loader.load(&arena, File { code: text, path: () }).map_err(|errors| load_error(text, errors))?;
        // `import "file" as $data;` loads nothing here (no file is ever read), so it is
        // refused rather than giving `{}`.
        let mut imported = None;
        let _ = jaq_core::load::import(&modules, |import| {
            imported.get_or_insert(offset_in(text, import.path));
            Err(String::new())
        });
        if let Some(offset) = imported {
            return Err(ExprError { message: NO_IMPORTS.to_owned(), offset });
        }
        let filter = compile::Compiler::default()
            .with_funs(funs())
            .with_global_vars(dollars.iter().map(String::as_str))
            .compile(modules)
            .map_err(|errors| compile_error(text, errors))?;
        Ok(Self { filter, globals })
    }

    /// Runs the program on `input` with `variables` (the run's plain variables; a name
    /// the program was compiled with but missing here is `null`). At most `max_outputs`
    /// outputs are produced; evaluation stops there.
    pub fn run(&self, input: &Value, variables: &Map<String, Value>, max_outputs: usize) -> Result<Outputs, EvalError> {
        stacker::maybe_grow(STACK_NEEDED, GROWN_STACK, || self.run_here(input, variables, max_outputs))
    }

    fn run_here(
        &self,
        input: &Value,
        variables: &Map<String, Value>,
        max_outputs: usize,
    ) -> Result<Outputs, EvalError> {
        // The values handed in are converted before the budget starts: they exist already.
        let input = to_val(input, 0)?;
        let mut values = Vec::with_capacity(self.globals.len());
        for name in &self.globals {
            values.push(if name == "vars" {
                let mut map = jaq_json::Map::default();
                for (key, value) in variables {
                    map.insert(Val::from(key.clone()), to_val(value, 1)?);
                }
                Val::obj(map)
            } else {
                variables.get(name).map(|value| to_val(value, 0)).transpose()?.unwrap_or(Val::Null)
            });
        }
        let deadline = Instant::now() + MAX_TIME;
        BUDGET.with(|slot| slot.set(Some(deadline)));
        STEPS.with(|steps| steps.set(0));
        jaq_json::limits::start(MAX_MEMORY, Some(deadline));
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run_bounded(input, values, max_outputs)));
        jaq_json::limits::stop();
        BUDGET.with(|slot| slot.set(None));
        match result {
            Ok(result) => result,
            Err(payload) => {
                if let Some(exceeded) = payload.downcast_ref::<Exceeded>() {
                    Err(EvalError::new(exceeded.message()))
                } else if let Some(exceeded) = payload.downcast_ref::<jaq_json::limits::Exceeded>() {
                    Err(EvalError::new(built_too_much(*exceeded)))
                } else {
                    // Not ours: a real bug in the evaluator; report it as an error, not a crash.
                    Err(EvalError::new("the expression could not be evaluated (internal error)"))
                }
            }
        }
    }

    fn run_bounded(&self, input: Val, values: Vec<Val>, max_outputs: usize) -> Result<Outputs, EvalError> {
        let ctx = Ctx::<Budgeted>::new(Ticket { lut: &self.filter.lut }, Vars::new(values));
        let mut outputs = Vec::new();
        for output in self.filter.id.run((ctx, input)) {
            match output {
                Ok(value) => outputs.push(from_val(&value, 0)?),
                Err(exn) => {
                    return Err(match exn.get_err() {
                        Ok(error) => EvalError::new(bounded_text(&error)),
                        Err(_) => EvalError::new("`break`, `halt` or a tail call escaped the expression"),
                    });
                }
            }
            if outputs.len() >= max_outputs {
                break;
            }
        }
        Ok(outputs)
    }

    /// Runs the program and requires exactly one output, as `evaluate`, `if`, `set`,
    /// `for_each` and checks do.
    pub fn run_one(&self, input: &Value, variables: &Map<String, Value>) -> Result<Value, EvalError> {
        let mut outputs = self.run(input, variables, 2)?;
        match outputs.len() {
            1 => Ok(outputs.remove(0)),
            0 => Err(EvalError::new("the expression gave no value (wrap it in `[…]` to get a list, or use `// null`)")),
            _ => Err(EvalError::new("the expression gave several values; wrap it in `[…]` to collect them")),
        }
    }
}

/// How deeply a value a run passes between blocks may nest: what an expression may be
/// given (a `collect` that would nest its list deeper fails instead).
pub const MAX_VALUE_DEPTH: usize = MAX_INPUT_DEPTH;

/// How deeply arrays and objects nest in `value` (0 for a scalar), found without
/// recursing.
pub fn json_depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut pending = vec![(value, 0)];
    while let Some((value, depth)) = pending.pop() {
        deepest = deepest.max(depth);
        match value {
            Value::Array(items) => pending.extend(items.iter().map(|item| (item, depth + 1))),
            Value::Object(map) => pending.extend(map.values().map(|item| (item, depth + 1))),
            _ => {}
        }
    }
    deepest
}

/// jq truthiness: `false` and `null` are false, everything else is true.
pub fn is_truthy(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Bool(false))
}

/// Whether `name` can be written `$name` in jq.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names that are never run variables in an expression: `$vars` itself, jq's `$ENV`
/// (refused by the sandbox) and jq's own `$__loc__`-style names.
fn is_reserved(name: &str) -> bool {
    name == "vars" || name == "ENV" || name.starts_with("__")
}

/// Every `$name` in `text` (also inside strings: assuming one too many is harmless).
fn mentioned_variables(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let after = rest.get(at + 1..).unwrap_or_default();
        let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        let name = after.get(..len).unwrap_or_default();
        if is_identifier(name) && !is_reserved(name) && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
        rest = after.get(len..).unwrap_or_default();
    }
    names
}

// --- the sandbox: definitions and native filters -------------------------------------

fn std_defs() -> &'static [parse::Def<&'static str>] {
    static DEFS: OnceLock<Vec<parse::Def<&'static str>>> = OnceLock::new();
    DEFS.get_or_init(|| {
        jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs())
            .filter(|def| !FORBIDDEN.contains(&def.name))
            .collect()
    })
}

fn funs() -> impl Iterator<Item = Fun<Budgeted>> {
    let allowed = jaq_core::funs::<Budgeted>()
        .chain(jaq_std::funs::<Budgeted>())
        .chain(jaq_json::funs::<Budgeted>())
        .filter(|(name, _, _)| !FORBIDDEN.contains(name) && *name != "range");
    allowed.chain([jaq_core::native::run::<Budgeted>(counted_range())])
}

/// `range($from; $upto; $by)`, counting every value it makes against the budget.
fn counted_range() -> NativeFilter<jaq_core::RunPtr<Budgeted>> {
    ("range", v(3), |mut cv| {
        let by = cv.0.pop_var();
        let upto = cv.0.pop_var();
        let from = cv.0.pop_var();
        let numbers = (from.as_f64(), upto.as_f64(), by.as_f64());
        let (Some(from), Some(upto), Some(by)) = numbers else {
            return bome(Err(jaq_core::Error::str("range: from, upto and by must be numbers")));
        };
        let ascending = by > 0.0;
        let mut next = from;
        let iter = std::iter::from_fn(move || {
            let more = if ascending { next < upto } else { by < 0.0 && next > upto };
            if !more {
                return None;
            }
            tick();
            let value = next;
            next += by;
            Some(Ok(number_val(value)))
        });
        Box::new(iter)
    })
}

fn number_val(value: f64) -> Val {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        // Whole numbers stay integers, as in jq (`range(3)` gives 0, 1, 2).
        #[allow(clippy::cast_possible_truncation)]
        Val::from(value as isize)
    } else {
        Val::from(value)
    }
}

// --- the budget ----------------------------------------------------------------------

/// The data type of our filters: jaq's JSON values, with a data handle whose every
/// copy (one per filter call) counts a step.
struct Budgeted;

impl DataT for Budgeted {
    type V<'a> = Val;
    type Data<'a> = Ticket<'a>;
}

struct Ticket<'a> {
    lut: &'a Lut<Budgeted>,
}

impl Clone for Ticket<'_> {
    fn clone(&self) -> Self {
        tick();
        Self { lut: self.lut }
    }
}

impl<'a> HasLut<'a, Budgeted> for Ticket<'a> {
    fn lut(&self) -> &'a Lut<Budgeted> {
        self.lut
    }
}

thread_local! {
    /// While an evaluation runs on this thread: its deadline.
    static BUDGET: Cell<Option<Instant>> = const { Cell::new(None) };
    /// Steps taken by the evaluation running on this thread.
    static STEPS: Cell<u64> = const { Cell::new(0) };
}

/// Why an evaluation was stopped.
#[derive(Debug, Clone, Copy)]
enum Exceeded {
    Steps,
    Time,
    Depth,
}

impl Exceeded {
    fn message(self) -> String {
        match self {
            Exceeded::Steps => format!(
                "the expression did not finish within {MAX_STEPS} steps (a runaway `range`, `repeat` or recursion?)"
            ),
            Exceeded::Time => {
                format!("the expression did not finish within {} ms", MAX_TIME.as_millis())
            }
            Exceeded::Depth => "the expression recursed too deeply".to_owned(),
        }
    }
}

/// Counts one evaluation step; past the budget, unwinds out of the evaluation (caught
/// in [`Program::run`]; `resume_unwind` runs no panic hook, so nothing is printed).
fn tick() {
    let Some(deadline) = BUDGET.with(Cell::get) else {
        return;
    };
    let steps = STEPS.with(|steps| {
        let next = steps.get() + 1;
        steps.set(next);
        next
    });
    let exceeded = if steps > MAX_STEPS {
        Some(Exceeded::Steps)
    } else if stacker::remaining_stack().is_some_and(|left| left < STACK_RESERVE) {
        Some(Exceeded::Depth)
    } else if steps.is_multiple_of(1024) && Instant::now() > deadline {
        Some(Exceeded::Time)
    } else {
        None
    };
    if let Some(exceeded) = exceeded {
        std::panic::resume_unwind(Box::new(exceeded));
    }
}

// --- values --------------------------------------------------------------------------

/// The message for an evaluation stopped by the value layer's bounds.
fn built_too_much(exceeded: jaq_json::limits::Exceeded) -> String {
    match exceeded {
        jaq_json::limits::Exceeded::Memory(limit) => format!(
            "the expression built more than {} MiB of values, the limit for one evaluation",
            limit / (1024 * 1024)
        ),
        jaq_json::limits::Exceeded::Depth => {
            format!("the expression built a value nested more than {MAX_INPUT_DEPTH} levels deep")
        }
        jaq_json::limits::Exceeded::Time => Exceeded::Time.message(),
    }
}

fn to_val(value: &Value, depth: usize) -> Result<Val, EvalError> {
    if depth > MAX_INPUT_DEPTH {
        return Err(EvalError::new(format!(
            "the value given to the expression is nested more than {MAX_INPUT_DEPTH} levels deep"
        )));
    }
    Ok(match value {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::from(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) if isize::try_from(i).is_ok() => Val::from(isize::try_from(i).unwrap_or_default()),
            (_, Some(f)) => Val::from(f),
            _ => Val::Null,
        },
        Value::String(s) => Val::from(s.clone()),
        Value::Array(items) => {
            items.iter().map(|item| to_val(item, depth + 1)).collect::<Result<Vec<_>, _>>()?.into_iter().collect()
        }
        Value::Object(map) => {
            let mut out = jaq_json::Map::default();
            for (key, item) in map {
                out.insert(Val::from(key.clone()), to_val(item, depth + 1)?);
            }
            Val::obj(out)
        }
    })
}

/// What a value handed back is counted as against [`MAX_MEMORY`]: a `serde_json`
/// value, and an entry of a map.
const VALUE_BYTES: usize = std::mem::size_of::<Value>();
const ENTRY_BYTES: usize = 2 * std::mem::size_of::<Value>();

fn from_val(value: &Val, depth: usize) -> Result<Value, EvalError> {
    if depth > MAX_DEPTH {
        return Err(EvalError::new(format!("the expression's value is nested more than {MAX_DEPTH} levels deep")));
    }
    // The value handed back is built here, element by element: shared parts (`[., .]`)
    // are copied, so it is counted against the budget as it is made.
    jaq_json::limits::charge(VALUE_BYTES);
    Ok(match value {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Num(_) => number(value),
        Val::BStr(_) | Val::TStr(_) => Value::String(text(value)),
        Val::Arr(items) => Value::Array(items.iter().map(|item| from_val(item, depth + 1)).collect::<Result<_, _>>()?),
        Val::Obj(map) => {
            let mut out = Map::new();
            for (key, item) in map.iter() {
                let key = match key {
                    Val::BStr(_) | Val::TStr(_) => text(key),
                    other => bounded_text(other),
                };
                jaq_json::limits::charge(ENTRY_BYTES);
                out.insert(key, from_val(item, depth + 1)?);
            }
            Value::Object(out)
        }
    })
}

fn text(value: &Val) -> String {
    let text = value.as_utf8_bytes().map(|bytes| String::from_utf8_lossy(bytes).into_owned()).unwrap_or_default();
    jaq_json::limits::charge(text.len());
    text
}

fn number(value: &Val) -> Value {
    if let Some(i) = value.as_isize() {
        return Value::Number(Number::from(i64::try_from(i).unwrap_or(i64::MAX)));
    }
    // Big integers and decimals: read back through their JSON text, else as a float.
    let shown = value.to_string();
    if let Ok(Value::Number(n)) = serde_json::from_str::<Value>(&shown) {
        return Value::Number(n);
    }
    value.as_f64().and_then(Number::from_f64).map_or(Value::Null, Value::Number)
}

/// `shown` as text of at most [`MAX_MESSAGE`] bytes (and `…`): formatting stops there,
/// so a message quoting a huge value takes no more time or memory than a short one.
fn bounded_text(shown: &impl fmt::Display) -> String {
    let mut out = Bounded(String::new());
    let cut = fmt::write(&mut out, format_args!("{shown}")).is_err();
    let mut message = out.0;
    if cut {
        message.push('…');
    }
    message
}

/// A `fmt::Write` that keeps the first [`MAX_MESSAGE`] bytes and then refuses more.
struct Bounded(String);

impl fmt::Write for Bounded {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let room = MAX_MESSAGE.saturating_sub(self.0.len());
        if text.len() <= room {
            self.0.push_str(text);
            return Ok(());
        }
        let mut end = room;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        self.0.push_str(text.get(..end).unwrap_or_default());
        Err(fmt::Error)
    }
}

// --- compile errors ------------------------------------------------------------------

/// Why `import` and `include` are refused.
const NO_IMPORTS: &str =
    "`import` and `include` are not available: Switchyard expressions cannot read modules or data files";

fn offset_in(text: &str, part: &str) -> usize {
    let start = text.as_ptr() as usize;
    (part.as_ptr() as usize).saturating_sub(start).min(text.len())
}

fn load_error(text: &str, errors: jaq_core::load::Errors<&str, ()>) -> ExprError {
    use jaq_core::load::Error;
    let first = errors.into_iter().next().map(|(_, error)| error);
    match first {
        Some(Error::Lex(errors)) => match errors.into_iter().next() {
            Some((expect, at)) => {
                ExprError { message: format!("expected {}", lex_expect(&expect)), offset: offset_in(text, at) }
            }
            None => ExprError { message: "invalid expression".to_owned(), offset: 0 },
        },
        Some(Error::Parse(errors)) => match errors.into_iter().next() {
            Some((expect, at)) => {
                let found = if at.is_empty() { "the end".to_owned() } else { format!("`{}`", first_token(at)) };
                ExprError {
                    message: format!("expected {}, found {found}", parse_expect(&expect)),
                    offset: offset_in(text, at),
                }
            }
            None => ExprError { message: "invalid expression".to_owned(), offset: 0 },
        },
        Some(Error::Io(errors)) => {
            let offset = errors.first().map_or(0, |(path, _)| offset_in(text, path));
            ExprError { message: NO_IMPORTS.to_owned(), offset }
        }
        None => ExprError { message: "invalid expression".to_owned(), offset: 0 },
    }
}

fn first_token(at: &str) -> &str {
    let end = at.char_indices().nth(12).map_or(at.len(), |(i, _)| i);
    let token = at.get(..end).unwrap_or(at);
    token.split_whitespace().next().unwrap_or(token)
}

fn lex_expect(expect: &lex::Expect<&str>) -> &'static str {
    match expect {
        lex::Expect::Digit => "a digit",
        lex::Expect::Ident => "a name",
        lex::Expect::Delim("(") => "a closing parenthesis",
        lex::Expect::Delim("[") => "a closing bracket",
        lex::Expect::Delim("{") => "a closing brace",
        lex::Expect::Delim(_) => "a closing quote",
        lex::Expect::Escape => "a string escape sequence",
        lex::Expect::Unicode => "a 4-digit hexadecimal code point",
        _ => "a token",
    }
}

fn parse_expect(expect: &parse::Expect<&str>) -> String {
    match expect {
        parse::Expect::Just(token) => format!("`{token}`"),
        other => other.as_str().to_owned(),
    }
}

fn compile_error(text: &str, errors: jaq_core::load::Errors<&str, (), Vec<(&str, compile::Undefined)>>) -> ExprError {
    let first = errors.into_iter().flat_map(|(_, errors)| errors).next();
    let Some((name, undefined)) = first else {
        return ExprError { message: "invalid expression".to_owned(), offset: 0 };
    };
    let offset = offset_in(text, name);
    let forbidden = FORBIDDEN.contains(&name) || name == "$ENV";
    let message = if forbidden {
        format!(
            "`{name}` is not available: Switchyard expressions cannot read the machine's environment, files or terminal"
        )
    } else {
        match undefined {
            compile::Undefined::Var => {
                format!("unknown variable `{name}` (run variables are `$name`; all of them are in `$vars`)")
            }
            compile::Undefined::Filter(arity) => format!("unknown filter `{name}/{arity}`"),
            compile::Undefined::Label => format!("unknown label `{name}`"),
            compile::Undefined::Mod => format!("unknown module `{name}`"),
            #[allow(unreachable_patterns)]
            _ => format!("`{name}` is not defined"),
        }
    };
    ExprError { message, offset }
}

// A compiled program may be shared by a run's tasks.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Program>();
};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{Strategy, prop};
    use proptest::prop_oneof;
    use serde_json::json;

    fn one(text: &str, input: Value) -> Result<Value, EvalError> {
        Program::compile(text, []).unwrap().run_one(&input, &Map::new())
    }

    #[test]
    fn evaluates_jq() {
        assert_eq!(one(".a + 1", json!({"a": 2})).unwrap(), json!(3));
        assert_eq!(one("[.[] | select(. > 1)]", json!([1, 2, 3])).unwrap(), json!([2, 3]));
        assert_eq!(one("map(.id)", json!([{"id": "x"}])).unwrap(), json!(["x"]));
        assert_eq!(one("[range(3)]", json!(null)).unwrap(), json!([0, 1, 2]));
        assert_eq!(one("{a: 1.5, b: \"t\"}", json!(null)).unwrap(), json!({"a": 1.5, "b": "t"}));
    }

    #[test]
    fn variables_are_dollar_names_and_vars() {
        let mut vars = Map::new();
        vars.insert("region".into(), json!("eu"));
        vars.insert("postman-key".into(), json!("k"));
        let program = Program::compile("[$region, $vars[\"postman-key\"]]", vars.keys().map(String::as_str)).unwrap();
        assert_eq!(program.run_one(&Value::Null, &vars).unwrap(), json!(["eu", "k"]));
        let error = Program::compile("$nope", []).unwrap_err();
        assert!(error.message.contains("unknown variable `$nope`"), "{error}");
        assert!(Program::check("$later + 1").is_ok());
    }

    #[test]
    fn zero_or_several_outputs_are_errors_for_run_one() {
        assert!(one("empty", json!(1)).unwrap_err().message.contains("no value"));
        assert!(one(".[]", json!([1, 2])).unwrap_err().message.contains("wrap it in `[…]`"));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let error = Program::check(".a | | .b").unwrap_err();
        assert_eq!(error.column(".a | | .b"), 6, "{error:?}");
        let error = Program::check("[1, 2").unwrap_err();
        assert!(error.message.contains("closing bracket"), "{error:?}");
        let error = Program::check("nosuch(1)").unwrap_err();
        assert!(error.message.contains("unknown filter `nosuch/1`"), "{error:?}");
        assert_eq!(error.offset, 0);
    }

    #[test]
    fn the_sandbox_refuses_each_forbidden_builtin() {
        for text in [
            "env",
            "$ENV",
            "input",
            "inputs",
            "debug",
            "debug(1)",
            "stderr",
            "halt",
            "halt_error",
            "localtime",
            "now | strflocaltime(\"%H\")",
            "input_filename",
        ] {
            let error = Program::check(text).map(|()| text).unwrap_err();
            assert!(error.message.contains("not available") || error.message.contains("unknown"), "{text}: {error:?}");
        }
        assert!(Program::check("import \"x\" as x; 1").is_err());
        assert!(Program::check("now | type").is_ok());
    }

    #[test]
    fn runaway_expressions_end_with_an_error() {
        for text in [
            "[range(1e12)]",
            "[repeat(.)]",
            "def f: [f]; f",
            "def f: f; f",
            "last(range(1e15))",
            "[limit(1e9; repeat(1))] | length",
        ] {
            let error = one(text, json!(1)).unwrap_err();
            assert!(
                error.message.contains("did not finish") || error.message.contains("too deeply"),
                "{text}: {error:?}"
            );
        }
        // And evaluation works normally afterwards on the same thread.
        assert_eq!(one("1 + 1", json!(null)).unwrap(), json!(2));
    }

    #[test]
    fn values_too_large_for_memory_are_errors_not_aborts() {
        for text in [
            "\"x\" * 1000000000000 | length",
            "reduce range(40) as $i ([1]; . + .) | length",
            "reduce range(40) as $i (\"ab\"; . + .) | length",
        ] {
            let error = one(text, json!(null)).unwrap_err();
            assert!(error.message.contains("over the limit") || error.message.contains("256 MiB"), "{text}: {error:?}");
        }
        // Repeated squaring turns into an infinite float instead of a huge integer.
        let value = one("reduce range(30) as $i (3; . * .) | . > 1e300", json!(null)).unwrap();
        assert_eq!(value, json!(true));
    }

    /// Recursion of every kind (filter calls with filter arguments, values built deeper
    /// and deeper, paths, parsing) ends with an error; none overflows the stack.
    #[test]
    fn recursion_of_every_kind_ends_with_an_error() {
        for text in [
            "def f(x): f([x]); f(.)",
            "def f(x): f({a: x}); f(.)",
            "def f($x): f([$x]); f(.)",
            "def f: [f]; f",
            "reduce range(1000000) as $i (0; [.])",
            "reduce range(1000000) as $i (0; {a: .})",
            "reduce range(1000000) as $i (0; [.]) | . == .",
            "reduce range(1000000) as $i (0; {(tostring): .})",
            "reduce range(1000000) as $i ([]; [.] + .)",
            "reduce range(1000000) as $i (null; .a = .)",
            "[foreach range(1000000) as $i (0; [.])] | length",
            "last(recurse([.]))",
            "path(def f: .a | f; f)",
            "\"[\" * 200000 | fromjson",
            "\"{\\\"a\\\":\" * 200000 | fromjson",
        ] {
            let error = one(text, json!(null)).map(|_| text).unwrap_err();
            assert!(error.message.len() < 400, "{text}: {error:?}");
        }
        assert_eq!(one("\"[[1]]\" | fromjson", json!(null)).unwrap(), json!([[1]]));
        // And evaluation works normally afterwards on the same thread.
        assert_eq!(one("[1, [2]] | tojson", json!(null)).unwrap(), json!("[1,[2]]"));
    }

    #[test]
    fn parsing_json_is_bounded_in_depth_with_a_clear_error() {
        for text in ["\"[\" * 200000 | fromjson", "\"[\" * 600 + \"]\" * 600 | fromjson"] {
            let error = one(text, json!(null)).unwrap_err();
            assert!(error.message.contains("maximal depth exceeded"), "{text}: {error:?}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(one("fromjson | length", json!(deep)).is_ok());
    }

    /// What an evaluation builds is bounded: shared parts (`[., .]`) count for what
    /// converting or writing them would make.
    #[test]
    fn what_an_evaluation_builds_is_bounded_by_its_budget() {
        for text in [
            "reduce range(30) as $i ([0]; [., .])",
            "reduce range(30) as $i ({}; {a: ., b: .}) | tostring | length",
            "reduce range(30) as $i ([\"abcdefgh\"]; [., .]) | tojson | length",
            "reduce range(30) as $i ([0]; [., .]) | flatten | length",
        ] {
            let started = Instant::now();
            let error = one(text, json!(null)).unwrap_err();
            assert!(error.message.contains("256 MiB") || error.message.contains("did not finish"), "{text}: {error:?}");
            assert!(started.elapsed() < Duration::from_secs(10), "{text}: {:?}", started.elapsed());
        }
        // A message quoting a huge value is short, and quick to make.
        let error = one("reduce range(40) as $i ([0]; [., .]) | .a", json!(null)).unwrap_err();
        assert!(error.message.len() < 400, "{error:?}");
    }

    #[test]
    fn imports_and_includes_are_refused() {
        for text in ["import \"path\" as $d; $d", "import \"x\" as x; 1", "include \"x\"; 1", "import \"a\" as $a; 1"] {
            let error = Program::check(text).map(|()| text).unwrap_err();
            assert!(error.message.contains("`import` and `include` are not available"), "{text}: {error:?}");
            assert!(Program::compile(text, []).is_err(), "{text}");
        }
        let error = Program::check("1 | import \"p\" as $d; $d").unwrap_err();
        assert!(!error.message.is_empty());
    }

    /// The pieces random expressions are made of: recursion and size forms.
    fn runaway() -> impl Strategy<Value = String> {
        let leaf = prop::sample::select(vec![".", "0", "\"ab\"", "[]", "{}", "$vars"]).prop_map(str::to_owned);
        leaf.prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|x| format!("[{x}]")),
                inner.clone().prop_map(|x| format!("{{a: {x}}}")),
                inner.clone().prop_map(|x| format!("[{x}, {x}]")),
                inner.clone().prop_map(|x| format!("({x}) | tostring")),
                inner.clone().prop_map(|x| format!("({x}) | tojson | fromjson")),
                (inner.clone(), 1..40u32).prop_map(|(x, n)| format!("reduce range({n}) as $i ({x}; [., .])")),
                (inner.clone(), 1..200_000u32).prop_map(|(x, n)| format!("reduce range({n}) as $i ({x}; [.])")),
                inner.clone().prop_map(|x| format!("def f(y): f([y]); f({x})")),
                inner.clone().prop_map(|x| format!("def f: [f]; ({x}) | f")),
                (inner.clone(), 1..300_000u32)
                    .prop_map(|(x, n)| format!("(\"[\" * {n}) as $s | ({x}) | $s | fromjson")),
                inner.clone().prop_map(|x| format!("({x}) * 1000000")),
                inner.prop_map(|x| format!("[limit(100000; repeat({x}))]")),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// However an expression combines those forms, it gives a value or an error:
        /// never a crash, never more than its budget.
        #[test]
        fn runaway_expressions_of_any_shape_end(text in runaway()) {
            if let Ok(program) = Program::compile(&text, []) {
                match program.run_one(&json!({"k": [1, 2]}), &Map::new()) {
                    Ok(_) => {}
                    Err(error) => proptest::prop_assert!(error.message.len() < 400, "{}: {:?}", text, error),
                }
            }
        }
    }

    #[test]
    fn depth_is_found_without_recursing() {
        assert_eq!(json_depth(&json!(1)), 0);
        assert_eq!(json_depth(&json!([1, {"a": [2]}])), 3);
        let mut deep = json!(null);
        for _ in 0..100_000 {
            deep = Value::Array(vec![deep]);
        }
        assert_eq!(json_depth(&deep), 100_000);
        // Dropped without recursing either.
        let mut deep = deep;
        while let Value::Array(mut items) = deep {
            deep = items.pop().unwrap_or(Value::Null);
        }
    }

    #[test]
    fn truthiness_is_jq_truthiness() {
        assert!(!is_truthy(&json!(null)) && !is_truthy(&json!(false)));
        assert!(is_truthy(&json!(0)) && is_truthy(&json!("")) && is_truthy(&json!([])));
    }

    #[test]
    fn errors_are_short_and_values_convert_back() {
        let error = one(".a.b", json!({"a": "x".repeat(10_000)})).unwrap_err();
        assert!(error.message.len() < 400, "{}", error.message.len());
        assert_eq!(one("tojson | fromjson", json!({"k": [1, true, null]})).unwrap(), json!({"k": [1, true, null]}));
        assert_eq!(one("12345678901234567890", json!(null)).unwrap(), json!(12345678901234567890u64));
    }
}
