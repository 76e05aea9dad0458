//! The store's side of the OAuth server: authorization codes, the code and refresh-token
//! grants, and revocation.

use chrono::{DateTime, TimeDelta, Utc};

use super::{Inner, Store, Tokens, grant_end, issue};
use crate::auth::{AccessType, Principal};
use crate::oauth::{Challenge, ClientType, OAuthError};
use crate::time::later;

/// How long an authorization code can be exchanged (our choice: Google documents codes as
/// short-lived and single-use without a number).
const CODE_LIFETIME: TimeDelta = TimeDelta::minutes(10);

/// An authorization request the user consented to.
#[derive(Clone, Debug)]
pub(crate) struct AuthorizeRequest {
    /// Who consents, to which client.
    pub principal: Principal,
    /// The groups of the requested scopes, validated, sorted.
    pub groups: Vec<String>,
    /// What the user chose on the consent screen.
    pub access_type: AccessType,
    /// How long the user chose time-based access to last (`None`: the configured default).
    pub time_based_length: Option<TimeDelta>,
    /// Where the code goes; the token request must repeat it.
    pub redirect_uri: String,
    /// The PKCE challenge, when one was sent.
    pub challenge: Option<Challenge>,
    /// `access_type=offline`: a web app asks for a refresh token.
    pub offline: bool,
    /// `prompt=consent`: the user was asked again, so a web app gets a new refresh token.
    pub prompt_consent: bool,
}

/// An authorization code waiting to be exchanged.
#[derive(Clone, Debug)]
pub(super) struct PendingCode {
    request: AuthorizeRequest,
    expires_at: DateTime<Utc>,
}

/// How a client authenticated at the token endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ClientCredentials {
    /// `client_id`.
    pub id: String,
    /// `client_secret`.
    pub secret: String,
}

impl Store {
    /// Records a consent given on the authorization endpoint; returns its code.
    pub fn authorize(&self, request: AuthorizeRequest, now: DateTime<Utc>) -> String {
        let code = format!("4/emulator-{}", crate::auth::random_hex::<24>());
        let pending = PendingCode {
            request,
            expires_at: later(now, CODE_LIFETIME),
        };
        self.lock().codes.insert(code.clone(), pending);
        code
    }

    /// The `authorization_code` grant: the tokens of the consent `code` stands for, and whether
    /// the answer carries the refresh token. A code is used once, by the client it was issued
    /// to, with the same redirect URI (else `redirect_uri_mismatch`, as Google answers) and,
    /// when a PKCE challenge was sent, the matching verifier.
    ///
    /// An installed app always gets the refresh token; a web app only with `access_type=offline`,
    /// and then on the pair's first consent or with `prompt=consent` (Google's web-server OAuth
    /// guide, "Refreshing an access token (offline access)").
    pub fn exchange_code(
        &self,
        client: &ClientCredentials,
        code: &str,
        redirect_uri: Option<&str>,
        verifier: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(Tokens, bool), OAuthError> {
        let mut inner = self.lock();
        let client_type = inner.check_client(client)?;
        let pending = inner
            .codes
            .remove(code)
            .ok_or_else(|| OAuthError::invalid_grant("Malformed auth code."))?;
        let request = pending.request;
        if now >= pending.expires_at || request.principal.client != client.id {
            return Err(OAuthError::invalid_grant("Bad Request"));
        }
        if redirect_uri != Some(request.redirect_uri.as_str()) {
            return Err(OAuthError::redirect_uri_mismatch());
        }
        if let Some(challenge) = &request.challenge {
            let verifier = verifier.ok_or_else(|| OAuthError::invalid_grant("Missing code verifier."))?;
            if !challenge.verify(verifier) {
                return Err(OAuthError::invalid_grant("Invalid code verifier."));
            }
        }
        let rules = self.rules;
        let registration = inner
            .clients
            .get(&client.id)
            .map(|c| c.registration.clone())
            .unwrap_or_default();
        let ends_at = grant_end(
            request.access_type,
            request.time_based_length,
            &registration,
            now,
            rules,
        );
        let with_refresh = match client_type {
            ClientType::Installed => true,
            ClientType::Web => {
                request.offline && (request.prompt_consent || !inner.refresh_issued.contains(&request.principal))
            }
        };
        if with_refresh {
            inner.refresh_issued.insert(request.principal.clone());
        }
        let principal = request.principal;
        let mut tokens = inner.consent(principal, &request.groups, request.access_type, ends_at, now, rules);
        if !with_refresh {
            tokens.refresh_token_expires_in = None;
        }
        Ok((tokens, with_refresh))
    }

    /// The `refresh_token` grant: a new access token of the consent, unless it was revoked
    /// (by `authorization.reset` or `/revoke`) or its time-based grant ended.
    pub fn refresh(
        &self,
        client: &ClientCredentials,
        refresh_token: &str,
        now: DateTime<Utc>,
    ) -> Result<Tokens, OAuthError> {
        let mut inner = self.lock();
        inner.check_client(client)?;
        let expired = || OAuthError::invalid_grant("Token has been expired or revoked.");
        let consent = inner.consents.get(refresh_token).cloned().ok_or_else(expired)?;
        if consent.principal.client != client.id {
            return Err(OAuthError::invalid_grant("Bad Request"));
        }
        if consent.ends_at.is_some_and(|end| now >= end) {
            return Err(expired());
        }
        inner.prune(now);
        Ok(issue(&mut inner.access, refresh_token, &consent, now, self.rules))
    }

    /// `/revoke`: revokes the consent of a refresh token or of an access token, so every token
    /// of it stops working (Google: revoking an access token also revokes its refresh token).
    pub fn revoke(&self, token: &str) -> Result<(), OAuthError> {
        let mut inner = self.lock();
        let consent = match inner.access.get(token) {
            Some(issued) => issued.consent.clone(),
            None if inner.consents.contains_key(token) => token.to_owned(),
            None => return Err(OAuthError::invalid_token()),
        };
        let Some(revoked) = inner.consents.remove(&consent) else {
            return Err(OAuthError::invalid_token());
        };
        inner.forget_revoked();
        // With no consent left, the pair's next consent is a first one again.
        if !inner.consents.values().any(|c| c.principal == revoked.principal) {
            inner.refresh_issued.remove(&revoked.principal);
        }
        Ok(())
    }
}

impl Inner {
    /// 401 `invalid_client` unless the client exists and the secret is its own; its type.
    fn check_client(&self, client: &ClientCredentials) -> Result<ClientType, OAuthError> {
        match self.clients.get(&client.id) {
            Some(known) if known.secret == client.secret => Ok(known.registration.client_type),
            _ => Err(OAuthError::invalid_client()),
        }
    }
}
