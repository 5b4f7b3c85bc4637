"""MLflow I/O: experiment, run logging, registration with lineage, aliases, loading."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote

import mlflow
import mlflow.artifacts
import mlflow.sklearn
import numpy as np
import pandas as pd
import sklearn
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature

from .errors import ModelError, ModelNotFoundError, RegistryError
from .settings import ModelSettings

# HistGradientBoosting keeps its trees in this type, the imputer of the linear
# models the dtype it was fitted on, and a calibrated classifier is this package's
# own. The registry only holds models this repository trained, so skops may load
# them.
TRUSTED_TYPES = [
    "numpy.dtype",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    f"{__package__}.train.CalibratedClassifier",
]
BASELINE_URI_TAG = "baseline_model_uri"
LINEAGE_TAGS = ("data_hash", "feature_version", "git_commit", "git_dirty")
# An exported version: the MLflow model in EXPORTED_MODEL, the registry's facts
# about it (name, version, run, alias, tags) in EXPORTED_FACTS.
EXPORTED_MODEL = "model"
EXPORTED_FACTS = "registered-version.json"


@dataclass(frozen=True)
class Lineage:
    """Where a model came from: its data, its features and its code."""

    data_hash: str
    feature_version: str
    git_commit: str
    # "true" when the code had changes the commit does not hold, "false" when it
    # was the commit as it is, "unknown" outside a git checkout.
    git_dirty: str = "unknown"

    def as_tags(self) -> dict[str, str]:
        """The lineage as registry tags."""
        return {
            "data_hash": self.data_hash,
            "feature_version": self.feature_version,
            "git_commit": self.git_commit,
            "git_dirty": self.git_dirty,
        }


class TrialRun(Protocol):
    """What the registry logs of one trial of the search, as a child run."""

    @property
    def number(self) -> int: ...
    @property
    def params(self) -> Mapping[str, Any]: ...
    @property
    def state(self) -> str: ...
    @property
    def value(self) -> float | None: ...
    @property
    def fold_values(self) -> Sequence[float]: ...
    @property
    def seconds(self) -> float: ...


@dataclass(frozen=True)
class RegisteredVersion:
    """One version of the registered model, with its run, aliases and tags."""

    name: str
    version: int
    run_id: str
    aliases: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


def _git(cwd: Path | None, *args: str) -> str | None:
    """What `git args` prints in `cwd`, or None when git cannot answer there."""
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def git_commit(cwd: Path | None = None) -> str:
    """The commit checked out in `cwd`, or "unknown" without a git commit there."""
    commit = (_git(cwd, "rev-parse", "HEAD") or "").strip()
    return commit or "unknown"


def git_dirty(cwd: Path | None = None, commit: str | None = None) -> str:
    """Whether the checkout in `cwd` differs from its commit: "true" or "false".

    A change to a tracked file counts, and so does a file git would add (not
    ignored); "unknown" outside a git checkout or before its first commit.
    `commit`, when the caller already asked git_commit, saves asking again.
    """
    if (commit or git_commit(cwd)) == "unknown":
        return "unknown"
    status = _git(cwd, "status", "--porcelain")
    if status is None:
        return "unknown"
    return "true" if status.strip() else "false"


def sqlite_path(tracking_uri: str) -> Path | None:
    """The database file of a `sqlite:///` URI, or None for any other store."""
    prefix = "sqlite:///"
    if not tracking_uri.startswith(prefix):
        return None
    return Path(unquote(tracking_uri.removeprefix(prefix).split("?", 1)[0]))


@contextlib.contextmanager
def registry_errors(settings: ModelSettings, action: str) -> Iterator[None]:
    """Turn failures of the tracking store into errors that say what to do."""
    try:
        yield
    except ModelError:
        raise
    except MlflowException as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST" or "not found" in exc.message:
            raise ModelNotFoundError(
                f"could not {action}: {exc.message} (registry {settings.tracking_uri})"
            ) from exc
        raise RegistryError(
            f"could not {action} in the registry at {settings.tracking_uri}: "
            f"{exc.message}"
        ) from exc
    except OSError as exc:
        # A file the store needs is missing or not writable: not a network problem.
        raise RegistryError(
            f"could not {action}: {exc.strerror or exc} "
            f"({exc.filename or settings.tracking_uri}); the process needs to read "
            "and write the registry's files"
        ) from exc
    except Exception as exc:
        raise RegistryError(
            f"could not {action}: the registry at {settings.tracking_uri} is not "
            f"reachable ({type(exc).__name__}: {exc})"
        ) from exc


def connect(settings: ModelSettings, *, create: bool = False) -> MlflowClient:
    """A client of the tracking store and registry named in the settings.

    A local SQLite registry is created when `create` is true; otherwise a missing
    database is an error rather than a new, empty registry in the wrong place.
    """
    if not settings.tracking_uri:
        raise RegistryError(
            "no tracking server for this environment: model.tracking_uri is empty "
            "(configs/prod.yaml reads it from MLFLOW_TRACKING_URI)"
        )
    database = sqlite_path(settings.tracking_uri)
    if database is not None:
        if create:
            with registry_errors(settings, "create the registry folder"):
                database.parent.mkdir(parents=True, exist_ok=True)
        elif not database.is_file():
            raise RegistryError(
                f"no model registry at {settings.tracking_uri}: the database "
                f"{database} does not exist; train a model first"
            )
    mlflow.set_tracking_uri(settings.tracking_uri)
    mlflow.set_registry_uri(settings.tracking_uri)
    return MlflowClient(
        tracking_uri=settings.tracking_uri, registry_uri=settings.tracking_uri
    )


def ensure_experiment(client: MlflowClient, settings: ModelSettings) -> str:
    """The id of the experiment, created with its artifacts under artifact_dir."""
    experiment = client.get_experiment_by_name(settings.experiment_name)
    if experiment is not None:
        return str(experiment.experiment_id)
    location = settings.artifact_dir.resolve()
    location.mkdir(parents=True, exist_ok=True)
    return str(
        client.create_experiment(
            settings.experiment_name, artifact_location=location.as_uri()
        )
    )


def _requirements() -> list[str]:
    # Stated, not inferred: inference imports the model in a subprocess (slow).
    return [
        f"scikit-learn=={sklearn.__version__}",
        f"pandas=={pd.__version__}",
        f"numpy=={np.__version__}",
    ]


def register_model(
    settings: ModelSettings,
    *,
    model: Any,
    baseline: Any,
    params: Mapping[str, Any],
    metrics: Mapping[str, float],
    input_example: pd.DataFrame,
    lineage: Lineage,
    decision_tags: Mapping[str, str] | None = None,
    trials: Sequence[TrialRun] = (),
) -> RegisteredVersion:
    """Log a training run and register its model under the candidate alias.

    The run holds the parameters, the metrics of model and baselines, both fitted
    estimators and, as child runs, the trials of the search. The new model version
    carries the lineage tags and `decision_tags` (what serving needs beside the
    model: the decision threshold or the interval's width).
    """
    name = settings.registered_model_name
    with registry_errors(settings, f"register a version of {name!r}"):
        client = connect(settings, create=True)
        experiment_id = ensure_experiment(client, settings)
        with mlflow.start_run(experiment_id=experiment_id):
            mlflow.log_params(dict(params))
            mlflow.log_metrics(dict(metrics))
            mlflow.set_tags(lineage.as_tags())
            for trial in trials:
                with mlflow.start_run(
                    experiment_id=experiment_id,
                    run_name=f"trial-{trial.number}",
                    nested=True,
                ):
                    mlflow.log_params({**trial.params, "trial": trial.number})
                    mlflow.set_tag("trial_state", trial.state)
                    if trial.value is not None:
                        mlflow.log_metric("cv_mean", trial.value)
                    for fold, value in enumerate(trial.fold_values):
                        mlflow.log_metric("cv_fold", value, step=fold)
                    mlflow.log_metric("seconds", trial.seconds)
            baseline_info = mlflow.sklearn.log_model(
                baseline,
                name="baseline",
                pip_requirements=_requirements(),
                skops_trusted_types=TRUSTED_TYPES,
            )
            model_info = mlflow.sklearn.log_model(
                model,
                name="model",
                signature=infer_signature(input_example, model.predict(input_example)),
                input_example=input_example,
                registered_model_name=name,
                pip_requirements=_requirements(),
                skops_trusted_types=TRUSTED_TYPES,
            )
        version = str(model_info.registered_model_version)
        tags = {
            **lineage.as_tags(),
            **(decision_tags or {}),
            BASELINE_URI_TAG: baseline_info.model_uri,
        }
        for key, value in tags.items():
            client.set_model_version_tag(name, version, key, value)
        client.set_registered_model_alias(name, settings.candidate_alias, version)
        return _describe(client.get_model_version(name, version))


def _describe(found: ModelVersion) -> RegisteredVersion:
    return RegisteredVersion(
        name=str(found.name),
        version=int(found.version),
        run_id=str(found.run_id),
        aliases=tuple(found.aliases or ()),
        tags=dict(found.tags or {}),
    )


def get_version(
    settings: ModelSettings, *, version: int | None = None, alias: str | None = None
) -> RegisteredVersion:
    """A registered version by number, or else by alias (default: the candidate)."""
    name = settings.registered_model_name
    wanted = f"version {version}" if version is not None else f"alias {alias!r}"
    with registry_errors(settings, f"find {wanted} of model {name!r}"):
        client = connect(settings)
        if version is not None:
            return _describe(client.get_model_version(name, str(version)))
        return _describe(
            client.get_model_version_by_alias(name, alias or settings.candidate_alias)
        )


def load_model(settings: ModelSettings, registered: RegisteredVersion) -> Any:
    """The fitted scikit-learn pipeline of a registered version."""
    with registry_errors(settings, f"load version {registered.version}"):
        connect(settings)
        return mlflow.sklearn.load_model(
            f"models:/{registered.name}/{registered.version}"
        )


def load_baseline(settings: ModelSettings, registered: RegisteredVersion) -> Any:
    """The baseline trained in the same run as a registered version."""
    uri = registered.tags.get(BASELINE_URI_TAG)
    if not uri:
        raise ModelNotFoundError(
            f"version {registered.version} of {registered.name!r} has no "
            f"{BASELINE_URI_TAG!r} tag; it was not registered by this repository's "
            "training job"
        )
    with registry_errors(
        settings, f"load the baseline of version {registered.version}"
    ):
        connect(settings)
        return mlflow.sklearn.load_model(uri)


def run_metrics(
    settings: ModelSettings, registered: RegisteredVersion
) -> dict[str, float]:
    """The metrics logged by the training run of a registered version."""
    with registry_errors(settings, f"read the run of version {registered.version}"):
        run = connect(settings).get_run(registered.run_id)
        return {key: float(value) for key, value in run.data.metrics.items()}


def run_params(
    settings: ModelSettings, registered: RegisteredVersion
) -> dict[str, str]:
    """The parameters logged by the training run of a registered version."""
    with registry_errors(settings, f"read the run of version {registered.version}"):
        run = connect(settings).get_run(registered.run_id)
        return {key: str(value) for key, value in run.data.params.items()}


def set_alias(
    settings: ModelSettings, alias: str, registered: RegisteredVersion
) -> None:
    """Point `alias` at a registered version."""
    with registry_errors(settings, f"set alias {alias!r}"):
        connect(settings).set_registered_model_alias(
            registered.name, alias, str(registered.version)
        )


def tag_version(
    settings: ModelSettings, registered: RegisteredVersion, tags: Mapping[str, str]
) -> None:
    """Add tags to a registered version (evaluation and promotion outcomes)."""
    with registry_errors(settings, f"tag version {registered.version}"):
        client = connect(settings)
        for key, value in tags.items():
            client.set_model_version_tag(
                registered.name, str(registered.version), key, value
            )


def log_artifacts(
    settings: ModelSettings, registered: RegisteredVersion, paths: list[Path]
) -> None:
    """Attach files (reports) to the training run of a registered version."""
    with registry_errors(settings, f"attach reports to version {registered.version}"):
        client = connect(settings)
        for path in paths:
            client.log_artifact(registered.run_id, str(path), artifact_path="reports")


def export_version(
    settings: ModelSettings, registered: RegisteredVersion, destination: Path
) -> Path:
    """Copy a registered version's model and its registry facts into `destination`.

    The folder is what a serving image bakes in: loading it needs neither the
    registry nor the tracking server. It is written next to `destination` first
    and renamed into place, so an interrupted export leaves the old one intact.
    """
    staging = destination.with_name(f".{destination.name}.partial")
    with registry_errors(settings, f"export version {registered.version}"):
        connect(settings)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        mlflow.artifacts.download_artifacts(
            artifact_uri=f"models:/{registered.name}/{registered.version}",
            dst_path=str(staging / EXPORTED_MODEL),
        )
        facts = {
            "name": registered.name,
            "version": registered.version,
            "run_id": registered.run_id,
            "aliases": list(registered.aliases),
            "tags": dict(registered.tags),
        }
        (staging / EXPORTED_FACTS).write_text(
            json.dumps(facts, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        if destination.exists():
            shutil.rmtree(destination)
        staging.rename(destination)
    return destination


def load_exported(directory: Path) -> tuple[RegisteredVersion, Any]:
    """The registry facts and the fitted model of a folder `export_version` wrote."""
    facts_file = directory / EXPORTED_FACTS
    try:
        facts = json.loads(facts_file.read_text(encoding="utf-8"))
        registered = RegisteredVersion(
            name=str(facts["name"]),
            version=int(facts["version"]),
            run_id=str(facts["run_id"]),
            aliases=tuple(str(alias) for alias in facts.get("aliases", ())),
            tags={str(k): str(v) for k, v in dict(facts.get("tags", {})).items()},
        )
    except FileNotFoundError as exc:
        raise ModelNotFoundError(
            f"{directory} holds no exported model: {facts_file} does not exist "
            "(write it with the export command)"
        ) from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(
            f"{facts_file} cannot be read as an exported model's facts: {exc}"
        ) from exc
    try:
        model = mlflow.sklearn.load_model(str(directory / EXPORTED_MODEL))
    except (OSError, MlflowException) as exc:
        raise ModelError(
            f"the model in {directory / EXPORTED_MODEL} cannot be loaded: {exc}"
        ) from exc
    return registered, model
