//! Bad exchanges on purpose (`--mix expired=0.05,wrong-audience=0.05`): each must get AWS's
//! exact refusal, the text mock-cognito itself answers with ([`harness::mock_cognito::texts`]),
//! and is counted apart from the good ones.

use harness::mock_cognito::texts::{self, Text};

use super::Flow;

/// A way to make an exchange fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bad {
    /// A token whose `exp` has passed.
    Expired,
    /// A token whose `aud` the provider does not list.
    WrongAudience,
    /// The issuer URL with its scheme as the `Logins` key.
    WrongLoginsKey,
    /// A token whose signature was changed.
    BadSignature,
    /// Not a JWT at all.
    NotAJwt,
    /// A pool that does not exist.
    UnknownPool,
}

impl Bad {
    /// Every kind.
    pub const ALL: [Bad; 6] = [
        Bad::Expired,
        Bad::WrongAudience,
        Bad::WrongLoginsKey,
        Bad::BadSignature,
        Bad::NotAJwt,
        Bad::UnknownPool,
    ];

    /// The name in `--mix` and the reports.
    pub fn name(self) -> &'static str {
        match self {
            Bad::Expired => "expired",
            Bad::WrongAudience => "wrong-audience",
            Bad::WrongLoginsKey => "wrong-logins-key",
            Bad::BadSignature => "bad-signature",
            Bad::NotAJwt => "not-a-jwt",
            Bad::UnknownPool => "unknown-pool",
        }
    }

    /// Whether the token must be minted (the target must be fedmock).
    pub fn needs_mint(self) -> bool {
        matches!(self, Bad::Expired | Bad::WrongAudience)
    }

    /// AWS's answer to this exchange in `flow`, or `None` where the kind does not apply (STS
    /// has no Logins key and no pool).
    pub fn expected(self, flow: Flow) -> Option<&'static Text> {
        let sts = flow == Flow::Sts;
        Some(match (self, sts) {
            (Bad::Expired, false) => &texts::EXPIRED,
            (Bad::WrongAudience, false) => &texts::AUDIENCE,
            (Bad::WrongLoginsKey, false) => &texts::ISSUER_MISMATCH,
            (Bad::BadSignature, false) => &texts::SIGNATURE,
            (Bad::NotAJwt, false) => &texts::NOT_A_JWT,
            (Bad::UnknownPool, false) => &texts::POOL_NOT_FOUND,
            (Bad::Expired, true) => &texts::STS_EXPIRED,
            (Bad::WrongAudience, true) => &texts::STS_AUDIENCE,
            (Bad::BadSignature, true) => &texts::STS_SIGNATURE,
            (Bad::NotAJwt, true) => &texts::STS_NOT_A_JWT,
            (Bad::WrongLoginsKey | Bad::UnknownPool, true) => return None,
        })
    }
}

/// The share of each bad kind among a run's exchanges.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mix {
    shares: Vec<(Bad, f64)>,
}

impl Mix {
    /// Parses `expired=0.05,wrong-audience=0.05`; the shares add up to at most 1.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut shares = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, share) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: write kind=share, e.g. expired=0.05"))?;
            let bad = Bad::ALL.into_iter().find(|b| b.name() == name.trim()).ok_or_else(|| {
                let known: Vec<&str> = Bad::ALL.iter().map(|b| b.name()).collect();
                format!("{name:?} is not a kind of bad exchange; known: {}", known.join(", "))
            })?;
            let share: f64 = share
                .trim()
                .parse()
                .ok()
                .filter(|s: &f64| (0.0..=1.0).contains(s))
                .ok_or_else(|| format!("{part:?}: the share is a number from 0 to 1"))?;
            shares.push((bad, share));
        }
        let total: f64 = shares.iter().map(|(_, s)| s).sum();
        if total > 1.0 + 1e-9 {
            return Err(format!("the shares add up to {total}, more than 1"));
        }
        Ok(Self { shares })
    }

    /// The kinds in the mix.
    pub fn kinds(&self) -> impl Iterator<Item = Bad> + '_ {
        self.shares.iter().map(|(b, _)| *b)
    }

    /// What exchange `n` is: a bad kind, or `None` for a good one. Deterministic in `n` and
    /// spread evenly, so a run's shares hold at any length.
    pub fn pick(&self, n: u64) -> Option<Bad> {
        if self.shares.is_empty() {
            return None;
        }
        let u = (splitmix64(n) >> 11) as f64 / (1u64 << 53) as f64;
        let mut edge = 0.0;
        for (bad, share) in &self.shares {
            edge += share;
            if u < edge {
                return Some(*bad);
            }
        }
        None
    }
}

impl std::fmt::Display for Mix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> =
            self.shares.iter().map(|(bad, share)| format!("{}={share}", bad.name())).collect();
        f.write_str(&parts.join(","))
    }
}

fn splitmix64(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Whether an answer (`kind`, `message`) is `text`, its placeholders filled from `values`;
/// a placeholder without a value (the server's `{now}`) matches any run of digits.
pub fn matches(text: &Text, kind: &str, message: &str, values: &[(&str, &str)]) -> bool {
    if kind != text.kind.as_str() {
        return false;
    }
    let mut rest = message;
    let mut template = text.message;
    loop {
        match template.find('{') {
            None => return rest == template,
            Some(start) => {
                let Some(end) = template[start..].find('}').map(|e| start + e) else {
                    return rest == template;
                };
                let (literal, name) = (&template[..start], &template[start + 1..end]);
                let Some(after) = rest.strip_prefix(literal) else { return false };
                rest = match values.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => match after.strip_prefix(value) {
                        Some(r) => r,
                        None => return false,
                    },
                    None => {
                        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
                        if digits == 0 {
                            return false;
                        }
                        &after[digits..]
                    }
                };
                template = &template[end + 1..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_parses_and_refuses_what_it_cannot_mean() {
        let mix = Mix::parse("expired=0.05, wrong-audience=0.1").unwrap();
        assert_eq!(mix.kinds().collect::<Vec<_>>(), [Bad::Expired, Bad::WrongAudience]);
        assert!(Mix::parse("expird=0.1").unwrap_err().contains("known: expired"));
        assert!(Mix::parse("expired=2").is_err());
        assert!(Mix::parse("expired").is_err());
        assert!(Mix::parse("expired=0.6,not-a-jwt=0.6").unwrap_err().contains("more than 1"));
        assert_eq!(Mix::parse("").unwrap(), Mix::default());
    }

    #[test]
    fn each_kind_gets_its_share() {
        let mix = Mix::parse("expired=0.05,not-a-jwt=0.15").unwrap();
        let n = 100_000;
        let count = |bad| (0..n).filter(|i| mix.pick(*i) == Some(bad)).count() as f64 / n as f64;
        assert!((count(Bad::Expired) - 0.05).abs() < 0.005);
        assert!((count(Bad::NotAJwt) - 0.15).abs() < 0.005);
        assert_eq!(Mix::default().pick(7), None);
    }

    #[test]
    fn refusals_match_aws_s_text_with_the_server_s_time_as_a_wildcard() {
        let exp = [("exp", "1800003600")];
        let expired = &texts::EXPIRED;
        let kind = "NotAuthorizedException";
        assert!(matches(
            expired,
            kind,
            "Invalid login token. Token expired: 1800003700 >= 1800003600",
            &exp
        ));
        assert!(!matches(
            expired,
            kind,
            "Invalid login token. Token expired: 1800003700 >= 1800003601",
            &exp
        ));
        assert!(!matches(
            expired,
            kind,
            "Invalid login token. Token expired: soon >= 1800003600",
            &exp
        ));
        assert!(!matches(
            expired,
            "ValidationException",
            "Invalid login token. Token expired: 1 >= 1800003600",
            &exp
        ));
        assert!(matches(
            &texts::AUDIENCE,
            kind,
            "Invalid login token. Incorrect token audience.",
            &[]
        ));
        assert!(!matches(
            &texts::AUDIENCE,
            kind,
            "Invalid login token. Incorrect token audience",
            &[]
        ));
        let pool = [("pool", "us-east-1:00000000-0000-4000-8000-000000000000")];
        assert!(matches(
            &texts::POOL_NOT_FOUND,
            "ResourceNotFoundException",
            "IdentityPool 'us-east-1:00000000-0000-4000-8000-000000000000' not found.",
            &pool
        ));
    }

    #[test]
    fn sts_has_no_logins_key_and_no_pool() {
        assert_eq!(Bad::WrongLoginsKey.expected(Flow::Sts), None);
        assert_eq!(Bad::Expired.expected(Flow::Sts), Some(&texts::STS_EXPIRED));
        assert_eq!(Bad::Expired.expected(Flow::Enhanced), Some(&texts::EXPIRED));
    }
}
