"""Audit log: one JSON line per prediction request, without raw feature values."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path

from .errors import AuditLogError


class AuditLog:
    """Appends who-asked-what records to a JSON-lines file.

    A line holds the time, request id, endpoint, number of records, model version
    and HTTP status. Request bodies are never written: they are personal data.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8"):
                pass
        except OSError as exc:
            raise AuditLogError(
                f"the audit log {path} cannot be written ({exc.strerror or exc}); "
                "give the service a writable folder there (the image's is "
                "/app/logs) or change serving.audit_log_path"
            ) from exc

    def record(
        self,
        *,
        request_id: str,
        endpoint: str,
        records: int,
        model_version: int | None,
        status: int,
    ) -> None:
        """Append one line and flush it to disk before the response leaves."""
        line = json.dumps(
            {
                "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                "request_id": request_id,
                "endpoint": endpoint,
                "records": records,
                "model_version": model_version,
                "status": status,
            },
            sort_keys=True,
        )
        with self._lock, self.path.open("a", encoding="utf-8") as stream:
            stream.write(line + "\n")
            stream.flush()
            os.fsync(stream.fileno())
