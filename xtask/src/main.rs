//! `cargo xtask`: the project's commands.
//!
//! - `cargo xtask build`: builds the engine for wasm32 and writes the wasm-bindgen output to
//!   `pkg/` (committed, so the repository itself is the static site).
//! - `cargo xtask serve [--port N]`: `build` when `pkg/` is stale, then serves the repository on
//!   `http://127.0.0.1:8000/`.
//! - `cargo xtask bundle`: writes the single-file playground `dist/convlab.html` (everything
//!   inlined, MNIST subset included) that works opened from disk, and reports its size.
//! - `cargo xtask test`: every test: Rust unit and integration tests, the wasm build, a check that
//!   the committed `pkg/` matches the sources, the bundle, and the browser end-to-end tests (the
//!   single file's among them).
//! - `cargo xtask fuzz [--seconds N] [--target NAME]`: the cargo-fuzz targets in `fuzz/`, each for
//!   a bounded time (not part of `test`).
//!
//! Each step says what it runs; the first failing step stops the run with its exit code. Missing
//! tools (the wasm32 target, the pinned wasm-bindgen-cli, npm packages) are installed.

mod bench;
mod bundle;
mod fuzz;
mod serve;
mod wasm;

use std::path::PathBuf;
use std::process::{exit, Command};

/// The repository root (the parent of this crate). Read from cargo's environment at run time,
/// so an xtask binary built in another checkout (a copied `target/`) still works on this one.
pub fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir
        .parent()
        .expect("xtask lives in the repo")
        .to_path_buf()
}

/// Says what is happening, prefixed so it stands out from the tools' own output.
pub fn say(message: &str) {
    eprintln!("xtask: {message}");
}

/// Runs `program args` in the repository root, echoing it; exits with its status on failure.
pub fn run(program: &str, args: &[&str]) {
    say(&format!("$ {program} {}", args.join(" ")));
    let status = Command::new(program)
        .args(args)
        .current_dir(root())
        .status()
        .unwrap_or_else(|e| {
            say(&format!("cannot start {program}: {e}"));
            exit(127)
        });
    if !status.success() {
        say(&format!("`{program} {}` failed ({status})", args.join(" ")));
        exit(status.code().unwrap_or(1));
    }
}

/// The standard output of `program args`, or `None` when it cannot run or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn test() {
    run("cargo", &["test", "--workspace", "--locked"]);
    wasm::check_pkg_fresh();
    bundle::bundle();
    let e2e = root().join("tests/e2e");
    if e2e.is_dir() {
        wasm::ensure_npm_packages();
        run("node", &["--test", "--test-concurrency=1", "tests/e2e/"]);
    }
    say("all tests passed");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("build") => wasm::build_pkg(&root().join("pkg")),
        Some("serve") => {
            let port = match args.iter().position(|a| a == "--port") {
                Some(i) => args
                    .get(i + 1)
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| {
                        say("--port needs a number, e.g. --port 8080");
                        exit(2)
                    }),
                None => 8000,
            };
            wasm::build_pkg_if_stale();
            serve::serve(&root(), port);
        }
        Some("bundle") => bundle::bundle(),
        Some("test") => test(),
        Some("bench") => bench::bench(&args[1..]),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\
                 \x20 build              build the wasm engine into pkg/\n\
                 \x20 serve [--port N]   build pkg/ if stale, serve the playground on http://127.0.0.1:8000/\n\
                 \x20 bundle             write the single-file playground dist/convlab.html (opens from disk)\n\
                 \x20 test               run every test\n\
                 \x20 bench              measure the engine natively and in headless Chromium (JSON lines)\n\
                 \x20 fuzz [--seconds N] [--target NAME]\n\
                 \x20                    run the cargo-fuzz targets (default: each for 600 s); not part of test"
            );
            exit(2);
        }
    }
}
