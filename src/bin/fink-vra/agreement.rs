//! `fink-vra agreement`: how much a team agrees, from its label files alone
//! (each collaborator's JSON export or label CSV): per annotator, per pair,
//! Krippendorff's α, and the alerts whose votes tie. `--json` prints the
//! core's `TeamReport`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use fink_vra::core::labels::targets::TargetMapping;
use fink_vra::core::team::files::votes_of_label_files;
use fink_vra::core::team::report::TeamReport;

#[derive(Args)]
pub struct AgreementArguments {
    /// Also measure α on this model type's two classes: gal, real, trans,
    /// or a mapping such as good=0,galactic=1,pm=1.
    #[arg(long)]
    target: Option<String>,
    /// Print one JSON object (annotators, pairs, alpha, alpha_target,
    /// alerts, contested, labels) instead of tables.
    #[arg(long)]
    json: bool,
    /// Label files: the page's JSON exports (any version) or label CSVs,
    /// one or more per annotator.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Prints the team's agreement, or says why not.
pub fn run(arguments: &AgreementArguments) -> Result<(), String> {
    let target = match &arguments.target {
        None => None,
        Some(text) => {
            Some(TargetMapping::named_or_custom(text).map_err(|e| format!("--target: {e}"))?)
        }
    };
    let mut files = Vec::new();
    for path in &arguments.files {
        let text = crate::inputs::read_text(path, "label file")?;
        files.push((path.display().to_string(), text));
    }
    let team = votes_of_label_files(&files).map_err(|error| error.to_string())?;
    for note in &team.notes {
        eprintln!("{note}");
    }
    let mut report = TeamReport::of(&team.table, &team.adjudications, target.as_ref());
    report.measure_gold(&team.table, &team.gold);
    let text = if arguments.json {
        format!("{}\n", report.to_json())
    } else {
        tables(&report, target.as_ref())
    };
    match std::io::stdout().write_all(text.as_bytes()) {
        // A reader that stopped early (`| head`) wanted no more.
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write to standard output: {error}"))
        }
        _ => Ok(()),
    }
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |value| format!("{value:.3}"))
}

/// The report as plain-text tables.
fn tables(report: &TeamReport, target: Option<&TargetMapping>) -> String {
    if let Some(why) = report.nothing_to_measure() {
        return format!("{why}\n");
    }
    let counts = &report.alerts;
    let mut text = format!(
        "{} annotators, {} alerts with votes: {} single, {} unanimous, {} majority, {} contested\n",
        report.annotators.len(),
        report.labels.len(),
        counts.single,
        counts.unanimous,
        counts.majority,
        counts.contested
    );
    text.push_str(&format!(
        "Krippendorff's alpha: {} (labels)",
        number(report.alpha)
    ));
    if let Some(target) = target {
        text.push_str(&format!(
            ", {} ({} classes)",
            number(report.alpha_target),
            target.name
        ));
    }
    // Accuracy on gold alerts, when the files mark some.
    let gold = report.annotators.iter().any(|row| row.gold_votes > 0);
    text.push_str("\n\nannotator\tvotes\tshared\tagreement\taccuracy");
    text.push_str(if gold {
        "\tgold votes\tgold accuracy\n"
    } else {
        "\n"
    });
    for row in &report.annotators {
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}",
            row.annotator,
            row.votes,
            row.shared,
            number(row.agreement),
            number(row.accuracy)
        ));
        if gold {
            text.push_str(&format!(
                "\t{}\t{}",
                row.gold_votes,
                number(row.gold_accuracy)
            ));
        }
        text.push('\n');
    }
    text.push_str("\npair\tshared\tagreement\tkappa\n");
    for pair in &report.pairs {
        text.push_str(&format!(
            "{} / {}\t{}\t{}\t{}\n",
            pair.a,
            pair.b,
            pair.shared,
            number(pair.agreement),
            number(pair.kappa)
        ));
    }
    if !report.contested.is_empty() {
        text.push_str(&format!("\ncontested: {}\n", report.contested.join(", ")));
    }
    text
}
