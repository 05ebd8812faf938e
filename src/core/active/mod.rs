//! Active learning: query strategies, cold start, rounds with honest metrics,
//! and the replay used to benchmark them on an already-labelled table.

pub mod batch;
pub mod density;
pub mod diversity;
pub mod evaluation;
pub mod exploration;
pub mod honest;
pub mod interval;
pub mod metrics;
pub mod pick_reason;
pub mod replay;
pub mod representative;
pub mod round;
pub mod strategy;
pub mod table;
pub mod validation;

/// The classifier the page and the CLI use unless told otherwise
/// (chosen by the replay benchmark, `bench/REPLAY.md`).
pub const DEFAULT_MODEL: &str = "extra-trees";
/// The query strategy used unless told otherwise.
pub const DEFAULT_STRATEGY: &str = "uncertainty";
/// The cold-start rule for round 0.
pub const DEFAULT_COLD_START: &str = "diverse";
/// The share of each batch drawn uniformly at random, for the round's
/// honest estimate (`exploration`).
pub const DEFAULT_EXPLORATION_SHARE: f64 = 0.2;
