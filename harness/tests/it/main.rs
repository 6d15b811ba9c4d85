//! The harness's integration tests, one binary: whole worlds driven through the AWS SDK for Rust.

mod common;
mod connections;
mod console;
mod corpus;
mod cors;
mod credentials;
mod developer;
mod exchange;
mod iam;
mod identities;
mod pool_admin;
mod providers;
mod replicas;
mod requests;
mod role_mappings;
mod sts;
mod tls_and_issuers;
