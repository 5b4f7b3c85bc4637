"""Model component: data preparation, training, evaluation, registry and reports."""

import os

# The skeleton runs offline; MLflow would otherwise try to send usage telemetry.
# Set MLFLOW_DISABLE_TELEMETRY=false in the environment to allow it.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
