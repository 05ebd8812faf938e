//! Team labelling: every collaborator's label kept as a vote, and how much
//! the team agrees, computed from label files alone (`fink-vra agreement`).
//!
//! - `votes`: one current vote per annotator and alert (`VoteTable`);
//! - `agreement`: per pair (percent agreement, Cohen's κ), overall
//!   (Krippendorff's α), per alert (single, unanimous, majority, contested);
//! - `dawid_skene`: each annotator's accuracy and each alert's posterior
//!   (one-coin Dawid–Skene, as crowd-kit fits it);
//! - `consensus`: which label each alert trains with, by the team's rule
//!   (`mine`, `majority`, `weighted`), and where it came from;
//! - `report`: all of it for one set of votes (`TeamReport`);
//! - `files`: the votes of label files of any kind the page imports.

pub mod agreement;
pub mod consensus;
pub mod dawid_skene;
pub mod files;
pub mod report;
pub mod votes;
