//! Any text as a token in Logins and as STS's WebIdentityToken: parsing and the whole check
//! chain (offline, as `fedmock explain` runs it) never panic and always reach a verdict.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mock_cognito::explain::{self, Login, RoleAsked, WebIdentityCall};

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data);
    let state = fedmock_fuzz::state();
    let _ = mock_cognito::unverified_claims(&token);
    let pool = state.pools().into_iter().next().expect("a pool");
    for provider in state.providers() {
        let key = provider.name.clone();
        let trusted = state.trusted_provider(&pool, &key);
        let checks = explain::explain(&Login {
            key: &key,
            token: &token,
            pool: &pool.id,
            trusted: trusted.as_deref().map_err(Vec::as_slice),
            now: 1_800_000_000,
            leeway: 0,
        });
        assert!(!checks.is_empty());
    }
    let role = "arn:aws:iam::123456789012:role/fedmock-authenticated";
    let checks = explain::explain_web_identity(&WebIdentityCall {
        token: &token,
        providers: &state.providers(),
        role: Some(RoleAsked { arn: role, role: state.role(role).as_deref(), duration: 3600 }),
        now: 1_800_000_000,
        leeway: 0,
    });
    assert!(!checks.is_empty());
});
