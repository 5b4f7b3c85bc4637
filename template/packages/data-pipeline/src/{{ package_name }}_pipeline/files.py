"""Files written atomically: a staging file beside the destination, then a rename.

Standard library only, so that the copy-time tools and `contract infer` can use it
where pandas and the rest of the pipeline are not installed.

Public names: staging_path_for, write_text_atomically.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path


def staging_path_for(destination: Path) -> Path:
    """A fresh hidden path in the destination's folder, so a rename is atomic."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    return destination.parent / f".{destination.name}.staging-{uuid.uuid4().hex[:12]}"


def write_text_atomically(path: Path, text: str) -> Path:
    """Write a text file through a staging file and a rename."""
    staging = staging_path_for(path)
    try:
        staging.write_text(text, encoding="utf-8")
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
    return path
