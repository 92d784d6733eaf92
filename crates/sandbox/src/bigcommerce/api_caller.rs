/// Who is calling the store's REST/GraphQL API. The API's auth layer resolves it from the
/// `X-Auth-Token` header and puts it into the request's extensions, so every handler (and
/// the hooks API in `webhooks`) knows the store and the app (client id) it acts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiCaller {
    pub store_hash: String,
    pub client_id: String,
    /// Granted OAuth scopes, e.g. `store_v2_orders`.
    pub scopes: Vec<String>,
}

impl ApiCaller {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}
