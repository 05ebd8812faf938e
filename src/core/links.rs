//! Links to broker pages for an alert's object.
//!
//! objectIds come from files, so a link is built only from an id that matches
//! the ZTF pattern (`ZTF` + two digits + seven lowercase letters); anything
//! else is shown as plain text by the page, never as a link or HTML.

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

#[cfg(test)]
mod tests {
    use super::*;

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
