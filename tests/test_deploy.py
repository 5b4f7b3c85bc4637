"""The generated deploy/ folder, rendered the way a platform would render it.

Every overlay goes through `kubectl kustomize` (with kustomize's default load
restrictor), every object through the Kubernetes JSON schemas of kubernetes-validate
(offline, strict), and the objects are then held to the promises deploy/README.md
makes: an unprivileged pod with a read-only root, the probes, the writable paths,
resources per environment, secrets by reference only, answers as literal data.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

KINDS = {
    "ConfigMap",
    "Deployment",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "Service",
    "ServiceAccount",
}
# What orchestrator=none adds: the pipeline's CronJob (`flow run`) and its volume.
PIPELINE_KINDS = {"CronJob", "PersistentVolumeClaim"}
# The steps `flow run` runs (orchestration/steps.py).
STEP_COUNT = 5
RECOMMENDED_LABELS = {
    "app.kubernetes.io/name",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/component",
    "app.kubernetes.io/version",
}
# A Service's name: a DNS-1035 label.
DNS_LABEL = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
WRITABLE_PATHS = {"/tmp", "/app/logs"}
UID = 10001

# Answers whose text must reach the manifests literally: quotes, a colon and a
# hash in the free text, and YAML's flow and anchor characters in the URL.
QUOTING_ANSWERS: dict[str, Any] = {
    "use_case_name": "Spend \"radar\": O'Brien's #1",
    "description": "Rank \"accounts\": {risk} & [reach] #first, then 'the rest' *",
    "tracking_server_url": "https://mlflow.example.com:5000/a#b?c=%7Bd%7D&e=[f]*g",
}


@pytest.fixture(scope="session")
def kubectl() -> str:
    """kubectl, which renders the overlays; its absence is a failure, not a skip."""
    path = shutil.which("kubectl")
    assert path, "kubectl must be on PATH: the deploy tests render with it"
    return path


@pytest.fixture(scope="session")
def quoting_project(shared_project: Callable[..., Path]) -> Path:
    return shared_project("deploy-quoting", QUOTING_ANSWERS)


def overlays(project: Path) -> list[Path]:
    return sorted(p for p in (project / "deploy" / "overlays").iterdir() if p.is_dir())


def kustomize(kubectl: str, overlay: Path) -> list[dict[str, Any]]:
    result = subprocess.run(
        [kubectl, "kustomize", str(overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{overlay}: {result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    kinds = [o["kind"] for o in objects]
    assert len(kinds) == len(set(kinds)), f"one object per kind expected: {kinds}"
    return {o["kind"]: o for o in objects}


def kubernetes_version(project: Path) -> str:
    """The version the generated Makefile validates against, so both agree."""
    found = re.search(
        r"^KUBERNETES_VERSION \?= (\S+)$",
        (project / "Makefile").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert found, "the Makefile sets KUBERNETES_VERSION"
    return found[1]


def answer(project: Path, key: str) -> Any:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())[key]


def kinds_of(project: Path) -> set[str]:
    """The kinds an overlay renders for this project's answers."""
    return KINDS | (
        PIPELINE_KINDS if answer(project, "orchestrator") == "none" else set()
    )


def pod_of(item: dict[str, Any]) -> dict[str, Any]:
    """The pod template of a Deployment or a CronJob."""
    spec = item["spec"]
    if item["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"])


def package_env(project: Path) -> str:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return str(answers["package_name"]).upper()


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return dict(containers[0])


def quantity(value: str | int) -> float:
    """A Kubernetes CPU or memory quantity as a number (cores, bytes)."""
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "": 1}
    found = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    assert found, f"not a quantity: {value!r}"
    return float(found[1]) * units[found[2]]


PROJECTS = ["default_project", "contrast_project", "quoting_project"]


@pytest.fixture(scope="session", params=PROJECTS)
def rendered(
    request: pytest.FixtureRequest, kubectl: str
) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    """A project, and the objects `kubectl kustomize` renders per overlay name."""
    project: Path = request.getfixturevalue(request.param)
    return project, {o.name: kustomize(kubectl, o) for o in overlays(project)}


def test_each_environment_has_an_overlay_with_every_object(
    rendered: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    project, environments = rendered
    assert {"staging", "prod"} <= set(environments)
    for name, objects in environments.items():
        assert set(by_kind(objects)) == kinds_of(project), name


def test_every_rendered_object_passes_the_kubernetes_schemas(
    rendered: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    project, environments = rendered
    version = kubernetes_version(project)
    for objects in environments.values():
        for item in objects:
            kubernetes_validate.validate(item, version, strict=True)


def test_the_schemas_refuse_a_misspelt_field(
    default_project: Path, kubectl: str
) -> None:
    deployment = by_kind(kustomize(kubectl, default_project / "deploy/overlays/prod"))[
        "Deployment"
    ]
    deployment["spec"]["template"]["spec"]["containers"][0][
        "readOnlyRootFileSystem"
    ] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(
            deployment, kubernetes_version(default_project), strict=True
        )


def test_the_pod_runs_unprivileged_with_a_read_only_root(
    rendered: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    _, environments = rendered
    for objects in environments.values():
        kinds = by_kind(objects)
        pod = kinds["Deployment"]["spec"]["template"]["spec"]
        assert pod["securityContext"] == {
            "runAsNonRoot": True,
            "runAsUser": UID,
            "runAsGroup": UID,
            "fsGroup": UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
        assert container(kinds["Deployment"])["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
        assert pod["automountServiceAccountToken"] is False
        account = kinds["ServiceAccount"]
        assert account["automountServiceAccountToken"] is False
        assert pod["serviceAccountName"] == account["metadata"]["name"]


def test_the_probes_check_health_and_readiness_on_the_named_port(
    rendered: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    _, environments = rendered
    for objects in environments.values():
        serving = container(by_kind(objects)["Deployment"])
        assert serving["ports"] == [
            {"name": "http", "containerPort": 8000, "protocol": "TCP"}
        ]
        paths = {
            probe: (
                serving[probe]["httpGet"]["path"],
                serving[probe]["httpGet"]["port"],
            )
            for probe in ("livenessProbe", "readinessProbe", "startupProbe")
        }
        assert paths == {
            "livenessProbe": ("/health", "http"),
            "readinessProbe": ("/ready", "http"),
            "startupProbe": ("/health", "http"),
        }
        startup = serving["startupProbe"]
        # Loading a model from the tracking server takes minutes, not seconds.
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 300


def test_only_tmp_and_the_log_folder_are_writable(
    rendered: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    _, environments = rendered
    for objects in environments.values():
        deployment = by_kind(objects)["Deployment"]
        mounts = {
            m["mountPath"]: m["name"] for m in container(deployment)["volumeMounts"]
        }
        assert set(mounts) == WRITABLE_PATHS
        volumes = {
            v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]
        }
        for name in mounts.values():
            assert "emptyDir" in volumes[name], name
            assert volumes[name]["emptyDir"]["sizeLimit"]


def test_environments_differ_in_replicas_resources_and_autoscaling(
    rendered: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    _, environments = rendered
    shape = {}
    for name, objects in environments.items():
        kinds = by_kind(objects)
        resources = container(kinds["Deployment"])["resources"]
        for side in ("requests", "limits"):
            assert set(resources[side]) == {"cpu", "memory"}, (name, side)
            for unit in ("cpu", "memory"):
                assert quantity(resources[side][unit]) >= quantity(
                    resources["requests"][unit]
                )
        hpa = kinds["HorizontalPodAutoscaler"]["spec"]
        assert hpa["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": kinds["Deployment"]["metadata"]["name"],
        }
        assert [m["resource"]["name"] for m in hpa["metrics"]] == ["cpu"]
        assert 1 <= hpa["minReplicas"] <= hpa["maxReplicas"]
        # An apply resets the Deployment to its replicas: the autoscaler's floor.
        assert kinds["Deployment"]["spec"]["replicas"] == hpa["minReplicas"]
        shape[name] = (
            hpa["minReplicas"],
            hpa["maxReplicas"],
            quantity(resources["requests"]["cpu"]),
            quantity(resources["limits"]["memory"]),
        )
    staging, prod = shape["staging"], shape["prod"]
    assert all(s < p for s, p in zip(staging, prod, strict=True)), shape


def test_every_object_carries_the_recommended_labels_and_selects_the_pods(
    rendered: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    project, environments = rendered
    slug = yaml.safe_load((project / ".copier-answers.yml").read_text())["project_slug"]
    for objects in environments.values():
        for item in objects:
            labels = item["metadata"]["labels"]
            assert set(labels) >= RECOMMENDED_LABELS, item["kind"]
            assert labels["app.kubernetes.io/part-of"] == slug
            component = "pipeline" if item["kind"] in PIPELINE_KINDS else "serving"
            assert labels["app.kubernetes.io/component"] == component, item["kind"]
            assert "namespace" in item["metadata"], item["kind"]
        kinds = by_kind(objects)
        pod_labels = kinds["Deployment"]["spec"]["template"]["metadata"]["labels"]
        selectors = [
            kinds["Deployment"]["spec"]["selector"]["matchLabels"],
            kinds["Service"]["spec"]["selector"],
            kinds["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"],
        ]
        for selector in selectors:
            assert "app.kubernetes.io/name" in selector
            # A selector never holds the version: it changes with every release.
            assert "app.kubernetes.io/version" not in selector
            assert selector.items() <= pod_labels.items()
        port = kinds["Service"]["spec"]["ports"]
        assert port == [
            {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}
        ]


def test_no_secret_is_rendered_and_secrets_are_referenced_only(
    rendered: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    project, environments = rendered
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    for path in (project / "deploy").rglob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            assert not (isinstance(doc, dict) and doc.get("kind") == "Secret"), path
            assert "secretGenerator" not in (doc or {}), path
    for objects in environments.values():
        assert "Secret" not in {o["kind"] for o in objects}
        serving = container(by_kind(objects)["Deployment"])
        references = {
            entry["name"]: entry["valueFrom"]["secretKeyRef"]
            for entry in serving.get("env", [])
            if "secretKeyRef" in entry.get("valueFrom", {})
        }
        if answers["tracking_server_url"]:
            assert set(references) == {
                "MLFLOW_TRACKING_USERNAME",
                "MLFLOW_TRACKING_PASSWORD",
                "MLFLOW_TRACKING_TOKEN",
            }
            assert all(ref["optional"] is True for ref in references.values())
            assert {ref["key"] for ref in references.values()} == set(references)
        else:
            assert references == {}
        # The service never reads the pseudonymisation salt: it is not handed to it.
        names = {e["name"] for e in serving.get("env", [])}
        assert not any(name.endswith("_ID_SALT") for name in names)
        assert not any("secretRef" in source for source in serving["envFrom"])


def test_the_environment_config_map_selects_prod_and_the_baked_model(
    rendered: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    project, environments = rendered
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    prefix = package_env(project)
    expected = {f"{prefix}_ENV": "prod", f"{prefix}_MODEL_DIR": "/app/model"}
    if answers["tracking_server_url"]:
        expected["MLFLOW_TRACKING_URI"] = answers["tracking_server_url"]
    for objects in environments.values():
        kinds = by_kind(objects)
        assert kinds["ConfigMap"]["data"] == expected
        sources = container(kinds["Deployment"])["envFrom"]
        assert sources == [
            {"configMapRef": {"name": kinds["ConfigMap"]["metadata"]["name"]}}
        ]


def test_answer_text_reaches_the_manifests_literally(
    quoting_project: Path, kubectl: str
) -> None:
    answers = yaml.safe_load((quoting_project / ".copier-answers.yml").read_text())
    for overlay in overlays(quoting_project):
        kinds = by_kind(kustomize(kubectl, overlay))
        deployment = kinds["Deployment"]
        description = deployment["metadata"]["annotations"]["kubernetes.io/description"]
        assert description == (
            f"{answers['use_case_id']} {QUOTING_ANSWERS['use_case_name']}: "
            f"{QUOTING_ANSWERS['description']}"
        )
        assert (
            kinds["ConfigMap"]["data"]["MLFLOW_TRACKING_URI"]
            == QUOTING_ANSWERS["tracking_server_url"]
        )
        image = container(deployment)["image"]
        assert image.startswith(f"{answers['project_slug']}-serving:")


def test_the_contrast_project_names_its_own_slug_everywhere(
    contrast_project: Path, default_project: Path, kubectl: str
) -> None:
    text = "".join(
        p.read_text(encoding="utf-8")
        for p in (contrast_project / "deploy").rglob("*")
        if p.is_file()
    )
    assert "uc-117-clinic-spend-serving" in text
    assert "uc-001" not in text and "UC_001" not in text
    rendered_prod = kustomize(kubectl, contrast_project / "deploy/overlays/prod")
    assert by_kind(rendered_prod)["Service"]["metadata"]["name"] == (
        "uc-117-clinic-spend-serving"
    )


def test_the_longest_slug_still_gives_valid_names_and_labels(
    long_names_project: Path, kubectl: str
) -> None:
    for overlay in overlays(long_names_project):
        objects = kustomize(kubectl, overlay)
        service = by_kind(objects)["Service"]["metadata"]["name"]
        assert DNS_LABEL.fullmatch(service), service
        # A CronJob's name takes a suffix per Job: 52 characters at most.
        cronjob = by_kind(objects)["CronJob"]["metadata"]["name"]
        assert len(cronjob) <= 52 and DNS_LABEL.fullmatch(cronjob), cronjob
        for item in objects:
            for value in item["metadata"]["labels"].values():
                assert len(value) <= 63, value
            kubernetes_validate.validate(
                item, kubernetes_version(long_names_project), strict=True
            )


def make_manifests(
    project: Path, tmp_path: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    """`make manifests` on a copy of the project's Makefile and deploy/ folder.

    kubernetes-validate comes from this environment, as it would from the
    project's own .venv after `make install`.
    """
    shutil.copy(project / "Makefile", tmp_path / "Makefile")
    if not (tmp_path / "deploy").exists():
        shutil.copytree(project / "deploy", tmp_path / "deploy")
    path = f"{Path(sys.executable).parent}:{Path(shutil.which('kubectl') or '').parent}"
    return subprocess.run(
        ["make", "--no-print-directory", "manifests", *arguments],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": f"{path}:/usr/bin:/bin"},
    )


def test_make_manifests_renders_and_validates_every_overlay(
    default_project: Path, tmp_path: Path, kubectl: str
) -> None:
    result = make_manifests(default_project, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == [
        "==",
        "deploy/overlays/prod",
        "==",
        "deploy/overlays/staging",
    ]


def test_make_manifests_fails_on_a_bad_overlay(
    default_project: Path, tmp_path: Path, kubectl: str
) -> None:
    shutil.copytree(default_project / "deploy", tmp_path / "deploy")
    patch = tmp_path / "deploy/overlays/staging/autoscaling.yaml"
    patch.write_text(
        patch.read_text(encoding="utf-8").replace("minReplicas: 1", "minReplicas: one"),
        encoding="utf-8",
    )
    result = make_manifests(default_project, tmp_path)
    assert result.returncode != 0
    assert "minReplicas" in result.stdout + result.stderr


def test_make_manifests_without_kubectl_says_so_and_validates_the_base(
    default_project: Path, tmp_path: Path
) -> None:
    result = make_manifests(default_project, tmp_path, "KUBECTL=")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kubectl is not on PATH" in result.stderr
    assert "deploy/base/deployment.yaml" in result.stdout
    assert "deploy/overlays" not in result.stdout


def test_the_readme_speaks_to_a_team_with_or_without_a_container_platform(
    default_project: Path, shared_project: Callable[..., Path]
) -> None:
    platform = shared_project(
        "deploy-platform", {"existing_infrastructure": ["container_platform"]}
    )
    without = (default_project / "deploy/README.md").read_text(encoding="utf-8")
    with_platform = (platform / "deploy/README.md").read_text(encoding="utf-8")
    assert "target shape of a deployment" in without
    assert "already runs a container platform" not in without
    assert "already runs a container platform" in with_platform
    # The manifests themselves are the same either way.
    for path in (default_project / "deploy").rglob("*.yaml"):
        relative = path.relative_to(default_project)
        assert path.read_bytes() == (platform / relative).read_bytes(), relative


def test_the_readme_names_only_make_targets_that_exist(
    rendered: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    project, _ = rendered
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))
    readme = (project / "deploy/README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`make ([a-z][a-z-]*)", readme))
    assert {"manifests", "image"} <= named
    assert named <= targets, named - targets


# ---------------------------------------------------------------------------
# orchestrator=none: the pipeline's CronJob
# ---------------------------------------------------------------------------


def prod_orchestration(project: Path) -> dict[str, Any]:
    config = yaml.safe_load((project / "configs/prod.yaml").read_text(encoding="utf-8"))
    return dict(config["orchestration"])


def test_the_cronjob_runs_the_flow_on_the_configured_schedule_one_run_at_a_time(
    rendered: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    project, environments = rendered
    settings = prod_orchestration(project)
    retries, delay = settings["retries"], settings["retry_delay_seconds"]
    waits = sum(
        min(delay * 2 ** (n - 1), max(settings["max_retry_delay_seconds"], delay))
        for n in range(1, retries + 1)
    )
    longest = STEP_COUNT * (
        (retries + 1) * settings["step_timeout_minutes"] * 60 + waits
    )
    for objects in environments.values():
        cronjob = by_kind(objects)["CronJob"]
        spec, job = cronjob["spec"], cronjob["spec"]["jobTemplate"]["spec"]
        assert spec["schedule"] == settings["schedule"]
        assert spec["concurrencyPolicy"] == "Forbid"
        assert job["backoffLimit"] == 0
        assert job["activeDeadlineSeconds"] == longest
        pod = pod_of(cronjob)["spec"]
        assert pod["restartPolicy"] == "Never"
        (pipeline,) = pod["containers"]
        assert pipeline["command"] == [answer(project, "project_slug"), "flow", "run"]
        env = {e["name"]: e for e in pipeline["env"]}
        assert env[f"{package_env(project)}_ENV"]["value"] == "prod"
        alert = env[settings["alert_webhook_env"]]["valueFrom"]["secretKeyRef"]
        assert alert["optional"] is True
        # The image `make image` builds, with the overlay's tag, as for serving.
        assert pipeline["image"] == container(by_kind(objects)["Deployment"])["image"]


def test_the_cronjob_pod_runs_unprivileged_and_writes_only_its_volumes(
    rendered: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    _, environments = rendered
    for objects in environments.values():
        kinds = by_kind(objects)
        serving, pipeline = pod_of(kinds["Deployment"]), pod_of(kinds["CronJob"])
        assert pipeline["spec"]["securityContext"] == serving["spec"]["securityContext"]
        (job_container,) = pipeline["spec"]["containers"]
        assert job_container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
        assert pipeline["spec"]["automountServiceAccountToken"] is False
        mounts = {m["mountPath"]: m["name"] for m in job_container["volumeMounts"]}
        assert set(mounts) == WRITABLE_PATHS | {
            "/app/data",
            "/app/reports",
            "/app/mlruns",
        }
        volumes = {v["name"]: v for v in pipeline["spec"]["volumes"]}
        claim = volumes["data"]["persistentVolumeClaim"]["claimName"]
        assert claim == kinds["PersistentVolumeClaim"]["metadata"]["name"]
        # No serving selector picks the pipeline's pods.
        labels = pipeline["metadata"]["labels"]
        selector = kinds["Service"]["spec"]["selector"]
        assert not selector.items() <= labels.items()
        assert set(job_container["resources"]["requests"]) == {"cpu", "memory"}
