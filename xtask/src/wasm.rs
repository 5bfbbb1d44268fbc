//! Building `pkg/`: the engine compiled to wasm32 and the wasm-bindgen `--target web` glue.
//!
//! `pkg/` is committed so any static host serves the playground. It records a hash of the
//! sources it was built from (`pkg/SOURCES.sha`), which `serve` uses to rebuild only when stale;
//! `test` rebuilds into a scratch folder and requires the committed files to be identical.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::exit;

use crate::{output, root, run, say};

/// The wasm-bindgen version pinned in Cargo.toml; the CLI must match it exactly.
const WASM_BINDGEN_VERSION: &str = "0.2.130";

/// The files whose content decides the wasm: the engine's sources and the build settings.
fn source_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, files);
            } else {
                files.push(path);
            }
        }
    }
    let root = root();
    let mut files = vec![
        root.join("Cargo.toml"),
        root.join("Cargo.lock"),
        root.join(".cargo/config.toml"),
    ];
    walk(&root.join("src"), &mut files);
    files.sort();
    files
}

/// FNV-1a over the paths and contents of the source files: enough to notice any edit.
fn sources_hash() -> String {
    let root = root();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in source_files() {
        let relative = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .to_string_lossy()
            .into_owned();
        for byte in relative
            .bytes()
            .chain([0u8])
            .chain(fs::read(&file).unwrap_or_default())
        {
            hash ^= byte as u64;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}\n")
}

/// Installs the wasm32 target when rustup does not list it.
fn ensure_wasm_target() {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !installed
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        say("installing the wasm32-unknown-unknown target");
        run("rustup", &["target", "add", "wasm32-unknown-unknown"]);
    }
}

/// Installs wasm-bindgen-cli at the pinned version when missing or different; fails loudly when
/// the installed one still does not match.
fn ensure_wasm_bindgen() {
    let wanted = format!("wasm-bindgen {WASM_BINDGEN_VERSION}");
    let installed = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if installed.trim() == wanted {
        return;
    }
    say(&format!(
        "installing wasm-bindgen-cli {WASM_BINDGEN_VERSION} (found: {}); this takes several minutes, once",
        if installed.is_empty() { "none" } else { installed.trim() }
    ));
    run(
        "cargo",
        &[
            "install",
            "wasm-bindgen-cli",
            "--version",
            WASM_BINDGEN_VERSION,
        ],
    );
    let installed = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if installed.trim() != wanted {
        say(&format!(
            "wasm-bindgen on PATH is '{}', not '{wanted}'; put ~/.cargo/bin first on PATH",
            installed.trim()
        ));
        exit(1);
    }
}

/// Builds the engine for wasm32 and writes the glue into `out_dir`.
pub fn build_pkg(out_dir: &Path) {
    ensure_wasm_target();
    ensure_wasm_bindgen();
    run(
        "cargo",
        &[
            "build",
            "--locked",
            "--release",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
        ],
    );
    let wasm = root().join("target/wasm32-unknown-unknown/release/convlab.wasm");
    let out = out_dir.to_string_lossy().into_owned();
    run(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--no-typescript",
            "--out-dir",
            &out,
            "--out-name",
            "convlab",
            &wasm.to_string_lossy(),
        ],
    );
    fs::write(out_dir.join("SOURCES.sha"), sources_hash()).expect("pkg/ is writable");
    let size = fs::metadata(out_dir.join("convlab_bg.wasm"))
        .map(|m| m.len())
        .unwrap_or(0);
    say(&format!(
        "wrote {} (convlab_bg.wasm: {} KB)",
        out,
        size / 1024
    ));
}

/// `build_pkg` into `pkg/` unless `pkg/SOURCES.sha` says it is already built from these sources.
pub fn build_pkg_if_stale() {
    let pkg = root().join("pkg");
    let recorded = fs::read_to_string(pkg.join("SOURCES.sha")).unwrap_or_default();
    if recorded == sources_hash() && pkg.join("convlab_bg.wasm").is_file() {
        say("pkg/ is up to date with the sources");
    } else {
        say("pkg/ is missing or older than the sources: building it");
        build_pkg(&pkg);
    }
}

/// Rebuilds into a scratch folder and fails unless the committed `pkg/` is byte-identical.
pub fn check_pkg_fresh() {
    let scratch = root().join("target/pkg-check");
    let _ = fs::remove_dir_all(&scratch);
    build_pkg(&scratch);
    let committed = root().join("pkg");
    let mut stale = Vec::new();
    for entry in fs::read_dir(&scratch)
        .expect("scratch pkg exists")
        .flatten()
    {
        let name = entry.file_name();
        if fs::read(entry.path()).ok() != fs::read(committed.join(&name)).ok() {
            stale.push(name.to_string_lossy().into_owned());
        }
    }
    if !stale.is_empty() {
        say(&format!(
            "the committed pkg/ does not match the sources ({}); run `cargo xtask build` and commit pkg/",
            stale.join(", ")
        ));
        exit(1);
    }
    say("the committed pkg/ matches the sources");
}

/// Installs the npm packages of the end-to-end tests (`npm ci`) unless `node_modules/` was
/// installed from the current `package-lock.json` (a copy of the lock file it was installed from
/// is kept beside the packages).
pub fn ensure_npm_packages() {
    let lock = root().join("package-lock.json");
    let stamp = root().join("node_modules/.installed-from-package-lock.json");
    if fs::read(&lock)
        .ok()
        .is_some_and(|wanted| fs::read(&stamp).ok() == Some(wanted))
    {
        return;
    }
    say("installing the end-to-end tests' npm packages (package-lock.json changed or node_modules/ is missing)");
    run("npm", &["ci", "--no-audit", "--no-fund"]);
    fs::copy(&lock, &stamp).expect("node_modules/ is writable after npm ci");
}
