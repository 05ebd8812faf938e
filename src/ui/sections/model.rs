//! Section 3, "Model & strategy": the model type (or a custom label mapping),
//! the classifier, the query strategy, batch sizes, seed, validation share,
//! whether solar-system alerts join the queue, the team's consensus rule,
//! and which features the model uses.

use leptos::prelude::*;

use super::Section;
use crate::core::active::strategy::{ColdStart, QueryStrategy};
use crate::core::features::feature_names;
use crate::core::labels::targets::TargetMapping;
use crate::core::model::ModelSpec;
use crate::core::team::consensus::ConsensusRule;
use crate::core::workbench::WorkbenchSettings;
use crate::ui::workbench::Workbench;

#[component]
pub fn ModelSection(workbench: Workbench) -> impl IntoView {
    let settings = Memo::new(move |_| workbench.session.with(|session| session.settings().clone()));
    let is_custom = Memo::new(move |_| settings.with(|s| s.target.name == TargetMapping::CUSTOM));
    // The custom mapping as typed: the saved one once it is in use, else the last text typed.
    let custom_text = RwSignal::new(String::new());
    Effect::new(move |_| {
        if is_custom.get() {
            custom_text.set(settings.with(|s| s.target.to_text()));
        }
    });
    let custom_error = RwSignal::new(None::<String>);
    let use_custom = move |text: String| match TargetMapping::parse_custom(&text) {
        Ok(target) => {
            custom_error.set(None);
            workbench.change_settings(move |settings| settings.target = target);
        }
        Err(error) => custom_error.set(Some(format!("Custom mapping not used: {error}."))),
    };
    let on_target = move |event: web_sys::Event| {
        let name = event_target_value(&event);
        if name == TargetMapping::CUSTOM {
            let text = custom_text.get_untracked();
            if text.trim().is_empty() {
                custom_error.set(Some(
                    "Type a custom mapping below, such as extragal=1,gal=0,agn=0, then press Enter.".to_string(),
                ));
                // The select shows the custom choice while the mapping is typed.
                return;
            }
            use_custom(text);
        } else if let Some(target) = TargetMapping::built_in()
            .into_iter()
            .find(|target| target.name == name)
        {
            custom_error.set(None);
            workbench.change_settings(move |settings| settings.target = target);
        }
    };
    let on_custom = move |event: web_sys::Event| {
        let text = event_target_value(&event);
        custom_text.set(text.clone());
        use_custom(text);
    };
    let on_model = move |event: web_sys::Event| {
        if let Some(model) = ModelSpec::by_name(&event_target_value(&event)) {
            workbench.change_settings(move |settings| settings.model = model);
        }
    };
    let on_strategy = move |event: web_sys::Event| {
        if let Some(strategy) = QueryStrategy::by_name(&event_target_value(&event)) {
            workbench.change_settings(move |settings| settings.strategy = strategy);
        }
    };
    let on_cold_start = move |event: web_sys::Event| {
        if let Some(cold_start) = ColdStart::by_name(&event_target_value(&event)) {
            workbench.change_settings(move |settings| settings.cold_start = cold_start);
        }
    };
    let on_consensus = move |event: web_sys::Event| {
        if let Some(rule) = ConsensusRule::by_name(&event_target_value(&event)) {
            workbench.change_settings(move |settings| settings.consensus = rule);
        }
    };
    let number = move |event: &web_sys::Event| event_target_value(event).trim().parse::<f64>().ok();
    let change =
        move |apply: Box<dyn FnOnce(&mut WorkbenchSettings)>| workbench.change_settings(apply);
    view! {
        <Section
            number=3
            title="Model & strategy"
            explanation="The model type decides which labels train it: gal (galactic vs extragalactic), real (real vs \
                         bogus), trans (transient vs persistent), or your own mapping. Round 0 needs the first batch \
                         of usable labels; each later round adds a batch."
        >
            <div class="settings" data-testid="settings">
                <label>"Model type "
                    <select data-testid="model-type" on:change=on_target prop:value=move || settings.get().target.name>
                        {TargetMapping::built_in().into_iter().map(|target| view! { <option value=target.name.clone()>{target.name.clone()}</option> }).collect_view()}
                        <option value="custom" data-testid="model-type-custom">"custom"</option>
                    </select>
                </label>
                <label>"Custom mapping "
                    <input type="text" data-testid="custom-mapping" placeholder="extragal=1,gal=0,agn=0"
                        prop:value=move || custom_text.get() on:change=on_custom />
                </label>
                <label>"Classifier "
                    <select data-testid="classifier" on:change=on_model prop:value=move || settings.get().model.name()>
                        {ModelSpec::NAMES.iter().map(|name| view! { <option value=*name>{*name}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Strategy "
                    <select data-testid="strategy" on:change=on_strategy prop:value=move || settings.get().strategy.name()>
                        {QueryStrategy::ALL.iter().map(|s| view! { <option value=s.name()>{s.name()}</option> }).collect_view()}
                    </select>
                </label>
                <label title="How the first batch is chosen, before any model: representative (the most typical alert of each of the largest groups of similar alerts), diverse (spread to the pool's corners) or random.">"Cold start "
                    <select data-testid="cold-start" on:change=on_cold_start prop:value=move || settings.get().cold_start.name()>
                        {ColdStart::ALL.iter().map(|c| view! { <option value=c.name()>{c.name()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"First batch "
                    <input type="number" min="1" data-testid="first-batch" prop:value=move || settings.get().first_batch
                        on:change=move |e| if let Some(v) = number(&e) { change(Box::new(move |s| s.first_batch = (v as usize).max(1))) } />
                </label>
                <label>"Then "
                    <input type="number" min="1" prop:value=move || settings.get().batch
                        on:change=move |e| if let Some(v) = number(&e) { change(Box::new(move |s| s.batch = (v as usize).max(1))) } />
                </label>
                <label title="A share of each batch drawn uniformly at random from the pool, whatever the strategy prefers: their labels are a sample of tonight's alerts, and give each round an honest estimate of the model (Train & rounds). 0 for none.">"Random picks per batch (share) "
                    <input type="number" min="0" max="1" step="0.05" data-testid="exploration-share" prop:value=move || settings.get().exploration_share
                        on:change=move |e| if let Some(v) = number(&e) { change(Box::new(move |s| s.exploration_share = if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 })) } />
                </label>
                <label>"Seed "
                    <input type="number" min="0" prop:value=move || settings.get().seed
                        on:change=move |e| if let Some(v) = number(&e) { change(Box::new(move |s| s.seed = v as u64)) } />
                </label>
                <label>
                    <input type="checkbox" data-testid="include-solar-system" prop:checked=move || settings.get().include_solar_system
                        on:change=move |e| { let on = event_target_checked(&e); change(Box::new(move |s| s.include_solar_system = on)) } />
                    " Queue solar-system alerts (LSST)"
                </label>
                <label>
                    <input type="checkbox" data-testid="skip-labelled-objects" prop:checked=move || settings.get().skip_labelled_objects
                        on:change=move |e| { let on = event_target_checked(&e); change(Box::new(move |s| s.skip_labelled_objects = on)) } />
                    " Leave out alerts of objects already labelled"
                </label>
                <label title="Which label an alert trains with when several annotators voted: mine (your vote, else the others' when unanimous), majority (a tie is contested), weighted (the one-coin Dawid–Skene posterior, when it reaches the threshold). Contested alerts wait for review (Export / import); a reviewer's decision always wins.">"Team consensus "
                    <select data-testid="consensus-rule" on:change=on_consensus prop:value=move || settings.get().consensus.name()>
                        {ConsensusRule::ALL.iter().map(|rule| view! { <option value=rule.name()>{rule.name()}</option> }).collect_view()}
                    </select>
                </label>
                <label title="The posterior a weighted label needs to train.">"Weighted threshold "
                    <input type="number" min="0.5" max="1" step="0.05" data-testid="posterior-threshold" prop:value=move || settings.get().posterior_threshold
                        on:change=move |e| if let Some(v) = number(&e) { change(Box::new(move |s| s.posterior_threshold = if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.8 })) } />
                </label>
                <label title="Alerts others labelled and you have not join your queue, until they hold the number of votes set beside.">
                    <input type="checkbox" data-testid="double-labelling" prop:checked=move || settings.get().double_labelling
                        on:change=move |e| { let on = event_target_checked(&e); change(Box::new(move |s| s.double_labelling = on)) } />
                    " Double labelling, up to "
                    <input type="number" min="2" max="20" data-testid="votes-per-alert" prop:value=move || settings.get().votes_per_alert
                        on:change=move |e| if let Some(v) = number(&e) { change(Box::new(move |s| s.votes_per_alert = (v as usize).clamp(2, 20))) } />
                    " votes per alert"
                </label>
                <label title="Gold alerts (labels known for sure, marked under the card) that you have not labelled join your queue at this share, as checks of the team's labels; the Team section gives each annotator's accuracy on them.">"Gold checks (share) "
                    <input type="number" min="0" max="1" step="0.01" data-testid="gold-share" prop:value=move || settings.get().gold_share
                        on:change=move |e| if let Some(v) = number(&e) { change(Box::new(move |s| s.gold_share = if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 })) } />
                </label>
                <label title="With more than one annotator's votes, the card hides the others' votes (and their labels of the object's earlier alerts) until you give yours.">
                    <input type="checkbox" data-testid="blind-labelling" prop:checked=move || settings.get().blind_labelling
                        on:change=move |e| { let on = event_target_checked(&e); change(Box::new(move |s| s.blind_labelling = on)) } />
                    " Blind labelling"
                </label>
                <label title="Review cards (Export / import) name the others' votes annotator A, B… instead of their names, so that a decision weighs the votes, not who gave them.">
                    <input type="checkbox" data-testid="anonymous-review" prop:checked=move || settings.get().anonymous_review
                        on:change=move |e| { let on = event_target_checked(&e); change(Box::new(move |s| s.anonymous_review = on)) } />
                    " Anonymous review"
                </label>
                <label>"Validation share "
                    <input type="number" min="0" max="0.5" step="0.05" prop:value=move || settings.get().validation_share
                        on:change=move |e| if let Some(v) = number(&e) { change(Box::new(move |s| s.validation_share = v.clamp(0.0, 0.5))) } />
                </label>
            </div>
            <FeatureChoice workbench=workbench settings=settings />
            <p class="mapping">"Classes: " {move || settings.get().target.classes.iter().map(|(label, class)| format!("{label}→{class}")).collect::<Vec<_>>().join(", ")}</p>
            {move || custom_error.get().map(|message| view! { <p class="error" role="alert" data-testid="custom-mapping-error">{message}</p> })}
        </Section>
    }
}

/// A checkbox per feature of the session's survey: the features the next
/// rounds train on (all by default). Saved with the settings; each round
/// records the ones it used.
#[component]
fn FeatureChoice(workbench: Workbench, settings: Memo<WorkbenchSettings>) -> impl IntoView {
    let names = Memo::new(move |_| workbench.workspace.with(|w| feature_names(w.survey())));
    let used_count = Memo::new(move |_| {
        let names = names.get();
        settings.with(|s| names.iter().filter(|name| s.uses_feature(name)).count())
    });
    view! {
        <details class="feature-choice" data-testid="feature-choice">
            <summary>{move || format!("Features used: {} of {}", used_count.get(), names.get().len())}</summary>
            <div class="feature-checkboxes">
                {move || names.get().iter().map(|name| {
                    let name: &'static str = name;
                    view! {
                        <label>
                            <input type="checkbox" data-feature=name
                                prop:checked=move || settings.with(|s| s.uses_feature(name))
                                on:change=move |e| {
                                    let used = event_target_checked(&e);
                                    workbench.change_settings(move |s| s.set_feature_used(name, used));
                                } />
                            " " {name}
                        </label>
                    }
                }).collect_view()}
            </div>
        </details>
    }
}
