//! The training Web Worker's entry point (built by Trunk as a worker).

#[cfg(target_arch = "wasm32")]
fn main() {
    fink_vra::ui::training_worker::serve();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("fink-vra-worker is the page's training worker: it runs in the browser.");
    std::process::exit(2);
}
