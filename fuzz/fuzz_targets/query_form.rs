//! Any form body to the Query protocol (STS and IAM): parsing, routing by Action, validation.
//! Never a 5xx, never a panic.
#![no_main]

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let request = Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(data.to_vec()))
        .expect("a request");
    fedmock_fuzz::send(request);
});
