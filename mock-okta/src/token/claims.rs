//! The claims of Okta's tokens (docs/reference/okta.md §2.2–2.3), built in layers:
//! Okta's own claims → the server's claim rules (profile attributes, filtered groups, static
//! values) → configured overrides (server, client, user). The token endpoint then applies a
//! test's fault overrides to the tokens it serves.
//! A `null` override removes a claim.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Map, Value, json};

use crate::config::{Claims, ClientConfig, TokenKind, UserConfig};
use crate::org::{AuthServer, OktaState};
use crate::random::random_id;

/// Who a token is for and what was granted.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Grant<'a> {
    pub server: &'a AuthServer,
    pub client: &'a ClientConfig,
    pub user: Option<&'a UserConfig>,
    pub scopes: &'a [String],
    pub auth_time: i64,
    pub nonce: Option<&'a str>,
}

impl Grant<'_> {
    fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// An access token's claims as a custom server issues them (docs/reference/okta.md §2.3).
pub(crate) fn access_token(g: &Grant, now: i64) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("ver".into(), json!(1));
    claims.insert("jti".into(), json!(format!("AT.{}", random_id(43))));
    claims.insert("iss".into(), json!(g.server.issuer));
    claims.insert("aud".into(), json!(g.server.audience));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + g.server.config.access_token_lifetime_secs));
    claims.insert("cid".into(), json!(g.client.client_id));
    if let Some(user) = g.user {
        claims.insert("uid".into(), json!(user.id));
    }
    claims.insert("scp".into(), json!(g.scopes));
    if g.user.is_some() {
        claims.insert("auth_time".into(), json!(g.auth_time));
    }
    // Okta's default sub: `(appuser != null) ? appuser.userName : app.clientId`.
    claims.insert("sub".into(), json!(g.user.map_or(&g.client.client_id, |u| &u.login)));
    finish(g, TokenKind::Access, claims)
}

/// An ID token's claims (docs/reference/okta.md §2.2): `aud` is the client id, a string; `sub` the user id.
pub(crate) fn id_token(
    state: &OktaState,
    g: &Grant,
    user: &UserConfig,
    access_token: Option<&str>,
    now: i64,
) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.id));
    if g.has("profile") {
        claims.insert("name".into(), json!(user.name));
    }
    if g.has("email") {
        claims.insert("email".into(), json!(user.email()));
        claims.insert("email_verified".into(), json!(true));
    }
    claims.insert("ver".into(), json!(1));
    claims.insert("iss".into(), json!(g.server.issuer));
    claims.insert("aud".into(), json!(g.client.client_id));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + g.server.config.id_token_lifetime_secs));
    claims.insert("jti".into(), json!(format!("ID.{}", random_id(43))));
    claims.insert("amr".into(), json!(["pwd"]));
    claims.insert("idp".into(), json!(state.org_id));
    if let Some(nonce) = g.nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    if g.has("profile") {
        claims.insert("preferred_username".into(), json!(user.login));
    }
    claims.insert("auth_time".into(), json!(g.auth_time));
    if let Some(access_token) = access_token {
        claims.insert("at_hash".into(), json!(at_hash(access_token)));
    }
    finish(&Grant { user: Some(user), ..*g }, TokenKind::Id, claims)
}

/// The `/v1/userinfo` answer for a user and granted scopes.
pub(crate) fn userinfo(user: &UserConfig, scopes: &[String]) -> Value {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.id));
    if has("profile") {
        claims.insert("name".into(), json!(user.name));
        claims.insert("preferred_username".into(), json!(user.login));
    }
    if has("email") {
        claims.insert("email".into(), json!(user.email()));
        claims.insert("email_verified".into(), json!(true));
    }
    Value::Object(claims)
}

fn finish(g: &Grant, kind: TokenKind, mut claims: Map<String, Value>) -> Map<String, Value> {
    for rule in g.server.claim_rules.iter().filter(|r| r.rule.token == kind) {
        if let Some(value) = rule.evaluate(g.user) {
            claims.insert(rule.rule.name.clone(), value);
        }
    }
    fn pick<'c>(kind: TokenKind, access: &'c Claims, id: &'c Claims) -> &'c Claims {
        if kind == TokenKind::Access { access } else { id }
    }
    let config = &g.server.config;
    apply(&mut claims, pick(kind, &config.access_token_claims, &config.id_token_claims));
    apply(&mut claims, pick(kind, &g.client.access_token_claims, &g.client.id_token_claims));
    if let Some(user) = g.user {
        apply(&mut claims, pick(kind, &user.access_token_claims, &user.id_token_claims));
    }
    claims
}

/// Merges overrides into `claims`; a `null` override removes the claim.
pub(crate) fn apply(claims: &mut Map<String, Value>, overrides: &Claims) {
    for (name, value) in overrides {
        if value.is_null() {
            claims.remove(name);
        } else {
            claims.insert(name.clone(), value.clone());
        }
    }
}

/// OIDC Core §3.1.3.6: base64url of the left half of SHA-256 of the access token.
pub(crate) fn at_hash(access_token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
    B64.encode(&digest.as_ref()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_overrides_remove_claims_and_values_replace_them() {
        let mut claims = Map::new();
        claims.insert("aud".into(), json!("api://default"));
        claims.insert("sub".into(), json!("alice"));
        let overrides: Claims =
            serde_json::from_value(json!({"aud": null, "sub": "bob", "azp": "x"})).unwrap();
        apply(&mut claims, &overrides);
        assert_eq!(Value::Object(claims), json!({"sub": "bob", "azp": "x"}));
    }

    #[test]
    fn at_hash_matches_the_oidc_core_example() {
        // The access token and at_hash from OpenID Connect Core 1.0, Appendix A.3/A.4.
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn profile_values_come_from_fields_or_custom_attributes() {
        let mut user = UserConfig::default();
        user.profile.insert("department".into(), json!("finance"));
        assert_eq!(
            user.profile_value("email"),
            Some(json!("alice@example.com")),
            "email defaults to login"
        );
        assert_eq!(user.profile_value("department"), Some(json!("finance")));
        assert_eq!(user.profile_value("missing"), None);
    }
}
