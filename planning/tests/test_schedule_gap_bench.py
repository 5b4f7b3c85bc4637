"""The schedule-gap benchmark runs and prints its figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "schedule_gap.py"


def test_the_gap_benchmark_prints_gaps_and_the_extra_time() -> None:
    pytest.importorskip("ortools")
    result = subprocess.run(
        [sys.executable, str(BENCHMARK), "3", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "3 random plans of 15-80 tasks on 2-8 members, CP-SAT 1 s"
    for line, label in zip(
        lines[1:6],
        [
            "owners fixed, single pass: median ",
            "owners fixed, search:      median ",
            "owners free, single pass:  median ",
            "owners free, search:       median ",
            "owners free, search to CP-SAT's lower bound: median ",
        ],
        strict=True,
    ):
        assert line.startswith(label)
        assert ", P90 " in line and ", max " in line
    assert lines[6].startswith("100-task plan: single pass ")
    assert " ms, search " in lines[6] and "ms)" in lines[6]
