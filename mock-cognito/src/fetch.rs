//! An HTTP(S) client, HTTP/1.1 over hyper with rustls: how mock-cognito fetches an issuer's
//! discovery document and keys (as AWS does, over the network), and what the harness reaches a
//! world with. It trusts the system's roots plus any extra CA (a world's throw-away CA), bounds
//! every answer's size and every call's time, and never follows a proxy.
//!
//! Written on hyper directly rather than reqwest: the client needs nothing more, and the first
//! build of `fedmock up` stays small (no URL/IDNA tables, no HTTP/2).

use std::time::Duration;

use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;

/// Largest answer read (discovery documents and key sets are a few kB).
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// An HTTP client; cheap to clone.
#[derive(Clone, Debug)]
pub struct HttpClient {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

/// An answer, its body read whole.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Answer {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl HttpClient {
    /// A client trusting the system's roots and `extra_ca_pem` (PEM certificates), giving up
    /// on a connection after `connect_timeout` and on a whole call after `timeout`.
    ///
    /// A machine without a CA store (a `FROM scratch` container) still reaches HTTP servers
    /// and those signed by the extra CA; other HTTPS servers then fail with the TLS error.
    pub fn new(
        extra_ca_pem: Option<&str>,
        connect_timeout: Duration,
        timeout: Duration,
    ) -> Result<Self, String> {
        let mut roots = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
        if let Some(pem) = extra_ca_pem {
            let certs: Vec<CertificateDer<'static>> =
                CertificateDer::pem_slice_iter(pem.as_bytes())
                    .collect::<Result<_, _>>()
                    .map_err(|e| format!("the extra CA is not PEM: {e}"))?;
            for cert in certs {
                roots.add(cert).map_err(|e| format!("the extra CA is not a certificate: {e}"))?;
            }
        }
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_nodelay(true);
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self { client, timeout })
    }

    /// `GET url`.
    pub async fn get(&self, url: &str) -> Result<Answer, String> {
        self.send(Method::GET, url, &[], Bytes::new()).await
    }

    /// A request with `headers` and `body`, its answer read whole (at most
    /// [`MAX_ANSWER_BYTES`]) within the client's timeout.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(header::HeaderName, HeaderValue)],
        body: Bytes,
    ) -> Result<Answer, String> {
        let uri = url.parse::<Uri>().map_err(|e| format!("{method} {url}: {e}"))?;
        self.send_to(method, uri, headers, body).await
    }

    /// [`HttpClient::send`] to a URL parsed once, for callers that send many requests to it
    /// (a load generator must not be the limit).
    pub async fn send_to(
        &self,
        method: Method,
        uri: Uri,
        headers: &[(header::HeaderName, HeaderValue)],
        body: Bytes,
    ) -> Result<Answer, String> {
        // Words for a failure only: built when one happens.
        let what = |method: &Method, uri: &Uri| format!("{method} {uri}");
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        let request_headers = request.headers_mut();
        for (name, value) in headers {
            request_headers.append(name, value.clone());
        }
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let call = async {
            let response = self.client.request(request).await.map_err(|e| error_chain(&e))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| format!("reading the answer: {e}"))?
                .to_bytes();
            Ok::<_, String>(Answer { status: parts.status, headers: parts.headers, body })
        };
        match tokio::time::timeout(self.timeout, call).await {
            Ok(answer) => answer.map_err(|e| format!("{}: {e}", what(&method, &uri))),
            Err(_) => Err(format!("{}: no answer within {:?}", what(&method, &uri), self.timeout)),
        }
    }
}

/// An error and its causes, as one line.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
