//! Replicas behind a real balancer (issue 13): three `fedmock up` processes with one world and
//! one seed behind HAProxy (Debian's), balanced round robin per request, so the steps of one
//! exchange land on different replicas. `fedmock load --against` drives them through the
//! balancer; then replicas are stopped mid-run, gracefully and not.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Needs, Process, free_ports};

const SEED: &str = "replicas-test-seed";

/// Three replicas and the balancer in front of them.
struct Cluster {
    dir: PathBuf,
    replicas: Vec<Process>,
    _haproxy: Process,
    stats: String,
}

impl Cluster {
    fn start(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("fedmock-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let free = free_ports(9);
        let (lb_okta, lb_cognito, lb_stats) = (free[0], free[1], free[2]);
        let ports: Vec<(u16, u16)> = free[3..].chunks(2).map(|p| (p[0], p[1])).collect();
        let replicas = ports
            .iter()
            .enumerate()
            .map(|(i, &(okta, cognito))| replica(&dir, i, okta, cognito, lb_okta, lb_cognito))
            .collect::<Vec<_>>();
        for i in 0..3 {
            wait_for(&dir.join(format!("ready-{i}.json")));
        }
        let config = haproxy_config(lb_okta, lb_cognito, lb_stats, &ports);
        let config_path = dir.join("haproxy.cfg");
        std::fs::write(&config_path, config).unwrap();
        let log_path = dir.join("haproxy.log");
        let haproxy = Process(
            Command::new("haproxy")
                .arg("-db")
                .arg("-f")
                .arg(&config_path)
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log_path).unwrap())
                .spawn()
                .expect("haproxy starts"),
        );
        let stats = format!("http://127.0.0.1:{lb_stats}/stats;csv");
        let mut cluster = Self { dir, replicas, _haproxy: haproxy, stats };
        // Ready when the balancer sees every replica up on both ports (a busy CI machine may
        // take a while to answer the first checks).
        let deadline = Instant::now() + Duration::from_secs(60);
        while cluster.servers_up() < 6 {
            let exited = cluster._haproxy.0.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                panic!(
                    "HAProxy never saw the replicas up (exit: {exited:?}); servers: {:?}\n{log}",
                    cluster.stats()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        cluster
    }

    /// The ready file of replica 0: its endpoints are the balancer's (public URLs).
    fn ready(&self) -> PathBuf {
        self.dir.join("ready-0.json")
    }

    /// HAProxy's statistics: (backend, server, status, HTTP 2xx answers).
    fn stats(&self) -> Vec<(String, String, String, u64)> {
        let text = http_get(&self.stats).unwrap_or_default();
        let mut lines = text.lines();
        let Some(header) = lines.next() else { return Vec::new() };
        let names: Vec<&str> = header.trim_start_matches("# ").split(',').collect();
        let column = |name: &str| names.iter().position(|n| *n == name);
        let (Some(status), Some(ok)) = (column("status"), column("hrsp_2xx")) else {
            return Vec::new();
        };
        lines
            .map(|line| line.split(',').collect::<Vec<_>>())
            .filter(|row| row.len() > ok && row[1].starts_with('r'))
            .map(|row| {
                (row[0].into(), row[1].into(), row[status].into(), row[ok].parse().unwrap_or(0))
            })
            .collect()
    }

    fn servers_up(&self) -> usize {
        self.stats().iter().filter(|(_, _, status, _)| status.starts_with("UP")).count()
    }

    fn load(&self, extra: &[&str]) -> (bool, serde_json::Value, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_fedmock"))
            .args(["load", "--against"])
            .arg(self.ready())
            .args(["--json", "--users", "20"])
            .args(extra)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let json =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
        (out.status.success(), json, stderr)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.replicas.clear();
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

fn replica(
    dir: &Path,
    i: usize,
    okta: u16,
    cognito: u16,
    lb_okta: u16,
    lb_cognito: u16,
) -> Process {
    Process(
        Command::new(env!("CARGO_BIN_EXE_fedmock"))
            .args(["up", "--seed", SEED, "--grace-secs", "5"])
            .args(["--okta-port", &okta.to_string(), "--cognito-port", &cognito.to_string()])
            .args(["--public-url", &format!("http://127.0.0.1:{lb_okta}")])
            .args(["--public-cognito-url", &format!("http://127.0.0.1:{lb_cognito}")])
            .arg("--ready-file")
            .arg(dir.join(format!("ready-{i}.json")))
            .env("FEDMOCK_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// A GET's body (the statistics page), from a synchronous test.
fn http_get(url: &str) -> Option<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
    runtime.block_on(async { reqwest::get(url).await.ok()?.text().await.ok() })
}

fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !path.exists() {
        assert!(Instant::now() < deadline, "no ready file at {}", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Round robin per request, health checks on fedmock's health path, and a failed connection
/// retried on another replica (what a production balancer does).
fn haproxy_config(lb_okta: u16, lb_cognito: u16, lb_stats: u16, ports: &[(u16, u16)]) -> String {
    let servers = |pick: fn(&(u16, u16)) -> u16| {
        ports
            .iter()
            .enumerate()
            .map(|(i, p)| format!("  server r{i} 127.0.0.1:{}\n", pick(p)))
            .collect::<String>()
    };
    format!(
        "global
  maxconn 2000
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response
  option http-buffer-request
frontend okta
  bind 127.0.0.1:{lb_okta}
  default_backend okta
backend okta
  balance roundrobin
  option httpchk GET /__fedmock/health
  timeout check 5s
  default-server check inter 300ms fall 2 rise 1
{okta_servers}frontend cognito
  bind 127.0.0.1:{lb_cognito}
  default_backend cognito
backend cognito
  balance roundrobin
  option httpchk GET /__fedmock/health
  timeout check 5s
  default-server check inter 300ms fall 2 rise 1
{cognito_servers}listen stats
  bind 127.0.0.1:{lb_stats}
  stats enable
  stats uri /stats
",
        okta_servers = servers(|p| p.0),
        cognito_servers = servers(|p| p.1),
    )
}

/// Every flow through the balancer, each step on the next replica: 0 unexpected answers, and
/// every replica answered.
fn three_replicas_behind_haproxy_answer_as_one() {
    let cluster = Cluster::start("replicas");
    for flow in ["enhanced", "basic", "sts"] {
        let (ok, json, stderr) = cluster.load(&[
            "--flow",
            flow,
            "--exchanges",
            "150",
            "--concurrency",
            "3",
            "--verify-credentials",
        ]);
        assert!(ok, "{flow}: {json}\n{stderr}");
        assert_eq!(json["exchanges"], 150, "{flow}");
        assert_eq!(json["unexpected"], 0, "{flow}: {json}");
    }
    let stats = cluster.stats();
    for (backend, server, _, answered) in &stats {
        assert!(*answered > 20, "{backend}/{server} answered {answered}: {stats:?}");
    }
}

/// A replica stopped gracefully (SIGTERM) costs nothing; one killed costs at most the
/// requests it had in flight, and the run reports them by step and answer.
fn a_replica_stopped_mid_run_costs_at_most_its_requests_in_flight() {
    let mut cluster = Cluster::start("replicas-stop");
    let concurrency = 3;
    let ready = cluster.ready();
    let run = std::thread::spawn(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_fedmock"))
            .args(["load", "--against"])
            .arg(&ready)
            .args(["--json", "--users", "20", "--duration", "5s"])
            .args(["--concurrency", &concurrency.to_string(), "--verify-credentials"])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    });
    std::thread::sleep(Duration::from_millis(1500));
    let graceful = cluster.replicas[1].0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &graceful]).status().unwrap().success());
    std::thread::sleep(Duration::from_millis(1500));
    cluster.replicas[2].0.kill().unwrap();
    let json = run.join().unwrap();
    let unexpected = json["unexpected"].as_u64().unwrap();
    assert!(json["exchanges"].as_u64().unwrap() > 50, "{json}");
    assert!(unexpected <= concurrency, "more than the requests in flight were lost: {json}");
    let reported: u64 =
        json["unexpected_answers"].as_object().unwrap().values().filter_map(|v| v.as_u64()).sum();
    assert_eq!(reported, unexpected, "each lost request is reported by step and answer: {json}");
    assert!(cluster.replicas[1].0.wait().unwrap().success(), "SIGTERM stops cleanly");
}

pub fn tests() -> Vec<libtest_mimic::Trial> {
    crate::trials!("replicas", Needs::Haproxy;
    sync: [
        three_replicas_behind_haproxy_answer_as_one,
        a_replica_stopped_mid_run_costs_at_most_its_requests_in_flight,
    ];
    async: [])
}
