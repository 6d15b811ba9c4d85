//! IAM OpenID Connect providers: the issuers an account trusts, named by their URL without the
//! scheme (the `Logins` key and the ARN's suffix).

/// An IAM OIDC provider of the account (or a public or user-pool provider a pool trusts,
/// described the same way for the token checks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    /// The URL as registered, e.g. `https://dev-1.okta.com/oauth2/default`.
    pub url: String,
    /// The URL without its scheme: the `Logins` key and the ARN suffix.
    pub name: String,
    /// `arn:aws:iam::<account>:oidc-provider/<name>`.
    pub arn: String,
    /// `ClientIDList`.
    pub client_ids: Vec<String>,
    /// `ThumbprintList` (stored; TLS is checked against trusted roots, as IAM does today).
    pub thumbprints: Vec<String>,
    /// Epoch seconds.
    pub created: i64,
}

impl Provider {
    /// A provider named by `url` (its name and ARN derived) accepting `client_ids`.
    pub fn new(account_id: &str, url: &str, client_ids: Vec<String>) -> Self {
        let name = strip_scheme(url).to_owned();
        Self {
            url: url.to_owned(),
            arn: format!("arn:aws:iam::{account_id}:oidc-provider/{name}"),
            name,
            client_ids,
            thumbprints: Vec::new(),
            created: 0,
        }
    }
}

/// `https://host/path` → `host/path` (also for `http://`, so local issuers work the same).
pub fn strip_scheme(url: &str) -> &str {
    url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_scheme_removes_only_a_leading_scheme() {
        assert_eq!(
            strip_scheme("https://dev-1.okta.com/oauth2/default"),
            "dev-1.okta.com/oauth2/default"
        );
        assert_eq!(strip_scheme("http://127.0.0.1:80/x"), "127.0.0.1:80/x");
        assert_eq!(strip_scheme("dev-1.okta.com"), "dev-1.okta.com");
    }

    #[test]
    fn a_provider_is_named_by_its_url_without_the_scheme() {
        let p = Provider::new("123456789012", "https://dev-1.okta.com/oauth2/default", vec![]);
        assert_eq!(p.name, "dev-1.okta.com/oauth2/default");
        assert_eq!(p.arn, "arn:aws:iam::123456789012:oidc-provider/dev-1.okta.com/oauth2/default");
    }
}
