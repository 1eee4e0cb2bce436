"""The smoke test's locustfile: the app model as is, plus apps that take every journey once.

``IosAppUser`` (weighted, random) is the load model of loadtests/locustfile.py; with a few seconds
of it, a rare task (logout: 1 in 32) may not come up. ``TourUser`` is the same app client walking
every journey in a fixed order; when every tour is done, the run ends (no fixed duration to
guess). The run's budgets, summary and exit code are the locustfile's own.
"""

from __future__ import annotations

import sys
from pathlib import Path

import gevent
from locust import task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import loadtests.locustfile as app

IosAppUser = app.IosAppUser  # Locust runs every User class found in this module

_finished_tours: list[str] = []


class TourUser(app.IosApp):
    fixed_count = 2

    def on_start(self) -> None:
        super().on_start()  # sign-up (signs in, verifies)
        self.steps = [
            self.resume_near_expiry,  # refresh, then validate
            self.view_profile,
            self.edit_profile,
            self.sign_out_and_in,  # logout, then login
            self.sign_up_new_account,  # register (signs in) + verify the mailed code
            self.reset_password,  # forgot, the mailed code, reset, login
            self.open_app,
        ]

    def resume_near_expiry(self) -> None:
        # Back from the background just before the access token expires: the app refreshes.
        self.device_clock_offset_s += max(0.0, self.token_expires_at - self.device_now())
        self.open_app()

    @task
    def next_step(self) -> None:
        if self.steps:
            self.steps.pop(0)()
            return
        _finished_tours.append(self.email)
        tour_users = self.environment.runner.user_classes_count.get(type(self).__name__, 0)
        if len(_finished_tours) >= tour_users:
            gevent.spawn(self.environment.runner.quit)  # from another greenlet: quit kills this one
        raise StopUser
