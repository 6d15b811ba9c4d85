//! Issuing and reading tokens: Okta-shaped claims (`claims.rs`), signing under the faults in
//! force and direct minting (`sign.rs`), the token endpoint's grants (`issue.rs`), client
//! authentication (`client_auth.rs`), Okta's rules for browser token requests (`browser.rs`),
//! what `/v1/authorize` decides (`authorize.rs`), and userinfo, introspection and revocation
//! (`inspect.rs`). Plain functions over the org's
//! state; `endpoints/` puts them on HTTP.

pub mod authorize;
mod browser;
pub(crate) mod claims;
pub mod client_auth;
pub mod inspect;
pub mod issue;
pub mod sign;
