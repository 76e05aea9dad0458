//! Streams over the pages of a list method, following `nextPageToken`.

use std::collections::HashSet;
use std::pin::Pin;

use futures_core::Stream;
use futures_util::{TryStreamExt, stream};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Call, Error};

/// A stream of the pages of a list call, first page first.
pub type Pages<R> = Pin<Box<dyn Stream<Item = Result<R, Error>> + Send>>;

/// A stream of the items of every page of a list call.
pub type Items<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

struct Cursor<B> {
    call: Call,
    body: Option<B>,
    seen: HashSet<String>,
}

enum Next<B> {
    Page(Cursor<B>),
    Fail(Error),
    Done,
}

/// Sends `call` (with `body`, if any) once per page: the first page with the call's own
/// `pageToken` (if one was set), each next one with the previous response's token, until a
/// response has none. A token seen twice ends the stream with an error instead of looping
/// forever. The stream ends after the first error it yields.
pub fn pages<B, R>(call: Call, body: Option<B>, next_page_token: fn(&R) -> Option<&str>) -> Pages<R>
where
    B: Serialize + Send + Sync + 'static,
    R: DeserializeOwned + Send + 'static,
{
    let start = Next::Page(Cursor {
        call,
        body,
        seen: HashSet::new(),
    });
    Box::pin(stream::unfold(start, move |next| async move {
        let mut cursor = match next {
            Next::Page(cursor) => cursor,
            Next::Fail(error) => return Some((Err(error), Next::Done)),
            Next::Done => return None,
        };
        let page: R = match cursor.call.clone().send_json(cursor.body.as_ref()).await {
            Ok(page) => page,
            Err(error) => return Some((Err(error), Next::Done)),
        };
        let token = next_page_token(&page).filter(|t| !t.is_empty()).map(str::to_owned);
        let next = match token {
            None => Next::Done,
            Some(token) if cursor.seen.contains(&token) => Next::Fail(Error::InvalidArgument {
                method: cursor.call.method().id,
                parameter: "pageToken".to_owned(),
                message: format!("the server returned the page token {token:?} twice"),
            }),
            Some(token) => {
                cursor.call.set_query("pageToken", token.as_str());
                cursor.seen.insert(token);
                Next::Page(cursor)
            }
        };
        Some((Ok(page), next))
    }))
}

/// The items of every page, in order; `items` takes them out of a page.
pub fn items<R, T>(pages: Pages<R>, items: fn(R) -> Vec<T>) -> Items<T>
where
    R: Send + 'static,
    T: Send + 'static,
{
    Box::pin(
        pages
            .map_ok(move |page| stream::iter(items(page).into_iter().map(Ok)))
            .try_flatten(),
    )
}
