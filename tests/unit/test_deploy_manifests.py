"""deploy/ cannot be pulled or run here (no registry access), so its essentials are checked by
reading it: every YAML parses, every MNEMO_* variable is a real setting, probes and health checks
name real routes, every image is pinned by tag, and the Kubernetes objects point at each other."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from mnemo.api.config.bindings_config import load_bindings
from mnemo.api.config.settings import Settings
from mnemo.api.guards.resilience import EMBEDDER_PROBE_TIMEOUT_S, REDIS_PROBE_TIMEOUT_S
from mnemo.api.http.app import create_app

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def documents() -> list[tuple[Path, dict[str, Any]]]:
    out = []
    for path in sorted(DEPLOY.rglob("*.yaml")):
        out.extend((path, doc) for doc in yaml.safe_load_all(path.read_text()) if doc is not None)
    return out


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in documents() if doc.get("kind") == kind]


def setting_names() -> set[str]:
    return set(Settings.env_names())  # top-level and grouped (MNEMO_REDIS__URL)


def routes() -> set[str]:
    return {route.path for route in create_app(Settings()).routes}  # builds the app, opens nothing


def mnemo_variables(text: str) -> set[str]:
    return set(re.findall(r"\bMNEMO_[A-Z0-9_]+\b", text))


def test_every_yaml_parses_and_deploy_has_its_parts() -> None:
    docs = documents()
    assert len(docs) >= 10
    kinds = {doc.get("kind") for _, doc in docs}
    assert {"Deployment", "Service", "ConfigMap", "Secret", "HorizontalPodAutoscaler"} <= kinds
    assert {"PodDisruptionBudget", "StatefulSet", "Kustomization"} <= kinds
    assert (DEPLOY / "Dockerfile").is_file() and (DEPLOY / "README.md").is_file()


def test_every_mnemo_variable_is_a_real_setting() -> None:
    files = [
        *DEPLOY.rglob("*.yaml"),
        DEPLOY / "Dockerfile",
        DEPLOY / "mnemo.env.example",
        DEPLOY / "README.md",
    ]
    used = {name: path.name for path in files for name in mnemo_variables(path.read_text())}
    unknown = {name: where for name, where in used.items() if name not in setting_names()}
    assert not unknown, f"not settings in api/config/settings.py: {unknown}"
    assert {"MNEMO_QDRANT__URL", "MNEMO_REDIS__URL", "MNEMO_API_KEYS", "MNEMO_CONFIG"} <= set(used)


def test_secrets_stay_out_of_plain_config() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert "MNEMO_API_KEYS" not in compose["services"]["mnemo"]["environment"]
    assert compose["services"]["mnemo"]["env_file"] == ["mnemo.env"]
    [configmap] = by_kind("ConfigMap")
    assert not {"MNEMO_API_KEYS", "MNEMO_QDRANT__API_KEY", "MNEMO_REDIS__URL"} & set(configmap["data"])
    [secret] = by_kind("Secret")
    assert "MNEMO_API_KEYS" in secret["stringData"]


def test_probes_and_health_checks_name_real_routes() -> None:
    served = routes()
    [deployment] = by_kind("Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert {"/ready", "/health"} <= served
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    health_urls = re.findall(
        r"http://127\.0\.0\.1:8080(/\w+)", str(compose["services"]["mnemo"]["healthcheck"])
    )
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    health_urls += re.findall(r"http://127\.0\.0\.1:8080(/\w+)", dockerfile)
    assert health_urls and set(health_urls) <= served


def test_images_are_pinned_by_tag() -> None:
    images = [m for _, doc in documents() for m in re.findall(r"'image': '([^']+)'", str(doc))]
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    images += re.findall(r"^FROM\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert len(images) >= 6
    for image in images:
        name, _, tag = image.rpartition(":")
        assert name and tag and tag != "latest" and "/" not in tag, f"{image} is not pinned by tag"
    [values] = [doc for path, doc in documents() if path.name == "qdrant-values.yaml"]
    assert re.fullmatch(r"v\d+\.\d+\.\d+", values["image"]["tag"])
    assert "torch==2.13.0" in dockerfile and "download.pytorch.org/whl/cpu" in dockerfile


def test_dockerfile_runs_mnemo_as_non_root_on_the_configured_port() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^USER 10001", dockerfile, flags=re.MULTILINE)
    assert "MNEMO_PORT=8080" in dockerfile and "EXPOSE 8080" in dockerfile
    assert "HEALTHCHECK" in dockerfile and 'CMD ["mnemo", "serve"]' in dockerfile
    [deployment] = by_kind("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001
    assert pod["containers"][0]["ports"][0]["containerPort"] == 8080


@pytest.mark.parametrize("kind", ["Service", "PodDisruptionBudget"])
def test_selectors_match_the_deployments_pods(kind: str) -> None:
    [deployment] = by_kind("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    for doc in by_kind(kind):
        if doc["metadata"]["name"] != "mnemo":
            continue
        selector = doc["spec"]["selector"]
        selector = selector.get("matchLabels", selector)
        assert selector.items() <= labels.items()


def test_hpa_scales_the_deployment_and_kustomization_lists_every_manifest() -> None:
    [deployment] = by_kind("Deployment")
    [hpa] = by_kind("HorizontalPodAutoscaler")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"])
    assert hpa["spec"]["minReplicas"] >= 2
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    manifests = {p.name for p in (DEPLOY / "k8s").glob("*.yaml")}
    # Not applied on purpose: the Secret is a template, the Qdrant values go to its Helm chart.
    assert listed == manifests - {"kustomization.yaml", "secret.example.yaml", "qdrant-values.yaml"}


def test_bindings_files_follow_the_services_schema(tmp_path: Path) -> None:
    """The example file and the ConfigMap's copy load as `mnemo serve` would load them."""
    example = load_bindings(DEPLOY / "mnemo-config.example.yaml")
    assert {"support-bot", "account-manager", "triage"} <= set(example.agent_names("default"))
    [configmap] = by_kind("ConfigMap")
    inline = tmp_path / "config.yaml"
    inline.write_text(configmap["data"]["config.yaml"])
    assert load_bindings(inline).agent_names("default") == ["support-bot"]


def test_the_redis_cluster_overlay_switches_the_layout_to_the_cluster() -> None:
    overlay = yaml.safe_load((DEPLOY / "k8s-redis-cluster" / "kustomization.yaml").read_text())
    assert overlay["resources"] == ["../k8s"]  # beside the base: kustomize refuses a base holding its overlay
    patches = [yaml.safe_load(p["patch"]) for p in overlay["patches"]]
    [configmap] = [p for p in patches if p["kind"] == "ConfigMap"]
    [base_configmap] = by_kind("ConfigMap")
    assert configmap["metadata"]["name"] == base_configmap["metadata"]["name"]
    assert configmap["data"] == {"MNEMO_REDIS__CLUSTER": "true"}
    assert Settings(redis={"cluster": configmap["data"]["MNEMO_REDIS__CLUSTER"]}).redis.cluster is True
    # What it deletes is the base's single Redis, by the names the base gives it.
    deleted = {(p["kind"], p["metadata"]["name"]) for p in patches if p.get("$patch") == "delete"}
    base = yaml.safe_load_all((DEPLOY / "k8s" / "redis.yaml").read_text())
    assert deleted == {(doc["kind"], doc["metadata"]["name"]) for doc in base}
    namespace = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())["namespace"]
    assert {p["metadata"]["namespace"] for p in patches} == {namespace}


def test_a_redis_cluster_failover_fits_in_the_failover_wait() -> None:
    values = yaml.safe_load((DEPLOY / "k8s-redis-cluster" / "values.yaml").read_text())
    nodes, replicas = values["cluster"]["nodes"], values["cluster"]["replicas"]
    masters, spare = divmod(nodes, 1 + replicas)
    assert spare == 0 and masters >= 3 and replicas >= 1  # every master has a replica to take over
    config = dict(line.split(maxsplit=1) for line in values["redis"]["configmap"].splitlines())
    node_timeout_s = int(config["cluster-node-timeout"]) / 1000
    [configmap] = by_kind("ConfigMap")
    wait_s = Settings(
        redis={"failover_wait_s": configmap["data"]["MNEMO_REDIS__FAILOVER_WAIT_S"]}
    ).redis.failover_wait_s
    # The node timeout, then an election (about a second after it in the tests' cluster).
    assert node_timeout_s + 3 <= wait_s, (node_timeout_s, wait_s)
    assert values["redis"]["useAOFPersistence"] == "yes"


def test_qdrant_cluster_and_sharding_settings_agree_everywhere() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    [configmap] = by_kind("ConfigMap")
    values = yaml.safe_load((DEPLOY / "k8s" / "qdrant-values.yaml").read_text())
    names = ("MNEMO_QDRANT__SHARDING", "MNEMO_QDRANT__SHARD_KEYS", "MNEMO_QDRANT__REPLICATION_FACTOR")
    in_compose = {n: compose["services"]["mnemo"]["environment"][n] for n in names}
    assert in_compose == {n: configmap["data"][n] for n in names}
    qdrant = Settings(
        qdrant={
            "url": "http://qdrant:6333",
            "sharding": in_compose["MNEMO_QDRANT__SHARDING"],
            "shard_keys": in_compose["MNEMO_QDRANT__SHARD_KEYS"],
            "replication_factor": in_compose["MNEMO_QDRANT__REPLICATION_FACTOR"],
        }
    ).qdrant
    compose_nodes = [name for name in compose["services"] if name.startswith("qdrant-")]
    assert values["config"]["cluster"]["enabled"] is True
    for nodes in (len(compose_nodes), values["replicaCount"]):
        assert nodes >= 3
        # Every shard on 2+ nodes (one node can go), never on more nodes than there are.
        assert 2 <= qdrant.replication_factor <= nodes
        assert qdrant.sharding == "custom" and qdrant.shard_keys >= nodes  # every node holds shards
    assert all(
        compose["services"][n]["environment"]["QDRANT__CLUSTER__ENABLED"] == "true" for n in compose_nodes
    )


def test_the_readiness_probe_waits_longer_than_ready_takes() -> None:
    [deployment] = by_kind("Deployment")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    timeout_s = container["readinessProbe"]["timeoutSeconds"]
    assert max(REDIS_PROBE_TIMEOUT_S, EMBEDDER_PROBE_TIMEOUT_S) + 0.3 <= timeout_s
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    [compose_timeout] = re.findall(r"timeout=(\d+)", str(compose["services"]["mnemo"]["healthcheck"]["test"]))
    assert max(REDIS_PROBE_TIMEOUT_S, EMBEDDER_PROBE_TIMEOUT_S) + 0.3 <= int(compose_timeout)
