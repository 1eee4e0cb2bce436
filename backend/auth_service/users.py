"""The user record as stored in the Users table, and its public ("safe") view.

A user item: ``userId, email, displayName, emailVerified, authProviders, passwordHash?,
googleSub?, appleSub?, appleRefreshToken?, appleClientId?, sessionGeneration?, createdAt,
updatedAt, lastLoginAt?, profile{firstName,lastName,photoURL,phoneNumber}``. :func:`safe_user`
whitelists fields, so a hash, a provider subject or token never reaches a response even if new
private attributes are added later. An empty profile field is ``null`` in a response (never
``""``): ``photoURL`` is ``format: uri`` in the API contract, and a Swift client decodes it as
``URL?``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

PROFILE_KEYS = ("firstName", "lastName", "photoURL", "phoneNumber")


def iso_utc(epoch_s: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if epoch_s is None else epoch_s, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_user_item(
    *,
    email: str,
    display_name: str,
    now: float,
    password_hash: str | None = None,
    google_sub: str | None = None,
    apple_sub: str | None = None,
    email_verified: bool = False,
    profile: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    stamp = iso_utc(now)
    item: dict[str, Any] = {
        "userId": uuid.uuid4().hex,
        "email": email,
        "displayName": display_name,
        "emailVerified": email_verified,
        "authProviders": [],
        "createdAt": stamp,
        "updatedAt": stamp,
        "profile": {key: str((profile or {}).get(key, "")) for key in PROFILE_KEYS},
    }
    if password_hash is not None:
        item["passwordHash"] = password_hash
        item["authProviders"].append("password")
    if google_sub is not None:
        item["googleSub"] = google_sub
        item["authProviders"].append("google")
    if apple_sub is not None:
        item["appleSub"] = apple_sub
        item["authProviders"].append("apple")
    return item


def safe_user(item: Mapping[str, Any]) -> dict[str, Any]:
    profile = item.get("profile") or {}
    return {
        "userId": str(item["userId"]),
        "email": str(item["email"]),
        "displayName": str(item.get("displayName") or ""),
        "emailVerified": bool(item.get("emailVerified", False)),
        "authProviders": [str(p) for p in item.get("authProviders") or []],
        "createdAt": str(item.get("createdAt") or ""),
        "updatedAt": str(item.get("updatedAt") or ""),
        "lastLoginAt": str(item["lastLoginAt"]) if item.get("lastLoginAt") else None,
        "profile": {key: str(profile[key]) if profile.get(key) else None for key in PROFILE_KEYS},
    }
