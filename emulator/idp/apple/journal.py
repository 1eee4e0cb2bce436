"""The Apple provider's grants and revocations, kept across restarts in ``DATA_DIR/idp/apple-grants.jsonl``.

The backend keeps Apple refresh tokens in DynamoDB, which ``--data-dir`` keeps across restarts; the
provider must then still know them (to refresh, and to say whose tokens a revocation revoked). One
JSON line per event, appended and flushed as it happens: a grant (code exchange), an access token
issued by a refresh, a revocation. Tokens are stored only as SHA-256 hashes. Authorization codes
(single use, 5 minutes) are not kept.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

JOURNAL_FILE_NAME = "apple-grants.jsonl"


class GrantJournal:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "idp" / JOURNAL_FILE_NAME

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record written before; a line cut short by a crash is skipped with a warning."""
        try:
            handle = self.path.open(encoding="utf-8")
        except FileNotFoundError:
            return
        with handle:
            for number, line in enumerate(handle, start=1):
                try:
                    record = json.loads(line)
                except ValueError:
                    print(f"warning: {self.path}:{number}: not a JSON line; skipped", file=sys.stderr)
                    continue
                if isinstance(record, dict):
                    yield record

    def append(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # 0600: the file says who signed in with which app.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")
