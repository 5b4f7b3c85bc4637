"""The version a reader sees first is the newest CHANGELOG entry."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_names_the_newest_changelog_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\d+\.\d+\.\d+) \(\d{4}-\d{2}-\d{2}\)$", changelog, re.M)
    assert newest, "CHANGELOG.md has no '## X.Y.Z (YYYY-MM-DD)' entry"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"^Current version: \*\*(\d+\.\d+\.\d+)\*\*", readme, re.M)
    assert shown, "README.md does not say 'Current version: **X.Y.Z**'"
    assert shown[1] == newest[1]
