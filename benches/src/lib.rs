//! Benchmarks and load tools for fedmock; nothing here is used at run time.
//!
//! - `cargo bench -p benches` runs the criterion benchmarks in `benches/exchange.rs`:
//!   `Federation::start()`, one full exchange (token → GetId → GetCredentialsForIdentity over
//!   HTTP through the AWS SDK), and GetId alone.
//! - `wrk/getid.lua` drives `POST /` GetId at a running `fedmock up`; `getid-body` prints the
//!   request body it sends (a fresh token from the running world). See `benches/README.md`.
