//! Input shape constraints, reported as AWS's unmodelled `ValidationException`.
//!
//! The text is AWS's (docs/reference/cognito.md §1.2, observed): `1 validation error detected: Value 'x' at
//! 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression
//! pattern: [\w-]+:[0-9a-f-]+`, with `N validation errors detected: …; …` for several.
//! The wording for map keys and values follows the same service framework's form for maps
//! (`Map keys must satisfy constraint: [...]`); that exact text is inferred, not observed.

use std::collections::BTreeMap;

use crate::error::AwsError;
use crate::texts;

/// A model pattern: the regex text AWS quotes, and the check that implements it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pattern {
    matches: fn(&str) -> bool,
    text: &'static str,
}

impl Pattern {
    /// A pattern checked by `matches`, quoted as `text`.
    pub(crate) const fn new(matches: fn(&str) -> bool, text: &'static str) -> Self {
        Self { matches, text }
    }
}

/// `IdentityPoolId` and `IdentityId`.
pub(crate) const REGION_GUID: Pattern =
    Pattern { matches: is_region_guid, text: r"[\w-]+:[0-9a-f-]+" };

/// `AccountId`.
pub(crate) const DIGITS: Pattern =
    Pattern { matches: |s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()), text: r"\d+" };

/// Whether `s` fully matches `[\w-]+:[0-9a-f-]+` (Java's `\w` is `[a-zA-Z0-9_]`).
pub(crate) fn is_region_guid(s: &str) -> bool {
    let Some((region, guid)) = s.split_once(':') else { return false };
    !region.is_empty()
        && region.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !guid.is_empty()
        && guid.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c) || c == '-')
}

/// Proof that a request passed its validation: what [`Violations::finish`] returns when nothing
/// was violated, and what a [`Checked`] member needs to give its value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Valid(());

/// A required member, checked: its value can be taken once the request is [`Valid`].
#[derive(Debug)]
#[must_use]
pub(crate) struct Checked<T>(Option<T>);

impl<T: Default> Checked<T> {
    /// The value: present, since a missing required member fails the validation.
    pub(crate) fn get(self, _: Valid) -> T {
        self.0.unwrap_or_default()
    }
}

/// Whether `s` has more than `max` characters, without counting them when its bytes cannot
/// be that many (tokens are counted on every call otherwise).
fn chars_over(s: &str, max: usize) -> bool {
    s.len() > max && s.chars().count() > max
}

/// Collects violations in member order, then reports them all at once, as AWS does.
#[derive(Debug, Default)]
pub(crate) struct Violations(Vec<String>);

impl Violations {
    fn push(&mut self, value: Option<&str>, member: &str, constraint: &str) {
        let value = value.map_or_else(|| "null".to_owned(), |v| format!("'{v}'"));
        self.0.push(format!(
            "Value {value} at '{member}' failed to satisfy constraint: {constraint}"
        ));
    }

    /// A required string member with length bounds and an optional `(check, pattern)`.
    pub(crate) fn string(
        &mut self,
        member: &str,
        value: Option<&str>,
        (min, max): (usize, usize),
        pattern: Option<Pattern>,
        required: bool,
    ) {
        let Some(v) = value else {
            if required {
                self.push(None, member, "Member must not be null");
            }
            return;
        };
        let len = v.chars().count();
        if len > max {
            self.push(
                Some(v),
                member,
                &format!("Member must have length less than or equal to {max}"),
            );
        }
        if len < min {
            self.push(
                Some(v),
                member,
                &format!("Member must have length greater than or equal to {min}"),
            );
        }
        if let Some(pattern) = pattern
            && !(pattern.matches)(v)
        {
            let constraint =
                format!("Member must satisfy regular expression pattern: {}", pattern.text);
            self.push(Some(v), member, &constraint);
        }
    }

    /// A required string member with length bounds and an optional pattern, kept for after the
    /// validation.
    pub(crate) fn required_string(
        &mut self,
        member: &str,
        value: Option<String>,
        bounds: (usize, usize),
        pattern: Option<Pattern>,
    ) -> Checked<String> {
        self.string(member, value.as_deref(), bounds, pattern, true);
        Checked(value)
    }

    /// A required integer member with bounds, kept for after the validation.
    pub(crate) fn required_integer(
        &mut self,
        member: &str,
        value: Option<i64>,
        bounds: (i64, i64),
    ) -> Checked<i64> {
        self.integer(member, value, bounds, true);
        Checked(value)
    }

    /// A required member that is absent.
    pub(crate) fn null(&mut self, member: &str) {
        self.push(None, member, "Member must not be null");
    }

    /// Any constraint on a rendered value.
    pub(crate) fn constraint(&mut self, member: &str, rendered: &str, constraint: &str) {
        self.push(Some(rendered), member, constraint);
    }

    /// An integer member with bounds.
    pub(crate) fn integer(
        &mut self,
        member: &str,
        value: Option<i64>,
        (min, max): (i64, i64),
        required: bool,
    ) {
        match value {
            None if required => self.null(member),
            None => {}
            Some(v) if v < min => {
                self.push(
                    Some(&v.to_string()),
                    member,
                    &format!("Member must have value greater than or equal to {min}"),
                );
            }
            Some(v) if v > max => {
                self.push(
                    Some(&v.to_string()),
                    member,
                    &format!("Member must have value less than or equal to {max}"),
                );
            }
            Some(_) => {}
        }
    }

    /// A `Logins` map: at most `max` entries, keys 1–128 and tokens 1–50000 characters.
    pub(crate) fn logins(
        &mut self,
        member: &str,
        logins: Option<&BTreeMap<String, String>>,
        max: usize,
    ) {
        let Some(map) = logins else { return };
        let rendered = || {
            let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{{{}}}", pairs.join(", "))
        };
        if map.len() > max {
            self.push(
                Some(&rendered()),
                member,
                &format!("Member must have length less than or equal to {max}"),
            );
        }
        if map.keys().any(|k| k.is_empty() || chars_over(k, 128)) {
            self.push(
                Some(&rendered()),
                member,
                "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]",
            );
        }
        if map.values().any(|v| v.is_empty() || chars_over(v, 50_000)) {
            self.push(
                Some(&rendered()),
                member,
                "Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]",
            );
        }
    }

    /// The proof of validity when nothing was violated, else AWS's `ValidationException`.
    pub(crate) fn finish(self) -> Result<Valid, AwsError> {
        match self.0.len() {
            0 => Ok(Valid(())),
            1 => {
                Err(texts::VALIDATION
                    .composed(format!("1 validation error detected: {}", self.0[0])))
            }
            n => Err(texts::VALIDATION
                .composed(format!("{n} validation errors detected: {}", self.0.join("; ")))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorType;

    #[test]
    fn region_guid_pattern_matches_like_the_aws_regex() {
        assert!(is_region_guid("us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"));
        assert!(is_region_guid("eu_west_1:0"));
        assert!(!is_region_guid("eu*******q6"));
        assert!(!is_region_guid("us-east-1:ABC"), "upper-case hex is outside [0-9a-f-]");
        assert!(!is_region_guid(":abc"));
        assert!(!is_region_guid("us-east-1:"));
        assert!(!is_region_guid("us-east-1:ab:cd"));
    }

    #[test]
    fn one_violation_reads_exactly_like_aws() {
        let mut v = Violations::default();
        v.string("identityPoolId", Some("eu*******q6"), (1, 55), Some(REGION_GUID), true);
        assert_eq!(
            v.finish().unwrap_err().message,
            "1 validation error detected: Value 'eu*******q6' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+"
        );
    }

    #[test]
    fn several_violations_are_counted_and_joined() {
        let mut v = Violations::default();
        v.string("identityPoolId", None, (1, 55), None, true);
        v.string("accountId", Some("12x"), (1, 15), Some(DIGITS), false);
        let err = v.finish().unwrap_err();
        assert_eq!(err.kind, ErrorType::Validation);
        assert_eq!(
            err.message,
            "2 validation errors detected: Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null; Value '12x' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d+"
        );
    }

    #[test]
    fn an_absent_optional_member_is_fine() {
        let mut v = Violations::default();
        v.string("accountId", None, (1, 15), None, false);
        v.logins("logins", None, 10);
        assert!(v.finish().is_ok());
    }
}
