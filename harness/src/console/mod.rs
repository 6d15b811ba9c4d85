//! fedmock's web console, at `/__fedmock/ui` on mock-okta's port (behind the control API's
//! guard): the world at a glance with snippets that work against it, the live feed of
//! exchanges with the check list of each, a token inspector, the controls (clock, keys,
//! faults, minting) and the reports of `fedmock load` runs.
//!
//! Why here: it needs both mocks' state and the world's config, and only the harness holds
//! all three; mock-okta only mounts the router it is given (`router_with_console`). Pages are
//! rendered on the server (maud escapes every value, and tokens are hostile input) with a
//! little plain JavaScript for the live feed; the assets are compiled in, so it works offline
//! and needs no build step. Every explanation comes from mock-cognito's own check chains
//! (`mock_cognito::explain`), so the console never disagrees with the endpoint.

mod controls;
mod exchanges;
mod feed;
mod inspect;
mod load;
mod world;

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, html};
use mock_cognito::CognitoState;
use mock_okta::OktaState;
use tokio::sync::watch;

pub use feed::{Answer, CAPACITY, Exchange, Feed};
pub use load::LoadReport;

use crate::{FederationConfig, WorldSummary};

/// Where the console is served.
pub const BASE: &str = "/__fedmock/ui";

/// A world's console: what its pages read and change.
#[derive(Debug)]
pub struct Console {
    okta: Arc<OktaState>,
    cognito: Arc<CognitoState>,
    config: FederationConfig,
    summary: OnceLock<WorldSummary>,
    feed: Arc<Feed>,
    reports: load::Reports,
    /// Set when the world stops: the live feeds end so a graceful stop need not wait on them.
    closing: watch::Sender<bool>,
}

impl Console {
    /// A console over both mocks, watching them (their observer hooks feed it).
    pub(crate) fn new(
        okta: Arc<OktaState>,
        cognito: Arc<CognitoState>,
        config: FederationConfig,
        capacity: usize,
    ) -> Arc<Self> {
        let feed = Arc::new(Feed::new(capacity, okta.clock.clone()));
        okta.set_observer(Arc::clone(&feed) as Arc<dyn mock_okta::observe::Observer>);
        cognito.set_observer(Arc::clone(&feed) as Arc<dyn mock_cognito::observe::Observer>);
        Arc::new(Self {
            okta,
            cognito,
            config,
            summary: OnceLock::new(),
            feed,
            reports: load::Reports::default(),
            closing: watch::channel(false).0,
        })
    }

    /// Tells the console what clients need (known once both servers are bound).
    pub(crate) fn set_summary(&self, summary: WorldSummary) {
        self.summary.set(summary).ok();
    }

    /// Ends the live feeds (the world is stopping).
    pub(crate) fn close(&self) {
        self.closing.send_replace(true);
    }

    /// The live feed.
    pub fn feed(&self) -> &Feed {
        &self.feed
    }

    /// Keeps a `fedmock load` report (the last [`load::KEPT`]).
    pub fn add_load_report(&self, report: LoadReport) -> u64 {
        self.reports.add(report)
    }

    /// The reports kept, newest first.
    pub fn load_reports(&self) -> Vec<Arc<LoadReport>> {
        self.reports.recent()
    }

    fn summary(&self) -> Option<&WorldSummary> {
        self.summary.get()
    }

    /// The router mock-okta mounts under `/__fedmock/ui`.
    pub(crate) fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/", get(world::page))
            .route("/exchanges", get(exchanges::list))
            .route("/exchanges/events", get(exchanges::events))
            .route("/exchanges/{id}", get(exchanges::detail))
            .route("/inspect", get(inspect::page).post(inspect::submit))
            .route("/controls", get(controls::page))
            .route("/controls/clock", post(controls::clock))
            .route("/controls/keys", post(controls::keys))
            .route("/controls/faults", post(controls::faults))
            .route("/controls/mint", post(controls::mint))
            .route("/load", get(load::list).post(load::upload))
            .route("/load/{id}", get(load::report))
            .route("/assets/console.css", get(css))
            .route("/assets/console.js", get(js))
            .fallback(not_found)
            .with_state(Arc::clone(self))
    }
}

type Shared = axum::extract::State<Arc<Console>>;

/// The sections, in the order of the navigation.
const SECTIONS: [(&str, &str); 5] = [
    ("world", "World"),
    ("exchanges", "Exchanges"),
    ("inspect", "Token inspector"),
    ("controls", "Controls"),
    ("load", "Load"),
];

fn href(section: &str) -> String {
    if section == "world" { format!("{BASE}/") } else { format!("{BASE}/{section}") }
}

/// A whole page: the navigation, the world clock, `title` as its one `h1`, `body`.
fn layout(console: &Console, section: &str, title: &str, body: Markup) -> Html<String> {
    let now = console.okta.clock.now();
    let frozen = console.okta.clock.is_frozen();
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · fedmock console" }
                    link rel="stylesheet" href={ (BASE) "/assets/console.css" };
                    script src={ (BASE) "/assets/console.js" } defer {}
                }
                body {
                    a.skip href="#main" { "Skip to content" }
                    header.top {
                        p.brand { "fedmock" }
                        nav aria-label="Console sections" {
                            ul {
                                @for (id, name) in SECTIONS {
                                    li {
                                        @if id == section {
                                            a href=(href(id)) aria-current="page" { (name) }
                                        } @else {
                                            a href=(href(id)) { (name) }
                                        }
                                    }
                                }
                            }
                        }
                        p.clock {
                            "World clock: "
                            time #world-clock datetime=(mock_cognito::iso8601(now)) data-epoch=(now) { (mock_cognito::iso8601(now)) }
                            @if frozen { " " span.badge.frozen { "frozen" } }
                        }
                    }
                    main #main tabindex="-1" {
                        h1 { (title) }
                        (body)
                    }
                }
            }
        }
        .into_string(),
    )
}

/// `1 h 5 min ago`, `in 59 min`: `at` relative to the world's `now`.
fn relative(at: i64, now: i64) -> String {
    let span = (at - now).unsigned_abs();
    let words = match span {
        0 => return "now".to_owned(),
        1..60 => format!("{span} s"),
        60..3600 => format!("{} min", span / 60),
        3600..86_400 => match (span / 3600, span % 3600 / 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        },
        _ => format!("{} d", span / 86_400),
    };
    if at < now { format!("{words} ago") } else { format!("in {words}") }
}

async fn not_found(state: Shared) -> Response {
    let body = html! {
        p { "There is no such page in the console." }
        p { a href=(href("world")) { "Go to the world's page" } }
    };
    (StatusCode::NOT_FOUND, layout(&state, "", "Not found", body)).into_response()
}

async fn css() -> Response {
    asset("text/css; charset=utf-8", include_str!("assets/console.css"))
}

async fn js() -> Response {
    asset("text/javascript; charset=utf-8", include_str!("assets/console.js"))
}

fn asset(content_type: &'static str, text: &'static str) -> Response {
    let mut response = text.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn times_read_relative_to_the_world_clock() {
        assert_eq!(relative(100, 100), "now");
        assert_eq!(relative(100, 130), "30 s ago");
        assert_eq!(relative(100 + 3540, 100), "in 59 min");
        assert_eq!(relative(100, 100 + 3900), "1 h 5 min ago");
        assert_eq!(relative(0, 2 * 86_400), "2 d ago");
    }
}
