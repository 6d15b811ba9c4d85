//! Cognito Identity and STS serve browsers (issue 11): the preflight a page's SDK triggers is
//! answered as AWS answers it, and every answer, errors included, may be read by the page.
//! Source: AllanZhengYP/cors-test (output.md), a run against the real endpoints.

use harness::Federation;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};

const EXPOSED: &str = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date";

#[tokio::test]
async fn the_preflight_of_a_page_s_sdk_is_answered_as_aws_answers_it() {
    let fed = Federation::start().await;
    // What Chromium sends before the AWS SDK for JavaScript v2's GetId.
    let asked = "content-type,x-amz-content-sha256,x-amz-target,x-amz-user-agent";
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, fed.cognito_endpoint())
        .header(ORIGIN, "http://app.example:3000")
        .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(ACCESS_CONTROL_REQUEST_HEADERS, asked)
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 200);
    let headers = preflight.headers();
    assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(headers[ACCESS_CONTROL_ALLOW_HEADERS], asked, "the asked headers, echoed");
    assert_eq!(headers[ACCESS_CONTROL_ALLOW_METHODS], "POST");
    assert_eq!(headers[ACCESS_CONTROL_MAX_AGE], "172800");
}

#[tokio::test]
async fn every_answer_errors_included_may_be_read_by_any_page() {
    let fed = Federation::start().await;
    let http = reqwest::Client::new();
    let refused = http
        .post(fed.cognito_endpoint())
        .header(ORIGIN, "http://app.example:3000")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AWSCognitoIdentityService.GetId")
        .body(format!(r#"{{"IdentityPoolId":"{}"}}"#, fed.pool_id()))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(refused.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(refused.headers()[ACCESS_CONTROL_EXPOSE_HEADERS], EXPOSED);
    assert_eq!(refused.headers()["x-amzn-errortype"], "NotAuthorizedException:");
    let sts = http
        .post(fed.cognito_endpoint())
        .header(ORIGIN, "http://app.example:3000")
        .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .body("Action=AssumeRoleWithWebIdentity&Version=2011-06-15")
        .send()
        .await
        .unwrap();
    assert_eq!(sts.status(), 400);
    assert_eq!(sts.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(sts.headers()[ACCESS_CONTROL_EXPOSE_HEADERS], EXPOSED);
    // Each handler adds the headers (no middleware layer): the edges too.
    let endpoint = fed.cognito_endpoint();
    let too_large = http
        .post(endpoint)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AWSCognitoIdentityService.GetId")
        .body(vec![b' '; harness::mock_cognito::MAX_BODY_BYTES + 1]);
    let answers = [
        too_large,
        http.get(endpoint),
        http.get(format!("{endpoint}/no/such/path")),
        http.get(format!("{endpoint}/.well-known/openid-configuration")),
        http.get(format!("{endpoint}/__fedmock/health")),
    ];
    for request in answers {
        let answer = request.header(ORIGIN, "http://app.example:3000").send().await.unwrap();
        let what = format!("{} {}", answer.status(), answer.url());
        assert_eq!(answer.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*", "{what}");
        assert_eq!(answer.headers()[ACCESS_CONTROL_EXPOSE_HEADERS], EXPOSED, "{what}");
        if answer.status() == 413 {
            // The body was not read: the connection closes, and says so (no pooled reuse).
            assert_eq!(answer.headers()["connection"], "close", "{what}");
        }
    }
    let wrong_method = http
        .post(format!("{endpoint}/.well-known/jwks_uri"))
        .header(ORIGIN, "http://app.example:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(wrong_method.headers()["allow"], "GET,HEAD");
    assert_eq!(wrong_method.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
}
