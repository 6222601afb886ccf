//! Ports and wires: where values leave a block and where they arrive.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A block's port. Written in snake_case in files and events (`success`, `item`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Port {
    /// The input of every block but Start.
    In,
    /// The one output of a block that has a single output.
    Out,
    /// Send Request: the status matched and every check held.
    Success,
    /// Send Request: anything else.
    Failure,
    /// If: the condition held.
    True,
    /// If: it did not.
    False,
    /// For Each: fired once per element.
    Item,
}

impl Port {
    /// Every port, in a stable order.
    pub const ALL: [Port; 7] = [Port::In, Port::Out, Port::Success, Port::Failure, Port::True, Port::False, Port::Item];

    /// The port's name in files and events.
    pub fn as_str(self) -> &'static str {
        match self {
            Port::In => "in",
            Port::Out => "out",
            Port::Success => "success",
            Port::Failure => "failure",
            Port::True => "true",
            Port::False => "false",
            Port::Item => "item",
        }
    }

    /// Which way values travel through this port.
    pub fn direction(self) -> PortDirection {
        if self == Port::In { PortDirection::Input } else { PortDirection::Output }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that names no port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPort;

impl FromStr for Port {
    type Err = UnknownPort;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Port::ALL.into_iter().find(|p| p.as_str() == text).ok_or(UnknownPort)
    }
}

/// Whether a port takes values in or sends them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortDirection {
    /// An input port.
    Input,
    /// An output port.
    Output,
}

/// One end of a wire: a block id and a port.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRef {
    /// The block id.
    pub block: String,
    /// The port.
    pub port: Port,
}

impl PortRef {
    /// A reference to `block.port`.
    pub fn new(block: impl Into<String>, port: Port) -> Self {
        Self { block: block.into(), port }
    }
}

impl fmt::Display for PortRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.block, self.port)
    }
}

/// A wire from an output port to an input port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Wire {
    /// The output port the value leaves from.
    pub from: PortRef,
    /// The input port the value arrives at.
    pub to: PortRef,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_read_and_write_their_file_names() {
        for port in Port::ALL {
            assert_eq!(port.as_str().parse::<Port>(), Ok(port));
            assert_eq!(serde_json::to_string(&port).unwrap(), format!("\"{port}\""));
        }
        assert_eq!("sucess".parse::<Port>(), Err(UnknownPort));
    }
}
