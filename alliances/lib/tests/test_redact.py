import logging

from alliances.lib.redact import RedactSecrets, redact


def test_invitation_tokens_are_redacted():
    assert redact("Forbidden (CSRF): /parcours/invitation/AbC-123_x/") == (
        "Forbidden (CSRF): /parcours/invitation/[redacted]/"
    )
    assert redact('"GET /parcours/invitation/tok?next=1 HTTP/1.1"') == (
        '"GET /parcours/invitation/[redacted]?next=1 HTTP/1.1"'
    )


def test_other_paths_are_left_alone():
    assert redact("Not Found: /parcours/promotion-2026/") == "Not Found: /parcours/promotion-2026/"


def test_the_filter_rewrites_formatted_records():
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1,
                               "Forbidden (%s): %s", ("CSRF", "/parcours/invitation/secret/"), None)
    assert RedactSecrets().filter(record) is True
    assert record.getMessage() == "Forbidden (CSRF): /parcours/invitation/[redacted]/"


def test_calendar_feed_tokens_are_redacted():
    assert redact("Not Found: /parcours/calendrier/AbC-123_x.ics") == (
        "Not Found: /parcours/calendrier/[redacted]"
    )
    assert redact("Not Found: /parcours/calendriers/") == "Not Found: /parcours/calendriers/"
