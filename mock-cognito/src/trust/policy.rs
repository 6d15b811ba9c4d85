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
        // Keys are nearly always written in lower case already: no Unicode case mapping then.
        let name = if name.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
            name.to_lowercase()
        } else {
            name.to_owned()
        };
        self.keys.insert(name, values.into_iter().map(Into::into).collect());
        self
    }
}

/// Whether `policy` lets `request` assume the role.
pub fn allows(policy: &Value, request: &Request) -> bool {
    let statements = match policy.get("Statement") {
        Some(Value::Array(items)) => items.as_slice(),
        Some(single @ Value::Object(_)) => std::slice::from_ref(single),
        _ => &[],
    };
    // An explicit Deny wins over any Allow; nothing allowed is denied.
    let (mut allowed, mut denied) = (false, false);
    for statement in statements.iter().filter(|s| applies(s, request)) {
        match statement.get("Effect").and_then(Value::as_str) {
            Some("Allow") => allowed = true,
            Some("Deny") => denied = true,
            _ => {}
        }
    }
    allowed && !denied
}

fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The strings of a value that is a string or a list, without collecting them.
fn each_string(value: Option<&Value>) -> impl Iterator<Item = &str> {
    let items = match value {
        Some(Value::Array(items)) => items.as_slice(),
        Some(one @ Value::String(_)) => std::slice::from_ref(one),
        _ => &[],
    };
    items.iter().filter_map(Value::as_str)
}

fn applies(statement: &Value, request: &Request) -> bool {
    let federated = statement.get("Principal").and_then(|p| p.get("Federated"));
    each_string(federated).any(|f| f == request.federated)
        && each_string(statement.get("Action"))
            .any(|a| action_like(a, ASSUME_ROLE_WITH_WEB_IDENTITY))
        && conditions_hold(statement.get("Condition"), request)
}

/// `like`, ignoring case, as IAM compares action names.
fn action_like(pattern: &str, action: &str) -> bool {
    if pattern.is_ascii() && action.is_ascii() {
        wildcard(pattern.as_bytes(), action.as_bytes(), u8::eq_ignore_ascii_case)
    } else {
        like(&pattern.to_lowercase(), &action.to_lowercase())
    }
}

/// The request's values for a condition key (keys compare case-insensitively).
fn values<'r>(request: &'r Request, key: &str) -> &'r [String] {
    let found = if key.is_ascii() {
        request.keys.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
    } else {
        request.keys.get(&key.to_lowercase())
    };
    found.map(Vec::as_slice).unwrap_or_default()
}

fn conditions_hold(conditions: Option<&Value>, request: &Request) -> bool {
    let Some(Value::Object(operators)) = conditions else { return true };
    operators.iter().all(|(operator, keys)| {
        let Value::Object(keys) = keys else { return false };
        keys.iter().all(|(key, expected)| {
            evaluate(operator, values(request, key), &strings(Some(expected)))
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

/// IAM's `*`/`?` wildcard match in at most (pattern length × value length) steps, without
/// recursion (see [`wildcard`]). Bytes when both sides are ASCII, as they nearly always are;
/// characters otherwise, so `?` stands for one character, not one byte.
fn like(pattern: &str, value: &str) -> bool {
    if pattern.is_ascii() && value.is_ascii() {
        wildcard(pattern.as_bytes(), value.as_bytes(), |a, b| a == b)
    } else {
        let (p, v): (Vec<char>, Vec<char>) = (pattern.chars().collect(), value.chars().collect());
        wildcard(&p, &v, |a, b| a == b)
    }
}

/// The classic two pointers, going back only to just after the last `*` (a recursive matcher
/// took seconds on `*a*a*a*a*a*a*a*a*a*a*b` against a `sub` of 36 `a`s, and never ended on
/// longer ones; both come from the request).
fn wildcard<T: Copy + From<u8> + PartialEq>(
    p: &[T],
    v: &[T],
    same: impl Fn(&T, &T) -> bool,
) -> bool {
    let (any_run, any_one) = (T::from(b'*'), T::from(b'?'));
    let (mut i, mut j) = (0, 0);
    // Where the last `*` was, and the value position it has swallowed up to.
    let mut star: Option<(usize, usize)> = None;
    while let Some(c) = v.get(j) {
        match p.get(i) {
            Some(&s) if s == any_run => {
                star = Some((i, j));
                i += 1;
            }
            Some(s) if *s == any_one || same(s, c) => {
                i += 1;
                j += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and try again after it.
                Some((at, swallowed)) => {
                    star = Some((at, swallowed + 1));
                    i = at + 1;
                    j = swallowed + 1;
                }
                None => return false,
            },
        }
    }
    p.get(i..).unwrap_or_default().iter().all(|c| *c == any_run)
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
    fn string_like_matches_as_iam_does() {
        for (pattern, value, expected) in [
            ("*", "", true),
            ("*", "anything", true),
            ("", "", true),
            ("", "a", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*@example.com", "alice@example.com", true),
            ("*@example.com", "alice@example.org", false),
            ("00u*", "00uabc", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("*a*a*b", "aaab", true),
            ("**", "x", true),
            ("é?", "éü", true),
        ] {
            assert_eq!(like(pattern, value), expected, "{pattern:?} vs {value:?}");
        }
    }

    #[test]
    fn string_like_is_linear_on_hostile_patterns() {
        // Exponential for a backtracking matcher: this would not end (issue 15, item 1).
        let pattern = format!("{}b", "*a".repeat(50));
        let value = "a".repeat(5000);
        assert!(!like(&pattern, &value));
        assert!(like(&format!("{}*", "*a".repeat(50)), &value));
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

    #[test]
    fn actions_and_condition_keys_ignore_case_values_do_not() {
        for action in [
            "STS:assumerolewithwebidentity",
            "sts:AssumeRole*",
            "*",
            "sts:Assume?oleWithWebIdentity",
        ] {
            assert!(action_like(action, ASSUME_ROLE_WITH_WEB_IDENTITY), "{action}");
        }
        for action in ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "iam:*", "stš:*"] {
            assert!(!action_like(action, ASSUME_ROLE_WITH_WEB_IDENTITY), "{action}");
        }
        let request = cognito(POOL, &["authenticated"]);
        assert_eq!(values(&request, "Cognito-Identity.AmazonAWS.com:AUD"), [POOL.to_owned()]);
        assert!(values(&request, "cognito-identity.amazonaws.com:sub").is_empty());
        let mut policy = cognito_trust();
        policy["Statement"][0]["Condition"]["StringEquals"] =
            json!({"COGNITO-IDENTITY.amazonaws.com:aud": POOL.to_uppercase()});
        assert!(!allows(&policy, &request), "values are compared as they are");
    }
}
