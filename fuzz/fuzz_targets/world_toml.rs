//! Any text as a world file and as a scenario file: parsing and validation (both mocks' states
//! built from the world, as `fedmock up` does) never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(mut world) = harness::FederationConfig::from_toml(text) {
        // A seed derives RSA keys (a second each): out of scope for a parser fuzz.
        world.seed = None;
        world.okta.seed = None;
        world.aws.seed = None;
        world.spread_seed();
        world.resolve("http://127.0.0.1:8400");
        let clock = mock_okta::Clock::fixed(1_800_000_000);
        let _ = mock_okta::OktaState::new(world.okta, "http://127.0.0.1:8400", clock);
        let _ = mock_cognito::CognitoState::new(world.aws, mock_cognito::Clock::from_fn(|| 1_800_000_000));
    }
    if let Ok(scenario) = scenarios::Scenario::parse("fuzz.toml", text) {
        let _ = scenario.world("fuzz.toml");
        let _ = scenario.needs_own_world();
    }
});
