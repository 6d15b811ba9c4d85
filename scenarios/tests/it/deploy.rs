//! The deployment files (issue 13) are checked here without a cluster: every Kubernetes
//! manifest in `deploy/k8s/` deserialises into the `k8s-openapi` type of its kind and
//! serialises back to the same document (a field the API does not know would be dropped,
//! and fails the check), the world it carries is a valid world, and the Compose file is what
//! Swarm needs. The Swarm deployment itself runs in `container.rs` (it needs a Docker engine).

use std::path::{Path, PathBuf};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use serde_json::Value;

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Round-trips `document` through `T`: a type error fails, and so does any field `T` dropped.
fn checked<T: serde::de::DeserializeOwned + serde::Serialize>(
    name: &str,
    document: &Value,
) -> Result<T, String> {
    let typed: T = serde_json::from_value(document.clone())
        .map_err(|e| format!("{name} is not a valid {}: {e}", std::any::type_name::<T>()))?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    match first_difference(document, &back, String::new()) {
        Some(path) => Err(format!("{name}: the Kubernetes API has no field at {path}")),
        None => Ok(typed),
    }
}

fn strict<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str, document: &Value) -> T {
    checked(name, document).unwrap_or_else(|why| panic!("{why}"))
}

/// The first path where `written` has something `known` lacks.
fn first_difference(written: &Value, known: &Value, at: String) -> Option<String> {
    match (written, known) {
        (Value::Object(w), Value::Object(k)) => {
            w.iter().find_map(|(key, value)| match k.get(key) {
                None => Some(format!("{at}.{key}")),
                Some(other) => first_difference(value, other, format!("{at}.{key}")),
            })
        }
        (Value::Array(w), Value::Array(k)) if w.len() == k.len() => w
            .iter()
            .zip(k)
            .enumerate()
            .find_map(|(i, (w, k))| first_difference(w, k, format!("{at}[{i}]"))),
        // Numbers written as strings and the like are the API's business; shapes are ours.
        (w, k) if w.is_object() || w.is_array() || k.is_object() || k.is_array() => Some(at),
        _ => None,
    }
}

fn every_kubernetes_manifest_is_valid_against_the_api_types() {
    let mut kinds = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(deploy().join("k8s"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for path in files {
        let document = yaml(&path);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let kind = document["kind"].as_str().unwrap_or_default().to_owned();
        match kind.as_str() {
            "Deployment" => {
                let deployment: Deployment = strict(&name, &document);
                let pod = deployment.spec.unwrap().template.spec.unwrap();
                let container = &pod.containers[0];
                for probe in [&container.readiness_probe, &container.liveness_probe] {
                    let path = probe.as_ref().and_then(|p| p.http_get.as_ref()?.path.clone());
                    assert_eq!(path.as_deref(), Some("/__fedmock/health"), "{name}");
                }
                let env: Vec<_> = container.env.iter().flatten().map(|e| e.name.as_str()).collect();
                for needed in ["FEDMOCK_SEED", "FEDMOCK_PUBLIC_URL", "FEDMOCK_CONFIG"] {
                    assert!(env.contains(&needed), "{name} sets no {needed}");
                }
            }
            "Service" => drop(strict::<Service>(&name, &document)),
            "Secret" => drop(strict::<Secret>(&name, &document)),
            "HorizontalPodAutoscaler" => drop(strict::<HorizontalPodAutoscaler>(&name, &document)),
            "ConfigMap" => {
                let map: ConfigMap = strict(&name, &document);
                let world = &map.data.unwrap()["world.toml"];
                let parsed = harness::FederationConfig::from_toml(world).unwrap();
                assert_eq!(
                    parsed,
                    harness::FederationConfig::default_world(),
                    "{name} carries the default world: keep it in step with harness/worlds/default.toml"
                );
            }
            other => panic!("{name}: no check for kind {other:?}"),
        }
        kinds.push(kind);
    }
    kinds.sort();
    assert_eq!(kinds, ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Secret", "Service"]);
}

fn a_misspelt_field_fails_the_kubernetes_check() {
    let mut document = yaml(&deploy().join("k8s/service.yaml"));
    document["spec"]["prots"] = document["spec"]["ports"].clone();
    let why = checked::<Service>("service.yaml", &document).unwrap_err();
    assert!(why.contains(".spec.prots"), "{why}");
}

fn the_compose_file_deploys_replicas_swarm_can_run_without_its_routing_mesh() {
    let compose = yaml(&deploy().join("compose.yaml"));
    let service = &compose["services"]["fedmock"];
    assert_eq!(service["deploy"]["endpoint_mode"], "dnsrr", "the mesh is absent on these kernels");
    assert!(service["deploy"]["replicas"].as_u64().unwrap() >= 2);
    assert_eq!(service["healthcheck"]["test"][1], "/fedmock");
    assert!(service.get("ports").is_none(), "dnsrr services publish no ingress ports");
    let world = compose["configs"]["world"]["file"].as_str().unwrap();
    let world = std::fs::read_to_string(deploy().join(world)).unwrap();
    harness::FederationConfig::from_toml(&world).unwrap();
    assert_eq!(compose["networks"]["fedmock"]["attachable"], true);
}

pub fn tests() -> Vec<libtest_mimic::Trial> {
    crate::trials!("deploy", crate::support::Needs::Nothing;
    sync: [
        every_kubernetes_manifest_is_valid_against_the_api_types,
        a_misspelt_field_fails_the_kubernetes_check,
        the_compose_file_deploys_replicas_swarm_can_run_without_its_routing_mesh,
    ];
    async: [])
}
