//! Quantile bins of each feature (at most [`MAX_BINS`]), so that a forest
//! reads a node's rows as one byte per value instead of as raw floats. Bins
//! come from the values alone, never from the labels, so binning leaks
//! nothing from held-out labels.
//!
//! Every bin is closed above by the largest training value in it (its upper
//! edge), so `value <= edge[k]` holds exactly when the value's bin is `k` or
//! lower, and a threshold `t` inside bin `k` sends every row of a lower bin
//! left and every row of a higher bin right: only the rows of bin `k` need
//! their value compared, and not even those when bin `k` holds one distinct
//! value (a feature with few values, or ties). The values are kept too,
//! column by column, for those comparisons; a fitted tree keeps its
//! thresholds in feature units (model files, ONNX, `score` need no bins).

/// The most bins a feature is cut into (its codes fit in a byte).
pub const MAX_BINS: usize = 255;

/// One feature's bins: for bin `k`, the largest training value in it and
/// whether it is the bin's only value. Bins are in increasing order and do
/// not overlap.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnBins {
    upper_edges: Vec<f64>,
    single_valued: Vec<bool>,
}

impl ColumnBins {
    /// Cuts `values` (finite) into at most `max_bins` bins holding about as
    /// many values each; a value never straddles two bins, so a feature with
    /// few distinct values gets one bin per value.
    pub fn fit(values: &mut [f64], max_bins: usize) -> ColumnBins {
        values.sort_by(f64::total_cmp);
        let count = values.len();
        let max_bins = max_bins.clamp(1, MAX_BINS);
        let mut upper_edges = Vec::new();
        let mut single_valued = Vec::new();
        let mut start = 0;
        while start < count {
            let bin = upper_edges.len();
            // The bin ends at its share of the sorted values, then at the last
            // copy of that value, so equal values share a bin.
            let target = ((bin + 1) * count).div_ceil(max_bins).max(start + 1);
            let mut end = target.min(count);
            let edge = values[end - 1];
            while end < count && values[end] == edge {
                end += 1;
            }
            upper_edges.push(edge);
            single_valued.push(values[start] == edge);
            start = end;
        }
        ColumnBins {
            upper_edges,
            single_valued,
        }
    }

    /// How many bins there are (0 for a column without values).
    pub fn len(&self) -> usize {
        self.upper_edges.len()
    }

    /// Whether there are no bins (no training values).
    pub fn is_empty(&self) -> bool {
        self.upper_edges.is_empty()
    }

    /// The bin of `value`: the first whose upper edge is at least `value`
    /// (the last bin for values above every edge).
    pub fn bin_of(&self, value: f64) -> u8 {
        let bin = self.upper_edges.partition_point(|&edge| edge < value);
        bin.min(self.len().saturating_sub(1)) as u8
    }

    /// The largest training value in bin `bin`.
    pub fn upper_edge(&self, bin: u8) -> f64 {
        self.upper_edges[usize::from(bin)]
    }

    /// Whether every training value in bin `bin` equals its upper edge, so
    /// a row's code says its value without reading it.
    pub fn is_single_valued(&self, bin: u8) -> bool {
        self.single_valued[usize::from(bin)]
    }
}

/// Every column's bins, the training rows' codes and their values, column
/// by column.
pub struct BinnedRows {
    rows: usize,
    columns: Vec<ColumnBins>,
    /// `codes[column * rows + row]`: the bin of that value.
    codes: Vec<u8>,
    /// `values[column * rows + row]`: the value itself.
    values: Vec<f64>,
}

impl BinnedRows {
    /// Bins the `rows × columns` row-major `values` (finite: imputed).
    pub fn new(values: &[f64], rows: usize, columns: usize) -> BinnedRows {
        let mut bins = Vec::with_capacity(columns);
        let mut codes = Vec::with_capacity(rows * columns);
        let mut by_column = Vec::with_capacity(rows * columns);
        let mut sorted = vec![0.0; rows];
        for column in 0..columns {
            let start = by_column.len();
            by_column.extend((0..rows).map(|row| values[row * columns + column]));
            sorted.copy_from_slice(&by_column[start..]);
            let column_bins = ColumnBins::fit(&mut sorted, MAX_BINS);
            codes.extend(by_column[start..].iter().map(|&v| column_bins.bin_of(v)));
            bins.push(column_bins);
        }
        BinnedRows {
            rows,
            columns: bins,
            codes,
            values: by_column,
        }
    }

    /// The bins of column `column`.
    pub fn column_bins(&self, column: usize) -> &ColumnBins {
        &self.columns[column]
    }

    /// The codes of column `column`, one per row.
    pub fn column_codes(&self, column: usize) -> &[u8] {
        &self.codes[column * self.rows..(column + 1) * self.rows]
    }

    /// The values of column `column`, one per row.
    pub fn column_values(&self, column: usize) -> &[f64] {
        &self.values[column * self.rows..(column + 1) * self.rows]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_at_most_an_upper_edge_exactly_when_its_bin_is_at_most_that_bin() {
        let values: Vec<f64> = (0..2_000)
            .map(|i| f64::from((i * 7919) % 613) * 0.37 - 40.0)
            .collect();
        let bins = ColumnBins::fit(&mut values.clone(), MAX_BINS);
        assert!(bins.len() <= MAX_BINS && bins.len() > 200, "{}", bins.len());
        for &value in &values {
            let code = bins.bin_of(value);
            for bin in 0..bins.len() as u8 {
                assert_eq!(value <= bins.upper_edge(bin), code <= bin, "{value} {bin}");
            }
            assert!(value <= bins.upper_edge(code));
            assert!(code == 0 || value > bins.upper_edge(code - 1));
            if bins.is_single_valued(code) {
                assert_eq!(value, bins.upper_edge(code));
            }
        }
        let single = (0..bins.len() as u8)
            .filter(|&bin| bins.is_single_valued(bin))
            .count();
        // 613 distinct values in at most 255 bins: some bins hold several.
        assert!(single < bins.len(), "{single}");
    }

    #[test]
    fn few_distinct_values_get_a_bin_each_and_equal_values_never_straddle_bins() {
        let mut values: Vec<f64> = (0..1_000).map(|i| f64::from(i % 3)).collect();
        let bins = ColumnBins::fit(&mut values, MAX_BINS);
        assert_eq!(bins.len(), 3);
        assert_eq!(
            (bins.bin_of(0.0), bins.bin_of(1.0), bins.bin_of(2.0)),
            (0, 1, 2)
        );
        let mut skewed: Vec<f64> = (0..1_000)
            .map(|i| if i < 990 { 5.0 } else { f64::from(i) })
            .collect();
        let bins = ColumnBins::fit(&mut skewed, 4);
        assert_eq!(bins.upper_edge(0), 5.0);
        assert_eq!(bins.bin_of(5.0), 0);
        assert!(bins.is_single_valued(0));
        assert!(bins.len() >= 2);
    }

    #[test]
    fn codes_are_stored_column_by_column() {
        let values = [1.0, 10.0, 2.0, 20.0, 3.0, 30.0];
        let binned = BinnedRows::new(&values, 3, 2);
        assert_eq!(binned.column_codes(0), &[0, 1, 2]);
        assert_eq!(binned.column_codes(1), &[0, 1, 2]);
        assert_eq!(binned.column_bins(1).upper_edge(2), 30.0);
    }
}
