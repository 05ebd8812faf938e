//! Team labelling: how much the team agrees and which label each alert
//! trains with, from the votes (`labels::votes`) of the page's store or of
//! label files alone (`fink-vra agreement`).
//!
//! - `agreement`: per pair (percent agreement, Cohen's κ), overall
//!   (Krippendorff's α), per alert (single, unanimous, majority, contested);
//! - `confusion`: which labels two annotators confuse;
//! - `dawid_skene`: each annotator's accuracy and each alert's posterior
//!   (one-coin Dawid–Skene, as crowd-kit fits it);
//! - `consensus`: which label each alert trains with, by the team's rule
//!   (`mine`, `majority`, `weighted`), and where it came from;
//! - `report`: all of it for one set of votes (`TeamReport`);
//! - `files`: the votes of label files of any kind the page imports.

pub mod agreement;
pub mod confusion;
pub mod consensus;
pub mod dawid_skene;
pub mod files;
pub mod report;
