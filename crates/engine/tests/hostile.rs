//! Hostile servers: a raw TCP server on 127.0.0.1 that stalls, drips, lies about
//! lengths, sends garbage or never ends. Every such exchange must end in the block's
//! `failure` port with the right `error.kind`, never a hang or a panic; and a big
//! fan-out never opens more connections at once than `max_connections`.
//!
//! Timeouts run on tokio's paused clock (`start_paused`): the clock jumps to the next
//! timer whenever both sides wait, so no test waits for real time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use switchyard_engine::{Engine, EngineConfig, Event, RunSummary};
use switchyard_flow::Flow;
use switchyard_vault::Variables;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

/// Serves every connection with `behave`, on its own task; returns the address.
async fn hostile<F, Fut>(behave: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let behave = Arc::new(behave);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(behave(stream));
        }
    });
    addr
}

/// Reads the request head (up to the blank line); false when the client went away.
async fn read_head(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return false,
        }
    }
    true
}

/// Start → `req` (a GET of `url`, `timeout_ms`) → log on both ports.
fn one_request(url: &str, timeout_ms: u64) -> Flow {
    let text = json!({
        "switchyard": 1,
        "name": "hostile",
        "blocks": {
            "start": {"type": "start"},
            "req": {"type": "send_request", "url": url, "timeout_ms": timeout_ms},
            "ok": {"type": "log"},
            "failed": {"type": "log"}
        },
        "wires": [["start.out", "req.in"], ["req.success", "ok.in"], ["req.failure", "failed.in"]]
    })
    .to_string();
    Flow::from_json(&text, "hostile").unwrap()
}

async fn run_with(flow: &Flow, config: EngineConfig) -> (RunSummary, Vec<Event>) {
    let engine = Engine::new(config).unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let summary = engine.run(flow, &Variables::new(), tx, CancellationToken::new()).await;
    let mut events = Vec::new();
    while let Ok(event) = rx.try_recv() {
        events.push(event);
    }
    (summary, events)
}

/// The `(kind, message)` of the failure `req` fired; panics when it succeeded.
async fn failure(addr: SocketAddr, timeout_ms: u64, config: EngineConfig) -> (String, String) {
    let (_, events) = run_with(&one_request(&format!("http://{addr}/"), timeout_ms), config).await;
    let (port, value) = events
        .iter()
        .find_map(|event| match event {
            Event::BlockFinished { block, port, value, .. } if block == "req" => Some((*port, value.clone())),
            _ => None,
        })
        .expect("req finished");
    assert_eq!(port, switchyard_flow::Port::Failure, "{value}");
    let text = |pointer: &str| value.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_owned();
    (text("/error/kind"), text("/error/message"))
}

#[tokio::test(start_paused = true)]
async fn a_server_that_never_answers_times_out() {
    let addr = hostile(|mut stream| async move {
        read_head(&mut stream).await;
        std::future::pending::<()>().await;
    })
    .await;
    let (kind, message) = failure(addr, 300, EngineConfig::default()).await;
    assert_eq!(kind, "timeout");
    assert!(message.contains("300 ms"), "{message}");
}

#[tokio::test(start_paused = true)]
async fn a_server_that_drips_its_body_times_out() {
    let addr = hostile(|mut stream| async move {
        if read_head(&mut stream).await
            && stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n").await.is_ok()
        {
            while stream.write_all(b"x").await.is_ok() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    })
    .await;
    assert_eq!(failure(addr, 500, EngineConfig::default()).await.0, "timeout");
}

#[tokio::test(start_paused = true)]
async fn a_body_that_never_ends_times_out_or_hits_the_size_limit() {
    // Slowly: the timeout ends it.
    let slow = hostile(|mut stream| async move {
        if read_head(&mut stream).await
            && stream.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").await.is_ok()
        {
            while stream.write_all(b"4\r\nabcd\r\n").await.is_ok() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    })
    .await;
    assert_eq!(failure(slow, 500, EngineConfig::default()).await.0, "timeout");

    // As fast as it can: the size limit ends it, and says where it stopped.
    let fast = hostile(|mut stream| async move {
        if read_head(&mut stream).await
            && stream.write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").await.is_ok()
        {
            let chunk = format!("1000\r\n{}\r\n", "y".repeat(0x1000));
            while stream.write_all(chunk.as_bytes()).await.is_ok() {}
        }
    })
    .await;
    let config = EngineConfig { max_body_bytes: 64 * 1024, ..EngineConfig::default() };
    let (kind, message) = failure(fast, 60_000, config).await;
    assert_eq!(kind, "body_too_large");
    assert!(message.contains("before its end, over the 64 KiB limit"), "{message}");
}

#[tokio::test]
async fn a_content_length_over_the_limit_is_refused_before_reading_and_said_readably() {
    let addr = hostile(|mut stream| async move {
        if read_head(&mut stream).await {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 20971520\r\n\r\nonly this").await;
        }
    })
    .await;
    let (kind, message) = failure(addr, 60_000, EngineConfig::default()).await;
    assert_eq!(kind, "body_too_large");
    assert!(message.contains("the response body is 20 MiB (its Content-Length), over the 10 MiB limit"), "{message}");
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_a_network_error() {
    let addr = hostile(|mut stream| async move {
        if read_head(&mut stream).await {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nten bytes.").await;
        }
        // Dropping the stream closes the connection 90 bytes early.
    })
    .await;
    assert_eq!(failure(addr, 60_000, EngineConfig::default()).await.0, "network");
}

#[tokio::test]
async fn garbage_instead_of_http_is_a_network_error() {
    let addr = hostile(|mut stream| async move {
        if read_head(&mut stream).await {
            let _ = stream.write_all(b"\x00\xff\x1b]0;not http at all\x07\r\n\r\n").await;
        }
    })
    .await;
    let (kind, message) = failure(addr, 60_000, EngineConfig::default()).await;
    assert_eq!(kind, "network");
    assert!(!message.contains('\u{1b}'), "nothing of the garbage reaches the message raw: {message:?}");
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_is_a_network_error() {
    let addr = hostile(|mut stream| async move {
        read_head(&mut stream).await;
    })
    .await;
    assert_eq!(failure(addr, 60_000, EngineConfig::default()).await.0, "network");
}

#[tokio::test]
async fn an_endless_header_is_a_network_error() {
    let addr = hostile(|mut stream| async move {
        if read_head(&mut stream).await && stream.write_all(b"HTTP/1.1 200 OK\r\nx-endless: ").await.is_ok() {
            let filler = [b'a'; 4096];
            while stream.write_all(&filler).await.is_ok() {}
        }
    })
    .await;
    assert_eq!(failure(addr, 60_000, EngineConfig::default()).await.0, "network");
}

/// Counts the connections a server holds from accept until it starts its answer, and
/// the most at once. Nobody answers before `cap` are held (so the run must really reach
/// its cap), then every connection is answered at once.
struct Counter {
    open: AtomicUsize,
    most: AtomicUsize,
    served: AtomicUsize,
    cap_reached: Notify,
}

#[tokio::test]
async fn a_big_fan_out_never_holds_more_connections_than_the_cap() {
    const FAN_OUT: usize = 50;
    const CAP: usize = 4;
    let counter = Arc::new(Counter {
        open: AtomicUsize::new(0),
        most: AtomicUsize::new(0),
        served: AtomicUsize::new(0),
        cap_reached: Notify::new(),
    });
    let shared = Arc::clone(&counter);
    let addr = hostile(move |mut stream| {
        let counter = Arc::clone(&shared);
        async move {
            let open = counter.open.fetch_add(1, Ordering::SeqCst) + 1;
            counter.most.fetch_max(open, Ordering::SeqCst);
            if open >= CAP {
                // Wakes the waiting ones, and any that come later at once.
                counter.cap_reached.notify_waiters();
                counter.cap_reached.notify_one();
            } else {
                counter.cap_reached.notified().await;
                counter.cap_reached.notify_one();
            }
            let complete = read_head(&mut stream).await;
            counter.open.fetch_sub(1, Ordering::SeqCst);
            if complete {
                counter.served.fetch_add(1, Ordering::SeqCst);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").await;
            }
        }
    })
    .await;

    let url = format!("http://{addr}/");
    let mut blocks = serde_json::Map::new();
    blocks.insert("start".into(), json!({"type": "start"}));
    let mut wires = Vec::new();
    for i in 0..FAN_OUT {
        blocks.insert(format!("r{i}"), json!({"type": "send_request", "url": url}));
        wires.push(json!(["start.out", format!("r{i}.in")]));
    }
    let text = json!({"switchyard": 1, "name": "fan-out", "blocks": blocks, "wires": wires}).to_string();
    let flow = Flow::from_json(&text, "fan-out").unwrap();

    let (summary, _) = run_with(&flow, EngineConfig { max_connections: CAP, ..EngineConfig::default() }).await;
    assert_eq!(summary.counts.succeeded, FAN_OUT as u64, "every request queued and then succeeded: {summary:?}");
    assert_eq!(counter.served.load(Ordering::SeqCst), FAN_OUT);
    assert_eq!(counter.most.load(Ordering::SeqCst), CAP, "never more than the cap at once, and the cap was used");
}

#[tokio::test]
async fn cancelling_while_requests_queue_behind_the_cap_sends_none_of_them() {
    let accepted = Arc::new(AtomicUsize::new(0));
    let arrived = Arc::new(Notify::new());
    let (count, signal) = (Arc::clone(&accepted), Arc::clone(&arrived));
    let addr = hostile(move |mut stream| {
        let (count, signal) = (Arc::clone(&count), Arc::clone(&signal));
        async move {
            count.fetch_add(1, Ordering::SeqCst);
            read_head(&mut stream).await;
            signal.notify_one();
            std::future::pending::<()>().await;
        }
    })
    .await;
    let url = format!("http://{addr}/");
    let text = json!({
        "switchyard": 1,
        "blocks": {
            "start": {"type": "start"},
            "a": {"type": "send_request", "url": url},
            "b": {"type": "send_request", "url": url},
            "c": {"type": "send_request", "url": url}
        },
        "wires": [["start.out", "a.in"], ["start.out", "b.in"], ["start.out", "c.in"]]
    })
    .to_string();
    let flow = Flow::from_json(&text, "queued").unwrap();
    let engine = Engine::new(EngineConfig { max_connections: 1, ..EngineConfig::default() }).unwrap();
    let (tx, _rx) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let variables = Variables::new();
    let run = engine.run(&flow, &variables, tx, cancel.clone());
    let stop = async {
        arrived.notified().await;
        cancel.cancel();
    };
    let (summary, ()) = tokio::join!(run, stop);
    assert_eq!(summary.outcome, switchyard_engine::Outcome::Cancelled);
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "the two waiting for a connection were never sent");
}
