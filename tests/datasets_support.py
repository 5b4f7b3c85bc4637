"""Datasets that share nothing with the demo, for the tests that adopt them.

`write_clinic_sample` makes a table by code (stdlib only, deterministic): ids,
a date, categories with missing values, a boolean, a personal column and a yes/no
label with real signal. The others export public datasets that scikit-learn
ships inside its package (no download), run with the generated project's Python:
breast cancer (30 numeric columns, no id, a text label) and diabetes (regression).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
import subprocess
from pathlib import Path
from typing import Any

import yaml

# Words of the demo's domain and columns that must not appear in a project
# generated for another contract.
DEMO_WORDS = (
    "customer",
    "churn",
    "subscription",
    "region",
    "tenure",
    "signup",
    "sign-up",
    "monthly_charges",
    "monthly charges",
    "support_tickets",
    "usage_hours",
    "last_login",
    "`plan`",
)

# The clinic sample's input columns, in file order; the label comes last.
CLINIC_COLUMNS = (
    "patient_ref",
    "admitted_on",
    "ward",
    "age",
    "systolic_bp",
    "smoker",
    "referral_source",
    "contact_email",
)
CLINIC_ANSWERS: dict[str, Any] = {
    "use_case_id": "UC-204",
    "use_case_name": "Readmission risk",
    "description": "Flag patients likely to be readmitted within 30 days of discharge.",
    "target_column": "readmitted",
    "id_column": "patient_ref",
    "entity_name": "patient",
    "compliance": ["hipaa"],
}


def write_clinic_sample(path: Path, rows: int = 1500, seed: int = 11) -> Path:
    """A hospital admissions table with signal, missing values and a date column."""
    rng = random.Random(seed)
    wards = ("cardiology", "oncology", "surgery", "maternity")
    ward_risk = {"cardiology": 0.8, "oncology": 0.5, "surgery": 0.0, "maternity": -1.0}
    sources = ("gp", "emergency", "specialist")
    start = dt.date(2024, 1, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*CLINIC_COLUMNS, "readmitted"])
        for n in range(rows):
            ward = rng.choice(wards)
            age = rng.randint(18, 95)
            pressure = round(rng.gauss(128, 18), 1)
            smoker = rng.random() < 0.25
            source = rng.choice(sources)
            score = (
                -2.2
                + 0.035 * (age - 55)
                + 0.03 * (pressure - 128)
                + ward_risk[ward]
                + (0.9 if smoker else 0.0)
                + (0.6 if source == "emergency" else 0.0)
            )
            readmitted = rng.random() < 1 / (1 + math.exp(-score))
            writer.writerow(
                [
                    f"P{n + 1:06d}",
                    (start + dt.timedelta(days=rng.randint(0, 600))).isoformat(),
                    "" if rng.random() < 0.06 else ward,
                    age,
                    "" if rng.random() < 0.04 else pressure,
                    "yes" if smoker else "no",
                    source,
                    f"person{n}@example.org",
                    "yes" if readmitted else "no",
                ]
            )
    return path


_EXPORT = """
import sys
from sklearn import datasets

name, path = sys.argv[1], sys.argv[2]
if name == "breast_cancer":
    frame = datasets.load_breast_cancer(as_frame=True).frame
    frame["diagnosis"] = frame.pop("target").map({0: "malignant", 1: "benign"})
else:
    frame = datasets.load_diabetes(as_frame=True, scaled=False).frame
    frame = frame.rename(columns={"target": "disease progression"})
frame.to_csv(path, index=False)
"""


def export_sklearn_dataset(python: Path, name: str, path: Path) -> Path:
    """Write a dataset scikit-learn ships (breast_cancer, diabetes) as CSV."""
    subprocess.run([str(python), "-c", _EXPORT, name, str(path)], check=True)
    return path


def request_from_csv(project: Path, path: Path) -> dict[str, Any]:
    """The first row of a CSV as a prediction request, typed by the contract."""
    contract = yaml.safe_load((project / "contract.yaml").read_text(encoding="utf-8"))
    with path.open(newline="", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    record: dict[str, Any] = {}
    for column in contract["columns"]:
        name = column["name"]
        if column.get("personal") or name == contract["id_column"]:
            continue
        text = row[name].strip()
        if text == "":
            record[name] = None
        elif column["type"] == "integer":
            record[name] = int(float(text))
        elif column["type"] == "number":
            record[name] = float(text)
        elif column["type"] == "boolean":
            record[name] = text.lower() in ("true", "t", "yes", "y", "1")
        else:
            record[name] = text
    return record
