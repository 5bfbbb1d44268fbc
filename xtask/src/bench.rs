//! `cargo xtask bench [--skip-native] [--skip-browser] [--only train,infer,gemm,profile,workers]`:
//! the engine's speed, natively and in headless Chromium, as one JSON object per line on standard
//! output (`--only` picks the browser's groups):
//!
//! ```text
//! {"where":"native","model":"seed-cnn","mode":"train","batch":128,"workers":1,"images_per_second":N}
//! {"where":"browser","kernel":"gemm","shape":"512x512x512","gflops":N}
//! {"where":"browser","model":"seed-cnn","mode":"train-profile","batch":128,"part":"…","ms":N}
//! {"where":"browser","model":"seed-cnn","mode":"train-page","batch":128,"workers":1,"images_per_second":N}
//! {"where":"browser","model":"seed-cnn","mode":"train","batch":128,"workers":2,"images_per_second":N}
//! ```
//!
//! The `workers` group trains on MNIST through the playground's own workers (`www/worker.js` and
//! `www/train-helper.js`): `train-page` with one worker, then `train` with two sharing each batch.
//!
//! Native figures are the criterion medians of `benches/engine.rs`; browser figures come from
//! `www/bench/`, served on a loopback port to Chromium, which POSTs them back when done.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{exit, Command, Stdio};
use std::time::{Duration, Instant};

use crate::serve::{content_type, resolve};
use crate::{root, say, wasm};

/// The batch size of the model benchmarks (as in `benches/engine.rs` and `www/bench/bench.js`).
const BATCH: f64 = 128.0;

/// How long the browser run may take before it counts as hung.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Runs the benchmarks the flags leave in and prints their figures.
pub fn bench(args: &[String]) {
    if !args.iter().any(|a| a == "--skip-native") {
        native();
    }
    if !args.iter().any(|a| a == "--skip-browser") {
        let only = args
            .iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1));
        browser(only.map(String::as_str));
    }
}

/// Runs the criterion benches (their report goes to standard error) and prints their medians.
fn native() {
    let status = Command::new("cargo")
        .args(["bench", "--locked", "--bench", "engine"])
        .current_dir(root())
        .stdout(Stdio::from(std::io::stderr()))
        .status();
    if !status.is_ok_and(|s| s.success()) {
        say("`cargo bench --bench engine` failed");
        exit(1);
    }
    let criterion = root().join("target/criterion");
    for mode in ["train", "infer"] {
        for model in ["seed-cnn", "seed-mlp"] {
            let seconds = median_seconds(&criterion.join(mode).join(model));
            println!(
                r#"{{"where":"native","model":"{model}","mode":"{mode}","batch":128,"workers":1,"images_per_second":{:.0}}}"#,
                BATCH / seconds
            );
        }
    }
    for shape in ["512x512x512", "784x288x64"] {
        let flops: f64 = shape
            .split('x')
            .map(|side| side.parse::<f64>().expect("a shape of numbers"))
            .product::<f64>()
            * 2.0;
        let seconds = median_seconds(&criterion.join("gemm").join(shape));
        println!(
            r#"{{"where":"native","kernel":"gemm","shape":"{shape}","gflops":{:.1}}}"#,
            flops / seconds / 1e9
        );
    }
    let profile = criterion.join("cnn-step-profile");
    let mut parts: Vec<(String, f64)> = fs::read_dir(&profile)
        .map(|entries| {
            entries
                .flatten()
                .filter(|entry| entry.path().join("new/estimates.json").is_file())
                .map(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    (name, median_seconds(&entry.path()))
                })
                .collect()
        })
        .unwrap_or_default();
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    for (part, seconds) in parts {
        println!(
            r#"{{"where":"native","model":"seed-cnn","mode":"train-profile","batch":128,"part":"{part}","ms":{:.2}}}"#,
            seconds * 1e3
        );
    }
}

/// The median time of one iteration of the criterion benchmark whose folder is `dir`, in seconds.
fn median_seconds(dir: &Path) -> f64 {
    let file = dir.join("new/estimates.json");
    let text = fs::read_to_string(&file).unwrap_or_else(|e| {
        say(&format!("cannot read {}: {e}", file.display()));
        exit(1)
    });
    let nanoseconds = text
        .split_once(r#""median":"#)
        .and_then(|(_, median)| median.split_once(r#""point_estimate":"#))
        .and_then(|(_, rest)| {
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            rest[..end].parse::<f64>().ok()
        })
        .unwrap_or_else(|| {
            say(&format!("no median in {}", file.display()));
            exit(1)
        });
    nanoseconds * 1e-9
}

/// Builds `pkg/` if stale, serves the repository on a loopback port, opens the bench page in
/// headless Chromium (running the `only` groups, or all) and prints the figures it POSTs back.
fn browser(only: Option<&str>) {
    wasm::build_pkg_if_stale();
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a free loopback port");
    let port = listener.local_addr().expect("a bound address").port();
    listener
        .set_nonblocking(true)
        .expect("a non-blocking listener");
    let profile_dir = root().join("target/bench-chromium");
    let mut url = format!("http://127.0.0.1:{port}/www/bench/index.html?report");
    if let Some(only) = only {
        url.push_str(&format!("&only={only}"));
    }
    say(&format!("$ chromium --headless … {url}"));
    let mut chromium = Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // A learner watches the page train: measure it as a foreground page.
            "--disable-renderer-backgrounding",
            "--disable-background-timer-throttling",
            "--disable-backgrounding-occluded-windows",
        ])
        .arg(format!("--user-data-dir={}", profile_dir.display()))
        .arg(&url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            say(&format!(
                "cannot start /usr/bin/chromium: {e}; install it with `apt-get install chromium`"
            ));
            exit(127)
        });
    let started = Instant::now();
    let results = loop {
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = chromium.kill();
            say("the bench page sent no results in 15 minutes");
            exit(1);
        }
        match listener.accept() {
            Ok((stream, _)) => match answer(stream) {
                Ok(Some(results)) => break results,
                Ok(None) => {}
                Err(e) => say(&format!("a request failed: {e}")),
            },
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Err(e) => say(&format!("accept failed: {e}")),
        }
    };
    let _ = chromium.kill();
    let _ = chromium.wait();
    print!("{results}");
    if results.contains(r#""error""#) {
        say("the bench page reported an error");
        exit(1);
    }
}

/// Answers one request: a file of the repository, or the page's results (returned).
fn answer(mut stream: TcpStream) -> std::io::Result<Option<String>> {
    stream.set_nonblocking(false)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut content_length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    if method == "POST" && target == "/bench-results" {
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body)?;
        stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")?;
        return Ok(Some(String::from_utf8_lossy(&body).into_owned()));
    }
    match resolve(&root(), target) {
        Some(file) if method == "GET" => {
            let body = fs::read(&file)?;
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
                content_type(&file),
                body.len()
            )?;
            stream.write_all(&body)?;
        }
        _ => stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?,
    }
    Ok(None)
}
