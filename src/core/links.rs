//! Links to broker pages for an alert's object.
//!
//! Object ids come from files, so a link is built only from an id that matches
//! its survey's pattern: for ZTF, `ZTF` + two digits + seven lowercase
//! letters; for LSST, a positive 64-bit integer (`diaObjectId` 0 means a
//! solar-system alert, which has no object page). Anything else is shown as
//! plain text by the page, never as a link or HTML.

use crate::core::alert::Survey;

/// True for a well-formed ZTF object id such as `ZTF25aastlyj`.
pub fn is_ztf_object_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 12
        && bytes.starts_with(b"ZTF")
        && bytes[3..5].iter().all(u8::is_ascii_digit)
        && bytes[5..].iter().all(u8::is_ascii_lowercase)
}

/// The object's Lasair page, when `object_id` is a well-formed ZTF id.
pub fn lasair_url(object_id: &str) -> Option<String> {
    is_ztf_object_id(object_id)
        .then(|| format!("https://lasair-ztf.lsst.ac.uk/objects/{object_id}"))
}

/// The object's page on the Fink ZTF portal, when `object_id` is a well-formed ZTF id.
pub fn fink_portal_url(object_id: &str) -> Option<String> {
    is_ztf_object_id(object_id).then(|| format!("https://ztf.fink-portal.org/{object_id}"))
}

/// A positive `diaObjectId` in canonical decimal (no sign, no leading zero).
fn lsst_object_number(text: &str) -> Option<u64> {
    let canonical = !text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit());
    text.parse::<u64>().ok().filter(|&id| canonical && id > 0)
}

/// The broker pages of an object of `survey`, as (name, URL), when its id is
/// well-formed: Lasair and the Fink portal of that survey.
pub fn object_links(survey: Survey, object_id: &str) -> Vec<(&'static str, String)> {
    match survey {
        Survey::Ztf => [
            ("Lasair", lasair_url(object_id)),
            ("Fink portal", fink_portal_url(object_id)),
        ]
        .into_iter()
        .filter_map(|(name, url)| url.map(|url| (name, url)))
        .collect(),
        Survey::Lsst => lsst_object_number(object_id)
            .map(|id| {
                vec![
                    ("Lasair", format!("https://lasair.lsst.ac.uk/objects/{id}/")),
                    ("Fink portal", format!("https://lsst.fink-portal.org/{id}")),
                ]
            })
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsst_objects_link_to_both_brokers_only_for_a_positive_integer_id() {
        let links = object_links(Survey::Lsst, "169813006802223148");
        assert_eq!(
            links,
            vec![
                (
                    "Lasair",
                    "https://lasair.lsst.ac.uk/objects/169813006802223148/".to_string()
                ),
                (
                    "Fink portal",
                    "https://lsst.fink-portal.org/169813006802223148".to_string()
                ),
            ]
        );
        for text in [
            "0",
            "",
            "-5",
            "007",
            "1e5",
            "12a",
            "99999999999999999999",
            "<b>",
        ] {
            assert!(object_links(Survey::Lsst, text).is_empty(), "{text:?}");
        }
        assert_eq!(object_links(Survey::Ztf, "ZTF25aastlyj").len(), 2);
        assert!(object_links(Survey::Ztf, "169813006802223148").is_empty());
    }

    #[test]
    fn real_ztf_ids_get_a_lasair_link() {
        assert_eq!(
            lasair_url("ZTF25aastlyj").as_deref(),
            Some("https://lasair-ztf.lsst.ac.uk/objects/ZTF25aastlyj")
        );
    }

    #[test]
    fn hostile_or_malformed_ids_get_no_link() {
        for text in [
            "",
            "ZTF25aastly",
            "ZTF25aastlyjj",
            "ZTF25AASTLYJ",
            "ZTFxxaastlyj",
            "javascript:alert(1)",
            "<script>x</script>",
            "ZTF25aastl/j",
            "ZTF25aastlé",
        ] {
            assert_eq!(lasair_url(text), None, "{text:?}");
            assert_eq!(fink_portal_url(text), None, "{text:?}");
        }
    }
}
