//! The run context: what the executors (`blocks/`) share, by reference, for the whole
//! run — the HTTP client and settings, the flow, the masked event sender, the variables as `set` blocks
//! and captures change them, the compiled expressions, the connection budget and the
//! cancel token. The scheduler (`run.rs`) makes it and hands it to every executor.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value};
use switchyard_flow::Flow;
use switchyard_flow::expr::Program;
use switchyard_vault::{Variable, Variables};
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::config::EngineConfig;
use crate::emitter::Emitter;
use crate::event::Event;
use crate::redact::Redactor;
use crate::step::Failure;

/// What the executors share, by reference, for the whole run.
pub(crate) struct Shared<'a> {
    /// The engine's HTTP client (one connection pool for every run).
    pub client: &'a reqwest::Client,
    /// The engine's settings.
    pub config: &'a EngineConfig,
    pub flow: &'a Flow,
    pub emitter: Emitter,
    /// The variables templates see; a `set` block replaces the snapshot.
    variables: Mutex<Arc<Variables>>,
    /// What expressions see, and the programs compiled for it.
    expressions: Mutex<Expressions>,
    /// One permit per request allowed in flight (`max_connections`, or the budget
    /// shared with other runs).
    pub connections: Arc<Semaphore>,
    /// The run's cancel token: a request that waited for a permit checks it.
    pub cancel: CancellationToken,
}

#[derive(Default)]
struct Expressions {
    /// Plain variables as `$name` / `$vars` (secrets never).
    values: Arc<Map<String, Value>>,
    /// Bumped when a new name appears, so programs are compiled again with it.
    generation: u64,
    /// Compiled programs by expression text, with their generation: blocks with the
    /// same expression share one. At most [`MAX_PROGRAMS`] are kept (a compiled program
    /// takes tens of kilobytes), so memory follows the flow's distinct expressions only
    /// up to that bound.
    programs: HashMap<Arc<str>, (u64, Arc<Program>)>,
}

/// How many compiled programs a run keeps; past it the cache starts again.
const MAX_PROGRAMS: usize = 256;

impl<'a> Shared<'a> {
    /// What the executors of a run of `flow` share, from `variables`, sending events to
    /// `events`, stopped by `cancel`.
    pub fn new(
        client: &'a reqwest::Client,
        config: &'a EngineConfig,
        flow: &'a Flow,
        variables: &Variables,
        events: UnboundedSender<Event>,
        cancel: &CancellationToken,
    ) -> Self {
        let mut expressions = Expressions::default();
        let values: Map<String, Value> = variables
            .iter()
            .filter(|v| !v.value.is_secret())
            .map(|v| (v.name.clone(), Value::String(v.value.expose().to_owned())))
            .collect();
        expressions.values = Arc::new(values);
        let connections = match &config.connection_budget {
            Some(budget) => Arc::clone(budget),
            None => Arc::new(Semaphore::new(config.max_connections.clamp(1, Semaphore::MAX_PERMITS))),
        };
        Shared {
            client,
            config,
            flow,
            emitter: Emitter::new(events, Redactor::for_variables(variables)),
            variables: Mutex::new(Arc::new(variables.clone())),
            expressions: Mutex::new(expressions),
            connections,
            cancel: cancel.clone(),
        }
    }
}

impl Shared<'_> {
    /// The variables as they are now (a request keeps its snapshot while it runs).
    pub fn variables(&self) -> Arc<Variables> {
        Arc::clone(&self.variables.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Evaluates the expression `text`, written in `field`, on `input`, requiring exactly
    /// one value. The compiled program is found by its text.
    pub fn evaluate(&self, field: &str, text: &str, input: &Value) -> Result<Value, Failure> {
        let failure = |message: String| Failure { field: field.to_owned(), message };
        let (program, values) = {
            let mut state = self.expressions.lock().unwrap_or_else(PoisonError::into_inner);
            let generation = state.generation;
            let cached = state.programs.get(text).filter(|(g, _)| *g == generation).map(|(_, p)| Arc::clone(p));
            let program = match cached {
                Some(program) => program,
                None => {
                    let names: Vec<&str> = state.values.keys().map(String::as_str).collect();
                    let program = Program::compile(text, names)
                        .map_err(|error| failure(format!("{} (column {})", error.message, error.column(text))))?;
                    let program = Arc::new(program);
                    if state.programs.len() >= MAX_PROGRAMS && !state.programs.contains_key(text) {
                        state.programs.clear();
                    }
                    state.programs.insert(Arc::from(text), (generation, Arc::clone(&program)));
                    program
                }
            };
            (program, Arc::clone(&state.values))
        };
        program.run_one(input, &values).map_err(|error| failure(error.message))
    }

    /// Keeps a run variable set by a `set` block or a capture: it wins over every
    /// other source. A secret is added to the mask at once.
    pub fn set_variable(&self, name: &str, value: &Value, secret: bool) {
        let text = switchyard_flow::template::value_to_text(value);
        if secret {
            self.emitter.mask_secret(&text);
        }
        {
            let mut variables = self.variables.lock().unwrap_or_else(PoisonError::into_inner);
            let mut next = Variables::clone(&variables);
            next.insert(if secret { Variable::secret(name, text) } else { Variable::plain(name, text) });
            *variables = Arc::new(next);
        }
        let mut state = self.expressions.lock().unwrap_or_else(PoisonError::into_inner);
        let mut values = Map::clone(&state.values);
        let known = values.contains_key(name);
        if secret {
            values.remove(name);
        } else {
            values.insert(name.to_owned(), value.clone());
        }
        state.values = Arc::new(values);
        if !known && !secret {
            state.generation += 1;
        }
    }
}
