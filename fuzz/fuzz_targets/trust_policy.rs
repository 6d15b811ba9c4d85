//! Any JSON as a role's trust policy, against a web-identity request whose condition values
//! come from the input too: evaluation never panics and stays linear (StringLike included).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mock_cognito::policy::{Request, TrustPolicy, allows};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (policy, value) = text.split_once('\u{0}').unwrap_or((&text, "a"));
    let Ok(policy) = serde_json::from_str::<serde_json::Value>(policy) else { return };
    let request = Request::new("cognito-identity.amazonaws.com")
        .key("cognito-identity.amazonaws.com:aud", [value])
        .key("cognito-identity.amazonaws.com:sub", [value])
        .key("cognito-identity.amazonaws.com:amr", ["authenticated", value]);
    let _ = allows(&TrustPolicy::new(policy), &request);
});
