//! The one protocol between the page and its workers: a [`WorkerRequest`]
//! and a [`WorkerReply`], both in postcard (which keeps `NaN`, unlike JSON),
//! and [`answer`], which the worker runs and native tests run the same way.
//!
//! A request travels as its postcard bytes plus one payload beside it: a
//! file (a `File` handle, read in the worker, or a sample's bytes) or the
//! feature rows as one `Float64Array`. Every reply is a `Result`: the page
//! has one decoding path, and an answer it cannot decode is an error, never
//! an empty queue.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::core::active::evaluation::EvaluationJob;
use crate::core::active::validation::FoldOutcome;
use crate::core::alert::Candid;
use crate::core::cutouts::{read_card_stamps, read_card_stamps_from, CardStamp};
use crate::core::file_reading::{read_file, read_file_from, FileReading, LoadError};
use crate::core::ingest::{IngestError, SparseFile};
use crate::core::model::ModelError;
use crate::core::queue::{QueueJob, QueuedAlert};
use crate::core::ranking_fit::TreeBlocksScored;
use crate::core::workbench::{TrainingJob, TrainingOutcome};

/// What the page asks of a worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerRequest {
    /// Read and parse a file, compute its features. Payload: the file.
    ReadFile { name: String },
    /// Decode one alert's three stamps. Payload: the alert's file.
    CardStamps { name: String, candid: Candid },
    /// Fit a round's model (or refit) and score every row; a round's
    /// cross-validation follows as [`WorkerRequest::EvaluateFold`]s.
    /// Payload: every loaded alert's feature row.
    Train(TrainingJob),
    /// Grow and sum blocks `blocks` of a round's forest: one worker's part
    /// of a [`WorkerRequest::Train`] split over several. Payload: as `Train`.
    ScoreTreeBlocks {
        job: TrainingJob,
        blocks: Range<usize>,
    },
    /// Evaluate one fold of a recorded round's cross-validation. Payload:
    /// the round's training rows, in its record's order, its features only.
    EvaluateFold { job: EvaluationJob, fold: usize },
    /// Rank the queue. Payload: the feature rows of the job's alerts.
    RankQueue(QueueJob),
}

/// What travels beside a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadKind {
    /// A file's bytes (a `File` handle or a byte array).
    File,
    /// Feature rows, row-major `f64`.
    FeatureRows,
}

/// The payload, once the worker has it in memory.
pub enum Payload {
    /// A whole file's bytes, or why they could not be read.
    File(Result<Vec<u8>, String>),
    /// Only the ranges of a file that the request needs: for loading, the
    /// footer and feature columns (`ingest::read_needed`); for a card, the
    /// ids and that alert's row group of stamps (`ingest::read_needed_for_stamps`).
    NeededRanges(SparseFile),
    FeatureRows(Vec<f64>),
}

/// A worker's successful answer, one variant per request. One answer
/// exists at a time, so the size of the largest variant does not matter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[allow(clippy::large_enum_variant)]
pub enum WorkerAnswer {
    /// A file's outcome (a file that does not parse is an outcome too).
    FileRead(FileReading),
    /// The decoded stamps; `None` when the file has none for the alert.
    CardStamps(Option<Vec<CardStamp>>),
    Trained(TrainingOutcome),
    TreeBlocksScored(TreeBlocksScored),
    FoldEvaluated(FoldOutcome),
    Ranked(Vec<QueuedAlert>),
}

/// Why a request got no answer.
#[derive(Clone, Debug, Error, PartialEq, Serialize, Deserialize)]
pub enum WorkerError {
    #[error("the worker could not read the request ({detail})")]
    BadRequest { detail: String },
    #[error("the file could not be read ({detail})")]
    Source { detail: String },
    #[error(transparent)]
    File(#[from] IngestError),
    #[error("{detail}")]
    Training { detail: String },
    /// The page's side: the worker crashed, was stopped, or could not start.
    #[error("{reason}")]
    Gone { reason: String },
    /// The page's side: the answer could not be decoded (a page and worker of different builds).
    #[error("the worker's answer could not be decoded ({detail})")]
    Undecodable { detail: String },
    /// The page's side: an answer to another kind of request.
    #[error("the worker answered a {expected} request with something else")]
    UnexpectedAnswer { expected: String },
}

/// The reply to a request.
pub type WorkerReply = Result<WorkerAnswer, WorkerError>;

impl WorkerRequest {
    /// The request's name (visible in the message, for debugging and tests).
    pub fn name(&self) -> &'static str {
        match self {
            WorkerRequest::ReadFile { .. } => "read-file",
            WorkerRequest::CardStamps { .. } => "card-stamps",
            WorkerRequest::Train(_) => "train",
            WorkerRequest::ScoreTreeBlocks { .. } => "score-tree-blocks",
            WorkerRequest::EvaluateFold { .. } => "evaluate-fold",
            WorkerRequest::RankQueue(_) => "rank-queue",
        }
    }

    /// What must travel beside it.
    pub fn payload_kind(&self) -> PayloadKind {
        match self {
            WorkerRequest::ReadFile { .. } | WorkerRequest::CardStamps { .. } => PayloadKind::File,
            WorkerRequest::Train(_)
            | WorkerRequest::ScoreTreeBlocks { .. }
            | WorkerRequest::EvaluateFold { .. }
            | WorkerRequest::RankQueue(_) => PayloadKind::FeatureRows,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        super::to_bytes(self)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<WorkerRequest, WorkerError> {
        super::from_bytes(bytes).map_err(|error| WorkerError::BadRequest {
            detail: error.detail,
        })
    }
}

/// Encodes a reply for the page.
pub fn reply_to_bytes(reply: &WorkerReply) -> Vec<u8> {
    super::to_bytes(reply)
}

/// Decodes a reply on the page; bytes that do not decode are an error.
pub fn reply_from_bytes(bytes: &[u8]) -> WorkerReply {
    super::from_bytes::<WorkerReply>(bytes).unwrap_or_else(|error| {
        Err(WorkerError::Undecodable {
            detail: error.detail,
        })
    })
}

/// Answers one request with its payload: what the worker does, and what
/// native tests do in its place.
pub fn answer(request: WorkerRequest, payload: Payload) -> WorkerReply {
    let wrong_payload = || WorkerError::BadRequest {
        detail: format!("{} came with the wrong payload", request.name()),
    };
    match (&request, payload) {
        (WorkerRequest::ReadFile { name }, Payload::File(bytes)) => {
            Ok(WorkerAnswer::FileRead(match bytes {
                Ok(bytes) => read_file(name, bytes),
                Err(detail) => FileReading::failed(
                    name,
                    0,
                    LoadError::Unreadable {
                        file: name.clone(),
                        detail,
                    },
                ),
            }))
        }
        (WorkerRequest::ReadFile { name }, Payload::NeededRanges(sparse)) => {
            Ok(WorkerAnswer::FileRead(read_file_from(name, sparse)))
        }
        (WorkerRequest::CardStamps { name, candid }, Payload::File(bytes)) => {
            let bytes = bytes.map_err(|detail| WorkerError::Source { detail })?;
            Ok(WorkerAnswer::CardStamps(read_card_stamps(
                name, bytes, *candid,
            )?))
        }
        (WorkerRequest::CardStamps { name, candid }, Payload::NeededRanges(sparse)) => Ok(
            WorkerAnswer::CardStamps(read_card_stamps_from(name, sparse, *candid)?),
        ),
        (WorkerRequest::Train(job), Payload::FeatureRows(values)) => {
            let outcome =
                job.fit_and_score(&values)
                    .map_err(|error: ModelError| WorkerError::Training {
                        detail: error.to_string(),
                    })?;
            Ok(WorkerAnswer::Trained(outcome))
        }
        (WorkerRequest::ScoreTreeBlocks { job, blocks }, Payload::FeatureRows(values)) => {
            let scored =
                job.score_tree_blocks(&values, blocks.clone())
                    .map_err(|error: ModelError| WorkerError::Training {
                        detail: error.to_string(),
                    })?;
            Ok(WorkerAnswer::TreeBlocksScored(scored))
        }
        (WorkerRequest::EvaluateFold { job, fold }, Payload::FeatureRows(values)) => {
            let outcome = job.run_fold(&values, *fold).map_err(|error: ModelError| {
                WorkerError::Training {
                    detail: error.to_string(),
                }
            })?;
            Ok(WorkerAnswer::FoldEvaluated(outcome))
        }
        (WorkerRequest::RankQueue(job), Payload::FeatureRows(values)) => {
            Ok(WorkerAnswer::Ranked(job.run(&values)))
        }
        _ => Err(wrong_payload()),
    }
}

/// The page's view of a reply: the answer it expects, or why not.
macro_rules! expect_answer {
    ($name:ident, $variant:ident, $type:ty, $expected:literal) => {
        /// The answer of this kind, or an error saying what came instead.
        pub fn $name(reply: WorkerReply) -> Result<$type, WorkerError> {
            match reply? {
                WorkerAnswer::$variant(answer) => Ok(answer),
                _ => Err(WorkerError::UnexpectedAnswer {
                    expected: $expected.to_string(),
                }),
            }
        }
    };
}

expect_answer!(expect_file_read, FileRead, FileReading, "read-file");
expect_answer!(
    expect_card_stamps,
    CardStamps,
    Option<Vec<CardStamp>>,
    "card-stamps"
);
expect_answer!(expect_trained, Trained, TrainingOutcome, "train");
expect_answer!(
    expect_tree_blocks_scored,
    TreeBlocksScored,
    TreeBlocksScored,
    "score-tree-blocks"
);
expect_answer!(
    expect_fold_evaluated,
    FoldEvaluated,
    FoldOutcome,
    "evaluate-fold"
);
expect_answer!(expect_ranked, Ranked, Vec<QueuedAlert>, "rank-queue");
