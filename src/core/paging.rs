//! Splitting a long table into pages, so the page renders a bounded number of rows.

/// One page of a table of `total` rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// Zero-based page index, clamped to the existing pages.
    pub index: usize,
    /// Number of pages (at least 1, even for an empty table).
    pub count: usize,
    /// Row range of this page: `start..end`.
    pub start: usize,
    pub end: usize,
}

/// The page `requested` of a table of `total` rows, `page_size` rows per page.
/// A request past the last page gives the last page.
pub fn page(total: usize, page_size: usize, requested: usize) -> Page {
    let page_size = page_size.max(1);
    let count = total.div_ceil(page_size).max(1);
    let index = requested.min(count - 1);
    let start = index * page_size;
    Page {
        index,
        count,
        start,
        end: (start + page_size).min(total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_page_is_short_and_requests_past_it_are_clamped() {
        assert_eq!(
            page(105, 50, 2),
            Page {
                index: 2,
                count: 3,
                start: 100,
                end: 105
            }
        );
        assert_eq!(
            page(105, 50, 9),
            Page {
                index: 2,
                count: 3,
                start: 100,
                end: 105
            }
        );
    }

    #[test]
    fn empty_table_has_one_empty_page() {
        assert_eq!(
            page(0, 50, 0),
            Page {
                index: 0,
                count: 1,
                start: 0,
                end: 0
            }
        );
    }
}
