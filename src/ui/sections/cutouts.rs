//! The card's cutout stamps: read again from the alert's file when the card is
//! shown (loading kept only a handle), in the reader worker, which decodes them
//! with `core::cutouts`; the page only draws them on canvases.

use leptos::html;
use leptos::prelude::*;

use crate::core::cutouts::{CardStamp, StampImage};
use crate::core::workspace::Workspace;
use crate::ui::browser::canvas::draw_rgba;
use crate::ui::{FileHandles, WorkerSlot};

/// The stamps of alert `pool_index`, or a sentence saying why there are none.
async fn card_stamps(
    workspace: RwSignal<Workspace>,
    handles: FileHandles,
    reader: WorkerSlot,
    pool_index: usize,
) -> Result<Vec<CardStamp>, String> {
    let (candid, file_index, file_name, has_cutouts) = workspace
        .with_untracked(|workspace| {
            let candid = workspace.alerts().get(pool_index)?.candid();
            let file_index = workspace.file_index_of(pool_index)?;
            let file = workspace.files().get(file_index)?;
            Some((candid, file_index, file.name.clone(), file.has_cutouts()))
        })
        .ok_or_else(|| "This alert is no longer loaded.".to_string())?;
    if !has_cutouts {
        return Err(format!(
            "No cutouts: {file_name} is in the finkvra clean layout, which has no stamps."
        ));
    }
    let source = handles
        .get(file_index)
        .ok_or_else(|| format!("{file_name} is no longer available to this page."))?;
    let payload = source
        .payload()
        .await
        .map_err(|error| format!("Cutouts unavailable: {error}"))?;
    let worker = reader.get().await?;
    worker
        .card_stamps(&file_name, &payload, candid)
        .await
        .map_err(|error| format!("Cutouts unavailable: {error}."))?
        .ok_or_else(|| format!("{file_name} has no stamps for this alert."))
}

/// Science, Template and Difference stamps of the alert shown.
#[component]
pub fn CutoutStrip(
    workspace: RwSignal<Workspace>,
    handles: FileHandles,
    reader: WorkerSlot,
    pool_index: usize,
) -> impl IntoView {
    let stamps = LocalResource::new(move || card_stamps(workspace, handles, reader, pool_index));
    view! {
        <div class="cutouts" data-testid="cutouts">
            {move || match stamps.get() {
                None => view! { <p class="muted">"Reading the cutouts…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="muted" data-testid="cutouts-missing">{message}</p> }.into_any(),
                Some(Ok(list)) => list.into_iter().map(|stamp| view! { <Stamp stamp /> }).collect_view().into_any(),
            }}
        </div>
    }
}

#[component]
fn Stamp(stamp: CardStamp) -> impl IntoView {
    let title = stamp.title.clone();
    view! {
        <figure class="stamp">
            {match stamp.image {
                Ok(image) => view! { <StampCanvas title=title.clone() image /> }.into_any(),
                Err(error) => view! { <p class="stamp-error">{error.to_string()}</p> }.into_any(),
            }}
            <figcaption>{title}</figcaption>
        </figure>
    }
}

/// One stamp on a canvas at its natural size (63×63 for ZTF), scaled up by CSS
/// without smoothing.
#[component]
fn StampCanvas(title: String, image: StampImage) -> impl IntoView {
    let canvas = NodeRef::<html::Canvas>::new();
    let (width, height) = (image.width as u32, image.height as u32);
    let rgba = image.to_rgba();
    let failed = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(element) = canvas.get() {
            if let Err(problem) = draw_rgba(&element, width, height, &rgba) {
                failed.set(Some(problem));
            }
        }
    });
    view! {
        <canvas node_ref=canvas width=width height=height role="img" aria-label=title.clone() data-stamp=title></canvas>
        {move || failed.get().map(|problem| view! { <p class="stamp-error">{problem}</p> })}
    }
}
