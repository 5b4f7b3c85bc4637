"""The planning benchmark runs and prints its figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "plan_bench.py"


def test_the_benchmark_prints_figures_for_the_default_and_a_500_task_plan() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARK)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("default answers: ")
    assert " ms" in lines[0]
    assert lines[1].startswith("500-task plan: 500 tasks")
    assert lines[2].startswith("re-forecast: ")
    assert " done, one started, one sampled risk, as of 2027-01-25: " in lines[2]
