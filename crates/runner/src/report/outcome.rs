//! The outcomes the reports state: a flow's ([`FlowOutcome`]) and the whole run's
//! ([`Overall`]). They are written as their names (`ok`, `not_run`, …), in the JSON
//! report, the HTML page and the closing line.

use std::fmt;

use serde::Serialize;
use switchyard_engine::Outcome;

/// How one flow of a run ended, or that it never started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowOutcome {
    /// It ran and was `ok`.
    Ok,
    /// It ran and failed.
    Failed,
    /// It was cancelled while it ran.
    Cancelled,
    /// It stopped at the step limit.
    Limit,
    /// It never started (`--bail`, or the run was cancelled first).
    NotRun,
}

impl FlowOutcome {
    /// The outcome's name: `ok`, `failed`, `cancelled`, `limit`, `not_run`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Limit => "limit",
            Self::NotRun => "not_run",
        }
    }
}

impl From<Outcome> for FlowOutcome {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Ok => Self::Ok,
            Outcome::Failed => Self::Failed,
            Outcome::Cancelled => Self::Cancelled,
            Outcome::Limit => Self::Limit,
        }
    }
}

impl fmt::Display for FlowOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a whole run of flows ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Overall {
    /// Every flow ran and was `ok`.
    Ok,
    /// A flow was not `ok`, or did not run.
    Failed,
    /// The run was cancelled.
    Cancelled,
}

impl Overall {
    /// The outcome's name: `ok`, `failed`, `cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for Overall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_written_as_their_names() {
        let flows =
            [FlowOutcome::Ok, FlowOutcome::Failed, FlowOutcome::Cancelled, FlowOutcome::Limit, FlowOutcome::NotRun];
        for outcome in flows {
            assert_eq!(serde_json::to_value(outcome).unwrap(), outcome.as_str());
            assert_eq!(outcome.to_string(), outcome.as_str());
        }
        assert_eq!(FlowOutcome::NotRun.as_str(), "not_run");
        for outcome in [Overall::Ok, Overall::Failed, Overall::Cancelled] {
            assert_eq!(serde_json::to_value(outcome).unwrap(), outcome.as_str());
        }
    }

    #[test]
    fn an_engine_outcome_keeps_its_name() {
        for outcome in [Outcome::Ok, Outcome::Failed, Outcome::Cancelled, Outcome::Limit] {
            assert_eq!(FlowOutcome::from(outcome).as_str(), outcome.as_str());
        }
    }
}
