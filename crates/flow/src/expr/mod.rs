//! Expressions: jq, through the `jaq` crates, sandboxed and bounded.
//!
//! [`Program::compile`] checks an expression (syntax, known filters, the sandbox) and
//! returns a program; [`Program::run`] evaluates it on a JSON value with the run's plain
//! variables as `$name` and `$vars`. Nothing in an expression can read the machine:
//! `env`/`$ENV`, `input`/`inputs`, `debug`/`stderr`, `halt`, `localtime` and the like
//! are not there. Evaluation is bounded in steps, time and nesting depth: a runaway
//! expression (`[range(1e12)]`, `repeat(.)`, `def f: [f]; f`) ends with an error instead
//! of hanging or exhausting the stack.
//!
//! The errors, and jaq's compile errors put in words, are in `error`.

mod error;

use std::cell::Cell;
use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub use error::{EvalError, ExprError};
use error::{NO_IMPORTS, bounded_text, load_error, offset_in};
use jaq_core::load::{Arena, File, Loader, parse};
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
mod tests;
