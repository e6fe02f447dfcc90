//! Trace-driven ABR simulator, reference algorithms and evaluation (`abr-eval`).

pub mod algos;
pub mod decoder;
pub mod eval;
pub mod link;
pub mod optimal;
pub mod session;
pub mod stdio;
pub mod trace;
pub mod video;
