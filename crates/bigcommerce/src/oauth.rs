//! Single-click app OAuth (platform spec §2.2–2.3): the auth callback's query and the code
//! exchange at `POST {login_base}/oauth2/token`.

use std::fmt;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::client::{BigCommerce, Call, InvalidStoreHash, StoreHash, to_body};
use crate::de;
use crate::error::{Error, Result};

/// The app's own credentials from the Developer Portal.
#[derive(Clone)]
pub struct AppCredentials {
    pub client_id: String,
    pub client_secret: SecretString,
}

impl fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

/// Query of `GET {auth_callback}?account_uuid=…&code=…&context=stores%2F…&scope=…`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct AuthCallback {
    pub code: String,
    /// Space-separated granted scopes.
    pub scope: String,
    /// `stores/{hash}`.
    pub context: String,
    #[serde(default)]
    pub account_uuid: Option<String>,
}

impl fmt::Debug for AuthCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthCallback")
            .field("code", &"[redacted]")
            .field("scope", &self.scope)
            .field("context", &self.context)
            .field("account_uuid", &self.account_uuid)
            .finish()
    }
}

impl AuthCallback {
    pub fn store_hash(&self) -> std::result::Result<StoreHash, InvalidStoreHash> {
        StoreHash::from_context(&self.context)
    }

    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_whitespace()
    }
}

/// The body of the token request, as BigCommerce documents it.
#[derive(Serialize)]
struct TokenRequest<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    code: &'a str,
    context: &'a str,
    scope: &'a str,
    grant_type: &'a str,
    redirect_uri: &'a str,
}

/// Answer of the code exchange. The token does not expire by time; it is replaced when the
/// app's scopes or the store owner's e-mail change.
#[derive(Clone, Deserialize)]
pub struct TokenResponse {
    pub access_token: SecretString,
    pub scope: String,
    pub user: OAuthUser,
    #[serde(default)]
    pub owner: Option<OAuthUser>,
    /// `stores/{hash}`.
    pub context: String,
    #[serde(default)]
    pub account_uuid: Option<String>,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field("scope", &self.scope)
            .field("user", &self.user)
            .field("owner", &self.owner)
            .field("context", &self.context)
            .field("account_uuid", &self.account_uuid)
            .finish()
    }
}

impl TokenResponse {
    pub fn store_hash(&self) -> std::result::Result<StoreHash, InvalidStoreHash> {
        StoreHash::from_context(&self.context)
    }

    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split_whitespace()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OAuthUser {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub username: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub email: String,
}

impl BigCommerce {
    /// Exchanges an auth-callback code for the store's access token. `redirect_uri` must be
    /// the auth callback URL registered in the app profile.
    pub async fn exchange_code(
        &self,
        credentials: &AppCredentials,
        callback: &AuthCallback,
        redirect_uri: &str,
    ) -> Result<TokenResponse> {
        let body = to_body(&TokenRequest {
            client_id: &credentials.client_id,
            client_secret: credentials.client_secret.expose_secret(),
            code: &callback.code,
            context: &callback.context,
            scope: &callback.scope,
            grant_type: "authorization_code",
            redirect_uri,
        })?;
        let answer = self
            .execute(Call {
                method: Method::POST,
                url: self.login_url(&["oauth2", "token"])?,
                query: Vec::new(),
                body: Some(body),
                token: None,
                store: None,
            })
            .await?;
        let token: TokenResponse = answer.json()?;
        if token.access_token.expose_secret().is_empty() {
            return Err(Error::decode(&answer.endpoint, "empty access_token"));
        }
        Ok(token)
    }
}
