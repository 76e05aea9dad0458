//! Where the access token comes from: `--token` / `DATAPORTABILITY_TOKEN`, or the OAuth
//! installed-app flow with `--client-secret` ([`crate::oauth`], tokens cached on disk).
//!
//! The installed-app flow takes its endpoints from the client secret file (`auth_uri`,
//! `token_uri`), so a file that points at the emulator's OAuth server runs the whole flow
//! locally. Its tokens refresh: after a 401 (an access token lives an hour), the client asks
//! for a fresh token, once, and retries; one refresh serves every group of the run.

use std::path::PathBuf;
use std::sync::Arc;

use dataportability_v1::{Scope, StaticToken, TokenSource};

use crate::args::Global;
use crate::failure::Failure;
use crate::oauth::InstalledFlow;

/// A token source for the given scopes, from the command line's credentials.
pub async fn token_source(global: &Global, scopes: &[Scope]) -> Result<Arc<dyn TokenSource>, Failure> {
    if let Some(secret) = &global.client_secret {
        let cache = match &global.token_cache {
            Some(path) => path.clone(),
            None => default_token_cache()?,
        };
        let scopes = scopes.iter().map(|s| s.as_str().to_owned()).collect();
        return Ok(Arc::new(InstalledFlow::new(secret, &cache, scopes)?));
    }
    match global.token.as_deref().map(str::trim) {
        Some(token) if !token.is_empty() => Ok(Arc::new(StaticToken::new(token))),
        _ => Err(Failure::auth(
            "no credentials: pass --token TOKEN, set DATAPORTABILITY_TOKEN, or use --client-secret FILE",
        )),
    }
}

/// `$XDG_CONFIG_HOME/dataportability/tokens.json`, else `~/.config/dataportability/tokens.json`
/// (`%APPDATA%\dataportability\tokens.json` on Windows).
pub fn default_token_cache() -> Result<PathBuf, Failure> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = if cfg!(windows) {
        var("APPDATA")
    } else {
        var("XDG_CONFIG_HOME").or_else(|| var("HOME").map(|home| home.join(".config")))
    };
    base.map(|base| base.join("dataportability").join("tokens.json"))
        .ok_or_else(|| Failure::auth("no home directory for the token cache: pass --token-cache FILE"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(token: Option<&str>, secret: Option<&str>) -> Global {
        Global {
            endpoint: None,
            token: token.map(Into::into),
            client_secret: secret.map(Into::into),
            token_cache: None,
            resources: Vec::new(),
        }
    }

    #[tokio::test]
    async fn a_token_is_used_as_given_and_none_is_an_auth_failure() {
        let source = token_source(&global(Some("ya29.x"), None), &[]).await.unwrap();
        assert_eq!(source.token().await.unwrap().secret(), "ya29.x");
        let failure = token_source(&global(Some("  "), None), &[]).await.err().unwrap();
        assert_eq!(failure.code, crate::failure::Code::Auth);
        assert!(failure.message.starts_with("no credentials"), "{}", failure.message);
    }

    #[tokio::test]
    async fn a_bad_client_secret_file_is_an_auth_failure_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret.json");
        std::fs::write(&secret, "{}").unwrap();
        let failure = token_source(&global(None, Some(secret.to_str().unwrap())), &[])
            .await
            .err()
            .unwrap();
        assert_eq!(failure.code, crate::failure::Code::Auth);
        assert!(
            failure.message.contains("secret.json: not an OAuth client secret file"),
            "{}",
            failure.message
        );
    }

    #[tokio::test]
    async fn a_client_secret_starts_the_installed_flow_with_a_private_token_cache() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("client_secret.json");
        std::fs::write(
            &secret,
            r#"{"installed": {"client_id": "id.apps.googleusercontent.com", "client_secret": "s",
                "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                "token_uri": "https://oauth2.googleapis.com/token", "redirect_uris": ["http://localhost"]}}"#,
        )
        .unwrap();
        let cache = dir.path().join("config").join("dataportability").join("tokens.json");
        let mut global = global(Some("ignored: the client secret takes precedence"), secret.to_str());
        global.token_cache = Some(cache.clone());

        // Building the flow needs no network; a token would (the browser consent).
        let source = token_source(&global, &[Scope::MyactivitySearch]).await.unwrap();
        let shown = format!("{source:?}");
        assert!(shown.contains("InstalledFlow"), "{shown}");
        assert!(
            shown.contains(r#"scopes: ["https://www.googleapis.com/auth/dataportability.myactivity.search"]"#),
            "the scopes are the groups': {shown}"
        );
        let parent = cache.parent().unwrap();
        assert!(parent.is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(parent).unwrap().permissions().mode() & 0o777, 0o700);
        }
    }

    #[test]
    fn the_token_cache_lives_in_the_config_directory() {
        match default_token_cache() {
            Ok(path) => assert!(path.ends_with("dataportability/tokens.json"), "{}", path.display()),
            Err(failure) => assert!(failure.message.contains("--token-cache"), "{}", failure.message),
        }
    }
}
