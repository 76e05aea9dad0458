//! The `fields` standard parameter: a partial response with only the named top-level fields.

use std::collections::{BTreeSet, HashMap};

use axum::body::Body;
use axum::extract::{Query, Request};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

/// Middleware of the API routes: keeps the top-level fields `fields=` names (`a,b/c,d(e)`
/// keeps `a`, `b` and `d`) in a successful JSON response.
pub(crate) async fn field_mask(request: Request, next: Next) -> Response {
    let fields = Query::<HashMap<String, String>>::try_from_uri(request.uri())
        .ok()
        .and_then(|q| q.0.get("fields").cloned());
    let response = next.run(request).await;
    let Some(fields) = fields else { return response };
    if !response.status().is_success() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let keep = top_level(&fields);
    let kept: serde_json::Map<String, Value> = object.into_iter().filter(|(name, _)| keep.contains(name)).collect();
    let text = serde_json::to_string_pretty(&Value::Object(kept)).unwrap_or_else(|_| "{}".to_owned());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(text))
}

/// The top-level names of a field mask.
fn top_level(fields: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut depth = 0usize;
    let mut current = String::new();
    let mut in_name = true;
    for c in fields.chars().chain(std::iter::once(',')) {
        match c {
            '(' => {
                depth += 1;
                in_name = false;
            }
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                let name = current.trim();
                if !name.is_empty() {
                    names.insert(name.to_owned());
                }
                current.clear();
                in_name = true;
            }
            '/' if depth == 0 => in_name = false,
            _ if depth == 0 && in_name => current.push(c),
            _ => {}
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_names() {
        let names = |f: &str| top_level(f).into_iter().collect::<Vec<_>>();
        assert_eq!(names("state,urls"), ["state", "urls"]);
        assert_eq!(names(" name , a/b, c(d,e),f"), ["a", "c", "f", "name"]);
        assert!(names("").is_empty());
    }
}
