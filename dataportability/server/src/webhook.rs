//! Webhooks on top of the event feed: events are POSTed in order, in batches, to one URL,
//! signed with HMAC-SHA256 over the body (`X-Signature: sha256=HEX`); the last delivered event
//! is stored, so a restart goes on from there (each event is delivered at least once: the
//! receiver deduplicates by `seq`).
//!
//! Every `serve` process runs the delivery loop, but one delivers at a time: a batch is sent
//! during the process's [`crate::store::Store::webhook_turn`] (on PostgreSQL the cursor row
//! locked with `FOR UPDATE SKIP LOCKED` by the transaction that then moves it), so two
//! processes never send the same batch at once, and the cursor moves only after the receiver
//! accepted the batch.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use crate::app::{App, Webhook};

/// The signature header's value for `body`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Delivers events for ever (a no-op without a webhook).
pub async fn run(app: Arc<App>) {
    let Some(webhook) = app.webhook.clone() else { return };
    let mut wait = Duration::from_millis(200);
    loop {
        match deliver(&app, &webhook).await {
            Ok(0) => wait = Duration::from_millis(200),
            Ok(_) => continue,
            Err(error) => {
                tracing::warn!(%error, "webhook delivery failed; trying again");
                wait = (wait * 2).min(Duration::from_secs(60));
            }
        }
        tokio::time::sleep(wait).await;
    }
}

async fn deliver(app: &App, webhook: &Webhook) -> Result<usize, String> {
    let Some(turn) = app.store.webhook_turn().await.map_err(|e| e.to_string())? else {
        // Another process is delivering.
        return Ok(0);
    };
    let events = app.store.events(turn.cursor(), 100).await.map_err(|e| e.to_string())?;
    let Some(last) = events.last().map(|e| e.seq) else {
        turn.finish(None).await.map_err(|e| e.to_string())?;
        return Ok(0);
    };
    let body = serde_json::to_vec(&serde_json::json!({ "events": events })).map_err(|e| e.to_string())?;
    let response = app
        .http
        .post(&webhook.url)
        .header("content-type", "application/json")
        .header("x-signature", signature(&webhook.secret, &body))
        .body(body)
        .send()
        .await
        .map_err(|e| format!("POST failed: {}", e.without_url()))?;
    if !response.status().is_success() {
        return Err(format!("the receiver answered {}", response.status()));
    }
    turn.finish(Some(last)).await.map_err(|e| e.to_string())?;
    Ok(events.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_rfc_4231s_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
