//! Any body to any Cognito Identity operation (JSON 1.1): the first byte picks the target.
//! Never a 5xx, never a panic.
#![no_main]

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;

const TARGETS: &[&str] = &[
    "GetId",
    "GetCredentialsForIdentity",
    "GetOpenIdToken",
    "DescribeIdentityPool",
    "ListIdentityPools",
    "UnlinkIdentity",
    "MergeDeveloperIdentities",
    "SetIdentityPoolRoles",
    "Nope",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let target = TARGETS[usize::from(pick) % TARGETS.len()];
    let request = Request::post("/")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", format!("AWSCognitoIdentityService.{target}"))
        .body(Body::from(body.to_vec()))
        .expect("a request");
    fedmock_fuzz::send(request);
});
