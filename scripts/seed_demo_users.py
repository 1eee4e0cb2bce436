"""``make seed``: a few demo users for the iOS simulator, registered through the API.

Going through ``POST /auth/register`` (not the database) means it works against any target:
``make up``, the compose stack or a deployed stage. Idempotent: an existing user (409) is fine.

    python scripts/seed_demo_users.py [--base-url http://127.0.0.1:3000/prod]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run as a script: the repo's packages are importable
    sys.path.insert(0, str(REPO_ROOT))

from emulator.http_json import Unreachable, request_json  # noqa: E402

DEFAULT_BASE_URL = "http://127.0.0.1:3000/prod"


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    display_name: str


# Demo credentials, printed on purpose: they exist only for a simulator or a test stage.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("alice@example.com", "Alice-Demo-Pass-2026", "Alice Demo"),
    DemoUser("bob@example.com", "Bob-Demo-Pass-2026", "Bob Demo"),
    DemoUser("carol@example.com", "Carol-Demo-Pass-2026", "Carol Demo"),
)


class SeedError(Exception):
    pass


def post_json(url: str, body: dict[str, object], *, timeout_s: float = 30.0) -> tuple[int, dict[str, object]]:
    try:
        status, answer = request_json(url, method="POST", body=body, timeout_s=timeout_s)
    except ValueError as exc:
        raise SeedError(str(exc)) from None
    except Unreachable as exc:
        raise SeedError(f"{url}: cannot reach the API ({exc}); is it running?") from exc
    return status, answer if isinstance(answer, dict) else {}


def _error_code(body: dict[str, object]) -> str:
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("code"))
    return str(body.get("message", "?"))


def seed(base_url: str, users: Sequence[DemoUser] = DEMO_USERS) -> list[tuple[DemoUser, str]]:
    """Register each user; returns (user, "created" | "exists" | "exists, password changed")."""
    base_url = base_url.rstrip("/")
    results: list[tuple[DemoUser, str]] = []
    for user in users:
        status, body = post_json(
            f"{base_url}/auth/register",
            {"email": user.email, "password": user.password, "displayName": user.display_name},
        )
        if status == 201:
            results.append((user, "created"))
            continue
        if status != 409:
            raise SeedError(
                f"POST {base_url}/auth/register ({user.email}): HTTP {status} {_error_code(body)}"
            )
        # Already there: check that the printed password still signs in.
        status, body = post_json(f"{base_url}/auth/login", {"email": user.email, "password": user.password})
        results.append((user, login_outcome(user.email, status, body)))
    return results


# The refusals that `make unlock` clears (backend/auth_service/unlock.py): a locked account or a
# per-IP limit hit from the simulator's loopback address, without wiping the data as `make reset` does.
UNLOCKABLE_CODES = frozenset({"account_locked", "rate_limited"})


def login_outcome(email: str, status: int, body: dict[str, object]) -> str:
    """What `make seed` says of an existing demo user, given its login's answer."""
    if status == 200:
        return "exists"
    code = _error_code(body)
    if code in UNLOCKABLE_CODES:
        return f"exists, but login answers {code}: make unlock EMAIL={email} clears it"
    return f"exists, but login answers {code}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--base-url", default=DEFAULT_BASE_URL, help=f"API base URL with stage ({DEFAULT_BASE_URL})"
    )
    args = parser.parse_args(argv)
    try:
        results = seed(args.base_url)
    except SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Demo users on {args.base_url.rstrip('/')}:")
    width = max(len(user.email) for user, _ in results)
    for user, outcome in results:
        print(f"  {user.email:<{width}}  password: {user.password}  ({outcome})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
