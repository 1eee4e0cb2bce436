"""No password, token or ID token in the logs (embedded stack only: it needs the emulator's log).

Against another target these tests are deselected, not skipped (see conftest): there is no log
to read, and a skip would read as a pass.
"""

from __future__ import annotations

import pytest
import requests

from tests.integration.api import Api, strong_password, unique_email

pytestmark = pytest.mark.embedded_only


def _run_flows(api: Api, idp_url: str | None) -> None:
    account = api.new_account("logscan")
    tokens = api.login(account)
    assert api.validate(tokens.access).status_code == 200
    assert api.get("/users/me", token=tokens.access).status_code == 200
    rotated = api.refresh(tokens.refresh)
    assert api.refresh_response(tokens.refresh).status_code == 401  # reuse: logged as an event, not a token
    second = api.login(account)
    assert api.login_response(account.email, strong_password()).status_code == 401  # a wrong password
    new_password = strong_password()
    api.ledger.add(new_password)
    changed = api.post(
        "/users/me/password",
        {"currentPassword": account.password, "newPassword": new_password},
        token=second.access,
    )
    assert changed.status_code == 204, changed.text
    assert api.post("/auth/logout", token=second.access).status_code == 204
    assert api.validate(rotated.access).status_code == 401
    if idp_url is not None:
        id_token = requests.post(
            f"{idp_url}/token", json={"email": unique_email("logscan")}, timeout=30
        ).json()["idToken"]
        assert api.google_response(id_token).status_code == 200
    third = api.login_response(account.email, new_password)
    assert third.status_code == 200
    deleted = api.delete("/users/me", {"password": new_password}, token=third.json()["accessToken"])
    assert deleted.status_code == 204, deleted.text


def test_logs_contain_no_password_or_token(api: Api, target, ledger, sam_api):
    _run_flows(api, target.idp_url)
    log = sam_api.log_text()  # everything the emulator logged this session, this test's last lines too
    # The capture is real: this run's requests and invocations are in it.
    assert "/auth/login" in log, log[-2000:]
    assert "START RequestId:" in log, log[-2000:]
    assert "REPORT RequestId:" in log, log[-2000:]
    secrets = ledger.snapshot()
    assert len(secrets) >= 10, "the flows should have used passwords and tokens"
    leaked = sorted(secret for secret in secrets if secret in log)
    assert not leaked, f"{len(leaked)} secret(s) found in the logs, e.g. {leaked[0][:12]}..."
    # Not even a token's signature part alone (a log that cut the token into pieces).
    signatures = [
        s.rsplit(".", 1)[-1] for s in secrets if s.count(".") == 2 and len(s.rsplit(".", 1)[-1]) > 20
    ]
    assert not [sig for sig in signatures if sig in log], "a JWT signature appears in the logs"


def test_security_events_name_the_account_by_a_keyed_hash_and_the_source_ip(api: Api, sam_logs):
    # OWASP ASVS V7: a failed sign-in is logged with who (a pseudonym) and from where, never the email.
    email = unique_email("secevent")
    assert api.login_response(email, strong_password()).status_code == 401
    log = sam_logs.text  # the functions' lines of this test
    assert email not in log
    failures = [line for line in log.splitlines() if '"login failed"' in line]
    assert failures, log[-2000:]
    assert all('"emailRef":' in line and '"sourceIp":' in line for line in failures), failures[-1]
    assert any(f'"sourceIp":"{api.source_ip}"' in line for line in failures), failures[-3:]
