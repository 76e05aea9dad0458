//! The signed archive URLs, answered like Cloud Storage: `Range`, `Content-Length`,
//! `x-goog-hash`, and XML errors (403 `SignatureDoesNotMatch` for a bad signature, 400
//! `ExpiredToken` for an expired URL, 404 `NoSuchKey` for a missing or deleted object, 416 for
//! an unsatisfiable range).

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::DateTime;

use super::range::{self, RangeRequest};
use crate::archive::body_stream;
use crate::server::AppState;
use crate::signing::parse_file_name;
use crate::store::Gone;

/// The download route.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/storage/{bucket}/{job}/{file}", get(download))
}

async fn download(
    State(state): State<AppState>,
    Path((bucket, job, file)): Path<(String, String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let Ok(Query(query)) = Query::<HashMap<String, String>>::try_from_uri(&uri) else {
        return xml_error(StatusCode::BAD_REQUEST, "InvalidArgument", "Invalid argument.", None);
    };
    let (Some(expires), Some(signature)) = (query.get("Expires"), query.get("Signature")) else {
        return xml_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Access denied.",
            Some("Anonymous caller does not have storage.objects.get access to the Google Cloud Storage object."),
        );
    };
    let path = format!("/storage/{bucket}/{job}/{file}");
    let expires_at = expires.parse::<i64>().ok();
    if !expires_at.is_some_and(|expires| state.signer.verify(&path, expires, signature)) {
        return xml_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
            None,
        );
    }
    let now = state.clock.now();
    let expired = expires_at
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .is_none_or(|at| now > at);
    if expired {
        // Cloud Storage's answer to an expired signed URL: 400 ExpiredToken.
        let at = expires_at
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
            .map_or_else(|| "an invalid time".to_owned(), |at| at.to_rfc3339());
        let details = format!("Request signature expired at: {at}");
        return xml_error(
            StatusCode::BAD_REQUEST,
            "ExpiredToken",
            "The provided token has expired.",
            Some(&details),
        );
    }
    let no_such_key = || {
        xml_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
            None,
        )
    };
    let Some((group, part)) = parse_file_name(&file, state.files_per_archive()) else {
        return no_such_key();
    };
    let period = match state.store.download(&job, group, now) {
        Ok(period) => period,
        Err(Gone::NoSuchObject | Gone::Deleted) => return no_such_key(),
    };
    let archive = state.archive(group, &period, part);
    let hashes = match archive.hashes().await {
        Ok(hashes) => hashes,
        Err(error) => {
            return xml_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                &error.to_string(),
                None,
            );
        }
    };
    let len = archive.len();
    let range_header = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let (status, range) = match range::parse(range_header, len) {
        RangeRequest::Full => (StatusCode::OK, 0..len),
        RangeRequest::Partial(range) => (StatusCode::PARTIAL_CONTENT, range),
        RangeRequest::Unsatisfiable => {
            let mut response = xml_error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range cannot be satisfied.",
                range_header,
            );
            insert(&mut response, header::CONTENT_RANGE, format!("bytes */{len}"));
            return response;
        }
    };
    let drop_after = if method == Method::HEAD {
        None
    } else {
        state.faults.take_download_drop()
    };
    let mut response = Response::new(Body::from_stream(body_stream(archive, range.clone(), drop_after)));
    *response.status_mut() = status;
    insert(&mut response, header::CONTENT_TYPE, "application/zip".to_owned());
    insert(
        &mut response,
        header::CONTENT_LENGTH,
        (range.end - range.start).to_string(),
    );
    insert(&mut response, header::ACCEPT_RANGES, "bytes".to_owned());
    insert(&mut response, header::ETAG, hashes.etag());
    insert(&mut response, header::CACHE_CONTROL, "private, max-age=0".to_owned());
    insert(
        &mut response,
        header::CONTENT_DISPOSITION,
        format!("attachment; filename=\"{file}\""),
    );
    insert(
        &mut response,
        header::HeaderName::from_static("x-goog-hash"),
        hashes.header_value(),
    );
    insert(
        &mut response,
        header::HeaderName::from_static("x-goog-stored-content-length"),
        len.to_string(),
    );
    if status == StatusCode::PARTIAL_CONTENT {
        insert(
            &mut response,
            header::CONTENT_RANGE,
            format!("bytes {}-{}/{len}", range.start, range.end - 1),
        );
    }
    response
}

fn insert(response: &mut Response, name: header::HeaderName, value: String) {
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(name, value);
    }
}

/// Cloud Storage's XML error document.
fn xml_error(status: StatusCode, code: &str, message: &str, details: Option<&str>) -> Response {
    let details = details
        .map(|d| format!("<Details>{}</Details>", escape(d)))
        .unwrap_or_default();
    let body = format!(
        "<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{}</Message>{details}</Error>",
        escape(message)
    );
    (status, [(header::CONTENT_TYPE, "application/xml; charset=UTF-8")], body).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
