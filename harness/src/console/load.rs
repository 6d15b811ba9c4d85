//! The reports of recent `fedmock load` runs against this world: the run posts its report
//! here when it ends (`Federation::publish_load_report`), the console keeps the last
//! [`KEPT`] and lists them with their headline figures; each opens as the run wrote it, plots
//! and all.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::Path;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::html;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{BASE, Shared, layout, relative};

/// How many reports the console keeps.
pub const KEPT: usize = 10;

/// One run's report.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct LoadReport {
    /// The number the console gave it (set on arrival).
    #[serde(default)]
    pub id: u64,
    /// World time it arrived (set on arrival).
    #[serde(default)]
    pub received_at: i64,
    /// The report as `fedmock load --json` prints it.
    pub summary: Value,
    /// The report as `fedmock load --report` writes it: one self-contained HTML page.
    pub html: String,
}

/// The reports kept, oldest first.
#[derive(Debug, Default)]
pub(super) struct Reports {
    kept: Mutex<(u64, VecDeque<Arc<LoadReport>>)>,
}

impl Reports {
    pub(super) fn add(&self, mut report: LoadReport) -> u64 {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.0 += 1;
        report.id = kept.0;
        if kept.1.len() == KEPT {
            kept.1.pop_front();
        }
        kept.1.push_back(Arc::new(report));
        kept.0
    }

    pub(super) fn recent(&self) -> Vec<Arc<LoadReport>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.1.iter().rev().cloned().collect()
    }
}

/// `POST /__fedmock/ui/load`: a run's report, as JSON `{"summary", "html"}`.
pub(super) async fn upload(
    state: Shared,
    payload: Result<Json<LoadReport>, JsonRejection>,
) -> Response {
    match payload {
        Ok(Json(mut report)) => {
            report.received_at = state.okta.clock.now();
            let id = state.add_load_report(report);
            (StatusCode::CREATED, Json(json!({"id": id, "url": format!("{BASE}/load/{id}")})))
                .into_response()
        }
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({"error": e.body_text()}))).into_response(),
    }
}

pub(super) async fn list(state: Shared) -> Html<String> {
    let now = state.okta.clock.now();
    let reports = state.load_reports();
    let number = |v: &Value| v.as_f64().map_or_else(|| "–".to_owned(), |n| format!("{n:.1}"));
    let body = html! {
        p { "The last " (KEPT) " runs of " code { "fedmock load --against <ready file>" } " against this world post their reports here." }
        @if reports.is_empty() {
            p #no-reports { "No run yet. Try:" }
            pre { code { "fedmock up --ready-file /tmp/fedmock.json &\nfedmock load --against /tmp/fedmock.json --duration 10s" } }
        } @else {
            table {
                thead { tr {
                    th scope="col" { "Run" } th scope="col" { "When" } th scope="col" { "Exchanges" }
                    th scope="col" { "Unexpected" } th scope="col" { "Exchanges/s" } th scope="col" { "p99 (ms)" }
                } }
                tbody { @for report in &reports {
                    tr {
                        td { a href={ (BASE) "/load/" (report.id) } { "Run " (report.id) } }
                        td { (relative(report.received_at, now)) }
                        td { (report.summary["exchanges"]) }
                        td { (report.summary["unexpected"]) }
                        td { (number(&report.summary["throughput_per_s"])) }
                        td { (number(&report.summary["latency_ms"]["exchange"]["p99"])) }
                    }
                } }
            }
        }
    };
    layout(&state, "load", "Load", body)
}

/// One report as the run wrote it, sandboxed: it runs no script under the console's origin.
pub(super) async fn report(state: Shared, Path(id): Path<String>) -> Response {
    let found =
        id.parse::<u64>().ok().and_then(|id| state.load_reports().into_iter().find(|r| r.id == id));
    let Some(report) = found else {
        let body = html! { p { "No such report: the console keeps the last " (KEPT) "." } };
        return (StatusCode::NOT_FOUND, layout(&state, "load", "Report not found", body))
            .into_response();
    };
    let mut response = Html(report.html.clone()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
    response
}
