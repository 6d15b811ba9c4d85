//! IAM trust-policy evaluation for `sts:AssumeRoleWithWebIdentity`, as STS does it for a
//! role's `AssumeRolePolicyDocument` (docs/reference/cognito.md §3.2–3.3):
//!
//! - a statement applies when its `Principal.Federated` names the caller's provider (the IAM
//!   OIDC provider ARN, or `cognito-identity.amazonaws.com`) and its `Action` covers
//!   `sts:AssumeRoleWithWebIdentity` (wildcards allowed);
//! - every condition of the statement must hold: `StringEquals`, `StringNotEquals`,
//!   `StringLike`, `StringNotLike` (`*` and `?` wildcards), with the `ForAnyValue:` and
//!   `ForAllValues:` set qualifiers for multi-valued keys such as `…:amr`;
//! - an applicable `Deny` wins over any `Allow`; with no applicable `Allow` the answer is no.
//!
//! Keys are compared case-insensitively, values case-sensitively, as in IAM.

use std::collections::BTreeMap;

use serde_json::Value;

/// The action web-identity federation asks for.
pub const ASSUME_ROLE_WITH_WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";

/// What a request brings to the policy: who federates and the condition keys' values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// `Principal.Federated` to match: a provider ARN or `cognito-identity.amazonaws.com`.
    pub federated: String,
    /// Condition keys (lower-cased) and their values; `amr` has several.
    pub keys: BTreeMap<String, Vec<String>>,
}

impl Request {
    /// A request federated by `federated`.
    pub fn new(federated: impl Into<String>) -> Self {
        Self { federated: federated.into(), keys: BTreeMap::new() }
    }

    /// Adds a condition key's values.
    pub fn key(mut self, name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.keys.insert(name.to_lowercase(), values.into_iter().map(Into::into).collect());
        self
    }
}

/// Whether `policy` lets `request` assume the role.
pub fn allows(policy: &Value, request: &Request) -> bool {
    let statements = match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    };
    let applicable: Vec<&Value> = statements.into_iter().filter(|s| applies(s, request)).collect();
    let effect =
        |s: &&Value| s.get("Effect").and_then(Value::as_str).unwrap_or_default().to_owned();
    !applicable.iter().any(|s| effect(s) == "Deny")
        && applicable.iter().any(|s| effect(s) == "Allow")
}

fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn applies(statement: &Value, request: &Request) -> bool {
    let federated = strings(statement.get("Principal").and_then(|p| p.get("Federated")));
    let actions = strings(statement.get("Action"));
    federated.contains(&request.federated.as_str())
        && actions
            .iter()
            .any(|a| like(&a.to_lowercase(), &ASSUME_ROLE_WITH_WEB_IDENTITY.to_lowercase()))
        && conditions_hold(statement.get("Condition"), request)
}

fn conditions_hold(conditions: Option<&Value>, request: &Request) -> bool {
    let Some(Value::Object(operators)) = conditions else { return true };
    operators.iter().all(|(operator, keys)| {
        let Value::Object(keys) = keys else { return false };
        keys.iter().all(|(key, expected)| {
            let actual =
                request.keys.get(&key.to_lowercase()).map(Vec::as_slice).unwrap_or_default();
            evaluate(operator, actual, &strings(Some(expected)))
        })
    })
}

/// One condition: `actual` are the request's values for the key, `expected` the policy's.
fn evaluate(operator: &str, actual: &[String], expected: &[&str]) -> bool {
    let (qualifier, base) = match operator.split_once(':') {
        Some((q, b)) => (Some(q), b),
        None => (None, operator),
    };
    let matches = |value: &str| -> bool {
        match base {
            "StringEquals" => expected.contains(&value),
            "StringNotEquals" => !expected.contains(&value),
            "StringLike" => expected.iter().any(|pattern| like(pattern, value)),
            "StringNotLike" => !expected.iter().any(|pattern| like(pattern, value)),
            // Operators fedmock does not model never hold: refusing is the safe answer.
            _ => false,
        }
    };
    match qualifier {
        Some("ForAnyValue") => actual.iter().any(|v| matches(v)),
        Some("ForAllValues") => actual.iter().all(|v| matches(v)),
        Some(_) => false,
        // A single-valued operator on a missing key fails (except the negated ones, which
        // IAM treats as matching an absent key).
        None => match actual.first() {
            Some(value) => matches(value),
            None => base.contains("Not"),
        },
    }
}

/// IAM's `*`/`?` wildcard match.
fn like(pattern: &str, value: &str) -> bool {
    fn go(p: &[char], v: &[char]) -> bool {
        match (p.first(), v.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], v) || (!v.is_empty() && go(p, &v[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &v[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &v[1..]),
            _ => false,
        }
    }
    let (p, v): (Vec<char>, Vec<char>) = (pattern.chars().collect(), value.chars().collect());
    go(&p, &v)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const POOL: &str = "us-east-1:4b9a3c52-6f1e-4d8a-9c27-0fed0c000001";

    fn cognito_trust() -> Value {
        json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"cognito-identity.amazonaws.com:aud": POOL},
                "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}
            }
        }]})
    }

    fn cognito(aud: &str, amr: &[&str]) -> Request {
        Request::new("cognito-identity.amazonaws.com")
            .key("cognito-identity.amazonaws.com:aud", [aud])
            .key("cognito-identity.amazonaws.com:amr", amr.iter().copied())
    }

    #[test]
    fn the_documented_cognito_trust_policy_admits_only_its_pool_and_authenticated_users() {
        let policy = cognito_trust();
        assert!(allows(&policy, &cognito(POOL, &["authenticated", "login.example.com"])));
        assert!(!allows(
            &policy,
            &cognito("us-east-1:00000000-0000-0000-0000-000000000000", &["authenticated"])
        ));
        assert!(!allows(&policy, &cognito(POOL, &["unauthenticated"])));
        let oidc = Request::new("arn:aws:iam::123456789012:oidc-provider/x")
            .key("cognito-identity.amazonaws.com:aud", [POOL]);
        assert!(!allows(&policy, &oidc), "another principal");
    }

    #[test]
    fn deny_wins_and_no_allow_means_no() {
        let mut policy = cognito_trust();
        policy["Statement"].as_array_mut().unwrap().push(json!({
            "Effect": "Deny", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:*"
        }));
        assert!(!allows(&policy, &cognito(POOL, &["authenticated"])));
        assert!(!allows(&json!({"Statement": []}), &cognito(POOL, &["authenticated"])));
    }

    #[test]
    fn oidc_provider_conditions_on_aud_and_sub_with_wildcards() {
        let provider = "arn:aws:iam::123456789012:oidc-provider/dev-1.okta.com/oauth2/default";
        let policy = json!({"Statement": {
            "Effect": "Allow",
            "Principal": {"Federated": [provider]},
            "Action": ["sts:AssumeRoleWithWebIdentity"],
            "Condition": {
                "StringEquals": {"dev-1.okta.com/oauth2/default:aud": "api://default"},
                "StringLike": {"dev-1.okta.com/oauth2/default:sub": "*@example.com"}
            }
        }});
        let request = |aud: &str, sub: &str| {
            Request::new(provider)
                .key("dev-1.okta.com/oauth2/default:aud", [aud])
                .key("dev-1.okta.com/oauth2/default:sub", [sub])
        };
        assert!(allows(&policy, &request("api://default", "alice@example.com")));
        assert!(!allows(&policy, &request("api://default", "alice@example.org")));
        assert!(!allows(&policy, &request("0oaclient", "alice@example.com")));
        assert!(!allows(&policy, &Request::new(provider)), "absent keys fail StringEquals");
    }

    #[test]
    fn wildcards_follow_iam() {
        assert!(like("a*c", "abbbc") && like("a?c", "abc") && like("*", ""));
        assert!(!like("a?c", "ac") && !like("abc", "abcd"));
    }
}
