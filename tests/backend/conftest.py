"""Unit tests of the backend's pure logic: no AWS, no network, no boto3 calls — except
``test_login_round_trips`` (a sign-in's DynamoDB calls) and ``test_session_generation`` (a
session the GSI missed), which run on the real local stack.

The Lambda code lives under ``backend/`` (the template's CodeUri), which Lambda puts on
sys.path; the tests do the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parents[2] / "backend"
if str(BACKEND_DIR) not in sys.path:
    sys.path.insert(0, str(BACKEND_DIR))
