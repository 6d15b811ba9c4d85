//! Client authentication at `/v1/token`, `/v1/introspect` and `/v1/revoke` (docs/reference/okta.md §1.4).
//!
//! A client is registered for exactly one method and must use it: `client_secret_basic`,
//! `client_secret_post`, `private_key_jwt` (an RS256 assertion checked against the client's
//! JWKS: `iss` = `sub` = client id, `aud` = the endpoint, `exp` within the hour, `jti`
//! single-use) or `none` (public clients). Descriptions are Okta's; where Okta's text for a
//! case is not published the comment says so.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD as B64};
use serde::Deserialize;
use serde_json::Value;

use crate::config::{ClientAuthMethod, ClientConfig};
use crate::error::OAuthError;
use crate::org::OktaState;

/// The `client_assertion_type` of a JWT client assertion (RFC 7523).
pub const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Client credentials as presented in a request: header and form fields.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PresentedClient {
    /// `client_id` form field.
    pub client_id: Option<String>,
    /// `client_secret` form field.
    pub client_secret: Option<String>,
    /// `client_assertion_type` form field.
    pub client_assertion_type: Option<String>,
    /// `client_assertion` form field.
    pub client_assertion: Option<String>,
    /// From the `Authorization: Basic` header (not a form field).
    #[serde(skip)]
    pub basic: Option<BasicAuth>,
}

/// A request form with client credentials in it (token, introspect and revoke forms).
pub trait CarriesClient: serde::de::DeserializeOwned {
    /// The credentials part of the form.
    fn client(&mut self) -> &mut PresentedClient;
}

impl CarriesClient for super::issue::TokenForm {
    fn client(&mut self) -> &mut PresentedClient {
        &mut self.client
    }
}

impl CarriesClient for super::inspect::TokenInspectForm {
    fn client(&mut self) -> &mut PresentedClient {
        &mut self.client
    }
}

/// Client credentials from an `Authorization: Basic` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicAuth {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
}

impl BasicAuth {
    /// Parses `Basic base64(id:secret)`. `None` for anything else.
    pub fn parse(header: &str) -> Option<Self> {
        let (scheme, encoded) = header.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        Some(Self { client_id: id.to_owned(), client_secret: secret.to_owned() })
    }
}

fn generic_failure() -> OAuthError {
    OAuthError::invalid_client(
        "Client authentication failed. Either the client or the client credentials are invalid.",
    )
}

/// Authenticates the client of a request to `endpoint` (the full URL, for assertions).
pub fn authenticate<'s>(
    state: &'s OktaState,
    endpoint: &str,
    presented: &PresentedClient,
) -> Result<&'s ClientConfig, OAuthError> {
    let assertion = presented.client_assertion.as_deref();
    let credentials =
        [presented.basic.is_some(), presented.client_secret.is_some(), assertion.is_some()];
    if credentials.iter().filter(|c| **c).count() > 1 {
        return Err(OAuthError::invalid_request(
            "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body.",
        ));
    }
    let (client_id, method) = if let Some(basic) = &presented.basic {
        (basic.client_id.clone(), ClientAuthMethod::ClientSecretBasic)
    } else if let Some(jwt) = assertion {
        let id = presented
            .client_id
            .clone()
            .or_else(|| assertion_subject(jwt))
            .ok_or_else(generic_failure)?;
        (id, ClientAuthMethod::PrivateKeyJwt)
    } else if presented.client_secret.is_some() {
        let id = presented
            .client_id
            .clone()
            .ok_or_else(|| OAuthError::invalid_client("No client credentials found."))?;
        (id, ClientAuthMethod::ClientSecretPost)
    } else if let Some(id) = &presented.client_id {
        (id.clone(), ClientAuthMethod::None)
    } else {
        return Err(OAuthError::invalid_client("No client credentials found."));
    };
    let client = state
        .client(&client_id)
        .ok_or_else(|| OAuthError::invalid_client("Invalid value for 'client_id' parameter."))?;
    if method != client.token_endpoint_auth_method {
        // Okta refuses a method the client is not registered for; its exact description for
        // this case is not published, so this is its generic client-auth text (inferred).
        return Err(generic_failure());
    }
    match method {
        ClientAuthMethod::ClientSecretBasic | ClientAuthMethod::ClientSecretPost => {
            let secret = presented
                .basic
                .as_ref()
                .map(|b| &b.client_secret)
                .or(presented.client_secret.as_ref());
            // Compared in constant time (aws-lc-rs), so the time taken says nothing about how
            // much of a guess was right (issue 15).
            let matches = secret.is_some_and(|s| {
                aws_lc_rs::constant_time::verify_slices_are_equal(
                    s.as_bytes(),
                    client.client_secret.as_bytes(),
                )
                .is_ok()
            });
            if !matches {
                return Err(OAuthError::invalid_client(
                    "The client secret supplied for a confidential client is invalid.",
                ));
            }
        }
        ClientAuthMethod::PrivateKeyJwt => {
            if presented.client_assertion_type.as_deref() != Some(JWT_BEARER_ASSERTION) {
                // Text inferred: Okta names the expected assertion type.
                return Err(OAuthError::invalid_client(format!(
                    "The client_assertion_type must be '{JWT_BEARER_ASSERTION}'."
                )));
            }
            let Some(assertion) = assertion else {
                return Err(generic_failure());
            };
            verify_assertion(state, client, endpoint, assertion)?;
        }
        ClientAuthMethod::None => {}
    }
    Ok(client)
}

fn decode_part(part: &str) -> Option<Value> {
    serde_json::from_slice(&B64.decode(part).ok()?).ok()
}

fn assertion_subject(jwt: &str) -> Option<String> {
    let claims = decode_part(jwt.split('.').nth(1)?)?;
    claims.get("sub").and_then(Value::as_str).map(str::to_owned)
}

fn verify_assertion(
    state: &OktaState,
    client: &ClientConfig,
    endpoint: &str,
    jwt: &str,
) -> Result<(), OAuthError> {
    let invalid_signature =
        || OAuthError::invalid_client("The client_assertion signature is invalid.");
    let mut parts = jwt.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid_signature());
    };
    let header = decode_part(header).ok_or_else(invalid_signature)?;
    let claims = decode_part(claims).ok_or_else(invalid_signature)?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(invalid_signature());
    }
    let kid = header.get("kid").and_then(Value::as_str);
    let keys = client
        .jwks
        .as_ref()
        .and_then(|j| j.get("keys"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let signature = B64.decode(signature).map_err(|_| invalid_signature())?;
    let message = jwt.rsplit_once('.').map_or(jwt, |(signed, _)| signed);
    let verified = keys
        .iter()
        .filter(|k| kid.is_none() || k.get("kid").and_then(Value::as_str) == kid)
        .any(|k| {
            let component =
                |name: &str| k.get(name).and_then(Value::as_str).and_then(|v| B64.decode(v).ok());
            let (Some(n), Some(e)) = (component("n"), component("e")) else { return false };
            aws_lc_rs::signature::RsaPublicKeyComponents { n, e }
                .verify(
                    &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                    message.as_bytes(),
                    &signature,
                )
                .is_ok()
        });
    if !verified {
        return Err(invalid_signature());
    }
    let id = client.client_id.as_str();
    let claim = |name: &str| claims.get(name).and_then(Value::as_str);
    if claim("iss") != Some(id) || claim("sub") != Some(id) {
        return Err(generic_failure());
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == endpoint,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(endpoint)),
        _ => false,
    };
    if !audience_ok {
        return Err(OAuthError::invalid_client(
            "The audience claim for client_assertion must be the endpoint invoked for the request.",
        ));
    }
    let now = state.clock.now();
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(|| OAuthError::invalid_client("The client_assertion token is expired."))?;
    if exp <= now {
        return Err(OAuthError::invalid_client("The client_assertion token is expired."));
    }
    if exp > now + 3600 {
        // Okta: `exp` at most one hour ahead; this description is inferred.
        return Err(OAuthError::invalid_client(
            "The client_assertion token has an expiration too far into the future.",
        ));
    }
    if let Some(jti) = claim("jti")
        && !state.grants.first_use_of_assertion(jti)
    {
        return Err(OAuthError::invalid_client(
            "The client_assertion token has already been used.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_parses_only_basic_credentials() {
        let header = format!("Basic {}", STANDARD.encode("0oa1:s3cr:et"));
        assert_eq!(
            BasicAuth::parse(&header),
            Some(BasicAuth { client_id: "0oa1".into(), client_secret: "s3cr:et".into() })
        );
        assert_eq!(BasicAuth::parse("Bearer abc"), None);
        assert_eq!(BasicAuth::parse("Basic !!!"), None);
        assert_eq!(BasicAuth::parse(&format!("Basic {}", STANDARD.encode("no-colon"))), None);
    }
}
