//! The `convlab` command line (skeleton).
fn main() {}
