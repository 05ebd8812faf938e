//! The team's votes on the label card: the others' votes on the card's
//! alert (or, with blind labelling, a line saying they stay hidden until
//! you vote), and, once you voted, the votes on the alert you labelled
//! last, each marked as agreeing with yours or not
//! (`LabellingSession::{card_votes, revealed_votes}`), and the button that
//! marks my label of that alert gold.

use leptos::prelude::*;

use crate::core::alert::Candid;
use crate::core::labelling::{CardVotes, RevealedVotes};
use crate::ui::workbench::Workbench;

/// One revealed vote: "bo: gal (agrees)".
fn revealed_line(annotator: &str, label: &str, agrees: bool) -> String {
    let verdict = if agrees { "agrees" } else { "disagrees" };
    format!("{annotator}: {label} ({verdict})")
}

#[component]
pub fn CardTeamVotes(workbench: Workbench, candid: Candid) -> impl IntoView {
    let votes = Memo::new(move |_| workbench.session.with(|session| session.card_votes(candid)));
    move || {
        match votes.get() {
        CardVotes::None => ().into_any(),
        CardVotes::Hidden => view! {
            <p class="muted" data-testid="card-votes-hidden">"Blind labelling: the team's votes on this alert stay hidden until you give yours."</p>
        }
        .into_any(),
        CardVotes::Shown(votes) => view! {
            <p data-testid="card-votes">"Team votes: "
                {votes.into_iter().map(|(annotator, label)| view! { <span class="vote" data-testid="card-vote">{format!("{annotator}: {label}")}</span> " " }).collect_view()}
            </p>
        }
        .into_any(),
    }
    }
}

#[component]
pub fn LastAlertVotes(workbench: Workbench) -> impl IntoView {
    let revealed = Memo::new(move |_| workbench.session.with(|session| session.revealed_votes()));
    move || {
        revealed.get().map(|RevealedVotes { candid, mine, others }| {
            let disagreements = others.iter().filter(|(_, _, agrees)| !agrees).count();
            view! {
                <p class="revealed" data-testid="revealed-votes" data-alert=candid.to_string() data-disagreements=disagreements.to_string()>
                    {format!("Alert {candid}, which you labelled {mine}: ")}
                    {others.into_iter().map(|(annotator, label, agrees)| view! {
                        <span class=if agrees { "vote agrees" } else { "vote disagrees" } data-testid="revealed-vote">{revealed_line(&annotator, label.name(), agrees)}</span> " "
                    }).collect_view()}
                </p>
            }
        })
    }
}

#[component]
pub fn LastLabelGold(workbench: Workbench) -> impl IntoView {
    let last = Memo::new(move |_| {
        workbench.session.with(|session| {
            session
                .last_labelled()
                .map(|candid| (candid, session.gold_label(candid).is_some()))
        })
    });
    move || {
        last.get().map(|(candid, gold)| {
            let text = if gold {
                format!("Alert {candid} is gold: take the mark off")
            } else {
                format!("Mark my label of alert {candid} gold (known for sure, e.g. a spectrum)")
            };
            view! {
                <button type="button" class="secondary" data-testid="mark-gold" data-alert=candid.to_string() data-gold=gold.to_string()
                    on:click=move |_| workbench.mark_gold(candid, !gold)>{text}</button>
            }
        })
    }
}
