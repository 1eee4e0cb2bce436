"""``python -m auth_service.unlock EMAIL``: an account's password locks and the rate-limit counters cleared.

For a developer's loop on a laptop, where every request of the simulator comes from 127.0.0.1:
after a few wrong passwords or a burst of sign-ins, the app gets 429 until a lock or a window
runs out. This deletes, in the RateLimits table only (users, sessions and codes are untouched):

- the email's sign-in locks from every source address and its failure tally (``lock#login#``,
  ``fails#login#``), and the user's re-authentication lock (``lock#reauth#``);
- the per-IP counters of every action (``ip#``; ``--ip ADDRESS``: that address's only);
- the email's and the user's email send limits (``send#``: verification, password reset).

Settings come from the environment exactly as the handlers read them (``config.load_settings``:
``RATE_LIMITS_TABLE``, ``USERS_TABLE``, ``IDENTITIES_TABLE``, ``STAGE``) and boto3 finds the
endpoint itself (``AWS_ENDPOINT_URL_DYNAMODB``); ``make unlock EMAIL=...`` runs it with a
function's environment against the running ``make up`` (``python -m emulator exec``). Any stage
but ``STAGE=local`` is refused unless ``--allow-stage STAGE`` names it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from auth_service import errors
from auth_service.config import load_settings
from auth_service.repositories.rate_limits import RateLimitsRepository, lock_key, send_key, tally_key
from auth_service.repositories.users import UsersRepository, email_claim
from auth_service.services.password_reset import PURPOSE as RESET_PURPOSE
from auth_service.services.verification import PURPOSE as VERIFY_PURPOSE
from auth_service.validation import email_field


def key_bases(
    email: str, user_id: str | None, ip: str | None, ip_actions: Sequence[str]
) -> dict[str, list[str]]:
    """What to delete, by kind: keys of the RateLimits table, each with what lies under it (its
    ``#``-separated continuations: a lock's sources, a window's start; see the table's module)."""
    subjects = [("login", email)] + ([("reauth", user_id)] if user_id else [])
    return {
        "password locks": [lock_key(scope, subject, "").removesuffix("#") for scope, subject in subjects]
        + [tally_key(scope, subject) for scope, subject in subjects],
        "per-IP counters": [f"ip#{action}#{ip}" for action in ip_actions] if ip else ["ip"],
        "send limits": [send_key(RESET_PURPOSE, email)]
        + ([send_key(VERIFY_PURPOSE, user_id)] if user_id else []),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m auth_service.unlock", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("email", metavar="EMAIL")
    parser.add_argument("--ip", metavar="ADDRESS", help="clear this source address's counters only")
    parser.add_argument(
        "--allow-stage", metavar="STAGE", help="run on this stage although it is not local (type its name)"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    if not settings.is_local and args.allow_stage != settings.stage:
        parser.error(
            f"refusing to unlock on STAGE={settings.stage} (not local); pass --allow-stage "
            f"{settings.stage} if that is what you mean"
        )
    if not settings.rate_limits_table or not settings.identities_table:
        parser.error("RATE_LIMITS_TABLE and IDENTITIES_TABLE must be set (a function's environment)")
    try:
        email = email_field(args.email)
    except errors.ApiError as exc:
        parser.error(f"{args.email!r}: {exc.message}")
    user_id = UsersRepository(settings.users_table, settings.identities_table).user_id_for_claim(
        email_claim(email)
    )
    rate_limits = RateLimitsRepository(settings.rate_limits_table)
    cleared = []
    for kind, bases in key_bases(email, user_id, args.ip, list(settings.ip_limits)).items():
        keys = rate_limits.keys_under(bases)
        rate_limits.clear_keys(keys)
        cleared.append(f"{len(keys)} {kind}")
    who = email if user_id else f"{email} (no account with that email; its sign-in locks)"
    print(f"Unlocked {who}: cleared {', '.join(cleared)}. Users, sessions and codes are untouched.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
