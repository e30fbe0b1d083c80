"""EMAIL_URL → Django's MAILERS setting (smtp://user:password@host:port, smtps://…, console:)."""

from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

CONSOLE = "django.core.mail.backends.console.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


def parse_email_url(url: str) -> dict[str, object]:
    """The "default" mailer described by url: the console when url is empty."""
    if not url or url.startswith("console:"):
        return {"BACKEND": CONSOLE}
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps", "submission"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {parts.scheme!r}: expected smtp://, smtps://, submission:// "
            "or console:"
        )
    default_port = {"smtp": 25, "smtps": 465, "submission": 587}[parts.scheme]
    return {
        "BACKEND": SMTP,
        "OPTIONS": {
            "host": parts.hostname or "localhost",
            "port": parts.port or default_port,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": parts.scheme == "smtps",
            "use_tls": parts.scheme == "submission",
        },
    }
