//! mock-okta's integration tests, one binary: the flows over HTTP, the `openidconnect` crate as a client, Okta's shapes, and the wire snapshots.

mod authn;
mod control;
mod cors;
mod flows;
mod oidc_client;
mod okta;
mod snapshots;
