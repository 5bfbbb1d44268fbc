//! What several integration tests share: the real MNIST files of the page, loaded once.

use std::path::Path;
use std::sync::OnceLock;

use convlab::data::mnist::{load_dir, Mnist};

/// MNIST from `www/data/mnist` (the page's copy), loaded on first use and shared by the tests.
pub fn mnist() -> &'static Mnist {
    static MNIST: OnceLock<Mnist> = OnceLock::new();
    MNIST.get_or_init(|| {
        load_dir(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/www/data/mnist"
        )))
        .unwrap()
    })
}
