//! (skeleton: filled in by the engine work)
