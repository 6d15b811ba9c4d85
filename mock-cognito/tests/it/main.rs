//! mock-cognito's integration tests, one binary: the JSON 1.1 protocol on the wire.

mod protocol;
