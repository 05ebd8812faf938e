//! Labels: the researcher's vocabulary, how each model type maps labels to
//! classes, every annotator's votes and the reviewers' adjudications (the
//! label store, with undo and merge), the labels a round trains with, and
//! label files in and out.
//! No storage calls here: persistence is the page's `ui::browser::storage`.

pub mod adjudication;
pub mod class_summary;
mod csv_files;
pub mod entry;
pub mod exchange;
pub mod gold;
mod import_rules;
mod json_decisions;
mod json_features;
mod json_import;
mod lsst_csv;
pub mod settled;
pub mod store;
pub mod targets;
pub mod vocabulary;
pub mod vote_index;
pub mod votes;
