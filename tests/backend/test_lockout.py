from __future__ import annotations

import pytest
from auth_service.lockout import (
    LOCKOUT_THRESHOLD,
    MAX_LOCKOUT_S,
    UNDER_ATTACK_FAILURES,
    current_window,
    lockout_delay_s,
    retry_after_s,
)


@pytest.mark.parametrize(
    ("failures", "delay"),
    [
        (0, 0),
        (1, 0),
        (4, 0),
        (5, 1),
        (6, 2),
        (7, 4),
        (10, 32),
        (14, 512),
        (15, 900),
        (16, 900),
        (10_000, 900),
    ],
)
def test_lockout_follows_cognitos_doubling_schedule_capped_at_15_minutes(failures, delay):
    assert lockout_delay_s(failures) == delay


def test_with_a_lower_threshold_the_schedule_starts_earlier():
    assert [lockout_delay_s(n, threshold=1) for n in (0, 1, 2, 3, 11)] == [0, 1, 2, 4, 900]


def test_threshold_and_cap_are_as_documented():
    assert LOCKOUT_THRESHOLD == 5
    assert MAX_LOCKOUT_S == 15 * 60
    assert UNDER_ATTACK_FAILURES == 20


def test_retry_after_rounds_up_to_at_least_a_second():
    assert retry_after_s(101.5, now=100.0) == 2  # 1.5 s left -> Retry-After 2
    assert retry_after_s(101.0, now=100.9) == 1
    assert retry_after_s(100.0, now=100.5) == 1


def test_fixed_windows_align_and_give_retry_after():
    window = current_window(1_000_123.4, 300)
    assert window.start == 999_900
    assert window.end == 1_000_200
    assert window.retry_after_s(1_000_123.4) == 77
    assert window.retry_after_s(1_000_199.99) == 1
    assert current_window(5.0, 0).length_s == 1
