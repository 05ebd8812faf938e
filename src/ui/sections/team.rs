//! Section 7, "Team": how much the annotators whose votes this session
//! holds agree (per annotator, per pair as a κ matrix, overall α, the
//! alerts by consensus) and which labels a chosen pair confuses. The
//! numbers are `core::team`'s (`LabellingSession::team_report`), the same
//! as `fink-vra agreement` on the exported file.

use leptos::prelude::*;

use super::{svg_image, Section};
use crate::core::display::format_metric;
use crate::core::plot::pair_matrix_svg;
use crate::core::team::report::TeamReport;
use crate::ui::workbench::Workbench;

/// A share as a percentage, or "n/a".
fn percent(share: Option<f64>) -> String {
    share.map_or("n/a".to_string(), |share| format!("{:.0} %", share * 100.0))
}

/// An annotator's accuracy on gold alerts: "2 of 3 (67 %)", or "–".
fn gold_cell(votes: usize, accuracy: Option<f64>) -> String {
    match accuracy {
        Some(share) => format!(
            "{} of {votes} ({:.0} %)",
            (share * votes as f64).round(),
            share * 100.0
        ),
        None => "–".to_string(),
    }
}

/// The alerts by consensus, in one line.
fn alerts_line(report: &TeamReport) -> String {
    let counts = &report.alerts;
    format!(
        "{} alerts with votes: {} single, {} unanimous, {} majority, {} contested, {} adjudicated",
        report.labels.len(),
        counts.single,
        counts.unanimous,
        counts.majority,
        counts.contested,
        counts.adjudicated
    )
}

/// Krippendorff's α on the labels and on the model type's classes.
fn alpha_line(report: &TeamReport, target: &str) -> String {
    format!(
        "Krippendorff's α: {} on the labels as given, {} on the {target} model type's two classes",
        format_metric(report.alpha),
        format_metric(report.alpha_target)
    )
}

#[component]
pub fn TeamSection(workbench: Workbench) -> impl IntoView {
    // Computed only while shown (at 10^5 votes a report takes a fraction of
    // a second); while shown, again after every change of the votes.
    let shown = RwSignal::new(false);
    let report = Memo::new(move |_| {
        if shown.get() {
            workbench.session.with(|session| session.team_report())
        } else {
            TeamReport::empty()
        }
    });
    let nothing = Memo::new(move |_| report.with(TeamReport::nothing_to_measure));
    let target = Memo::new(move |_| {
        workbench
            .session
            .with(|session| session.settings().target.name.clone())
    });
    let names = Memo::new(move |_| {
        report.with(|report| {
            report
                .annotators
                .iter()
                .map(|row| row.annotator.clone())
                .collect::<Vec<_>>()
        })
    });
    let pair_a = RwSignal::new(String::new());
    let pair_b = RwSignal::new(String::new());
    // The pair shown: the one chosen, else the first two annotators.
    let chosen = Memo::new(move |_| {
        let names = names.get();
        let pick = |chosen: String, fallback: usize| {
            if names.contains(&chosen) {
                chosen
            } else {
                names.get(fallback).cloned().unwrap_or_default()
            }
        };
        (pick(pair_a.get(), 0), pick(pair_b.get(), 1))
    });
    let confusion = Memo::new(move |_| {
        let (a, b) = chosen.get();
        workbench
            .session
            .with(|session| session.pair_confusion(&a, &b))
    });
    let options = move |selected: Memo<String>| {
        names
            .get()
            .into_iter()
            .map(|name| {
                let is_selected = name == selected.get();
                view! { <option value=name.clone() selected=is_selected>{name.clone()}</option> }
            })
            .collect_view()
    };
    let shown_a = Memo::new(move |_| chosen.get().0);
    let shown_b = Memo::new(move |_| chosen.get().1);
    view! {
        <Section
            number=7
            title="Team"
            explanation="How much the annotators whose votes this session holds (yours and the imported ones) agree: \
                         per annotator (votes, alerts shared with others, agreement with them, accuracy estimated by the \
                         one-coin Dawid–Skene model, and on gold alerts: those someone marked as known for sure), per pair \
                         (Cohen's κ), overall (Krippendorff's α), and which labels a pair confuses. The same numbers as fink-vra agreement on the exported file."
        >
            <details data-testid="team-details" on:toggle=move |e| shown.set(event_target::<web_sys::Element>(&e).has_attribute("open"))>
            <summary data-testid="team-show">"The team's numbers"</summary>
            {move || match nothing.get() {
                Some(why) => view! { <p class="notice" data-testid="team-nothing">{format!("Nothing to show yet: {why}.")}</p> }.into_any(),
                None => view! {
                    <p data-testid="team-alerts">{move || report.with(alerts_line)}</p>
                    <p data-testid="team-alpha">{move || report.with(|report| alpha_line(report, &target.get()))}</p>
                    <table class="team" data-testid="team-annotators">
                        <thead><tr><th>"annotator"</th><th>"votes"</th><th>"shared"</th><th>"agreement"</th><th>"accuracy"</th><th>"on gold"</th></tr></thead>
                        <tbody>
                            {move || report.with(|report| report.annotators.iter().map(|row| view! {
                                <tr data-testid="team-annotator">
                                    <td>{row.annotator.clone()}</td><td>{row.votes}</td><td>{row.shared}</td>
                                    <td>{percent(row.agreement)}</td><td>{format_metric(row.accuracy)}</td>
                                    <td data-testid="team-gold">{gold_cell(row.gold_votes, row.gold_accuracy)}</td>
                                </tr>
                            }).collect_view())}
                        </tbody>
                    </table>
                    {move || report.with(|report| svg_image(pair_matrix_svg(report, 560), "Cohen's kappa for each pair of annotators, with the alerts both labelled", "team-pair-matrix"))}
                    <table class="team" data-testid="team-pairs">
                        <thead><tr><th>"pair"</th><th>"shared"</th><th>"agreement"</th><th>"κ"</th></tr></thead>
                        <tbody>
                            {move || report.with(|report| report.pairs.iter().map(|pair| view! {
                                <tr data-testid="team-pair">
                                    <td>{format!("{} / {}", pair.a, pair.b)}</td><td>{pair.shared}</td>
                                    <td>{percent(pair.agreement)}</td><td>{format_metric(pair.kappa)}</td>
                                </tr>
                            }).collect_view())}
                        </tbody>
                    </table>
                    <p>"Which labels "
                        <select data-testid="team-pair-a" on:change=move |e| pair_a.set(event_target_value(&e))>{move || options(shown_a)}</select>
                        " and "
                        <select data-testid="team-pair-b" on:change=move |e| pair_b.set(event_target_value(&e))>{move || options(shown_b)}</select>
                        " confuse (rows: the first; columns: the second):"
                    </p>
                    <table class="team confusion" data-testid="team-confusion">
                        {move || confusion.with(|confusion| view! {
                            <thead><tr><th></th>{confusion.labels.iter().map(|label| view! { <th>{label.name()}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {confusion.labels.iter().zip(&confusion.counts).map(|(label, row)| view! {
                                    <tr><th>{label.name()}</th>{row.iter().map(|count| view! { <td>{*count}</td> }).collect_view()}</tr>
                                }).collect_view()}
                            </tbody>
                        })}
                    </table>
                }.into_any(),
            }}
            </details>
        </Section>
    }
}
