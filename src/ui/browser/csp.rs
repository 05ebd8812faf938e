//! Narrowing the page's Content-Security-Policy to the one server the user
//! chose. index.html allows `connect-src 'self' http: https:` (a page served
//! statically cannot know the user's server in advance); at start-up when a
//! server URL is remembered, else before its first call to the server typed,
//! the page adds a second policy, `connect-src 'self' <that origin>`. Browsers enforce every policy, so from then on the page
//! can reach only itself and that origin. A policy cannot be loosened again:
//! another server needs a reload (then it is narrowed to that one).

use std::cell::RefCell;

thread_local! {
    static ALLOWED_ORIGIN: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Lets the page connect to `origin` (and itself) only. `Err` with a message
/// if the page was already narrowed to another origin, or the policy could
/// not be added.
pub fn allow_connections_only_to(origin: &str) -> Result<(), String> {
    if let Some(allowed) = ALLOWED_ORIGIN.with(|allowed| allowed.borrow().clone()) {
        return if allowed == origin {
            Ok(())
        } else {
            Err(format!(
                "this page may only connect to {allowed} until it is reloaded (its security policy \
                 was narrowed to the first server used): reload the page to log to {origin}"
            ))
        };
    }
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or("no document")?;
    let head = document.head().ok_or("no document head")?;
    let meta = document
        .create_element("meta")
        .map_err(|_| "could not add the security policy")?;
    meta.set_attribute("http-equiv", "Content-Security-Policy")
        .and_then(|()| meta.set_attribute("content", &format!("connect-src 'self' {origin}")))
        .and_then(|()| meta.set_attribute("data-testid", "csp-connect"))
        .map_err(|_| "could not add the security policy")?;
    head.append_child(&meta)
        .map_err(|_| "could not add the security policy")?;
    ALLOWED_ORIGIN.with(|allowed| *allowed.borrow_mut() = Some(origin.to_string()));
    Ok(())
}
