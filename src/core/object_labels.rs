//! An object's earlier labels: the labels given to other alerts of the
//! object a card shows, loaded or not (a label keeps its object id, and its
//! alert's date comes from the loaded alert or the training table). The card
//! lists them, one key gives the card the object's latest label again, and
//! a setting leaves alerts of already labelled objects out of the queue.

use std::collections::BTreeSet;

use crate::core::alert::{Alert, Candid, Survey};
use crate::core::display::format_mjd;
use crate::core::labels::entry::LabelEntry;
use crate::core::labels::settled::SettledLabels;
use crate::core::labels::vocabulary::Label;
use crate::core::workspace::Workspace;

/// One earlier label of the card's object, as the card lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct EarlierLabel {
    pub label: Label,
    /// The labelled alert's date, or "date unknown".
    pub date: String,
    pub alert_id: Candid,
}

/// The object id labels of `survey` are grouped by, or `None` when the id
/// names no object (an LSST source without a `diaObject`: id 0).
pub fn object_of(survey: Survey, object_id: &str) -> Option<&str> {
    match survey {
        Survey::Lsst if object_id == "0" => None,
        _ => Some(object_id),
    }
}

/// The labels of `alert`'s object on other alerts, newest label first.
pub fn earlier_labels(
    workspace: &Workspace,
    labels: &SettledLabels,
    alert: &Alert,
) -> Vec<EarlierLabel> {
    let object_id = alert.object_id();
    let Some(object) = object_of(alert.survey(), &object_id) else {
        return Vec::new();
    };
    let mut entries: Vec<&LabelEntry> = labels
        .labels()
        .filter(|entry| entry.object_id == object && entry.candid != alert.candid())
        .collect();
    entries.sort_by(|a, b| b.timestamp.cmp(&a.timestamp).then(b.candid.cmp(&a.candid)));
    entries
        .into_iter()
        .map(|entry| EarlierLabel {
            label: entry.label,
            date: workspace
                .known_mjd(entry.candid)
                .map_or_else(|| "date unknown".to_string(), format_mjd),
            alert_id: entry.candid,
        })
        .collect()
}

/// The objects that have a label, for leaving their other alerts out.
pub fn labelled_objects(survey: Survey, labels: &SettledLabels) -> BTreeSet<&str> {
    labels
        .labels()
        .filter_map(|entry| object_of(survey, &entry.object_id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::labels::entry::test_entry;

    #[test]
    fn lsst_alerts_without_a_dia_object_share_no_object() {
        assert_eq!(object_of(Survey::Lsst, "0"), None);
        assert_eq!(object_of(Survey::Lsst, "1698"), Some("1698"));
        let mut store = SettledLabels::new();
        store.insert(test_entry(1, Label::Gal));
        assert_eq!(labelled_objects(Survey::Ztf, &store).len(), 1);
    }
}
