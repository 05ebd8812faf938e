//! The tracking server's URL as the user typed it, checked strictly: http or
//! https, a host (lowercased) and port, an optional path prefix, and nothing
//! a Content-Security-Policy source cannot hold (user, query, fragment, IPv6
//! literal, `..`).

use super::rest::MlflowError;

/// A tracking server URL split into its parts: scheme, host (lowercase),
/// port, and an optional path prefix.
struct ServerUrl {
    scheme: &'static str,
    host: String,
    port: Option<u16>,
    path: String,
}

fn parse_url(typed: &str) -> Result<ServerUrl, MlflowError> {
    let url = typed.trim().trim_end_matches('/');
    if url.is_empty() {
        return Err(MlflowError::NoUrl);
    }
    let bad = || MlflowError::BadUrl {
        url: url.to_string(),
    };
    let (scheme, rest) = if let Some(rest) = url.strip_prefix("http://") {
        ("http", rest)
    } else if let Some(rest) = url.strip_prefix("https://") {
        ("https", rest)
    } else {
        return Err(bad());
    };
    // No user, query, fragment, IPv6 literal or anything a policy cannot hold.
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~:/%".contains(c);
    if !rest.chars().all(allowed) {
        return Err(bad());
    }
    let (authority, path) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, ""),
    };
    if path.split('/').any(|segment| segment == "..") {
        return Err(bad());
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port.parse::<u16>().map_err(|_| bad())?)),
        None => (authority, None),
    };
    if host.is_empty() || host.contains(':') {
        return Err(bad());
    }
    Ok(ServerUrl {
        scheme,
        host: host.to_ascii_lowercase(),
        port,
        path: path.to_string(),
    })
}

impl ServerUrl {
    fn origin(&self) -> String {
        match self.port {
            Some(port) => format!("{}://{}:{port}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }
}

/// The tracking server's base URL (origin and path prefix), checked, without
/// a trailing slash.
pub fn base_url(typed: &str) -> Result<String, MlflowError> {
    let url = parse_url(typed)?;
    Ok(format!("{}{}", url.origin(), url.path))
}

/// The origin (scheme, lowercase host, port) of a tracking server URL: what
/// the page's Content-Security-Policy allows `connect-src` to.
pub fn origin_of(typed: &str) -> Result<String, MlflowError> {
    Ok(parse_url(typed)?.origin())
}
