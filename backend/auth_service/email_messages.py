"""The emails the backend sends: a one-time code, in plain text and HTML, naming the app.

They never contain a password, a token or a link that signs in by itself: only the 6-digit code,
which the user types into the app (so a mail scanner that follows links cannot spend it).
"""

from __future__ import annotations

import html

from auth_service.repositories.email import EmailMessage

CODE_LIFETIME_MINUTES = 15


def _html(app_name: str, heading: str, intro: str, code: str, outro: str) -> str:
    name, heading, intro, outro = (html.escape(s) for s in (app_name, heading, intro, outro))
    return (
        '<!doctype html><html><body style="font-family:-apple-system,Helvetica,Arial,sans-serif;'
        'color:#111;max-width:480px;margin:auto;padding:24px">'
        f'<h1 style="font-size:20px">{heading}</h1><p>{intro}</p>'
        '<p style="font-size:32px;font-weight:bold;letter-spacing:6px;margin:24px 0" '
        f'aria-label="Your code">{html.escape(code)}</p>'
        f'<p>{outro}</p><p style="color:#666;font-size:13px">— {name}</p></body></html>'
    )


def _code_email(
    *, to: str, app_name: str, code: str, subject: str, heading: str, intro: str, outro: str
) -> EmailMessage:
    outro = f"The code expires in {CODE_LIFETIME_MINUTES} minutes. {outro}"
    return EmailMessage(
        to=to,
        subject=f"{code} is your {app_name} {subject}",
        text=f"{intro}\n\n    {code}\n\n{outro}\n\n— {app_name}\n",
        html=_html(app_name, heading, intro, code, outro),
    )


def verification_email(*, to: str, app_name: str, code: str) -> EmailMessage:
    return _code_email(
        to=to,
        app_name=app_name,
        code=code,
        subject="verification code",
        heading="Confirm your email address",
        intro=f"Enter this code in {app_name} to confirm your email address:",
        outro="If you did not create an account, you can ignore this email.",
    )


def password_reset_email(*, to: str, app_name: str, code: str) -> EmailMessage:
    return _code_email(
        to=to,
        app_name=app_name,
        code=code,
        subject="password reset code",
        heading="Reset your password",
        intro=f"Enter this code in {app_name} to choose a new password:",
        outro=(
            "If you did not ask to reset your password, you can ignore this email: "
            "your password has not changed."
        ),
    )
