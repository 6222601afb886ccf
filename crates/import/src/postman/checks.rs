//! The common Postman status tests, read from `test` scripts, as checks.

use serde_json::Value;

/// The lines of the `test` scripts among `events`.
pub(super) fn test_lines(events: Option<&Value>) -> Vec<String> {
    let Some(events) = events.and_then(Value::as_array) else { return Vec::new() };
    let mut lines = Vec::new();
    for event in events.iter().filter(|e| e.get("listen").and_then(Value::as_str) == Some("test")) {
        match event.get("script").and_then(|script| script.get("exec")) {
            Some(Value::Array(exec)) => {
                lines.extend(exec.iter().filter_map(Value::as_str).flat_map(str::lines).map(str::to_owned));
            }
            Some(Value::String(text)) => lines.extend(text.lines().map(str::to_owned)),
            _ => {}
        }
    }
    lines
}

/// The common Postman status tests as checks: `pm.response.to.have.status(N)` and
/// `pm.expect(pm.response.code).to.eql(N)` (or `.to.equal(N)`). Anything else stays a
/// script, listed in the report and not run.
pub(super) fn status_checks(lines: &[String]) -> Vec<switchyard_flow::Check> {
    const CALLS: [&str; 3] =
        ["pm.response.to.have.status(", "pm.expect(pm.response.code).to.eql(", "pm.expect(pm.response.code).to.equal("];
    let mut checks: Vec<switchyard_flow::Check> = Vec::new();
    for line in lines {
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        for call in CALLS {
            let mut rest = compact.as_str();
            while let Some(at) = rest.find(call) {
                let after = rest.get(at + call.len()..).unwrap_or_default();
                let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
                let closed = after.get(digits.len()..).is_some_and(|tail| tail.starts_with(')'));
                if closed && (3..=3).contains(&digits.len()) {
                    let name = format!("status is {digits}");
                    if !checks.iter().any(|c| c.name == name) {
                        let condition = switchyard_flow::Expression::new(format!(".status == {digits}"));
                        checks.push(switchyard_flow::Check { name, condition });
                    }
                }
                rest = after;
            }
        }
    }
    checks
}
