//! What the page learns when the engine dies. On wasm32 a Rust panic or a failed allocation
//! aborts: the instance traps (`RuntimeError: unreachable`) and is unusable from then on, and the
//! message the standard library would print is lost (there is no stderr). This module keeps that
//! message so the worker can read it after the trap, tell the learner, and be replaced.
//!
//! It also holds the one test hook that crashes the engine on purpose, so the browser tests can
//! check that a crash costs the learner nothing but the run in progress.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use wasm_bindgen::prelude::*;

/// The message of the first panic (its location and text), until the worker takes it.
static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

/// The size in bytes of the last allocation that could not be made (0: none failed).
static FAILED_ALLOCATION: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, noting the size of any allocation it cannot make: the standard
/// library then aborts without a word, so this size is all that says "out of memory".
pub struct ReportingAllocator;

impl ReportingAllocator {
    fn note(pointer: *mut u8, size: usize) -> *mut u8 {
        if pointer.is_null() {
            FAILED_ALLOCATION.store(size, Ordering::Relaxed);
        }
        pointer
    }
}

// SAFETY: every call is passed to `System` unchanged; only a null result is noted.
unsafe impl GlobalAlloc for ReportingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::note(System.alloc(layout), layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::note(System.alloc_zeroed(layout), layout.size())
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::note(System.realloc(pointer, layout, new_size), new_size)
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        System.dealloc(pointer, layout)
    }
}

#[global_allocator]
static ALLOCATOR: ReportingAllocator = ReportingAllocator;

/// Installs the panic hook: the message is kept for [`panic_message`] and also written to the
/// console (with the JS stack) as `console_error_panic_hook` does.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut message) = PANIC_MESSAGE.lock() {
            message.get_or_insert_with(|| info.to_string());
        }
        console_error_panic_hook::hook(info);
    }));
}

/// The message of the panic that killed this engine (`panicked at src/…: …`), or undefined.
/// Safe to call after the trap: it takes the stored string and allocates nothing.
#[wasm_bindgen(js_name = panicMessage)]
pub fn panic_message() -> Option<String> {
    PANIC_MESSAGE
        .lock()
        .ok()
        .and_then(|mut message| message.take())
}

/// The size in bytes of the allocation that failed (out of memory), or 0 when none did.
#[wasm_bindgen(js_name = failedAllocationBytes)]
pub fn failed_allocation_bytes() -> f64 {
    FAILED_ALLOCATION.load(Ordering::Relaxed) as f64
}

/// The test hook (used only by `tests/e2e/hardening-crash.test.mjs`, through the worker's
/// `crashForTest` request, which exists only on pages opened with `?test-hooks`): `panic`
/// panics; `out_of_memory` takes 256 MiB blocks until the 4 GiB of wasm32 memory run out, which
/// aborts as a real out-of-memory does. Either way this engine instance is dead afterwards.
#[wasm_bindgen(js_name = crashForTest)]
pub fn crash_for_test(kind: &str) {
    match kind {
        "out_of_memory" => {
            let mut blocks: Vec<Vec<u8>> = Vec::new();
            loop {
                blocks.push(std::hint::black_box(Vec::with_capacity(256 << 20)));
            }
        }
        _ => panic!("crash test: a panic forced by crashForTest"),
    }
}
