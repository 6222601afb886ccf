//! What `switchyard run` shares with every other front end.

pub mod flows;
pub mod report;
pub mod run;
pub mod variables;
