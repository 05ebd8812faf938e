//! Labels: the researcher's vocabulary and how each model type maps labels to
//! classes. (The label store, import, export and merge come with the workbench.)

pub mod targets;
pub mod vocabulary;
