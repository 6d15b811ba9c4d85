//! Connections clients cannot hold forever (issue 15): a request head not sent in time closes
//! its connection, silent connections too, and the cap on open connections makes a flood
//! wait instead of exhausting the process, while well-behaved clients are served; a body that
//! does not arrive is answered in the service's shape when its time is up.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use harness::{Federation, Limits};

async fn world(max_connections: usize) -> Federation {
    Federation::builder()
        .limits(Limits {
            max_connections,
            header_timeout: Duration::from_millis(500),
            body_timeout: Duration::from_millis(500),
        })
        .start()
        .await
        .unwrap()
}

fn connect(base: &str) -> TcpStream {
    let stream = TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream
}

/// Whether the server closed `stream` (read sees the end, or an answer then the end).
fn closed_by_server(mut stream: TcpStream) -> bool {
    let mut buffer = Vec::new();
    stream.read_to_end(&mut buffer).is_ok()
}

#[tokio::test]
async fn slow_loris_connections_are_cut_off_and_others_are_served() {
    let fed = world(4).await;
    for base in [fed.okta_url().to_owned(), fed.cognito_endpoint().to_owned()] {
        let started = Instant::now();
        // Four connections fill the cap: two send half a request head, two send nothing.
        let mut held = Vec::new();
        for i in 0..4 {
            let mut stream = connect(&base);
            if i % 2 == 0 {
                stream.write_all(b"POST / HTTP/1.1\r\nHost: fedmock\r\nX-Slow: ").unwrap();
            }
            held.push(stream);
        }
        // A well-behaved client waits for a slot, then is served.
        let health = format!("{base}/__fedmock/health");
        let answer = tokio::time::timeout(Duration::from_secs(5), reqwest::get(&health)).await;
        assert_eq!(answer.unwrap().unwrap().status(), 200, "{base}");
        let held = tokio::task::spawn_blocking(move || held.into_iter().all(closed_by_server));
        assert!(held.await.unwrap(), "every held connection was closed by the server");
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }
}

#[tokio::test]
async fn a_body_that_does_not_arrive_is_answered_when_its_time_is_up() {
    let fed = world(16).await;
    let cases = [
        (
            fed.cognito_endpoint().to_owned(),
            "/",
            "x-amz-target: AWSCognitoIdentityService.GetId\r\ncontent-type: application/x-amz-json-1.1",
            "HTTP/1.1 400",
            "RequestTimeout",
        ),
        (
            fed.cognito_endpoint().to_owned(),
            "/",
            "content-type: application/x-www-form-urlencoded",
            "HTTP/1.1 400",
            "<Code>RequestTimeout</Code>",
        ),
        (
            fed.okta_url().to_owned(),
            "/oauth2/default/v1/token",
            "content-type: application/x-www-form-urlencoded",
            "HTTP/1.1 408",
            "The request body did not arrive in time.",
        ),
    ];
    for (base, path, headers, status, says) in cases {
        let mut stream = connect(&base);
        let started = Instant::now();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: fedmock\r\n{headers}\r\nContent-Length: 100\r\n\r\n{{\"a"
        );
        stream.write_all(head.as_bytes()).unwrap();
        let answer = tokio::task::spawn_blocking(move || {
            let mut buffer = [0u8; 4096];
            let n = stream.read(&mut buffer).unwrap_or(0);
            String::from_utf8_lossy(&buffer[..n]).into_owned()
        })
        .await
        .unwrap();
        assert!(answer.starts_with(status) && answer.contains(says), "{base}{path}: {answer}");
        assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    }
}
