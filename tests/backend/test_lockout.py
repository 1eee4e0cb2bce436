from __future__ import annotations

import pytest
from auth_service.lockout import (
    LOCKOUT_THRESHOLD,
    MAX_LOCKOUT_S,
    current_window,
    lockout_delay_s,
    lockout_remaining_s,
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


def test_threshold_and_cap_are_as_documented():
    assert LOCKOUT_THRESHOLD == 5
    assert MAX_LOCKOUT_S == 15 * 60


def test_remaining_lock_rounds_up_and_ends():
    assert lockout_remaining_s(6, last_failure_at=100.0, now=100.5) == 2  # 1.5 s left -> Retry-After 2
    assert lockout_remaining_s(6, last_failure_at=100.0, now=102.0) == 0
    assert lockout_remaining_s(4, last_failure_at=100.0, now=100.0) == 0


def test_fixed_windows_align_and_give_retry_after():
    window = current_window(1_000_123.4, 300)
    assert window.start == 999_900
    assert window.end == 1_000_200
    assert window.retry_after_s(1_000_123.4) == 77
    assert window.retry_after_s(1_000_199.99) == 1
    assert current_window(5.0, 0).length_s == 1


def test_no_lock_below_the_threshold_even_when_the_failure_time_is_ahead_of_now():
    # record_failure stores the failure's second rounded up, so last_failure_at may be ahead of now.
    assert lockout_remaining_s(4, last_failure_at=101.0, now=100.2) == 0
    assert lockout_remaining_s(5, last_failure_at=101.0, now=100.2) == 2  # a full second at least
