//! `cargo xtask fuzz [--seconds N] [--target NAME]`: runs the cargo-fuzz targets in `fuzz/` (every
//! target, 600 s each, by default) and prints, per target, the executions, the corpus size and
//! the crashes. Not part of `cargo xtask test`: it takes minutes per target.
//!
//! cargo-fuzz is installed when missing. Its `-Zsanitizer=address` build needs a nightly
//! compiler; on a stable toolchain `RUSTC_BOOTSTRAP=1` unlocks the same flags. Each run starts
//! from `fuzz/seeds/<target>/` (committed; `keras_code` also from `tests/fixtures/keras_snippets/`) and `fuzz/corpus/<target>/` (what earlier runs found,
//! not committed), caps memory so that a huge size declared in a header shows up as a crash
//! rather than as swapping, and writes libFuzzer's log to `fuzz/logs/<target>.log`. A crash
//! leaves its input in `fuzz/artifacts/<target>/`; the command then fails after running the rest.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{exit, Command, Stdio};

use crate::{output, root, run, say};

/// libFuzzer's limits: the whole process's memory, and any single allocation.
const MEMORY_LIMITS: [&str; 2] = ["-rss_limit_mb=2048", "-malloc_limit_mb=1024"];

/// What one target's run produced, read from libFuzzer's final statistics.
struct Outcome {
    target: String,
    executions: Option<u64>,
    corpus: Option<String>,
    crashes: Vec<PathBuf>,
    /// The run failed without leaving a crash input (a build or start-up error): its log.
    failed_log: Option<PathBuf>,
}

/// Runs the targets the flags choose for the time they give.
pub fn fuzz(args: &[String]) {
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .map(|i| args.get(i + 1).cloned().unwrap_or_default())
    };
    let seconds: u64 = match value("--seconds") {
        Some(text) => text.parse().ok().filter(|&s| s > 0).unwrap_or_else(|| {
            say("--seconds needs a whole number of seconds, e.g. --seconds 60");
            exit(2)
        }),
        None => 600,
    };
    ensure_cargo_fuzz();
    let available = list_targets();
    let targets = match value("--target") {
        Some(name) if available.contains(&name) => vec![name],
        Some(name) => {
            say(&format!(
                "no fuzz target '{name}'; choose one of {}",
                available.join(", ")
            ));
            exit(2)
        }
        None => available,
    };
    say("building the fuzz targets (address sanitizer)");
    let status = cargo_fuzz(&["build"]).status();
    if !status.is_ok_and(|s| s.success()) {
        say("`cargo fuzz build` failed");
        exit(1);
    }
    let outcomes: Vec<Outcome> = targets.iter().map(|t| fuzz_target(t, seconds)).collect();
    for outcome in &outcomes {
        println!(
            "fuzz {}: {} executions, corpus {}, {}",
            outcome.target,
            outcome
                .executions
                .map_or("an unknown number of".to_string(), |n| n.to_string()),
            outcome.corpus.as_deref().unwrap_or("unknown"),
            match (outcome.crashes.len(), &outcome.failed_log) {
                (0, None) => "no crashes".to_string(),
                (0, Some(log)) => format!(
                    "failed without a crash input, see {}",
                    paths(std::slice::from_ref(log))
                ),
                (n, _) => format!("{n} crash input(s): {}", paths(&outcome.crashes)),
            }
        );
    }
    if outcomes
        .iter()
        .any(|o| !o.crashes.is_empty() || o.failed_log.is_some())
    {
        say("a fuzz target crashed: reproduce with `cargo fuzz run <target> <input>` in fuzz/");
        exit(1);
    }
}

/// Installs cargo-fuzz from crates.io unless `cargo fuzz` already runs.
fn ensure_cargo_fuzz() {
    if output("cargo", &["fuzz", "--version"]).is_none() {
        say("installing cargo-fuzz (a one-off build of a minute or two)");
        run("cargo", &["install", "cargo-fuzz", "--locked"]);
    }
}

/// `cargo fuzz <args>` in the repository root, with nightly flags allowed on a stable toolchain.
fn cargo_fuzz(args: &[&str]) -> Command {
    let mut command = Command::new("cargo");
    command
        .arg("fuzz")
        .args(args)
        .current_dir(root())
        .env("RUSTC_BOOTSTRAP", "1");
    command
}

/// The targets `cargo fuzz list` reports.
fn list_targets() -> Vec<String> {
    let listed = cargo_fuzz(&["list"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_else(|| {
            say("`cargo fuzz list` failed; is fuzz/Cargo.toml there?");
            exit(1)
        });
    listed.lines().map(str::trim).map(String::from).collect()
}

/// Runs `target` for `seconds` and reads its statistics and new crash inputs.
fn fuzz_target(target: &str, seconds: u64) -> Outcome {
    let fuzz_dir = root().join("fuzz");
    let corpus = fuzz_dir.join("corpus").join(target);
    let seeds = fuzz_dir.join("seeds").join(target);
    let dictionary = fuzz_dir.join("dicts").join(format!("{target}.dict"));
    let artifacts = fuzz_dir.join("artifacts").join(target);
    let logs = fuzz_dir.join("logs");
    for dir in [&corpus, &artifacts, &logs] {
        fs::create_dir_all(dir).unwrap_or_else(|e| {
            say(&format!("cannot create {}: {e}", dir.display()));
            exit(1)
        });
    }
    let crashes_before = files(&artifacts);
    let log_path = logs.join(format!("{target}.log"));
    let log = fs::File::create(&log_path).unwrap_or_else(|e| {
        say(&format!("cannot write {}: {e}", log_path.display()));
        exit(1)
    });
    let corpus_arg = corpus.to_string_lossy().into_owned();
    // libFuzzer writes new inputs to the first folder only: the seed folders are read as they are.
    let mut seed_dirs = vec![seeds];
    if target == "keras_code" {
        seed_dirs.push(root().join("tests/fixtures/keras_snippets"));
    }
    let seed_args: Vec<String> = seed_dirs
        .iter()
        .filter(|dir| dir.is_dir())
        .map(|dir| dir.to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["run", target, corpus_arg.as_str()];
    args.extend(seed_args.iter().map(String::as_str));
    let time_arg = format!("-max_total_time={seconds}");
    let dictionary_arg = format!("-dict={}", dictionary.display());
    args.extend(["--", time_arg.as_str(), "-print_final_stats=1"]);
    args.extend(MEMORY_LIMITS);
    if dictionary.is_file() {
        args.push(&dictionary_arg);
    }
    say(&format!(
        "fuzzing {target} for {seconds} s (log: {})",
        log_path.display()
    ));
    let stdout = log.try_clone().expect("a log file handle");
    let status = cargo_fuzz(&args)
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(log))
        .status();
    let text = fs::read_to_string(&log_path).unwrap_or_default();
    let crashes: Vec<PathBuf> = files(&artifacts)
        .into_iter()
        .filter(|path| !crashes_before.contains(path))
        .collect();
    let failed = !status.is_ok_and(|s| s.success());
    Outcome {
        failed_log: (failed && crashes.is_empty()).then_some(log_path),
        target: target.to_string(),
        executions: text
            .lines()
            .find_map(|line| line.strip_prefix("stat::number_of_executed_units:"))
            .and_then(|n| n.trim().parse().ok()),
        corpus: last_corpus_size(&text),
        crashes,
    }
}

/// The `corp: <units>/<size>` figure of libFuzzer's last status line (`corp: 312/41Kb`), as
/// "312 inputs, 41Kb".
fn last_corpus_size(log: &str) -> Option<String> {
    let line = log.lines().rev().find(|line| line.contains(" corp: "))?;
    let figure = line.split(" corp: ").nth(1)?.split_whitespace().next()?;
    let (units, size) = figure.split_once('/')?;
    Some(format!("{units} inputs, {size}"))
}

/// The files directly in `dir` (none when it does not exist).
fn files(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// Paths relative to the repository root, comma-separated.
fn paths(list: &[PathBuf]) -> String {
    let root = root();
    list.iter()
        .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
