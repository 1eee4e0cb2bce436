"""Users table (pk ``userId``) and Identities table (pk ``identity``).

Unique emails (and Google subjects) are *claims*: an item ``email#<normalised email>`` or
``google#<sub>`` in the Identities table pointing at a userId, written in the same
``TransactWriteItems`` as the user with ``attribute_not_exists(identity)``. DynamoDB
serialises conflicting transactions, so of 50 parallel registrations exactly one commits.
The seed's EmailIndex GSI is dropped: GSIs are eventually consistent and cannot enforce
uniqueness (check-then-put races), while a GetItem on the claim is strongly consistent and
cheaper than a Query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

from auth_service.repositories.dynamodb import (
    ItemRef,
    Table,
    cancellation_codes,
    error_code,
    plain,
    transact_write,
    write_one,
    write_together,
)


class ClaimTaken(Exception):
    """Another user already holds this email (or Google subject)."""


def email_claim(email: str) -> str:
    return f"email#{email}"


def provider_claim(provider: str, sub: str) -> str:
    """The claim on an identity provider's subject: ``google#<sub>``, ``apple#<sub>``."""
    return f"{provider}#{sub}"


def google_claim(sub: str) -> str:
    return provider_claim("google", sub)


def session_generation(item: Mapping[str, Any]) -> int:
    """A user's session generation, or the one a session was opened in (0 when never set).

    A password change moves the user to the next generation (and the session that made it
    along): a session of an older generation is refused at its next refresh, even one that the
    revocation of "all other sessions" missed (it lists them through an eventually consistent
    GSI, so a session opened a moment before the change may not be listed yet).
    """
    return int(item.get("sessionGeneration", 0))


def claimed_user_id(claim_item: Mapping[str, Any] | None) -> str | None:
    return str(claim_item["userId"]) if claim_item else None


class UsersRepository:
    def __init__(self, users_table: str, identities_table: str) -> None:
        self._users_name = users_table
        self._identities_name = identities_table
        self._users = Table(users_table)
        self._identities = Table(identities_table)

    def get(self, user_id: str) -> dict[str, Any] | None:
        item = self._users.get_item({"userId": user_id})
        return plain(item) if item else None

    def ref(self, user_id: str) -> ItemRef:
        """The user's item, to read along with others (``dynamodb.get_items``)."""
        return ItemRef(self._users, {"userId": user_id})

    def claim_ref(self, claim: str) -> ItemRef:
        """The claim's item, to read along with others (``dynamodb.get_items``)."""
        return ItemRef(self._identities, {"identity": claim})

    def user_id_for_claim(self, claim: str) -> str | None:
        return claimed_user_id(self._identities.get_item({"identity": claim}))

    def _claim_put(self, claim: str, user_id: str, created_at: str) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._identities_name,
                "Item": {"identity": claim, "userId": user_id, "createdAt": created_at},
                "ConditionExpression": "attribute_not_exists(#id)",
                "ExpressionAttributeNames": {"#id": "identity"},
            }
        }

    def _transact(self, items: list[dict[str, Any]]) -> None:
        try:
            transact_write(items)
        except ClientError as error:
            if error_code(error) == "TransactionCanceledException":
                codes = cancellation_codes(error)
                if not codes or "ConditionalCheckFailed" in codes:
                    raise ClaimTaken from error
            raise

    def create(self, user: Mapping[str, Any], claims: Sequence[str]) -> None:
        """Write the user and its claims atomically; ClaimTaken if any claim is held."""
        items = [
            {
                "Put": {
                    "TableName": self._users_name,
                    "Item": dict(user),
                    "ConditionExpression": "attribute_not_exists(userId)",
                }
            },
            *[self._claim_put(claim, str(user["userId"]), str(user["createdAt"])) for claim in claims],
        ]
        self._transact(items)

    def link_provider(
        self,
        user: Mapping[str, Any],
        provider: str,
        sub: str,
        now_iso: str,
        *,
        evict_unverified: bool,
        attributes: Mapping[str, Any] = {},
    ) -> None:
        """Attach a provider's subject to an existing user (claim + user update, atomically).

        The provider proved the email, so the email is marked verified. An account whose email was
        never verified is taken over by the provider identity's owner (``evict_unverified``), as
        Firebase does: its password is removed and its session generation raised (every session
        opened before is refused at refresh; the caller revokes them too), so whoever registered
        the address without owning it is shut out. The condition on ``emailVerified`` makes either
        path fail (ClaimTaken) if a verification landed meanwhile.
        """
        user_id = str(user["userId"])
        providers = [
            str(p) for p in user.get("authProviders") or [] if str(p) != "password" or not evict_unverified
        ]
        if provider not in providers:
            providers.append(provider)
        values: dict[str, Any] = {":sub": sub, ":true": True, ":now": now_iso, ":providers": providers}
        sets = ["#sub = :sub", "emailVerified = :true", "updatedAt = :now", "authProviders = :providers"]
        names = {"#sub": f"{provider}Sub"}
        for index, (name, value) in enumerate(sorted(attributes.items())):
            names[f"#a{index}"], values[f":a{index}"] = name, value
            sets.append(f"#a{index} = :a{index}")
        expression = "SET " + ", ".join(sets)
        condition = "attribute_exists(userId) AND attribute_not_exists(#sub) AND "
        if evict_unverified:
            values[":gen"] = session_generation(user) + 1
            expression = (
                expression.replace("SET ", "SET sessionGeneration = :gen, ", 1) + " REMOVE passwordHash"
            )
            condition += "(attribute_not_exists(emailVerified) OR emailVerified <> :true)"
        else:
            condition += "emailVerified = :true"
        self._transact(
            [
                self._claim_put(provider_claim(provider, sub), user_id, now_iso),
                {
                    "Update": {
                        "TableName": self._users_name,
                        "Key": {"userId": user_id},
                        "UpdateExpression": expression,
                        "ConditionExpression": condition,
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values,
                    }
                },
            ]
        )

    def set_attributes(self, user_id: str, attributes: Mapping[str, Any]) -> None:
        """Private attributes of a provider link (e.g. Apple's newest refresh token, for revocation)."""
        names = {f"#a{i}": name for i, name in enumerate(sorted(attributes))}
        values = {f":a{i}": attributes[name] for i, name in enumerate(sorted(attributes))}
        self._users.update_item(
            {"userId": user_id},
            UpdateExpression="SET " + ", ".join(f"#a{i} = :a{i}" for i in range(len(attributes))),
            ConditionExpression="attribute_exists(userId)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def record_login_update(
        self,
        user_id: str,
        now_iso: str,
        *,
        verified_hash: str | None = None,
        new_password_hash: str | None = None,
    ) -> dict[str, Any]:
        """The sign-in's write to the user as a TransactWriteItems ``Update`` member.

        ``lastLoginAt``, and the new hash when the bcrypt cost changed (rehash on login), in one
        UpdateItem that the caller commits with the new session. With ``verified_hash`` (a password
        sign-in) it applies only while that is still the stored hash: a password change between the
        check and this write wins, and the rehash of the old password is never written back.
        """
        expression = "SET lastLoginAt = :now"
        condition = "attribute_exists(userId)"
        values: dict[str, Any] = {":now": now_iso}
        if verified_hash is not None:
            condition = "passwordHash = :verified"
            values[":verified"] = verified_hash
        if new_password_hash is not None:
            expression += ", passwordHash = :hash"
            values[":hash"] = new_password_hash
        return {
            "Update": {
                "TableName": self._users_name,
                "Key": {"userId": user_id},
                "UpdateExpression": expression,
                "ConditionExpression": condition,
                "ExpressionAttributeValues": values,
            }
        }

    def verified_email_member(self, user_id: str, now_iso: str) -> dict[str, Any]:
        """Mark the email verified (a TransactWriteItems member, with the spent code)."""
        return {
            "Update": {
                "TableName": self._users_name,
                "Key": {"userId": user_id},
                "UpdateExpression": "SET emailVerified = :true, updatedAt = :now",
                "ConditionExpression": "attribute_exists(userId)",
                "ExpressionAttributeValues": {":true": True, ":now": now_iso},
            }
        }

    def reset_password_member(
        self, user: Mapping[str, Any], password_hash: str, now_iso: str, *, generation: int
    ) -> dict[str, Any]:
        """A password reset (a TransactWriteItems member, with the spent code): the new hash, the next
        session generation, the email verified (the code proved the mailbox), and ``password``
        among the providers (a Google- or Apple-only account gains one)."""
        providers = [str(p) for p in user.get("authProviders") or []]
        if "password" not in providers:
            providers.insert(0, "password")
        return {
            "Update": {
                "TableName": self._users_name,
                "Key": {"userId": str(user["userId"])},
                "UpdateExpression": (
                    "SET passwordHash = :hash, sessionGeneration = :gen, emailVerified = :true, "
                    "authProviders = :providers, updatedAt = :now"
                ),
                "ConditionExpression": "attribute_exists(userId)",
                "ExpressionAttributeValues": {
                    ":hash": password_hash,
                    ":gen": generation,
                    ":true": True,
                    ":providers": providers,
                    ":now": now_iso,
                },
            }
        }

    def update_profile(
        self, user_id: str, *, display_name: str | None, profile: Mapping[str, str], now_iso: str
    ) -> dict[str, Any] | None:
        sets = ["updatedAt = :now"]
        names: dict[str, str] = {}
        values: dict[str, Any] = {":now": now_iso}
        if display_name is not None:
            sets.append("displayName = :dn")
            values[":dn"] = display_name
        for index, (key, value) in enumerate(sorted(profile.items())):
            names[f"#p{index}"] = key
            values[f":p{index}"] = value
            sets.append(f"profile.#p{index} = :p{index}")
        kwargs: dict[str, Any] = {
            "UpdateExpression": "SET " + ", ".join(sets),
            "ConditionExpression": "attribute_exists(userId)",
            "ExpressionAttributeValues": values,
            "ReturnValues": "ALL_NEW",
        }
        if names:
            kwargs["ExpressionAttributeNames"] = names
        try:
            attributes = self._users.update_item({"userId": user_id}, **kwargs)
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return None
            raise
        return plain(attributes) if attributes else None

    def set_password_hash(
        self,
        user_id: str,
        password_hash: str,
        now_iso: str,
        *,
        generation: int,
        together_with: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """The new hash and the user's new session generation (see :func:`session_generation`),
        with ``together_with`` (the keeping of the caller's session) in one round trip."""
        update = {
            "Update": {
                "TableName": self._users_name,
                "Key": {"userId": user_id},
                "UpdateExpression": "SET passwordHash = :hash, updatedAt = :now, sessionGeneration = :gen",
                "ConditionExpression": "attribute_exists(userId)",
                "ExpressionAttributeValues": {":hash": password_hash, ":now": now_iso, ":gen": generation},
            }
        }
        if together_with:
            write_together([update, *together_with])
        else:
            write_one(update)

    def delete(
        self, user_id: str, claims: Sequence[str], *, together_with: Sequence[Mapping[str, Any]] = ()
    ) -> None:
        """Delete the user and its claims (and ``together_with``) in one transaction."""
        items: list[dict[str, Any]] = [
            {"Delete": {"TableName": self._users_name, "Key": {"userId": user_id}}},
            *[
                {
                    "Delete": {
                        "TableName": self._identities_name,
                        "Key": {"identity": claim},
                        # never delete a claim that (after some race) belongs to someone else
                        "ConditionExpression": "attribute_not_exists(#id) OR userId = :uid",
                        "ExpressionAttributeNames": {"#id": "identity"},
                        "ExpressionAttributeValues": {":uid": user_id},
                    }
                }
                for claim in claims
            ],
        ]
        transact_write([*items, *together_with])
