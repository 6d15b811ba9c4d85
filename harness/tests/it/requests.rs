//! The request corpus (`tests/corpus/requests.toml`): malformed and hostile requests written
//! to the sockets as they are (framing included), each answered with the status, type and
//! message the corpus gives, never a 5xx or a hang; the world still exchanges tokens after.

use std::time::{Duration, SystemTime};

use harness::Federation;
use serde::Deserialize;
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const CORPUS: &str = include_str!("../corpus/requests.toml");

#[derive(Deserialize)]
struct Corpus {
    request: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    to: String,
    #[serde(default = "post")]
    method: String,
    #[serde(default = "root")]
    path: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    extra_headers: usize,
    #[serde(default)]
    body: String,
    body_hex: Option<String>,
    nest: Option<usize>,
    repeat: Option<usize>,
    declare: Option<usize>,
    /// Send the body in chunks of this many bytes (`Transfer-Encoding: chunked`, no length).
    chunked: Option<usize>,
    raw: Option<String>,
    sign: Option<String>,
    mutate: Option<String>,
    status: u16,
    r#type: String,
    message: String,
}

fn post() -> String {
    "POST".into()
}

fn root() -> String {
    "/".into()
}

/// What came back: status, error type and message (`-` where there is none).
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    r#type: String,
    message: String,
}

fn body_of(entry: &Entry, pool: &str) -> Vec<u8> {
    if let Some(hex) = &entry.body_hex {
        let digits: String = hex.chars().filter(|c| !c.is_whitespace()).collect();
        return (0..digits.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap())
            .collect();
    }
    let text = entry.body.replace("{pool}", pool);
    if let Some(depth) = entry.nest {
        return format!("{text}{}{}}}", "[".repeat(depth), "]".repeat(depth)).into_bytes();
    }
    match entry.repeat {
        Some(len) => text.as_bytes().iter().copied().cycle().take(len).collect(),
        None => text.into_bytes(),
    }
}

/// SigV4 with the account's admin key (or an unknown one), as the SDKs sign, for `service`;
/// the headers to send.
fn signed_headers(
    fed: &Federation,
    url: &str,
    service: &str,
    body: &[u8],
    mutate: Option<&str>,
) -> Vec<(String, String)> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    let summary = fed.summary();
    let (mut id, secret) = (
        summary.admin_access_key_id.clone().unwrap(),
        summary.admin_secret_access_key.clone().unwrap(),
    );
    if mutate == Some("unknown-key") {
        id = "AKIAUNKNOWNKEY000000".into();
    }
    let time = match mutate {
        Some("date-2001") => SystemTime::UNIX_EPOCH + Duration::from_secs(978_307_200),
        Some("date-2099") => SystemTime::UNIX_EPOCH + Duration::from_secs(4_070_908_800),
        _ => SystemTime::now(),
    };
    let identity: aws_smithy_runtime_api::client::identity::Identity =
        aws_credential_types::Credentials::new(id, secret, None, None, "corpus").into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(&summary.region)
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let host = url.trim_start_matches("http://").split('/').next().unwrap().to_owned();
    let content_type = "application/x-www-form-urlencoded";
    let headers = [("host", host.as_str()), ("content-type", content_type)];
    let request =
        SignableRequest::new("POST", url, headers.into_iter(), SignableBody::Bytes(body)).unwrap();
    let (instructions, _) = sign(request, &params).unwrap().into_parts();
    let mut out = vec![("content-type".to_owned(), content_type.to_owned())];
    for (name, value) in instructions.headers() {
        let mut value = value.to_owned();
        if mutate == Some("drop-host") && name == "authorization" {
            value =
                value.replace("SignedHeaders=content-type;host;", "SignedHeaders=content-type;");
        }
        out.push((name.to_owned(), value));
    }
    out
}

/// The request's bytes on the wire.
fn request_bytes(fed: &Federation, entry: &Entry, host: &str, base: &str) -> Vec<u8> {
    if let Some(raw) = &entry.raw {
        return raw.replace("{host}", host).into_bytes();
    }
    let mut body = body_of(entry, fed.pool_id());
    let mut headers = entry.headers.clone();
    if let Some(service) = &entry.sign {
        headers = signed_headers(
            fed,
            &format!("{base}{}", entry.path),
            service,
            &body,
            entry.mutate.as_deref(),
        );
        if entry.mutate.as_deref() == Some("body-after-signing") {
            body.extend_from_slice(b"&DurationSeconds=900");
        }
    }
    let mut head = format!("{} {} HTTP/1.1\r\nhost: {host}\r\n", entry.method, entry.path);
    for (name, value) in &headers {
        let value = value.replace("{1MB}", &"a".repeat(1 << 20));
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    for i in 0..entry.extra_headers {
        head.push_str(&format!("x-extra-{i}: {i}\r\n"));
    }
    if let Some(size) = entry.chunked {
        head.push_str("transfer-encoding: chunked\r\nconnection: close\r\n\r\n");
        let mut bytes = head.into_bytes();
        for chunk in body.chunks(size.max(1)) {
            bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            bytes.extend_from_slice(chunk);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"0\r\n\r\n");
        return bytes;
    }
    if entry.method == "POST" {
        head.push_str(&format!("content-length: {}\r\n", entry.declare.unwrap_or(body.len())));
    }
    head.push_str("connection: close\r\n\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

/// Writes the request while reading the answer (a server may answer a huge body before it
/// has all of it, and close).
async fn exchange(address: &str, request: Vec<u8>) -> Result<Vec<u8>, String> {
    let stream = tokio::net::TcpStream::connect(address).await.map_err(|e| e.to_string())?;
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = write.write_all(&request).await;
        // Keep the write half open: closing it would end a declared-but-short body.
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(write);
    });
    let mut answer = Vec::new();
    let read_all = async {
        let mut buf = [0u8; 65536];
        loop {
            match read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
            if complete(&answer) {
                break;
            }
        }
    };
    let timed = tokio::time::timeout(Duration::from_secs(20), read_all).await;
    writer.abort();
    timed.map_err(|_| "no answer within 20 s".to_owned())?;
    Ok(answer)
}

/// Whether `bytes` hold a whole response (head and Content-Length bytes of body).
fn complete(bytes: &[u8]) -> bool {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else { return false };
    let head = String::from_utf8_lossy(&bytes[..end]).to_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    length.is_some_and(|len| bytes.len() >= end + 4 + len)
}

fn answer_of(bytes: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    };
    let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let field = |names: &[&str]| names.iter().find_map(|n| json[*n].as_str().map(str::to_owned));
    let xml = |tag: &str| {
        let open = format!("<{tag}>");
        let start = body.find(&open)? + open.len();
        let end = body[start..].find(&format!("</{tag}>"))?;
        let text = &body[start..start + end];
        Some(
            text.replace("&apos;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
        )
    };
    let oauth = json.get("error_description").is_some();
    let r#type = header("x-amzn-errortype")
        .map(|t| t.split(':').next().unwrap_or_default().to_owned())
        .or_else(|| field(&["__type"]).map(|t| t.rsplit('#').next().unwrap_or_default().to_owned()))
        .or_else(|| if oauth { field(&["error"]) } else { None })
        .or_else(|| field(&["errorCode"]))
        .or_else(|| xml("Code"))
        .unwrap_or_else(|| "-".into());
    let message = field(&["message", "Message", "error_description", "errorSummary"])
        .or_else(|| if oauth { None } else { field(&["error"]) })
        .or_else(|| xml("Message"))
        .unwrap_or_else(|| "-".into());
    Answer { status, r#type, message }
}

#[tokio::test]
async fn every_hostile_request_gets_its_answer_and_the_world_keeps_serving() {
    let corpus: Corpus = toml::from_str(CORPUS).unwrap_or_else(|e| panic!("requests.toml: {e}"));
    assert!(corpus.request.len() >= 30, "the corpus holds at least 30 requests");
    let fed = Federation::start().await;
    let mut wrong = Vec::new();
    for entry in &corpus.request {
        let base = match entry.to.as_str() {
            "cognito" => fed.cognito_endpoint().to_owned(),
            "okta" => fed.okta_url().to_owned(),
            other => panic!("{}: to = {other:?}", entry.name),
        };
        let host = base.trim_start_matches("http://").to_owned();
        let bytes = request_bytes(&fed, entry, &host, &base);
        let answer = match exchange(&host, bytes).await {
            Ok(bytes) => answer_of(&bytes),
            Err(e) => {
                wrong.push(format!("{}: {e}", entry.name));
                continue;
            }
        };
        let expected = Answer {
            status: entry.status,
            r#type: entry.r#type.clone(),
            message: entry.message.clone(),
        };
        let message_matches = match expected.message.strip_suffix('*') {
            Some(prefix) => answer.message.starts_with(prefix),
            None => answer.message == expected.message,
        };
        if (answer.status, &answer.r#type) != (expected.status, &expected.r#type)
            || !message_matches
        {
            wrong.push(format!(
                "{}:\n    got      {answer:?}\n    expected {expected:?}",
                entry.name
            ));
        }
        assert!(answer.status < 500, "{}: a 5xx", entry.name);
    }
    let s = fed.summary().clone();
    let request = harness::TokenRequest::password(&s.username, &s.password, "openid");
    let token = fed.token(request).await.unwrap();
    let id = fed.cognito_client().get_id().identity_pool_id(fed.pool_id());
    id.logins(fed.logins_key(), token.access_token).send().await.expect("still serving");
    assert!(wrong.is_empty(), "{} wrong answers:\n{}", wrong.len(), wrong.join("\n"));
}
