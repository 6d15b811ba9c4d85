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
//!
//! A role's policy is read once, when the role is made or its policy replaced
//! ([`TrustPolicy::new`]): each call then walks a few plain statements instead of looking names
//! up in the JSON document (GetCredentialsForIdentity evaluates one on every call).

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

/// The action web-identity federation asks for.
pub const ASSUME_ROLE_WITH_WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";

/// A role's trust policy: the document as written (IAM gives it back as it was sent), and its
/// statements that can apply to `sts:AssumeRoleWithWebIdentity`, read once.
#[derive(Clone, Debug, PartialEq)]
pub struct TrustPolicy {
    document: Value,
    statements: Vec<Statement>,
}

/// A statement whose `Action` covers the web-identity action and whose `Condition` is well
/// formed; any other statement never applies, so it is left out.
#[derive(Clone, Debug, PartialEq)]
struct Statement {
    /// `Allow` (true) or `Deny` (false); a statement with another `Effect` is left out.
    allow: bool,
    /// `Principal.Federated`.
    federated: Vec<String>,
    /// Every one must hold.
    conditions: Vec<Condition>,
}

/// One key of one condition operator.
#[derive(Clone, Debug, PartialEq)]
struct Condition {
    /// `ForAnyValue`, `ForAllValues`, none, or another (which never holds).
    qualifier: Qualifier,
    /// The operator without its qualifier.
    test: Test,
    /// The condition key, lower-cased (keys compare case-insensitively).
    key: String,
    /// The policy's values.
    expected: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Qualifier {
    Single,
    AnyValue,
    AllValues,
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Test {
    Equals,
    NotEquals,
    Like,
    NotLike,
    /// An operator fedmock does not model: it never holds (refusing is the safe answer), except
    /// on an absent key when its name says `Not`, as IAM's negated operators do.
    Unknown {
        negated: bool,
    },
}

impl TrustPolicy {
    /// Reads `document`'s statements. Any JSON is accepted, as IAM stores what it was sent: the
    /// parts that do not say who may assume the role by web identity never allow anything.
    pub fn new(document: Value) -> Self {
        let statements = match document.get("Statement") {
            Some(Value::Array(items)) => items.iter().filter_map(Statement::read).collect(),
            Some(single @ Value::Object(_)) => Statement::read(single).into_iter().collect(),
            _ => Vec::new(),
        };
        Self { document, statements }
    }

    /// The document as written.
    pub fn document(&self) -> &Value {
        &self.document
    }
}

impl From<Value> for TrustPolicy {
    fn from(document: Value) -> Self {
        Self::new(document)
    }
}

impl Statement {
    fn read(statement: &Value) -> Option<Self> {
        let allow = match statement.get("Effect").and_then(Value::as_str) {
            Some("Allow") => true,
            Some("Deny") => false,
            _ => return None,
        };
        if !each_string(statement.get("Action"))
            .any(|a| action_like(a, ASSUME_ROLE_WITH_WEB_IDENTITY))
        {
            return None;
        }
        let federated = statement.get("Principal").and_then(|p| p.get("Federated"));
        let federated = each_string(federated).map(str::to_owned).collect();
        let mut conditions = Vec::new();
        if let Some(Value::Object(operators)) = statement.get("Condition") {
            for (operator, keys) in operators {
                // An operator whose keys are not an object never holds: nor does the statement.
                let Value::Object(keys) = keys else { return None };
                let (qualifier, test) = operator_of(operator);
                for (key, expected) in keys {
                    conditions.push(Condition {
                        qualifier,
                        test,
                        key: key.to_lowercase(),
                        expected: each_string(Some(expected)).map(str::to_owned).collect(),
                    });
                }
            }
        }
        Some(Self { allow, federated, conditions })
    }
}

fn operator_of(operator: &str) -> (Qualifier, Test) {
    let (qualifier, base) = match operator.split_once(':') {
        Some(("ForAnyValue", base)) => (Qualifier::AnyValue, base),
        Some(("ForAllValues", base)) => (Qualifier::AllValues, base),
        Some((_, base)) => (Qualifier::Unknown, base),
        None => (Qualifier::Single, operator),
    };
    let test = match base {
        "StringEquals" => Test::Equals,
        "StringNotEquals" => Test::NotEquals,
        "StringLike" => Test::Like,
        "StringNotLike" => Test::NotLike,
        other => Test::Unknown { negated: other.contains("Not") },
    };
    (qualifier, test)
}

/// What a request brings to the policy: who federates and the condition keys' values,
/// borrowed where the caller has them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request<'a> {
    /// `Principal.Federated` to match: a provider ARN or `cognito-identity.amazonaws.com`.
    pub federated: Cow<'a, str>,
    keys: Keys<'a>,
}

/// Condition keys (lower-cased) and their values; `amr` has several.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Keys<'a>(Vec<(Cow<'a, str>, Vec<Cow<'a, str>>)>);

impl fmt::Debug for Keys<'_> {
    /// As a map in key order, the way the checks' words show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sorted: Vec<_> = self.0.iter().map(|(k, v)| (k, v)).collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        f.debug_map().entries(sorted).finish()
    }
}

impl<'a> Request<'a> {
    /// A request federated by `federated`.
    pub fn new(federated: impl Into<Cow<'a, str>>) -> Self {
        Self { federated: federated.into(), keys: Keys::default() }
    }

    /// Adds a condition key's values (replacing any the key had).
    pub fn key(
        mut self,
        name: impl Into<Cow<'a, str>>,
        values: impl IntoIterator<Item = impl Into<Cow<'a, str>>>,
    ) -> Self {
        let mut name = name.into();
        // Keys are nearly always written in lower case already: no Unicode case mapping then.
        if name.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
            name = Cow::Owned(name.to_lowercase());
        }
        let values = values.into_iter().map(Into::into).collect();
        match self.keys.0.iter_mut().find(|(k, _)| *k == name) {
            Some((_, old)) => *old = values,
            None => self.keys.0.push((name, values)),
        }
        self
    }

    /// The condition keys and their values.
    pub fn keys(&self) -> &Keys<'a> {
        &self.keys
    }

    /// The values of `key` (lower-cased), none if the request does not carry it.
    pub fn values(&self, key: &str) -> &[Cow<'a, str>] {
        self.keys.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_slice()).unwrap_or_default()
    }
}

/// Whether `policy` lets `request` assume the role.
pub fn allows(policy: &TrustPolicy, request: &Request<'_>) -> bool {
    // An explicit Deny wins over any Allow; nothing allowed is denied.
    let (mut allowed, mut denied) = (false, false);
    for statement in policy.statements.iter().filter(|s| applies(s, request)) {
        if statement.allow {
            allowed = true;
        } else {
            denied = true;
        }
    }
    allowed && !denied
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

fn applies(statement: &Statement, request: &Request<'_>) -> bool {
    statement.federated.iter().any(|f| *f == request.federated)
        && statement.conditions.iter().all(|c| holds(c, request.values(&c.key)))
}

/// `like`, ignoring case, as IAM compares action names.
fn action_like(pattern: &str, action: &str) -> bool {
    if pattern.is_ascii() && action.is_ascii() {
        wildcard(pattern.as_bytes(), action.as_bytes(), u8::eq_ignore_ascii_case)
    } else {
        like(&pattern.to_lowercase(), &action.to_lowercase())
    }
}

/// One condition, given the request's values for its key.
fn holds(condition: &Condition, actual: &[Cow<'_, str>]) -> bool {
    let expected = &condition.expected;
    let matches = |value: &str| -> bool {
        match condition.test {
            Test::Equals => expected.iter().any(|e| e == value),
            Test::NotEquals => !expected.iter().any(|e| e == value),
            Test::Like => expected.iter().any(|pattern| like(pattern, value)),
            Test::NotLike => !expected.iter().any(|pattern| like(pattern, value)),
            Test::Unknown { .. } => false,
        }
    };
    match condition.qualifier {
        Qualifier::AnyValue => actual.iter().any(|v| matches(v)),
        Qualifier::AllValues => actual.iter().all(|v| matches(v)),
        Qualifier::Unknown => false,
        // A single-valued operator on a missing key fails (except the negated ones, which
        // IAM treats as matching an absent key).
        Qualifier::Single => match actual.first() {
            Some(value) => matches(value),
            None => matches!(
                condition.test,
                Test::NotEquals | Test::NotLike | Test::Unknown { negated: true }
            ),
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

    fn cognito<'a>(aud: &'a str, amr: &[&'a str]) -> Request<'a> {
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
        let policy = TrustPolicy::new(cognito_trust());
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
        let policy = TrustPolicy::new(policy);
        assert!(!allows(&policy, &cognito(POOL, &["authenticated"])));
        let empty = TrustPolicy::new(json!({"Statement": []}));
        assert!(!allows(&empty, &cognito(POOL, &["authenticated"])));
    }

    #[test]
    fn oidc_provider_conditions_on_aud_and_sub_with_wildcards() {
        let provider = "arn:aws:iam::123456789012:oidc-provider/dev-1.okta.com/oauth2/default";
        let policy = TrustPolicy::new(json!({"Statement": {
            "Effect": "Allow",
            "Principal": {"Federated": [provider]},
            "Action": ["sts:AssumeRoleWithWebIdentity"],
            "Condition": {
                "StringEquals": {"dev-1.okta.com/oauth2/default:aud": "api://default"},
                "StringLike": {"dev-1.okta.com/oauth2/default:sub": "*@example.com"}
            }
        }}));
        let request = |aud: &'static str, sub: &'static str| {
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
    fn statements_that_cannot_apply_are_read_as_never_applying() {
        let allow = json!({
            "Effect": "Allow",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringNotEquals": {"cognito-identity.amazonaws.com:sub": "bob"}}
        });
        let request = cognito(POOL, &["authenticated"]);
        let policy = |statements: Value| TrustPolicy::new(json!({"Statement": statements}));
        assert!(
            allows(&policy(json!([allow])), &request),
            "a negated operator holds on an absent key"
        );
        let mut broken = allow.clone();
        broken["Condition"] = json!({"StringEquals": "not an object"});
        assert!(!allows(&policy(json!([broken.clone()])), &request));
        broken["Effect"] = json!("Deny");
        assert!(allows(&policy(json!([allow, broken])), &request), "a Deny that never applies");
        let mut other = allow.clone();
        other["Effect"] = json!("Maybe");
        assert!(!allows(&policy(json!([other])), &request));
        let mut saml = allow.clone();
        saml["Action"] = json!("sts:AssumeRoleWithSAML");
        assert!(!allows(&policy(json!([saml])), &request));
        let mut unknown = allow;
        unknown["Condition"] =
            json!({"Foo:StringEquals": {"cognito-identity.amazonaws.com:aud": POOL}});
        assert!(!allows(&policy(json!([unknown])), &request), "an unknown qualifier never holds");
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
        let mixed = Request::new("x").key("Cognito-Identity.AmazonAWS.com:AUD", [POOL]);
        assert_eq!(mixed.values("cognito-identity.amazonaws.com:aud"), [POOL]);
        assert!(request.values("cognito-identity.amazonaws.com:sub").is_empty());
        let mut policy = cognito_trust();
        policy["Statement"][0]["Condition"]["StringEquals"] =
            json!({"COGNITO-IDENTITY.amazonaws.com:AUD": POOL});
        assert!(allows(&TrustPolicy::new(policy.clone()), &request), "keys ignore case");
        policy["Statement"][0]["Condition"]["StringEquals"] =
            json!({"COGNITO-IDENTITY.amazonaws.com:aud": POOL.to_uppercase()});
        assert!(!allows(&TrustPolicy::new(policy), &request), "values are compared as they are");
    }
}
