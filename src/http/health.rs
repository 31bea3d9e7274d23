//! `/health` (what is served and how the last reload went), `/health/live` (the process
//! answers) and `/health/ready` (503 until the first snapshot is in and while shutting down):
//! the pair a load balancer and an orchestrator expect.

use super::error::ApiResult;
use super::params::Params;
use super::state::AppState;
use crate::layers::Problem;
use crate::snapshot::ReloadOutcome;
use crate::snapshot::reload::rfc3339;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

pub async fn health(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    let snap = s.live.current();
    let last = s.live.last_reload();
    let failed = last
        .as_ref()
        .is_some_and(|r| r.outcome == ReloadOutcome::Failed);
    let mut body = json!({
        "status": if snap.is_some() && !failed && !s.live.is_degraded() { "ok" } else { "degraded" },
        "source_reachable": !s.live.is_degraded(),
        "ready": s.live.is_ready(),
        "data_version": snap.as_ref().map(|s| s.data_version()),
        "loaded_at": snap.as_ref().map(|s| rfc3339(s.loaded_at)),
        "source": s.live.source().map(|src| src.to_string()),
        "last_reload": last.map(|r| json!({
            "trigger": r.trigger,
            "finished_at": rfc3339(r.finished_at),
            "elapsed_ms": r.elapsed_ms,
            "outcome": r.outcome.as_str(),
            "problems": r.problems.iter().map(problem_json).collect::<Vec<_>>(),
        })),
    });
    if let Some(snap) = &snap {
        let ds = &snap.dataset;
        let counts: Map<String, Value> = ds
            .catalogue
            .layers
            .iter()
            .zip(&ds.stats)
            .map(|(l, st)| (l.id.clone(), json!(st.feature_count)))
            .collect();
        body["features"] = json!(ds.features.len());
        body["layers"] = Value::Object(counts);
    }
    Ok(Json(body))
}

/// One data problem: the file, the feature's index and id when known, the reason, and the
/// whole sentence as `yuqian check` prints it.
pub fn problem_json(p: &Problem) -> Value {
    json!({
        "file": p.file.display().to_string(),
        "feature": p.feature,
        "id": p.id,
        "reason": p.reason,
        "message": p.to_string(),
    })
}

pub async fn live() -> Json<Value> {
    Json(json!({"status": "live"}))
}

pub async fn ready(State(s): State<AppState>) -> (StatusCode, Json<Value>) {
    if s.live.is_ready() {
        let version = s.live.current().map(|snap| snap.data_version().to_string());
        (
            StatusCode::OK,
            Json(
                json!({"status": "ready", "data_version": version, "degraded": s.live.is_degraded()}),
            ),
        )
    } else {
        let status = if s.live.is_shutting_down() {
            "shutting_down"
        } else {
            "starting"
        };
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": status})),
        )
    }
}
