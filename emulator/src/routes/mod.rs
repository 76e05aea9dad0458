//! The HTTP surface: Google's API paths, the signed archive URLs, and the control surface.

pub(crate) mod api;
pub(crate) mod control;
mod fields;
mod range;
pub(crate) mod storage;

use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Parses a JSON request body; an empty body is the empty message (`{}`).
pub(crate) fn parse_json<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::invalid_argument(format!("Invalid JSON payload received. {e}")))
}

/// Splits `id:verb` (the last path segment of a custom method).
pub(crate) fn custom_method(segment: &str) -> Option<(&str, &str)> {
    segment
        .rsplit_once(':')
        .filter(|(id, verb)| !id.is_empty() && !id.contains('/') && !verb.is_empty())
}
