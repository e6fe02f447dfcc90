//! smoothplay test support: the ABR trace simulator and evaluator (`abr-eval`).

pub mod abrsim;
