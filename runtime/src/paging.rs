//! Streams over the pages of a list method, following `nextPageToken`.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
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
    /// The hashes of the tokens seen so far: 8 bytes a page, whatever a token's length. The
    /// hasher's keys are random, so a server cannot pick tokens that collide.
    seen: HashSet<u64>,
    hasher: RandomState,
    /// Pages fetched so far.
    fetched: u64,
    /// The most pages to fetch.
    max_pages: Option<u64>,
}

enum Next<B> {
    Page(Box<Cursor<B>>),
    Fail(Error),
    Done,
}

/// Sends `call` (with `body`, if any) once per page: the first page with the call's own
/// `pageToken` (if one was set), each next one with the previous response's token, until a
/// response has none. It never loops for ever: a token seen twice, or a next token after the
/// client's `max_pages` pages ([`ClientBuilder::max_pages`](crate::ClientBuilder::max_pages),
/// [`Call::set_max_pages`]), ends the stream with [`Error::Paging`]. The stream ends after the
/// first error it yields.
pub fn pages<B, R>(call: Call, body: Option<B>, next_page_token: fn(&R) -> Option<&str>) -> Pages<R>
where
    B: Serialize + Send + Sync + 'static,
    R: DeserializeOwned + Send + 'static,
{
    let max_pages = call.client.inner().options.with(&call.overrides).max_pages;
    let start = Next::Page(Box::new(Cursor {
        call,
        body,
        seen: HashSet::new(),
        hasher: RandomState::new(),
        fetched: 0,
        max_pages,
    }));
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
        cursor.fetched += 1;
        let next = match next_page_token(&page).filter(|t| !t.is_empty()) {
            None => Next::Done,
            Some(token) => cursor.follow(token),
        };
        Some((Ok(page), next))
    }))
}

impl<B> Cursor<B> {
    /// The next page's request with `token`, or why there is none.
    fn follow(mut self: Box<Self>, token: &str) -> Next<B> {
        let fail = |message: String| {
            Next::Fail(Error::Paging {
                method: self.call.method().id,
                message,
            })
        };
        if let Some(max) = self.max_pages.filter(|max| self.fetched >= *max) {
            return fail(format!(
                "the server still gives a next page token after {max} pages, the client's max_pages"
            ));
        }
        if !self.seen.insert(self.hasher.hash_one(token)) {
            return fail(format!(
                "the server returned a page token twice (after page {}): the list would never end",
                self.fetched
            ));
        }
        self.call.set_query("pageToken", token);
        Next::Page(self)
    }
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
