//! A dense, row-major table of `f64` features: the models' input. `NaN` is a
//! missing value.

/// `rows × columns` values, row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureMatrix {
    rows: usize,
    columns: usize,
    values: Vec<f64>,
}

impl FeatureMatrix {
    /// Builds a matrix from equal-length rows; `None` if their lengths differ.
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Option<FeatureMatrix> {
        let columns = rows.first().map_or(0, |row| row.as_ref().len());
        if rows.iter().any(|row| row.as_ref().len() != columns) {
            return None;
        }
        let values = rows
            .iter()
            .flat_map(|row| row.as_ref().iter().copied())
            .collect();
        Some(FeatureMatrix {
            rows: rows.len(),
            columns,
            values,
        })
    }

    /// An empty matrix with `columns` columns, to push rows into.
    pub fn with_columns(columns: usize) -> FeatureMatrix {
        FeatureMatrix {
            rows: 0,
            columns,
            values: Vec::new(),
        }
    }

    /// Appends a row; `false` (and nothing appended) if its length is wrong.
    pub fn push_row(&mut self, row: &[f64]) -> bool {
        if row.len() != self.columns {
            return false;
        }
        self.values.extend_from_slice(row);
        self.rows += 1;
        true
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn columns(&self) -> usize {
        self.columns
    }

    pub fn row(&self, index: usize) -> &[f64] {
        &self.values[index * self.columns..(index + 1) * self.columns]
    }

    /// The values of column `column`, top to bottom.
    pub fn column(&self, column: usize) -> impl Iterator<Item = f64> + '_ {
        (0..self.rows).map(move |row| self.values[row * self.columns + column])
    }

    /// A new matrix of the given rows, in the given order.
    pub fn select_rows(&self, indices: &[usize]) -> FeatureMatrix {
        let mut values = Vec::with_capacity(indices.len() * self.columns);
        for &index in indices {
            values.extend_from_slice(self.row(index));
        }
        FeatureMatrix {
            rows: indices.len(),
            columns: self.columns,
            values,
        }
    }

    /// The values in column-major order (what some learners want).
    pub fn column_major(&self) -> Vec<f64> {
        (0..self.columns)
            .flat_map(|column| self.column(column))
            .collect()
    }

    /// The same matrix with every value rounded to the nearest float32 (`NaN`
    /// stays missing): the precision a model's input has in every runtime.
    pub fn to_float32(&self) -> FeatureMatrix {
        FeatureMatrix {
            rows: self.rows,
            columns: self.columns,
            values: self.values.iter().map(|&v| f64::from(v as f32)).collect(),
        }
    }

    /// The same rows with only the given columns, in the given order.
    pub fn select_columns(&self, columns: &[usize]) -> FeatureMatrix {
        let mut values = Vec::with_capacity(self.rows * columns.len());
        for row in 0..self.rows {
            let full = self.row(row);
            values.extend(columns.iter().map(|&column| full[column]));
        }
        FeatureMatrix {
            rows: self.rows,
            columns: columns.len(),
            values,
        }
    }

    /// Sets column `column` of every row `r` to that column's value in row
    /// `order[r]` of `source` (a matrix of the same shape): a permutation of
    /// one column when `source` is this matrix's copy.
    pub fn set_column_from(&mut self, source: &FeatureMatrix, column: usize, order: &[usize]) {
        for (row, &from) in order.iter().enumerate().take(self.rows) {
            self.values[row * self.columns + column] = source.row(from)[column];
        }
    }

    /// The values in row-major order.
    pub fn row_major(&self) -> &[f64] {
        &self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_columns_and_selection() {
        let matrix =
            FeatureMatrix::from_rows(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]).expect("rectangular");
        assert_eq!((matrix.rows(), matrix.columns()), (3, 2));
        assert_eq!(matrix.column(1).collect::<Vec<_>>(), vec![2.0, 4.0, 6.0]);
        assert_eq!(
            matrix.select_rows(&[2, 0]).row_major(),
            &[5.0, 6.0, 1.0, 2.0]
        );
        assert_eq!(matrix.column_major(), vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
        assert!(FeatureMatrix::from_rows(&[vec![1.0], vec![1.0, 2.0]]).is_none());
    }
}
