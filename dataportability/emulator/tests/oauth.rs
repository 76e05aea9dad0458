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

/// The authorization endpoint of `emulator` with `query`: the status, the `Location`'s query
/// (for a redirect) and the page (for an error page).
async fn authorize(emulator: &Emulator, query: &[(&str, &str)]) -> (u16, Vec<(String, String)>, String) {
    let response = http()
        .get(format!("{}o/oauth2/v2/auth", emulator.url()))
        .query(query)
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
    (status, params, response.text().await.unwrap_or_default())
}

/// Registers a client over the control surface; its client secret JSON's object.
async fn register(emulator: &Emulator, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}emulator/v1/clients", emulator.url()))
        .body(body.to_string())
        .send()
        .await
        .expect("answer");
    let status = response.status().as_u16();
    (status, json_of(response).await)
}

const WEB_REDIRECT: &str = "https://app.example/oauth/callback";

#[tokio::test]
async fn a_web_client_redirects_only_to_its_uris_and_gets_a_refresh_token_when_offline() {
    let emulator = emulator().await;
    let (status, secret) = register(
        &emulator,
        json!({"type": "web", "redirectUris": [WEB_REDIRECT, "http://localhost:8080/cb"]}),
    )
    .await;
    assert_eq!(status, 200, "{secret}");
    let web = secret["web"].clone();
    assert_eq!(web["redirect_uris"], json!([WEB_REDIRECT, "http://localhost:8080/cb"]));
    let id = web["client_id"].as_str().expect("client_id").to_owned();
    let scope = scope(SEARCH);
    let request = |redirect: &str, extra: &[(&str, &str)]| {
        let mut query = vec![
            ("client_id".to_owned(), id.clone()),
            ("redirect_uri".to_owned(), redirect.to_owned()),
            ("response_type".to_owned(), "code".to_owned()),
            ("scope".to_owned(), scope.clone()),
        ];
        query.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let emulator = &emulator;
        async move {
            let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            authorize(emulator, &query).await
        }
    };
    let exchange = |code: String, redirect: &'static str| {
        let web = web.clone();
        async move {
            let form = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", redirect),
            ];
            token_request(&web, &form).await
        }
    };
    let code_of = |params: &[(String, String)]| param(params, "code").expect("a code").to_owned();
    let offline = [("access_type", "offline")];

    // Exact match, as Google checks a web client's redirect URIs: an error page otherwise.
    for other in [
        "https://app.example/oauth/callback/",
        "https://app.example/oauth/callback?next=1",
        "http://localhost:8081/cb",
        "http://127.0.0.1:9/callback",
    ] {
        let (status, params, page) = request(other, &[]).await;
        assert_eq!(status, 400, "{other}");
        assert!(
            params.is_empty() && page.contains("redirect_uri_mismatch"),
            "{other}: {page}"
        );
    }

    // Offline: the first consent gives a refresh token; a token request with another redirect
    // URI is Google's redirect_uri_mismatch.
    let (status, params, _) = request(WEB_REDIRECT, &offline).await;
    assert_eq!(status, 302);
    let (status, answer) = exchange(code_of(&params), "http://localhost:8080/cb").await;
    assert_eq!((status, answer["error"].as_str()), (400, Some("redirect_uri_mismatch")));
    let (_, params, _) = request(WEB_REDIRECT, &offline).await;
    let (status, tokens) = exchange(code_of(&params), WEB_REDIRECT).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["refresh_token"].is_string(), "{tokens}");

    // Later offline consents get none, unless the user is asked again (prompt=consent).
    let (_, params, _) = request(WEB_REDIRECT, &offline).await;
    let (_, tokens) = exchange(code_of(&params), WEB_REDIRECT).await;
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    let (_, params, _) = request(WEB_REDIRECT, &[("access_type", "offline"), ("prompt", "consent")]).await;
    let (_, tokens) = exchange(code_of(&params), WEB_REDIRECT).await;
    assert!(tokens["refresh_token"].is_string(), "{tokens}");
    // Online (Google's default): an access token only.
    let (_, params, _) = request("http://localhost:8080/cb", &[("prompt", "consent")]).await;
    let (status, tokens) = exchange(code_of(&params), "http://localhost:8080/cb").await;
    assert_eq!(status, 200, "{tokens}");
    assert!(
        tokens.get("refresh_token").is_none() && tokens["access_token"].is_string(),
        "{tokens}"
    );
    let (status, _, page) = request(WEB_REDIRECT, &[("access_type", "forever")]).await;
    assert!(status == 400 && page.contains("invalid_request"), "{page}");

    // Google's console refuses such redirect URIs.
    for bad in [
        "http://app.example/cb",
        "https://app.example/cb#frag",
        "https://*.example/cb",
    ] {
        let (status, answer) = register(&emulator, json!({"type": "web", "redirectUris": [bad]})).await;
        assert_eq!(
            (status, answer["error"]["status"].as_str()),
            (400, Some("INVALID_ARGUMENT")),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn incremental_authorization_is_refused_for_these_scopes() {
    let emulator = emulator().await;
    let installed = client_secret(&emulator).await;
    let (status, params, page) = authorize(
        &emulator,
        &[
            ("client_id", installed["client_id"].as_str().expect("id")),
            ("redirect_uri", "http://127.0.0.1:9/callback"),
            ("response_type", "code"),
            ("scope", &scope(SEARCH)),
            ("include_granted_scopes", "true"),
        ],
    )
    .await;
    // The troubleshooting page: "Error 400: invalid_request", "Incremental auth is not allowed".
    assert_eq!(status, 400);
    assert!(params.is_empty(), "an error page, not a redirect");
    assert!(
        page.contains("invalid_request") && page.contains("Incremental auth is not allowed"),
        "{page}"
    );
}

#[tokio::test]
async fn the_user_may_grant_only_some_of_the_requested_scopes() {
    let emulator = emulator().await;
    let installed = client_secret(&emulator).await;
    let both = format!("{} {}", scope(SEARCH), scope(YOUTUBE));
    let exchange = |code: String| {
        let installed = installed.clone();
        async move {
            let form = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", "http://127.0.0.1:9/callback"),
            ];
            token_request(&installed, &form).await.1
        }
    };

    // By the control surface, for every later consent.
    let set = reqwest::Client::new()
        .put(format!("{}emulator/v1/consent", emulator.url()))
        .body(json!({"grantedResources": [YOUTUBE, "chrome.history"]}).to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(set.status(), 200);
    let (status, params) = consent(&installed, &both, &[]).await;
    assert_eq!(status, 302);
    assert_eq!(
        param(&params, "scope"),
        Some(scope(YOUTUBE).as_str()),
        "the redirect's scope"
    );
    let tokens = exchange(param(&params, "code").expect("code").to_owned()).await;
    assert_eq!(
        tokens["scope"],
        scope(YOUTUBE),
        "the token's scope lists only the granted ones"
    );
    let token = tokens["access_token"].as_str().expect("token").to_owned();
    let answer = json_of(check(&emulator, &token).await).await;
    assert_eq!(answer["oneTimeResources"], json!([YOUTUBE]));
    let refused = client(&emulator, &token)
        .portability_archive()
        .initiate(request(&[SEARCH]))
        .send()
        .await;
    assert_eq!(api_error(refused), (403, "PERMISSION_DENIED".to_owned()));

    // By a hint on one request, over the control surface's choice.
    let (_, params) = consent(&installed, &both, &[("emulator_granted_resources", SEARCH)]).await;
    assert_eq!(param(&params, "scope"), Some(scope(SEARCH).as_str()));
    // Unticking every requested scope is a denial.
    let (status, params) = consent(&installed, &both, &[("emulator_granted_resources", "maps.reviews")]).await;
    assert_eq!((status, param(&params, "error")), (302, Some("access_denied")));
    assert_eq!(param(&params, "state"), Some("xyz"));
}

#[tokio::test]
async fn a_time_based_grant_lasts_30_or_180_days_and_7_for_a_client_in_testing() {
    let emulator = emulator().await;
    let installed = client_secret(&emulator).await;
    let (_, testing) = register(&emulator, json!({"publishingStatus": "TESTING"})).await;
    let testing = testing["installed"].clone();
    let grant = |client: Value, extra: Vec<(&'static str, &'static str)>| async move {
        let (_, params) = consent(&client, &scope(SEARCH), &extra).await;
        let code = param(&params, "code").expect("code").to_owned();
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "http://127.0.0.1:9/callback"),
        ];
        token_request(&client, &form).await.1
    };
    let time_based = ("emulator_access_type", "time-based");
    let days = |tokens: &Value| tokens["refresh_token_expires_in"].as_u64().map(|s| s / 86_400);

    assert_eq!(
        days(&grant(installed.clone(), vec![time_based]).await),
        Some(30),
        "the default"
    );
    let long = grant(installed.clone(), vec![time_based, ("emulator_time_based_days", "180")]).await;
    assert_eq!(days(&long), Some(180));
    let (status, _, page) = authorize(
        &emulator,
        &[
            ("client_id", installed["client_id"].as_str().expect("id")),
            ("redirect_uri", "http://127.0.0.1:9/callback"),
            ("response_type", "code"),
            ("scope", &scope(SEARCH)),
            ("emulator_time_based_days", "90"),
        ],
    )
    .await;
    assert!(status == 400 && page.contains("30 or 180"), "{page}");
    // In Testing status, every grant ends after 7 days, one-time ones too.
    let short = grant(testing.clone(), vec![time_based, ("emulator_time_based_days", "180")]).await;
    assert_eq!(days(&short), Some(7));
    let one_time = grant(testing.clone(), vec![]).await;
    assert_eq!(days(&one_time), Some(7));
    let refresh = long["refresh_token"].as_str().expect("refresh").to_owned();
    let short_refresh = short["refresh_token"].as_str().expect("refresh").to_owned();
    emulator.advance_clock(Duration::from_secs(7 * 86_400));
    let (status, answer) = token_request(
        &testing,
        &[("grant_type", "refresh_token"), ("refresh_token", &short_refresh)],
    )
    .await;
    assert_eq!((status, answer["error"].as_str()), (400, Some("invalid_grant")));
    emulator.advance_clock(Duration::from_secs(170 * 86_400));
    let (status, answer) = token_request(
        &installed,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, 200, "177 days into a 180-day grant: {answer}");
    let left = answer["refresh_token_expires_in"].as_u64().unwrap_or_default();
    assert!(
        (3 * 86_400 - 3600..=3 * 86_400).contains(&left),
        "three days left: {left}"
    );
}
