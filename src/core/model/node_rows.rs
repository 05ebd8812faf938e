//! A node's rows as the forest (`extra_trees`) reads them while it grows a
//! tree: through quantile bins (`bins`), one byte per value. A node's
//! smallest and largest bins are found on bytes, and only the rows of those
//! bins, and then of the threshold's bin, have their values read (none at
//! all when the bin holds a single value). A node's classes and one
//! feature's codes are gathered once into byte arrays that the counting
//! and the partition read in order.

use super::bins::ColumnBins;

/// A split: rows whose value is at most `threshold` go left. On codes: rows
/// of the bins below `left_bins` go left, of the bins above `mixed_bin`
/// right, and only the rows of `mixed_bin` (the threshold's bin, unless it
/// holds a single value) need their value compared.
pub(super) struct BinSplit {
    pub(super) feature: usize,
    pub(super) threshold: f64,
    left_bins: u16,
    mixed_bin: Option<u8>,
}

impl BinSplit {
    /// The split of `feature` at `threshold`, placed among its bins.
    pub(super) fn new(feature: usize, threshold: f64, bins: &ColumnBins) -> BinSplit {
        let bin = bins.bin_of(threshold);
        let (left_bins, mixed_bin) = if !bins.is_single_valued(bin) {
            (u16::from(bin), Some(bin))
        } else if bins.upper_edge(bin) <= threshold {
            (u16::from(bin) + 1, None)
        } else {
            (u16::from(bin), None)
        };
        BinSplit {
            feature,
            threshold,
            left_bins,
            mixed_bin,
        }
    }

    /// Whether a row with bin `code` goes left (its value in `values`,
    /// read only when the code cannot tell).
    pub(super) fn goes_left(&self, code: u8, values: &[f64], row: u32) -> bool {
        u16::from(code) < self.left_bins
            || (Some(code) == self.mixed_bin && values[row as usize] <= self.threshold)
    }

    /// How many of the node's rows go left, and how many of those are of
    /// class 1, given their codes in the node's order (`node_codes`).
    pub(super) fn count_left(&self, node: &Node, node_codes: &[u8], values: &[f64]) -> (u32, u32) {
        let (mut left, mut left_ones) = (0u32, 0u32);
        match self.mixed_bin {
            // Two byte arrays read in order, without a branch.
            None => {
                for (&code, &label) in node_codes.iter().zip(node.labels) {
                    let goes_left = u16::from(code) < self.left_bins;
                    left += u32::from(goes_left);
                    left_ones += u32::from(label & u8::from(goes_left));
                }
            }
            Some(_) => {
                for ((&code, &label), &row) in node_codes.iter().zip(node.labels).zip(node.rows) {
                    let goes_left = self.goes_left(code, values, row);
                    left += u32::from(goes_left);
                    left_ones += u32::from(label & u8::from(goes_left));
                }
            }
        }
        (left, left_ones)
    }
}

/// Moves the rows for which `goes_left(position, row)` holds to the front,
/// keeping the order within each side; returns how many there are. `right`
/// is scratch space, kept between calls.
pub(super) fn partition_in_place(
    rows: &mut [u32],
    right: &mut Vec<u32>,
    goes_left: impl Fn(usize, u32) -> bool,
) -> usize {
    right.clear();
    let mut left_count = 0;
    for index in 0..rows.len() {
        let row = rows[index];
        if goes_left(index, row) {
            rows[left_count] = row;
            left_count += 1;
        } else {
            right.push(row);
        }
    }
    rows[left_count..].copy_from_slice(right);
    left_count
}

/// One feature's codes for a node's rows, in the node's order: of the
/// feature being tried, and of the best split's feature so far (what the
/// rows are then partitioned on). Scratch space kept between nodes.
pub(super) struct NodeCodes {
    pub(super) tried: Vec<u8>,
    pub(super) best: Vec<u8>,
}

/// A node being split: its rows, their classes in the same order, and how
/// many are of class 1.
pub(super) struct Node<'a> {
    pub(super) rows: &'a [u32],
    pub(super) labels: &'a [u8],
    pub(super) ones: u32,
}

/// The smallest and largest value among the node's rows: their lowest and
/// highest bins from the bytes (gathered into `node_codes`, in the node's
/// order), then the values of the rows in those bins only, and none when a
/// bin holds a single value (its edge).
pub(super) fn node_range(
    rows: &[u32],
    codes: &[u8],
    values: &[f64],
    bins: &ColumnBins,
    node_codes: &mut Vec<u8>,
) -> (f64, f64) {
    let (mut low_bin, mut high_bin) = (u8::MAX, 0u8);
    node_codes.clear();
    node_codes.extend(rows.iter().map(|&row| {
        let code = codes[row as usize];
        low_bin = low_bin.min(code);
        high_bin = high_bin.max(code);
        code
    }));
    let read_low = !bins.is_single_valued(low_bin);
    let read_high = !bins.is_single_valued(high_bin);
    let mut low = if read_low {
        f64::INFINITY
    } else {
        bins.upper_edge(low_bin)
    };
    let mut high = if read_high {
        f64::NEG_INFINITY
    } else {
        bins.upper_edge(high_bin)
    };
    if read_low || read_high {
        for (&row, &code) in rows.iter().zip(node_codes.iter()) {
            if read_low && code == low_bin {
                let value = values[row as usize];
                if value < low {
                    low = value;
                }
            }
            if read_high && code == high_bin {
                let value = values[row as usize];
                if value > high {
                    high = value;
                }
            }
        }
    }
    (low, high)
}

#[cfg(test)]
mod tests {
    use super::super::bins::BinnedRows;
    use super::*;
    use crate::core::random::SplitMix64;

    /// A column of `rows` values: ties (few values, single-valued bins) in
    /// the first, spread values (bins of several values) in the second.
    fn binned_columns(rows: usize) -> (BinnedRows, Vec<f64>) {
        let values: Vec<f64> = (0..rows)
            .flat_map(|row| {
                let tie = f64::from((row * 7 % 5) as u32);
                let spread = f64::from(((row * 7919) % 1_009) as u32) * 0.25 - 30.0;
                [tie, spread]
            })
            .collect();
        (BinnedRows::new(&values, rows, 2), values)
    }

    #[test]
    fn node_ranges_and_left_counts_on_codes_equal_those_read_from_the_values() {
        let rows = 3_000;
        let (binned, values) = binned_columns(rows);
        let labels: Vec<u8> = (0..rows).map(|row| u8::from(row % 3 == 0)).collect();
        let mut random = SplitMix64::new(11);
        let mut node_codes = Vec::new();
        for _ in 0..200 {
            let size = 2 + random.below(rows - 2);
            let node_rows: Vec<u32> = (0..size).map(|_| random.below(rows) as u32).collect();
            let node_labels: Vec<u8> = node_rows.iter().map(|&row| labels[row as usize]).collect();
            let node = Node {
                rows: &node_rows,
                labels: &node_labels,
                ones: node_labels.iter().map(|&label| u32::from(label)).sum(),
            };
            for column in 0..2 {
                let value = |row: u32| values[row as usize * 2 + column];
                let (codes, column_values, bins) = (
                    binned.column_codes(column),
                    binned.column_values(column),
                    binned.column_bins(column),
                );
                let range = node_range(&node_rows, codes, column_values, bins, &mut node_codes);
                let low = node_rows
                    .iter()
                    .map(|&row| value(row))
                    .fold(f64::INFINITY, f64::min);
                let high = node_rows
                    .iter()
                    .map(|&row| value(row))
                    .fold(f64::NEG_INFINITY, f64::max);
                assert_eq!(range, (low, high), "column {column}, {size} rows");
                for threshold in [
                    low,
                    high,
                    low + (high - low) * random.below(1_000) as f64 / 1e3,
                ] {
                    let split = BinSplit::new(column, threshold, bins);
                    let left: Vec<u32> = node_rows
                        .iter()
                        .copied()
                        .filter(|&row| value(row) <= threshold)
                        .collect();
                    let left_ones = left
                        .iter()
                        .map(|&row| u32::from(labels[row as usize]))
                        .sum();
                    assert_eq!(
                        split.count_left(&node, &node_codes, column_values),
                        (left.len() as u32, left_ones),
                        "column {column}, threshold {threshold}"
                    );
                }
            }
        }
    }
}
