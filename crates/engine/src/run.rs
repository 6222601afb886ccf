//! The scheduler: hands each value that reaches an input to its block's executor
//! (`blocks/`), applies what the executor asks for, counts steps, and ends the run.
//!
//! Every queued value and every running wait (a request, a timer) carries its *lineage*: the
//! For Each runs and elements whose branch it belongs to. Each element counts the work
//! still pending in its branch; when that reaches zero the branch has ended, the next
//! element may start (`concurrency`), and when every element has ended the For Each run
//! is complete and its Collect blocks fire. All of it is counting, linear in the work.
//!
//! At most [`EngineConfig::max_connections`](crate::config::EngineConfig) requests are in
//! flight at once (or as many as [`EngineConfig::connection_budget`](crate::config::EngineConfig)
//! has permits, a budget shared with other runs): each holds a permit of the run's
//! semaphore from before it renders
//! its templates until its response body is read, and the others wait for one. A
//! cancelled run stops before anything further is sent: the cancel token is checked
//! before each block starts and before a request that got its permit goes ahead, and
//! it wins over a finished wait when both are ready.

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use futures_util::stream::{FuturesUnordered, StreamExt as _};
use serde_json::Value;
use switchyard_flow::expr::{MAX_VALUE_DEPTH, json_depth};
use switchyard_flow::{BlockKind, Flow, LogLevel, Port};
use switchyard_vault::{Date, Variables};
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::blocks;
use crate::config::EngineConfig;
use crate::context::Shared;
use crate::event::{Counts, Event, Outcome, RunSummary};
use crate::redact::{MASK, Redactor};
use crate::step::{Failure, Fired, Step};

/// How many block runs the scheduler makes before letting other tasks run.
const YIELD_EVERY: u64 = 64;

/// Which For Each runs and elements a value belongs to, outermost first.
type Lineage = Arc<[Frame]>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Frame {
    run: usize,
    element: usize,
}

/// A value waiting for a block.
struct Work {
    index: usize,
    /// Shared with the `BlockFinished` event that fired it.
    value: Arc<Value>,
    lineage: Lineage,
}

/// One run of a For Each block over its elements.
struct ForEachRun {
    block: usize,
    parent: Lineage,
    items: Vec<Value>,
    concurrency: usize,
    /// Elements started so far.
    next: usize,
    /// Elements whose branch has ended.
    ended: usize,
    /// Per element: queued values and running tasks in its branch.
    pending: Vec<u64>,
    /// Values that reached a Collect in this run: (collect block, element, value).
    collected: Vec<(usize, usize, Value)>,
}

type Task<'a> = Pin<Box<dyn Future<Output = (usize, Lineage, Result<Fired, Failure>)> + Send + 'a>>;

/// The scheduler's own state, apart from what executors share.
struct Scheduler<'a> {
    shared: &'a Shared<'a>,
    /// For each (block, output port), the blocks wired to it.
    targets: HashMap<(usize, Port), Vec<usize>>,
    /// For each For Each block, the Collect blocks in its scope.
    collects_of: HashMap<usize, Vec<usize>>,
    queue: VecDeque<Work>,
    /// For Each runs under way, by number; a complete one is removed (a loop through a
    /// For Each would otherwise keep every run it ever made).
    runs: HashMap<usize, ForEachRun>,
    /// The number the next For Each run gets.
    next_run: usize,
    /// Elements whose branch just ended, waiting to be settled.
    ended: Vec<Frame>,
    counts: Counts,
}

/// Runs `flow` with `variables` until nothing is left, the step limit, or `cancel`.
/// Returns its summary and its masks at the end (every secret the run knew).
pub(crate) async fn execute(
    client: &reqwest::Client,
    config: &EngineConfig,
    flow: &Flow,
    variables: &Variables,
    events: UnboundedSender<Event>,
    cancel: CancellationToken,
) -> (RunSummary, Redactor) {
    let shared = Shared::new(client, config, flow, variables, events, &cancel);
    let summary = Scheduler::new(&shared).run(cancel).await;
    (summary, shared.emitter.into_redactor())
}

impl<'a> Scheduler<'a> {
    fn new(shared: &'a Shared<'a>) -> Self {
        let flow = shared.flow;
        let index: HashMap<&str, usize> = flow.blocks.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
        let mut targets: HashMap<(usize, Port), Vec<usize>> = HashMap::new();
        for wire in &flow.wires {
            if let (Some(&from), Some(&to)) = (index.get(wire.from.block.as_str()), index.get(wire.to.block.as_str())) {
                targets.entry((from, wire.from.port)).or_default().push(to);
            }
        }
        let collects_of = collect_scopes(flow, &targets);
        Self {
            shared,
            targets,
            collects_of,
            queue: VecDeque::new(),
            runs: HashMap::new(),
            next_run: 0,
            ended: Vec::new(),
            counts: Counts::default(),
        }
    }

    async fn run(mut self, cancel: CancellationToken) -> RunSummary {
        let started = Instant::now();
        let shared = self.shared;
        let flow = shared.flow;
        shared.emitter.send(Event::RunStarted { flow: flow.name.clone(), blocks: flow.blocks.len() });
        warn_expired(shared);

        if let Some(start) = flow.blocks.iter().position(|b| matches!(b.kind, BlockKind::Start(_))) {
            self.queue.push_back(Work { index: start, value: Arc::new(Value::Null), lineage: Arc::from([]) });
        }
        // Waits (requests, timers) are polled on this task rather than spawned: fan-out is
        // still concurrent, and no value crosses threads between one block and the next.
        let mut tasks: FuturesUnordered<Task<'a>> = FuturesUnordered::new();
        let max_steps = shared.config.max_steps;
        let outcome = loop {
            if cancel.is_cancelled() {
                break Some(Outcome::Cancelled);
            }
            let mut hit_limit = false;
            while let Some(work) = self.queue.pop_front() {
                if self.counts.blocks_run >= max_steps {
                    hit_limit = true;
                    break;
                }
                if let Some(task) = self.step(work) {
                    tasks.push(task);
                }
                self.settle();
                if self.counts.blocks_run.is_multiple_of(YIELD_EVERY) {
                    // A loop of blocks that never wait (if, evaluate, set) would otherwise
                    // keep the thread: whoever reads the events (on the same thread, in
                    // the CLI) and a Ctrl-C get their turn, so events do not pile up.
                    tokio::task::yield_now().await;
                }
                if cancel.is_cancelled() {
                    break;
                }
            }
            if hit_limit {
                break Some(Outcome::Limit);
            }
            if tasks.is_empty() && self.queue.is_empty() {
                break None;
            }
            if tasks.is_empty() {
                continue;
            }
            tokio::select! {
                // Cancel first: a run cancelled while a task was being polled stops
                // here, before another request goes ahead.
                biased;
                () = cancel.cancelled() => break Some(Outcome::Cancelled),
                finished = tasks.next() => if let Some((index, lineage, result)) = finished {
                    match result {
                        Ok(fired) => {
                            if fired.responded {
                                self.counts.responses += 1;
                            }
                            self.fire(index, &lineage, fired);
                        }
                        Err(failure) => self.fail(index, failure),
                    }
                    self.release(&lineage);
                    self.settle();
                },
            }
        };
        // Stop whatever is still in flight: dropping the futures closes their connections.
        drop(tasks);

        let counts = self.counts;
        let outcome = outcome.unwrap_or(if counts.any_failure() { Outcome::Failed } else { Outcome::Ok });
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        shared.emitter.send(Event::RunFinished { outcome, counts, duration_ms });
        RunSummary { outcome, counts, duration_ms }
    }

    /// Runs one block on one value; a wait (a request, a timer) comes back as a task.
    fn step(&mut self, work: Work) -> Option<Task<'a>> {
        let shared = self.shared;
        let Work { index, value, lineage } = work;
        let Some(block) = shared.flow.blocks.get(index) else {
            self.release(&lineage);
            return None;
        };
        self.counts.blocks_run += 1;
        shared.emitter.send(Event::BlockStarted {
            block: block.id.clone(),
            kind: block.kind.block_type().id,
            step: self.counts.blocks_run,
        });
        match blocks::execute(shared, block, value) {
            Step::Fire(fired) => self.fire(index, &lineage, fired),
            Step::Wait(future) => {
                // The work stays pending in its branch until the task ends.
                return Some(Box::pin(async move { (index, lineage, future.await) }));
            }
            Step::Fail(failure) => self.fail(index, failure),
            Step::ForEach { items, concurrency } => self.start_for_each(index, &lineage, items, concurrency),
            Step::Collect(value) => self.collect(index, &lineage, value),
            Step::Set { name, value, secret, input } => {
                shared.set_variable(&name, &value, secret);
                let shown = if secret { Value::String(MASK.to_owned()) } else { value };
                shared.emitter.send(Event::VariableSet {
                    block: block.id.clone(),
                    name: name.clone(),
                    value: shown,
                    secret,
                });
                let summary = if secret { format!("{name} = {MASK}") } else { format!("{name} set") };
                self.fire(index, &lineage, Fired::new(Port::Out, input, summary));
            }
        }
        self.release(&lineage);
        None
    }

    /// Reports a block's result and queues its value for every wired input.
    fn fire(&mut self, index: usize, lineage: &Lineage, fired: Fired) {
        let Some(block) = self.shared.flow.blocks.get(index) else {
            return;
        };
        let targets = self.targets.get(&(index, fired.port)).cloned().unwrap_or_default();
        match fired.port {
            Port::Success => self.counts.succeeded += 1,
            Port::Failure => {
                self.counts.failed += 1;
                if targets.is_empty() {
                    self.counts.unhandled += 1;
                }
            }
            _ => {}
        }
        // One value for every wire and the event: shared, not copied.
        let value = fired.value;
        for &target in &targets {
            self.push(target, Arc::clone(&value), lineage);
        }
        if let BlockKind::Log(log) = &block.kind {
            self.counts.logged += 1;
            if log.level == LogLevel::Error {
                self.counts.error_logs += 1;
            }
        }
        self.shared.emitter.send(Event::BlockFinished {
            block: block.id.clone(),
            port: fired.port,
            value,
            wired: !targets.is_empty(),
            summary: fired.summary,
        });
    }

    /// An expression of block `index` failed: nothing is fired, the run fails.
    fn fail(&mut self, index: usize, failure: Failure) {
        let Some(block) = self.shared.flow.blocks.get(index) else {
            return;
        };
        self.counts.errors += 1;
        let message = format!("block `{}`: {}: {}", block.id, failure.field, failure.message);
        self.shared.emitter.send(Event::BlockFailed { block: block.id.clone(), field: failure.field, message });
    }

    /// Queues `value` for block `index`, pending in every branch of `lineage`.
    fn push(&mut self, index: usize, value: Arc<Value>, lineage: &Lineage) {
        self.retain(lineage);
        self.queue.push_back(Work { index, value, lineage: Arc::clone(lineage) });
    }

    fn retain(&mut self, lineage: &Lineage) {
        for frame in lineage.iter() {
            if let Some(pending) = self.runs.get_mut(&frame.run).and_then(|r| r.pending.get_mut(frame.element)) {
                *pending += 1;
            }
        }
    }

    fn release(&mut self, lineage: &Lineage) {
        for frame in lineage.iter() {
            if let Some(pending) = self.runs.get_mut(&frame.run).and_then(|r| r.pending.get_mut(frame.element)) {
                *pending = pending.saturating_sub(1);
                if *pending == 0 {
                    self.ended.push(*frame);
                }
            }
        }
    }

    fn start_for_each(&mut self, block: usize, lineage: &Lineage, items: Vec<Value>, concurrency: usize) {
        let run = self.next_run;
        self.next_run += 1;
        let total = items.len();
        self.runs.insert(
            run,
            ForEachRun {
                block,
                parent: Arc::clone(lineage),
                pending: vec![0; total],
                items,
                concurrency,
                next: 0,
                ended: 0,
                collected: Vec::new(),
            },
        );
        // The run keeps its parent branch alive until its Collects have fired.
        self.retain(lineage);
        if total == 0 {
            self.complete(run);
        } else {
            self.start_elements(run);
        }
    }

    /// Starts elements of `run` while its concurrency allows.
    fn start_elements(&mut self, run: usize) {
        loop {
            let Some(state) = self.runs.get_mut(&run) else {
                return;
            };
            if state.next >= state.items.len() || state.next - state.ended >= state.concurrency {
                return;
            }
            let element = state.next;
            state.next += 1;
            let total = state.items.len();
            let block = state.block;
            let value = state.items.get(element).cloned().unwrap_or(Value::Null);
            let mut frames = state.parent.to_vec();
            frames.push(Frame { run, element });
            let lineage: Lineage = Arc::from(frames);
            let shared = self.shared;
            let Some(for_each) = shared.flow.blocks.get(block) else {
                return;
            };
            shared.emitter.send(Event::ItemStarted { block: for_each.id.clone(), index: element + 1, total });
            let wired = self.targets.get(&(block, Port::Item)).is_some_and(|t| !t.is_empty());
            self.fire(block, &lineage, Fired::new(Port::Item, value, format!("{} / {total}", element + 1)));
            if !wired {
                self.ended.push(Frame { run, element });
            }
        }
    }

    /// Keeps a value that reached a Collect for the innermost For Each run it belongs to.
    fn collect(&mut self, index: usize, lineage: &Lineage, value: Value) {
        // The list nests the value one level deeper: a loop through a Collect must not
        // nest values without bound (every walk over a value would overflow the stack).
        if json_depth(&value) >= MAX_VALUE_DEPTH {
            let message =
                format!("the value is nested {MAX_VALUE_DEPTH} levels deep; collecting it would nest it deeper");
            self.fail(index, Failure { field: "in".to_owned(), message });
            return;
        }
        match lineage.last().and_then(|frame| self.runs.get_mut(&frame.run).map(|run| (run, frame.element))) {
            Some((run, element)) => run.collected.push((index, element, value)),
            None => self.fail(
                index,
                Failure {
                    field: "in".to_owned(),
                    message: "a collect received a value that did not come from a for_each's `item`".to_owned(),
                },
            ),
        }
    }

    /// Settles every branch that has ended: starts further elements, completes runs.
    /// A loop, not recursion, however deep the nesting or long the list.
    fn settle(&mut self) {
        while let Some(frame) = self.ended.pop() {
            let complete = match self.runs.get_mut(&frame.run) {
                Some(run) => {
                    run.ended += 1;
                    run.ended == run.items.len()
                }
                None => false,
            };
            if complete {
                self.complete(frame.run);
            } else {
                self.start_elements(frame.run);
            }
        }
    }

    /// Every element of `run` has ended: its Collects fire, in block order, each with
    /// the values that reached it ordered by element.
    fn complete(&mut self, run: usize) {
        let Some(state) = self.runs.remove(&run) else {
            return;
        };
        let parent = state.parent;
        let mut collected = state.collected;
        let mut collects: Vec<usize> = self.collects_of.get(&state.block).cloned().unwrap_or_default();
        collects.extend(collected.iter().map(|(block, _, _)| *block));
        collects.sort_unstable();
        collects.dedup();
        // Stable: values from one element keep their arrival order.
        collected.sort_by_key(|(_, element, _)| *element);
        for collect in collects {
            let list: Vec<Value> =
                collected.iter().filter(|(block, _, _)| *block == collect).map(|(_, _, value)| value.clone()).collect();
            let summary = crate::wording::plural(list.len() as u64, "item");
            self.fire(collect, &parent, Fired::new(Port::Out, Value::Array(list), summary));
        }
        self.release(&parent);
    }
}

/// For each For Each block, the Collects in its scope: reachable from its `item` port
/// without passing into a nested For Each's scope. Breadth first over (block, depth).
fn collect_scopes(flow: &Flow, targets: &HashMap<(usize, Port), Vec<usize>>) -> HashMap<usize, Vec<usize>> {
    let mut scopes = HashMap::new();
    for (origin, block) in flow.blocks.iter().enumerate() {
        if !matches!(block.kind, BlockKind::ForEach(_)) {
            continue;
        }
        let mut found = Vec::new();
        let mut seen: HashSet<(usize, usize)> = HashSet::new();
        let mut queue: VecDeque<(usize, usize)> =
            targets.get(&(origin, Port::Item)).into_iter().flatten().map(|&t| (t, 0)).collect();
        while let Some((index, depth)) = queue.pop_front() {
            if !seen.insert((index, depth)) || depth > flow.blocks.len() {
                continue;
            }
            let Some(block) = flow.blocks.get(index) else {
                continue;
            };
            let next_depth = match block.kind {
                BlockKind::Collect(_) if depth == 0 => {
                    found.push(index);
                    continue;
                }
                BlockKind::Collect(_) => depth - 1,
                BlockKind::ForEach(_) => depth + 1,
                _ => depth,
            };
            for port in block.kind.outputs() {
                for &target in targets.get(&(index, *port)).into_iter().flatten() {
                    queue.push_back((target, next_depth));
                }
            }
        }
        scopes.insert(origin, found);
    }
    scopes
}

/// Warns once per run about each expired secret the flow uses.
fn warn_expired(shared: &Shared<'_>) {
    let today = Date::today();
    let variables = shared.variables();
    // Most runs have no expired secret: then the flow's templates are not walked.
    if !variables.secrets().any(|variable| variable.is_expired(today)) {
        return;
    }
    for name in shared.flow.variable_names() {
        if let Some(variable) = variables.get(&name)
            && variable.value.is_secret()
            && variable.is_expired(today)
        {
            let expires = variable.expires.map(|d| d.to_string()).unwrap_or_default();
            shared.emitter.send(Event::Warning {
                block: None,
                message: format!(
                    "secret `{name}` expired on {expires}; renew it (switchyard vars set {name} --secret)"
                ),
            });
        }
    }
}
