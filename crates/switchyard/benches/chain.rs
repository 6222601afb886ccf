//! Benchmark: a chain of 1,000 Send Request blocks run end to end by `switchyard run`,
//! next to a plain reqwest loop sending the same 1,000 requests, both against a fast
//! local server. Run with `cargo bench -p switchyard --bench chain`.
//!
//! The figure that matters is the ratio: what the engine (parsing, scheduling, events,
//! rendering, process start) adds to the HTTP round trips themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use serde_json::{Map, Value, json};

const BLOCKS: usize = 1_000;
const ROUNDS: usize = 15;

fn chain_flow(base: &str) -> String {
    let mut blocks = Map::new();
    blocks.insert("start".into(), json!({"type": "start", "at": [0, 0]}));
    let mut wires = vec![json!(["start.out", "r1.in"])];
    for i in 1..=BLOCKS {
        blocks.insert(
            format!("r{i}"),
            json!({"type": "send_request", "at": [i * 10, 0], "url": format!("{base}/item/{i}")}),
        );
        if i < BLOCKS {
            wires.push(json!([format!("r{i}.success"), format!("r{}.in", i + 1)]));
        }
    }
    json!({"switchyard": 1, "name": "chain", "blocks": Value::Object(blocks), "wires": wires}).to_string()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route("/item/{id}", get(|| async { axum::Json(json!({"ok": true, "id": 1})) }));
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = tempfile::tempdir().unwrap();
    let flow_path = dir.path().join("chain.flow.json");
    std::fs::write(&flow_path, chain_flow(&base)).unwrap();

    let binary = env!("CARGO_BIN_EXE_switchyard");
    let mut switchyard = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let status = Command::new(binary)
            .args(["run", flow_path.to_str().unwrap()])
            .env("SWITCHYARD_HOME", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        switchyard.push(started.elapsed());
        assert!(status.success(), "switchyard run failed: {status}");
    }

    let client = reqwest::Client::new();
    let mut plain = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        runtime.block_on(async {
            for i in 1..=BLOCKS {
                let response = client.get(format!("{base}/item/{i}")).send().await.unwrap();
                assert!(response.status().is_success());
                let _body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
            }
        });
        plain.push(started.elapsed());
    }

    let (s, p) = (median(switchyard), median(plain));
    println!("chain of {BLOCKS} requests, median of {ROUNDS} rounds");
    println!("  switchyard run (whole process): {:>8.1} ms", s.as_secs_f64() * 1e3);
    println!("  plain reqwest loop (in process): {:>8.1} ms", p.as_secs_f64() * 1e3);
    println!("  ratio: {:.2}x (goal: at most 1.5x)", s.as_secs_f64() / p.as_secs_f64());
}
