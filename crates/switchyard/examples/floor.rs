//! The floor for the engine-speed benchmark (`crates/switchyard/benches/speed/run.sh`):
//! the least a Rust program can do to send the benchmark's requests.
//!
//! ```sh
//! cargo run --release -p switchyard --example floor -- BASE_URL N chain|fanout
//! ```
//!
//! One reqwest client on a current-thread tokio runtime sends `GET BASE_URL/item/1` …
//! `GET BASE_URL/item/N` and reads each body: `chain` one after another (what a chain
//! of Send Request blocks does), `fanout` all at once, polled together with `join_all`
//! on the one thread (what Send Request blocks wired from one port do). `N` = 1 is the
//! one-request mode. Any status other than 2xx, or any error, exits 1. The time inside
//! the loop goes to stdout; the benchmark times the whole process.

use std::process::ExitCode;
use std::time::Instant;

use futures_util::future::join_all;

/// How the requests are sent.
#[derive(Clone, Copy)]
enum Mode {
    /// One after another.
    Chain,
    /// All at once.
    Fanout,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (base, count, mode) = match args.as_slice() {
        [base, count, mode] => {
            let Ok(count) = count.parse::<usize>() else {
                eprintln!("floor: N must be a number, not {count:?}");
                return ExitCode::from(2);
            };
            let mode = match mode.as_str() {
                "chain" => Mode::Chain,
                "fanout" => Mode::Fanout,
                other => {
                    eprintln!("floor: the mode is chain or fanout, not {other:?}");
                    return ExitCode::from(2);
                }
            };
            (base.trim_end_matches('/').to_owned(), count, mode)
        }
        _ => {
            eprintln!("usage: floor BASE_URL N chain|fanout");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("floor: cannot start the runtime: {error}");
            return ExitCode::from(3);
        }
    };
    let client = reqwest::Client::new();
    let started = Instant::now();
    let result = runtime.block_on(async {
        match mode {
            Mode::Chain => {
                for i in 1..=count {
                    get(&client, &format!("{base}/item/{i}")).await?;
                }
                Ok(())
            }
            Mode::Fanout => {
                let urls: Vec<String> = (1..=count).map(|i| format!("{base}/item/{i}")).collect();
                join_all(urls.iter().map(|url| get(&client, url))).await.into_iter().collect::<Result<(), String>>()
            }
        }
    });
    let elapsed = started.elapsed();
    match result {
        Ok(()) => {
            println!("{count} requests in {:.3} ms", elapsed.as_secs_f64() * 1e3);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("floor: {error}");
            ExitCode::from(1)
        }
    }
}

/// Sends one GET and reads the whole body; an error or a non-2xx status is an error.
async fn get(client: &reqwest::Client, url: &str) -> Result<(), String> {
    let response = client.get(url).send().await.map_err(|error| format!("GET {url}: {error}"))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|error| format!("GET {url}: reading the body: {error}"))?;
    if !status.is_success() {
        return Err(format!("GET {url}: status {status}"));
    }
    std::hint::black_box(body);
    Ok(())
}
