//! The team's agreement as a matrix chart: one row and one column per
//! annotator, each cell a pair's Cohen's κ (coloured from orange, below
//! chance, through white to blue, full agreement) with the alerts both
//! labelled; the diagonal holds each annotator's votes. Drawn in the page's
//! chart frame (white, the same font and colours as the other charts).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::core::team::report::TeamReport;

const AGREE: RGBColor = RGBColor(36, 86, 199);
const DISAGREE: RGBColor = RGBColor(230, 120, 50);
const UNDEFINED: RGBColor = RGBColor(238, 238, 238);
const DIAGONAL: RGBColor = RGBColor(250, 250, 250);
/// The largest cell, in pixels.
const MAX_CELL: u32 = 96;
const HEADER: u32 = 44;

/// White mixed with `colour` by `share` (0: white, 1: the colour).
fn tint(colour: RGBColor, share: f64) -> RGBColor {
    let share = share.clamp(0.0, 1.0);
    let channel = |c: u8| (255.0 - (255.0 - c as f64) * share).round() as u8;
    RGBColor(channel(colour.0), channel(colour.1), channel(colour.2))
}

/// A cell's colour for `kappa` (undefined: grey).
fn kappa_colour(kappa: Option<f64>) -> RGBColor {
    match kappa {
        None => UNDEFINED,
        Some(kappa) if kappa >= 0.0 => tint(AGREE, 0.15 + 0.7 * kappa),
        Some(kappa) => tint(DISAGREE, 0.15 + 0.7 * -kappa),
    }
}

/// A name cut to `chars` characters, with an ellipsis when cut.
fn shortened(name: &str, chars: usize) -> String {
    if name.chars().count() <= chars {
        name.to_string()
    } else {
        let kept: String = name.chars().take(chars.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

/// The matrix of `report`'s annotators and pairs as SVG, at most `width`
/// wide; empty when there is no pair.
pub fn pair_matrix_svg(report: &TeamReport, width: u32) -> String {
    let names: Vec<&str> = report
        .annotators
        .iter()
        .map(|row| row.annotator.as_str())
        .collect();
    let count = names.len() as u32;
    if count < 2 {
        return String::new();
    }
    let row_names: Vec<String> = names.iter().map(|name| shortened(name, 18)).collect();
    let longest = row_names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(4) as u32;
    let left = 16 + 7 * longest;
    let cell = (width.saturating_sub(left + 8) / count).clamp(36, MAX_CELL);
    let (width, height) = (left + cell * count + 8, HEADER + cell * count + 8);
    let pair = |a: usize, b: usize| {
        report.pairs.iter().find(|pair| {
            (pair.a == names[a] && pair.b == names[b]) || (pair.a == names[b] && pair.b == names[a])
        })
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        if root.fill(&WHITE).is_err() {
            return String::new();
        }
        let font = |size: u32| TextStyle::from(("sans-serif", size).into_font());
        let centred = Pos::new(HPos::Center, VPos::Center);
        let _ = root.draw(&Text::new(
            "Cohen's κ per pair (n: alerts both labelled)",
            (left as i32, 6),
            font(13),
        ));
        for (index, name) in row_names.iter().enumerate() {
            let middle = (index as u32 * cell + cell / 2) as i32;
            let column = shortened(&row_names[index], (cell / 7).max(3) as usize);
            let _ = root.draw(&Text::new(
                column,
                (left as i32 + middle, HEADER as i32 - 10),
                font(12).pos(centred),
            ));
            let _ = root.draw(&Text::new(
                name.clone(),
                (8, HEADER as i32 + middle),
                font(12).pos(Pos::new(HPos::Left, VPos::Center)),
            ));
        }
        for row in 0..names.len() {
            for column in 0..names.len() {
                let x = (left + column as u32 * cell) as i32;
                let y = (HEADER + row as u32 * cell) as i32;
                let (colour, first, second) = if row == column {
                    let votes = report.annotators[row].votes;
                    (DIAGONAL, "—".to_string(), format!("{votes} votes"))
                } else {
                    match pair(row, column) {
                        Some(pair) => (
                            kappa_colour(pair.kappa),
                            pair.kappa
                                .map_or("κ –".to_string(), |kappa| format!("κ {kappa:.2}")),
                            format!("n {}", pair.shared),
                        ),
                        None => (UNDEFINED, "κ –".to_string(), "n 0".to_string()),
                    }
                };
                let corner = (x + cell as i32 - 2, y + cell as i32 - 2);
                let _ = root.draw(&Rectangle::new([(x, y), corner], colour.filled()));
                let _ = root.draw(&Rectangle::new(
                    [(x, y), corner],
                    RGBColor(200, 200, 200).stroke_width(1),
                ));
                let middle = x + cell as i32 / 2 - 1;
                let _ = root.draw(&Text::new(
                    first,
                    (middle, y + cell as i32 / 2 - 8),
                    font(12).pos(centred),
                ));
                let _ = root.draw(&Text::new(
                    second,
                    (middle, y + cell as i32 / 2 + 8),
                    font(11).pos(centred),
                ));
            }
        }
        let _ = root.present();
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::alert::Candid;
    use crate::core::labels::entry::LabelEntry;
    use crate::core::labels::vocabulary::Label;
    use crate::core::labels::votes::VoteTable;

    fn vote(candid: u64, annotator: &str, label: Label) -> LabelEntry {
        LabelEntry {
            candid: Candid(candid),
            object_id: "ZTF19aarxyde".into(),
            label,
            timestamp: "2026-12-07T10:00:00Z".into(),
            annotator: annotator.into(),
            round: None,
            random_pick: false,
        }
    }

    #[test]
    fn one_cell_per_pair_with_its_kappa_and_names_written_as_text() {
        use Label::{Extragal as X, Gal as G};
        let entries = [
            vote(1, "ana", G),
            vote(1, "<b>bo</b>", G),
            vote(2, "ana", X),
            vote(2, "<b>bo</b>", X),
            vote(3, "ana", G),
            vote(3, "<b>bo</b>", X),
            vote(3, "cy", X),
        ];
        let table = VoteTable::from_entries(&entries);
        let report = TeamReport::of(&table, &Default::default(), None);
        let svg = pair_matrix_svg(&report, 400);
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 2 * 9,
            "the frame, 9 cells filled and outlined"
        );
        let kappa = report.pairs[0].kappa.expect("defined");
        assert!(svg.contains(&format!("κ {kappa:.2}")), "{svg}");
        assert!(svg.contains("n 3") && svg.contains("3 votes"));
        assert!(!svg.contains("<b>"), "a name is text, escaped");
        assert!(pair_matrix_svg(
            &TeamReport::of(&VoteTable::default(), &Default::default(), None),
            400
        )
        .is_empty());
    }
}
