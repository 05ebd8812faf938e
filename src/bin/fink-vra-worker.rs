//! The page's Web Worker entry point (built by Trunk as a worker): reads
//! files, decodes stamps and trains rounds off the page's thread.

#[cfg(target_arch = "wasm32")]
fn main() {
    fink_vra::ui::worker_main::serve();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("fink-vra-worker is the page's Web Worker: it runs in the browser.");
    std::process::exit(2);
}
