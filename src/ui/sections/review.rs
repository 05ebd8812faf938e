//! The review of contested alerts, under "Export / import": each alert the
//! team's votes leave without a training label, with every vote, lowest
//! agreement first (`LabellingSession::review_queue`). The reviewer picks a
//! label and a reason, or leaves the alert unresolved: an adjudication,
//! which undo takes back.

use leptos::prelude::*;

use crate::core::labelling::ReviewItem;
use crate::core::labels::adjudication::AdjudicationReason;
use crate::core::labels::vocabulary::Label;
use crate::core::team::consensus::Provenance;
use crate::ui::workbench::Workbench;

/// How many review cards the page shows at once.
const REVIEW_PAGE: usize = 20;

/// The distinct labels voted on an alert (not `unsure`), in vocabulary order.
fn labels_voted(item: &ReviewItem) -> Vec<Label> {
    let mut labels: Vec<Label> = item
        .votes
        .iter()
        .map(|vote| vote.label)
        .filter(|label| *label != Label::Unsure)
        .collect();
    labels.sort();
    labels.dedup();
    labels
}

#[component]
pub fn ReviewQueue(workbench: Workbench) -> impl IntoView {
    // The first alerts of the queue only: a team can leave thousands
    // contested, and a page of cards is what a reviewer works through.
    let page = Memo::new(move |_| {
        workbench
            .session
            .with(|session| session.review_page(0, REVIEW_PAGE))
    });
    let queue = Memo::new(move |_| page.with(|(items, _)| items.clone()));
    // How the cards name the votes: anonymous or not, and who "you" is.
    let naming = Memo::new(move |_| {
        workbench.session.with(|session| {
            (
                session.settings().anonymous_review,
                session.saved().annotator.clone(),
            )
        })
    });
    let total = Memo::new(move |_| page.with(|(_, total)| *total));
    // A card is drawn again when its votes, its state or the naming change.
    let cards = move || {
        let naming = naming.get();
        queue
            .get()
            .into_iter()
            .map(|item| (naming.clone(), item))
            .collect::<Vec<_>>()
    };
    let card_key = |(naming, item): &((bool, String), ReviewItem)| {
        let votes: Vec<(String, Label)> = item
            .votes
            .iter()
            .map(|vote| (vote.annotator.clone(), vote.label))
            .collect();
        (
            naming.clone(),
            item.candid,
            votes,
            item.provenance == Provenance::Unresolved,
        )
    };
    view! {
        <div data-testid="review-queue">
            <Show when=move || queue.with(|items| !items.is_empty())>
                <h3>"Review: contested alerts"</h3>
                <p class="hint">"Each alert below has votes the team consensus does not settle. Choose the label it trains \
                    with and why, or leave it unresolved; Undo takes a decision back."</p>
                <p data-testid="review-count">{move || match total.get() {
                    total if total > REVIEW_PAGE => format!("The first {REVIEW_PAGE} of {total} alerts to review."),
                    total => format!("{total} alert(s) to review."),
                }}</p>
            </Show>
            <For each=cards key=card_key children=move |(_, item)| view! { <ReviewCard workbench=workbench item=item /> } />
        </div>
    }
}

#[component]
fn ReviewCard(workbench: Workbench, item: ReviewItem) -> impl IntoView {
    let reason = RwSignal::new(None::<AdjudicationReason>);
    let candid = item.candid;
    let labels = labels_voted(&item);
    let unresolved = item.provenance == Provenance::Unresolved;
    let agreement = format!("{:.0} % agree", item.agreement * 100.0);
    let vote_lines = workbench.session.with_untracked(|session| {
        item.vote_lines(
            &session.saved().annotator,
            session.settings().anonymous_review,
        )
    });
    view! {
        <div class="conflict" data-testid="review-item" data-alert=candid.to_string()>
            <span class="candid">{candid.to_string()}</span>
            " " <span class="object">{item.object_id.clone()}</span>
            " " <span class="agreement" data-testid="review-agreement">{agreement}</span>
            {unresolved.then(|| view! { " " <span class="mark" data-testid="review-unresolved-mark">"left unresolved"</span> })}
            <ul class="votes">
                {vote_lines.into_iter().map(|line| view! { <li data-testid="review-vote">{line}</li> }).collect_view()}
            </ul>
            <label>"Reason "
                <select data-testid="review-reason" on:change=move |e| reason.set(event_target_value(&e).parse().ok())>
                    <option value="">"(none)"</option>
                    {AdjudicationReason::ALL.iter().map(|r| view! { <option value=r.name()>{r.description()}</option> }).collect_view()}
                </select>
            </label>
            {labels.into_iter().map(|label| view! {
                <button type="button" class="secondary" data-testid="review-choose" data-label=label.name()
                    on:click=move |_| workbench.adjudicate(candid, Some(label), reason.get_untracked())>
                    {format!("Train as {label}")}
                </button>
            }).collect_view()}
            <button type="button" class="secondary" data-testid="review-leave-unresolved"
                on:click=move |_| workbench.adjudicate(candid, None, reason.get_untracked())>"Leave unresolved"</button>
        </div>
    }
}
