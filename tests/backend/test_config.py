from __future__ import annotations

import logging

import pytest
from auth_service.config import InsecureConfigError, check_settings, insecure_settings, load_settings

SECURE_PROD = {
    "STAGE": "prod",
    "SIGNING_KEYS_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:keys-AbCdEf",
    "SIGNING_PUBLIC_KEYS_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:public-AbCdEf",
    "HASHING_KEY_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:hashing-AbCdEf",
    "EMAIL_SENDER": "no-reply@myapp.example",
    "APPLE_JWKS_URL": "https://appleid.apple.com/auth/keys",
    "APPLE_TOKEN_URL": "https://appleid.apple.com/auth/token",
    "APPLE_REVOKE_URL": "https://appleid.apple.com/auth/revoke",
    "APPLE_AUDIENCES": "com.example.myapp",
    "APPLE_SIGN_IN_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:apple-AbCdEf",
    "BCRYPT_ROUNDS": "12",
    "GOOGLE_JWKS_URL": "https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com",
    "GOOGLE_ISSUERS": "https://securetoken.google.com/my-app-1234",
    "GOOGLE_AUDIENCES": "my-app-1234",
}


def test_secure_prod_config_starts():
    settings = check_settings(load_settings(SECURE_PROD))
    assert not settings.is_local
    assert settings.bcrypt_rounds == 12
    assert settings.google_issuers == ("https://securetoken.google.com/my-app-1234",)


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"BCRYPT_ROUNDS": "9"}, "BCRYPT_ROUNDS"),
        ({"SIGNING_KEYS_SECRET_ARN": ""}, "SIGNING_KEYS_SECRET_ARN"),
        ({"SIGNING_PUBLIC_KEYS_SECRET_ARN": ""}, "SIGNING_PUBLIC_KEYS_SECRET_ARN"),
        ({"HASHING_KEY_SECRET_ARN": ""}, "HASHING_KEY_SECRET_ARN"),
        ({"EMAIL_SENDER": ""}, "EMAIL_SENDER"),
        ({"APPLE_JWKS_URL": "http://127.0.0.1:3000/_emulator/idp/apple/auth/keys"}, "APPLE_JWKS_URL"),
        ({"APPLE_TOKEN_URL": "https://appleid.apple.com.evil.example/auth/token"}, "APPLE_TOKEN_URL"),
        ({"APPLE_REVOKE_URL": "https://127.0.0.1/auth/revoke"}, "APPLE_REVOKE_URL"),
        ({"APPLE_AUDIENCES": "demo-ios-auth"}, "APPLE_AUDIENCES"),
        ({"APPLE_SIGN_IN_SECRET_ARN": ""}, "APPLE_SIGN_IN_SECRET_ARN"),
        ({"GOOGLE_JWKS_URL": "http://www.googleapis.com/jwks"}, "GOOGLE_JWKS_URL"),
        ({"GOOGLE_JWKS_URL": "https://localhost:3000/_emulator/idp/jwks.json"}, "GOOGLE_JWKS_URL"),
        ({"GOOGLE_JWKS_URL": "https://127.0.0.1/jwks.json"}, "GOOGLE_JWKS_URL"),
        ({"GOOGLE_JWKS_URL": "http://127.0.0.1:3000/_emulator/idp/jwks.json"}, "GOOGLE_JWKS_URL"),
        ({"GOOGLE_JWKS_URL": "https://attacker.example.com/jwks.json"}, "GOOGLE_JWKS_URL"),
        ({"GOOGLE_JWKS_URL": "https://www.googleapis.com:8443/jwks.json"}, "GOOGLE_JWKS_URL"),
        ({"GOOGLE_AUDIENCES": "my-app-1234,demo-ios-auth"}, "demo-ios-auth"),
        ({"ACCESS_TOKEN_TTL_SECONDS": "86400"}, "ACCESS_TOKEN_TTL_SECONDS"),
    ],
)
@pytest.mark.parametrize("stage", ["prod", "staging", "dev", "test", "Local", ""])
def test_every_stage_but_local_refuses_an_insecure_config_with_a_clear_log_line(
    override, reason, stage, caplog
):
    settings = load_settings({**SECURE_PROD, **override, "STAGE": stage})
    with caplog.at_level(logging.ERROR), pytest.raises(InsecureConfigError) as excinfo:
        check_settings(settings)
    assert reason in str(excinfo.value)
    assert any(
        "Refusing to start" in record.getMessage() and reason in record.getMessage()
        for record in caplog.records
    )


def test_unset_stage_is_a_deployed_stage():
    settings = load_settings({**SECURE_PROD, "STAGE": "", "BCRYPT_ROUNDS": "4"})
    assert settings.stage == "prod"
    assert not settings.is_local
    with pytest.raises(InsecureConfigError):
        check_settings(settings)


def test_only_the_explicit_local_stage_allows_low_cost_demo_audiences_and_the_local_idp():
    settings = load_settings(
        {
            **SECURE_PROD,
            "STAGE": "local",
            "BCRYPT_ROUNDS": "4",
            "GOOGLE_JWKS_URL": "http://127.0.0.1:3000/_emulator/idp/jwks.json",
            "GOOGLE_AUDIENCES": "demo-ios-auth",
        }
    )
    assert settings.is_local
    assert check_settings(settings) is settings
    assert insecure_settings(settings)  # still reported as insecure, just not enforced


def test_bcrypt_rounds_outside_bcrypts_range_never_start():
    for rounds in ("3", "32"):
        with pytest.raises(InsecureConfigError):
            check_settings(load_settings({**SECURE_PROD, "STAGE": "local", "BCRYPT_ROUNDS": rounds}))


def test_non_integer_numbers_are_refused():
    with pytest.raises(InsecureConfigError):
        load_settings({**SECURE_PROD, "BCRYPT_ROUNDS": "twelve"})
