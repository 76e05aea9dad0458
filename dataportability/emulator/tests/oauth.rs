//! The OAuth 2.0 server at Google's paths, and access tokens that expire as Google's do: over
//! plain HTTP, as an app (or yup-oauth2, or a test in another language) speaks to it.

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use dataportability_emulator::{AccessType, Emulator, EmulatorConfig, TokenRequest};
use serde_json::{Value, json};

const VERIFIER: &str = "a-verifier-of-at-least-forty-three-characters-0123456789";

/// A client that never follows redirects: the test reads the `Location` the browser would go to.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// The client secret JSON's `installed` object.
async fn client_secret(emulator: &Emulator) -> Value {
    let url = format!("{}emulator/v1/clientSecret", emulator.url());
    let json: Value = json_of(reqwest::get(url).await.expect("answer")).await;
    json["installed"].clone()
}

/// Follows the authorization endpoint for `scopes`; the query of the redirect.
async fn consent(installed: &Value, scopes: &str, extra: &[(&str, &str)]) -> (u16, Vec<(String, String)>) {
    let mut query: Vec<(&str, &str)> = vec![
        ("client_id", installed["client_id"].as_str().expect("id")),
        ("redirect_uri", "http://127.0.0.1:9/callback"),
        ("response_type", "code"),
        ("scope", scopes),
        ("state", "xyz"),
        ("access_type", "offline"),
    ];
    query.extend_from_slice(extra);
    let response = http()
        .get(installed["auth_uri"].as_str().expect("auth_uri"))
        .query(&query)
        .send()
        .await
        .expect("answer");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().expect("ascii").to_owned())
        .unwrap_or_default();
    let params = reqwest::Url::parse(&location)
        .map(|url| {
            url.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    (status, params)
}

async fn json_of(response: reqwest::Response) -> Value {
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON: {text}"))
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

async fn token_request(installed: &Value, form: &[(&str, &str)]) -> (u16, Value) {
    let mut all = vec![
        ("client_id", installed["client_id"].as_str().expect("id")),
        ("client_secret", installed["client_secret"].as_str().expect("secret")),
    ];
    all.extend_from_slice(form);
    let response = reqwest::Client::new()
        .post(installed["token_uri"].as_str().expect("token_uri"))
        .form(&all)
        .send()
        .await
        .expect("answer");
    let status = response.status().as_u16();
    (status, json_of(response).await)
}

fn scope(group: &str) -> String {
    format!("https://www.googleapis.com/auth/dataportability.{group}")
}

async fn check(emulator: &Emulator, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}v1/accessType:check", emulator.url()))
        .bearer_auth(token)
        .body("{}")
        .send()
        .await
        .expect("answer")
}

#[tokio::test]
async fn the_installed_app_flow_with_pkce_gives_tokens_that_expire_and_refresh() {
    let emulator = emulator().await;
    let installed = client_secret(&emulator).await;
    assert!(installed["auth_uri"].as_str().unwrap().ends_with("/o/oauth2/v2/auth"));
    assert!(installed["token_uri"].as_str().unwrap().ends_with("/token"));
    let challenge = URL_SAFE_NO_PAD.encode(sha256(VERIFIER));
    let (status, params) = consent(
        &installed,
        &scope(SEARCH),
        &[("code_challenge", &challenge), ("code_challenge_method", "S256")],
    )
    .await;
    assert_eq!(status, 302, "the emulated user consents at once");
    assert_eq!(param(&params, "state"), Some("xyz"));
    let code = param(&params, "code").expect("a code").to_owned();

    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://127.0.0.1:9/callback"),
        ("code_verifier", VERIFIER),
    ];
    let (status, tokens) = token_request(&installed, &exchange).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], scope(SEARCH));
    let access = tokens["access_token"].as_str().expect("access_token").to_owned();
    let refresh = tokens["refresh_token"].as_str().expect("refresh_token").to_owned();
    assert_eq!(check(&emulator, &access).await.status(), 200);
    // A code is used once.
    let (status, again) = token_request(&installed, &exchange).await;
    assert_eq!((status, again["error"].as_str()), (400, Some("invalid_grant")));

    // After the token's hour: Google's 401 with an invalid_token challenge.
    emulator.advance_clock(Duration::from_secs(3600));
    let expired = check(&emulator, &access).await;
    assert_eq!(expired.status(), 401);
    let challenge = expired.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert!(
        challenge.starts_with("Bearer ") && challenge.contains("error=\"invalid_token\""),
        "{challenge}"
    );
    let body = json_of(expired).await;
    assert_eq!(body["error"]["status"], "UNAUTHENTICATED");
    assert_eq!(body["error"]["details"][0]["reason"], "ACCESS_TOKEN_EXPIRED");

    // The refresh token gets a new access token (and no new refresh token).
    let (status, refreshed) = token_request(
        &installed,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    assert!(refreshed.get("refresh_token").is_none());
    let access = refreshed["access_token"].as_str().unwrap().to_owned();
    assert_eq!(check(&emulator, &access).await.status(), 200);

    // authorization.reset revokes the consent: the refresh is invalid_grant from now on.
    let reset = reqwest::Client::new()
        .post(format!("{}v1/authorization:reset", emulator.url()))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    let (status, after) = token_request(
        &installed,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!((status, after["error"].as_str()), (400, Some("invalid_grant")));
}

fn sha256(text: &str) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes()).to_vec()
}

#[tokio::test]
async fn the_authorization_endpoint_refuses_as_google_does() {
    let emulator = emulator().await;
    let installed = client_secret(&emulator).await;
    // A bad redirect URI or client is an error page, never a redirect.
    let page = http()
        .get(installed["auth_uri"].as_str().unwrap())
        .query(&[
            ("client_id", installed["client_id"].as_str().unwrap()),
            ("redirect_uri", "https://attacker.example/cb"),
            ("response_type", "code"),
            ("scope", &scope(SEARCH)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 400);
    assert!(page.text().await.unwrap().contains("redirect_uri_mismatch"));
    let unknown = json!({"client_id": "nobody.apps.googleusercontent.com", "auth_uri": installed["auth_uri"]});
    assert_eq!(consent(&unknown, &scope(SEARCH), &[]).await.0, 401);
    // Other errors go back to the app.
    let (status, params) = consent(&installed, "https://www.googleapis.com/auth/drive", &[]).await;
    assert_eq!((status, param(&params, "error")), (302, Some("invalid_scope")));
    let (_, params) = consent(&installed, &scope(SEARCH), &[("code_challenge_method", "S256")]).await;
    assert_eq!(param(&params, "error"), Some("invalid_request"));
    // PKCE is checked when sent: the wrong verifier is invalid_grant.
    let (_, params) = consent(&installed, &scope(SEARCH), &[("code_challenge", VERIFIER)]).await;
    let code = param(&params, "code").expect("code").to_owned();
    let wrong = format!("{VERIFIER}x");
    let (status, answer) = token_request(
        &installed,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/callback"),
            ("code_verifier", &wrong),
        ],
    )
    .await;
    assert_eq!((status, answer["error"].as_str()), (400, Some("invalid_grant")));
    // A wrong client secret is 401 invalid_client; an unknown grant type is refused.
    let mut bad = installed.clone();
    bad["client_secret"] = json!("wrong");
    let (status, answer) = token_request(&bad, &[("grant_type", "refresh_token"), ("refresh_token", "x")]).await;
    assert_eq!((status, answer["error"].as_str()), (401, Some("invalid_client")));
    let (status, answer) = token_request(&installed, &[("grant_type", "password")]).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn minted_refresh_tokens_work_at_the_token_endpoint_and_revoke_ends_them() {
    let emulator = emulator().await;
    let installed = client_secret(&emulator).await;
    // The documented request still works; the answer gains a refresh token and a lifetime.
    let minted = json_of(
        reqwest::Client::new()
            .post(format!("{}emulator/v1/tokens", emulator.url()))
            .body(json!({"resources": [SEARCH]}).to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(minted["tokenType"], "Bearer");
    assert_eq!(minted["expiresIn"], 3600);
    let refresh = minted["refreshToken"].as_str().expect("refreshToken").to_owned();
    let (status, tokens) = token_request(
        &installed,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap().to_owned();

    let revoke = reqwest::Client::new()
        .post(format!("{}revoke", emulator.url()))
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);
    // Revoking the access token revoked its consent: both tokens are dead.
    assert_eq!(check(&emulator, &access).await.status(), 401);
    let (status, answer) = token_request(
        &installed,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!((status, answer["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn a_time_based_grant_ends_after_30_days() {
    let emulator = emulator_with(EmulatorConfig {
        consent_access_type: AccessType::TimeBased,
        ..Default::default()
    })
    .await;
    let installed = client_secret(&emulator).await;
    let (_, params) = consent(&installed, &scope(SEARCH), &[]).await;
    let code = param(&params, "code").expect("code").to_owned();
    let (_, tokens) = token_request(
        &installed,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/callback"),
        ],
    )
    .await;
    assert_eq!(tokens["refresh_token_expires_in"], 30 * 86_400);
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let answer = json_of(check(&emulator, &access).await).await;
    assert_eq!(answer["timeBasedResources"], json!([SEARCH]));

    emulator.advance_clock(Duration::from_secs(30 * 86_400 - 60));
    let (status, _) = token_request(
        &installed,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, 200, "29 days and 23:59 later");
    emulator.advance_clock(Duration::from_secs(60));
    let (status, answer) = token_request(
        &installed,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!((status, answer["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn the_token_lifetime_is_configurable_and_each_client_has_its_own_exports() {
    let emulator = emulator_with(EmulatorConfig {
        token_lifetime: Duration::from_secs(60),
        ..Default::default()
    })
    .await;
    let other = emulator.register_client();
    let other_id = other["installed"]["client_id"].as_str().expect("id").to_owned();
    let mint = |client: &str| {
        emulator
            .mint(&TokenRequest {
                client: client.to_owned(),
                resources: vec![SEARCH.to_owned()],
                ..TokenRequest::default()
            })
            .expect("minted")
    };
    let first = mint(dataportability_emulator::DEFAULT_CLIENT);
    assert_eq!(first.expires_in, 60);
    initiate(&client(&emulator, &first.access_token), &[SEARCH]).await;
    // The same user through another app (another "user/project pair") may export it too.
    let second = mint(&other_id);
    initiate(&client(&emulator, &second.access_token), &[SEARCH]).await;
    emulator.advance_clock(Duration::from_secs(60));
    assert_eq!(check(&emulator, &first.access_token).await.status(), 401);
}
