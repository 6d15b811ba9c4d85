//! Which role an authenticated identity gets (docs/reference/cognito.md §4): the pool's default role, or
//! a role mapping for the provider of the login:
//!
//! - `Rules`: the first rule whose claim matches (`Equals`, `Contains`, `StartsWith`,
//!   `NotEqual`; a `NotEqual` rule on an absent claim is not evaluated), unless
//!   `CustomRoleArn` names the role of another matching rule;
//! - `Token`: `CustomRoleArn` if it is in `cognito:roles`, else `cognito:preferred_role`,
//!   else the only role in `cognito:roles`;
//! - nothing chosen: `AmbiguousRoleResolution` falls back to the authenticated role or denies.
//!
//! How `Contains` and `Equals` treat multi-valued claims (such as `groups`) is not documented;
//! here they look for an element equal to the value (inferred).

use serde_json::{Map, Value};

use crate::account::{AmbiguousRoleResolution, MappingRule, MappingType, MatchType, RoleMapping};
use crate::error::AwsError;
use crate::texts;

/// The role chosen for a login of `provider` with `claims` under `mapping`.
pub fn choose(
    provider: &str,
    mapping: &RoleMapping,
    claims: &Map<String, Value>,
    custom_role_arn: Option<&str>,
    default_role: Option<&str>,
) -> Result<Option<String>, AwsError> {
    let chosen = match mapping.kind {
        MappingType::Rules => {
            let matching: Vec<&str> = mapping
                .rules
                .iter()
                .filter(|r| rule_matches(r, claims))
                .map(|r| r.role_arn.as_str())
                .collect();
            match custom_role_arn {
                Some(custom) if matching.contains(&custom) => Some(custom.to_owned()),
                _ => matching.first().map(|r| (*r).to_owned()),
            }
        }
        MappingType::Token => {
            let roles: Vec<&str> = match claims.get("cognito:roles") {
                Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
                Some(Value::String(one)) => vec![one.as_str()],
                _ => Vec::new(),
            };
            let preferred = claims.get("cognito:preferred_role").and_then(Value::as_str);
            match custom_role_arn {
                Some(custom) if roles.contains(&custom) => Some(custom.to_owned()),
                // A custom role the token does not allow is refused (docs/reference/cognito.md §4).
                Some(_) => return Err(denied(provider)),
                None => preferred
                    .map(str::to_owned)
                    .or_else(|| (roles.len() == 1).then(|| roles[0].to_owned())),
            }
        }
    };
    match (chosen, mapping.ambiguous_role_resolution) {
        (Some(role), _) => Ok(Some(role)),
        (None, AmbiguousRoleResolution::AuthenticatedRole) => Ok(default_role.map(str::to_owned)),
        (None, AmbiguousRoleResolution::Deny) => Err(denied(provider)),
    }
}

fn denied(provider: &str) -> AwsError {
    texts::AMBIGUOUS_DENIED.with(&[("provider", &provider)])
}

fn rule_matches(rule: &MappingRule, claims: &Map<String, Value>) -> bool {
    let values: Vec<String> = match claims.get(&rule.claim) {
        None | Some(Value::Null) => return false, // absent: no rule applies, NotEqual included
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => {
            let values: Vec<String> = items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect();
            return match rule.match_type {
                MatchType::Equals | MatchType::Contains => values.iter().any(|v| v == &rule.value),
                MatchType::StartsWith => values.iter().any(|v| v.starts_with(&rule.value)),
                MatchType::NotEqual => !values.iter().any(|v| v == &rule.value),
            };
        }
        Some(other) => vec![other.to_string()],
    };
    let value = &values[0];
    match rule.match_type {
        MatchType::Equals => value == &rule.value,
        MatchType::Contains => value.contains(&rule.value),
        MatchType::StartsWith => value.starts_with(&rule.value),
        MatchType::NotEqual => value != &rule.value,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ADMIN: &str = "arn:aws:iam::123456789012:role/admin";
    const READER: &str = "arn:aws:iam::123456789012:role/reader";
    const DEFAULT: &str = "arn:aws:iam::123456789012:role/default";

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn rules(resolution: AmbiguousRoleResolution) -> RoleMapping {
        RoleMapping {
            kind: MappingType::Rules,
            ambiguous_role_resolution: resolution,
            rules: vec![
                MappingRule {
                    claim: "groups".into(),
                    match_type: MatchType::Contains,
                    value: "admins".into(),
                    role_arn: ADMIN.into(),
                },
                MappingRule {
                    claim: "email".into(),
                    match_type: MatchType::StartsWith,
                    value: "alice".into(),
                    role_arn: READER.into(),
                },
            ],
        }
    }

    #[test]
    fn the_first_matching_rule_wins_unless_a_custom_role_picks_another_match() {
        let both = claims(json!({"groups": ["admins", "x"], "email": "alice@example.com"}));
        let mapping = rules(AmbiguousRoleResolution::Deny);
        assert_eq!(
            choose("p", &mapping, &both, None, Some(DEFAULT)).unwrap().as_deref(),
            Some(ADMIN)
        );
        assert_eq!(
            choose("p", &mapping, &both, Some(READER), Some(DEFAULT)).unwrap().as_deref(),
            Some(READER)
        );
        let reader = claims(json!({"groups": ["x"], "email": "alice@example.com"}));
        assert_eq!(
            choose("p", &mapping, &reader, None, Some(DEFAULT)).unwrap().as_deref(),
            Some(READER)
        );
    }

    #[test]
    fn no_match_falls_back_or_denies_with_aws_text() {
        let none = claims(json!({"email": "bob@example.com"}));
        assert_eq!(
            choose(
                "p",
                &rules(AmbiguousRoleResolution::AuthenticatedRole),
                &none,
                None,
                Some(DEFAULT)
            )
            .unwrap()
            .as_deref(),
            Some(DEFAULT)
        );
        let err = choose(
            "dev-1.okta.com/oauth2/default",
            &rules(AmbiguousRoleResolution::Deny),
            &none,
            None,
            Some(DEFAULT),
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "The ambiguous role mapping rules for: dev-1.okta.com/oauth2/default denied this request."
        );
    }

    #[test]
    fn not_equal_skips_absent_claims() {
        let mapping = RoleMapping {
            kind: MappingType::Rules,
            ambiguous_role_resolution: AmbiguousRoleResolution::Deny,
            rules: vec![MappingRule {
                claim: "dept".into(),
                match_type: MatchType::NotEqual,
                value: "hr".into(),
                role_arn: ADMIN.into(),
            }],
        };
        assert!(choose("p", &mapping, &claims(json!({})), None, None).is_err());
        assert_eq!(
            choose("p", &mapping, &claims(json!({"dept": "eng"})), None, None).unwrap().as_deref(),
            Some(ADMIN)
        );
        assert!(choose("p", &mapping, &claims(json!({"dept": "hr"})), None, None).is_err());
    }

    #[test]
    fn token_mappings_follow_cognito_roles_and_preferred_role() {
        let token = RoleMapping {
            kind: MappingType::Token,
            ambiguous_role_resolution: AmbiguousRoleResolution::Deny,
            rules: vec![],
        };
        let two =
            claims(json!({"cognito:roles": [ADMIN, READER], "cognito:preferred_role": READER}));
        assert_eq!(choose("p", &token, &two, None, None).unwrap().as_deref(), Some(READER));
        assert_eq!(choose("p", &token, &two, Some(ADMIN), None).unwrap().as_deref(), Some(ADMIN));
        assert!(
            choose("p", &token, &two, Some(DEFAULT), None).is_err(),
            "a custom role outside cognito:roles"
        );
        let ambiguous = claims(json!({"cognito:roles": [ADMIN, READER]}));
        assert!(choose("p", &token, &ambiguous, None, None).is_err());
        assert_eq!(
            choose("p", &token, &claims(json!({"cognito:roles": [ADMIN]})), None, None)
                .unwrap()
                .as_deref(),
            Some(ADMIN)
        );
    }
}
