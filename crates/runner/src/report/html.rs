//! `--report-html FILE`: one self-contained page a person opens after a CI run
//! (docs/cli.md). Nothing is loaded from elsewhere: the style is inline and there is no
//! script (`<details>` expands headers and bodies).
//!
//! Per flow: its outcome and summary, a timeline of its Send Request runs, and per
//! request its method, URL, status and time, with the request and response headers and
//! the response body to expand; checks under their request, failed ones highlighted;
//! block errors and logged values. Every text is HTML-escaped, with control characters
//! shown escaped. Bodies longer than `--report-body-limit` were cut when kept
//! ([`super::keep`]); a JSON body, shown pretty-printed, is cut at the same limit with
//! the same marker.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;
use switchyard_engine::wording::{duration, run_summary};
use switchyard_engine::{Event, ResponseView};
use switchyard_flow::escape_controls;

use super::{Case, CaseKind, FlowOutcome, FlowReport, Overall, cases, keep, short};

const STYLE: &str = r#"
:root { color-scheme: light; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
main { padding: 18px 28px 40px; max-width: 1200px; }
section.flow { background: #fff; border: 1px solid var(--line); border-left: 6px solid var(--ok); border-radius: 6px; margin: 0 0 18px; padding: 14px 18px; }
section.flow.bad { border-left-color: var(--bad); }
section.flow.skip { border-left-color: var(--muted); }
h2 { margin: 0; font-size: 17px; }
.file, .muted { color: var(--muted); font-size: 13px; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-weight: 600; font-size: 13px; color: #fff; background: var(--ok); vertical-align: 2px; }
.badge.bad { background: var(--bad); } .badge.skip { background: var(--muted); }
.timeline { margin: 12px 0; border-top: 1px solid var(--line); padding-top: 8px; }
.row { display: grid; grid-template-columns: 220px 1fr 80px; gap: 8px; align-items: center; font-size: 13px; }
.row .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: ui-monospace, monospace; }
.track { position: relative; height: 12px; background: #eaeef2; border-radius: 3px; }
.bar { position: absolute; top: 0; height: 12px; min-width: 3px; border-radius: 3px; background: var(--ok); }
.bar.bad { background: var(--bad); }
.time { text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; }
details.request { border: 1px solid var(--line); border-radius: 5px; margin: 6px 0; }
details.request > summary { cursor: pointer; padding: 6px 10px; font-family: ui-monospace, monospace; font-size: 13px; }
details.request.bad > summary { background: #ffebe9; }
details.request > div { padding: 4px 12px 10px; }
.method { font-weight: 700; } .status { font-weight: 700; color: var(--ok); } .status.bad { color: var(--bad); }
table { border-collapse: collapse; font-size: 12.5px; margin: 4px 0 8px; }
td { border-top: 1px solid var(--line); padding: 2px 10px 2px 0; vertical-align: top; font-family: ui-monospace, monospace; word-break: break-all; }
td:first-child { color: var(--muted); white-space: nowrap; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px; padding: 8px; overflow: auto; max-height: 360px; font-size: 12.5px; margin: 4px 0; }
.check { font-size: 13px; margin: 2px 0; } .check.bad { color: var(--bad); font-weight: 600; background: #ffebe9; padding: 2px 6px; border-radius: 4px; }
.error { color: var(--bad); font-weight: 600; }
h3 { font-size: 14px; margin: 14px 0 4px; }
"#;

/// The page; bodies are shown up to `body_limit` bytes.
pub fn render(flows: &[FlowReport], cancelled: bool, duration_ms: u64, body_limit: u64) -> String {
    let body_limit = usize::try_from(body_limit).unwrap_or(usize::MAX);
    let outcome = super::overall(flows, cancelled);
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Switchyard run: {outcome}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n\
         <h1>Switchyard run <span class=\"badge{}\">{outcome}</span></h1>\n<div class=\"muted\">{}</div>\n</header>\n<main>\n",
        if outcome == Overall::Ok { "" } else { " bad" },
        text(&super::closing_line(flows, duration_ms)),
    );
    for flow in flows {
        flow_section(&mut page, flow, body_limit);
    }
    page.push_str("</main>\n</body>\n</html>\n");
    page
}

fn flow_section(page: &mut String, flow: &FlowReport, body_limit: usize) {
    let outcome = flow.outcome();
    let class = match outcome {
        FlowOutcome::Ok => "",
        FlowOutcome::NotRun => " skip",
        FlowOutcome::Failed | FlowOutcome::Cancelled | FlowOutcome::Limit => " bad",
    };
    let _ = write!(
        page,
        "<section class=\"flow{class}\">\n<h2>{} <span class=\"badge{class}\">{}</span></h2>\n<div class=\"file\">{}</div>\n",
        text(&flow.name),
        outcome.as_str().replace('_', " "),
        text(&flow.file)
    );
    let Some(ran) = &flow.ran else {
        page.push_str("<p class=\"muted\">Not run: an earlier flow was not ok (--bail), or the run was cancelled.</p>\n</section>\n");
        return;
    };
    let summary = &ran.summary;
    let (headline, details) = run_summary(summary.outcome, &summary.counts, summary.duration_ms, u64::MAX);
    let _ = writeln!(page, "<p>{} · {}</p>", text(&headline), text(&details.join(" · ")));
    if ran.left_out > 0 {
        let _ = writeln!(
            page,
            "<p class=\"muted\">Only its first {} events are in this report: {} later ones were left out.</p>",
            ran.events.len().saturating_sub(1),
            ran.left_out
        );
    }

    let cases = cases(&ran.events);
    timeline(page, &cases, summary.duration_ms);

    // Checks are listed under the request they checked (they end just before it).
    let mut checks: HashMap<&str, Vec<&Case<'_>>> = HashMap::new();
    let mut any_request = false;
    for case in &cases {
        match &case.kind {
            CaseKind::Check => checks.entry(case.block).or_default().push(case),
            CaseKind::Request { method, url, headers, value } => {
                if !any_request {
                    page.push_str("<h3>Requests</h3>\n");
                    any_request = true;
                }
                let own = checks.remove(case.block).unwrap_or_default();
                request(page, case, (*method, *url, headers), value, &own, body_limit);
            }
            CaseKind::BlockError | CaseKind::ErrorLog => {
                let message = case.failure.as_ref().map(|(_, m)| m.as_str()).unwrap_or_default();
                let _ = writeln!(page, "<p class=\"error\">✗ {}</p>", text(message));
            }
        }
    }
    logs(page, &ran.events, body_limit);
    page.push_str("</section>\n");
}

fn timeline(page: &mut String, cases: &[Case<'_>], total_ms: u64) {
    let requests: Vec<&Case<'_>> = cases.iter().filter(|c| matches!(c.kind, CaseKind::Request { .. })).collect();
    if requests.is_empty() {
        return;
    }
    let end = requests.iter().map(|c| c.at_ms + c.duration_ms).max().unwrap_or(0).max(total_ms).max(1);
    page.push_str("<div class=\"timeline\">\n");
    #[allow(clippy::cast_precision_loss)] // percentages for drawing
    let percent = |ms: u64| ms as f64 * 100.0 / end as f64;
    // A long run shows its first 200 requests; the list below has them all.
    for case in requests.iter().take(200) {
        let bad = if case.failure.is_some() { " bad" } else { "" };
        let _ = writeln!(
            page,
            "<div class=\"row\"><span class=\"name\">{}</span><span class=\"track\"><span class=\"bar{bad}\" \
             style=\"left:{:.2}%;width:{:.2}%\"></span></span><span class=\"time\">{}</span></div>",
            text(&case.name),
            percent(case.at_ms),
            percent(case.duration_ms),
            duration(case.duration_ms)
        );
    }
    if requests.len() > 200 {
        let _ = writeln!(page, "<p class=\"muted\">… and {} more requests, listed below.</p>", requests.len() - 200);
    }
    page.push_str("</div>\n");
}

fn request(
    page: &mut String,
    case: &Case<'_>,
    (method, url, headers): (Option<&str>, Option<&str>, &[(String, String)]),
    value: &Value,
    checks: &[&Case<'_>],
    body_limit: usize,
) {
    let failed = case.failure.is_some() || checks.iter().any(|c| c.failure.is_some());
    let response = ResponseView::of(value);
    let status = response.and_then(|response| response.status);
    let status_text = match (status, &case.failure) {
        (Some(status), _) => status.to_string(),
        (None, Some((kind, _))) => kind.clone(),
        (None, None) => String::new(),
    };
    let url = url.or_else(|| response.and_then(|response| response.url)).unwrap_or_default();
    let _ = writeln!(
        page,
        "<details class=\"request{}\"{}><summary><b>{}</b> · <span class=\"method\">{}</span> {} · \
         <span class=\"status{}\">{}</span> · {}</summary><div>",
        if failed { " bad" } else { "" },
        if failed { " open" } else { "" },
        text(&case.name),
        text(method.unwrap_or("")),
        text(url),
        if case.failure.is_some() { " bad" } else { "" },
        text(&status_text),
        duration(case.duration_ms)
    );
    if let Some((_, message)) = &case.failure {
        let _ = writeln!(page, "<p class=\"error\">{}</p>", text(message));
    }
    for check in checks {
        match &check.failure {
            None => {
                let _ = writeln!(page, "<div class=\"check\">✓ check {}</div>", text(&check_name(check)));
            }
            Some((_, message)) => {
                let _ = writeln!(
                    page,
                    "<div class=\"check bad\">✗ check {}: {}</div>",
                    text(&check_name(check)),
                    text(message)
                );
            }
        }
    }
    if !headers.is_empty() {
        page.push_str("<h3>Request headers</h3>\n");
        pairs(page, headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    }
    if let Some(map) = response.map(|response| response.headers)
        && !map.is_empty()
    {
        page.push_str("<h3>Response headers</h3>\n");
        let list: Vec<(&str, String)> = map.iter().map(|(n, v)| (n.as_str(), short(v))).collect();
        pairs(page, list.iter().map(|(n, v)| (*n, v.as_str())));
    }
    match response.map(|response| response.body) {
        None | Some(Value::Null) => {}
        Some(body) => {
            page.push_str("<h3>Response body</h3>\n");
            body_block(page, body, body_limit);
        }
    }
    page.push_str("</div></details>\n");
}

fn check_name(check: &Case<'_>) -> String {
    let name = check.name.strip_prefix(check.block).and_then(|n| n.strip_prefix(": ")).unwrap_or(&check.name);
    format!("\u{201c}{name}\u{201d}")
}

fn pairs<'p>(page: &mut String, pairs: impl Iterator<Item = (&'p str, &'p str)>) {
    page.push_str("<table>\n");
    for (name, value) in pairs {
        let _ = writeln!(page, "<tr><td>{}</td><td>{}</td></tr>", text(name), text(value));
    }
    page.push_str("</table>\n");
}

/// A body in a `<pre>`: a string as it is (cut already when kept), a JSON value
/// pretty-printed and cut at `body_limit` bytes with the marker.
fn body_block(page: &mut String, body: &Value, body_limit: usize) {
    let pretty = match body {
        Value::String(text) => {
            let _ = writeln!(page, "<pre>{}</pre>", multiline(text));
            return;
        }
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    let mut end = body_limit.min(pretty.len());
    while !pretty.is_char_boundary(end) {
        end -= 1;
    }
    let shown = pretty.get(..end).unwrap_or(&pretty);
    let _ = write!(page, "<pre>{}", multiline(shown));
    if end < pretty.len() {
        let _ = write!(page, "{}", text(&keep::marker(Some((pretty.len() - end) as u64))));
    }
    page.push_str("</pre>\n");
}

fn logs(page: &mut String, events: &[super::Timed], body_limit: usize) {
    let mut first = true;
    for timed in events {
        if let Event::Log { block, label, value, .. } = &timed.event {
            if first {
                page.push_str("<h3>Logged</h3>\n");
                first = false;
            }
            let label = label.as_deref().map(|l| format!(" \u{201c}{}\u{201d}", text(l))).unwrap_or_default();
            let _ = writeln!(page, "<div class=\"muted\">{}{label}</div>", text(block));
            body_block(page, value, body_limit);
        }
    }
}

/// `text` escaped for HTML, its control characters shown escaped.
fn text(text: &str) -> String {
    escape_html(&escape_controls(text))
}

/// Like [`text`], but line breaks and tabs stay (inside `<pre>`).
fn multiline(text: &str) -> String {
    let line = |line: &str| line.split('\t').map(self::text).collect::<Vec<_>>().join("\t");
    text.split('\n').map(line).collect::<Vec<_>>().join("\n")
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
