//! Why a fitted model read from a file cannot predict: the one error every
//! part of a fitted model (trees, imputer, standardiser) reports from its
//! `check`, so that a model file that passed cannot panic when it predicts.
//! It stands below `fitted`, `impute` and `standardize`, which all use it.

use super::tree::TreeError;

/// Why a fitted model read from a file cannot predict.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FittedModelError {
    #[error("tree {tree}: {problem}")]
    Tree { tree: usize, problem: TreeError },
    #[error("a forest needs at least one tree")]
    NoTrees,
    #[error("{what} has {found} values where {expected} are needed")]
    Length {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("{what} holds a value that is not a finite number")]
    NotFinite { what: &'static str },
}
