//! The web page's entry point: mounts the Leptos app (built by Trunk).

#[cfg(target_arch = "wasm32")]
fn main() {
    fink_vra::ui::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("fink-vra-app is the web page: build it for wasm32 with `scripts/serve`.");
    std::process::exit(2);
}
