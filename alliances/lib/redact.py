"""A logging filter that keeps secrets carried in URLs out of the logs.

Invitation links are credentials (whoever holds one may join a cohort): a failed CSRF check
or a 404 on such a URL must not write the token into the server's logs.
"""

import logging
import re

SECRET_PATHS = [
    re.compile(r"(/parcours/invitation/)[^/\s?#\"']+"),
    re.compile(r"(/parcours/calendrier/)[^/\s?#\"']+"),  # private calendar feeds
]


def redact(text: str) -> str:
    for pattern in SECRET_PATHS:
        text = pattern.sub(r"\1[redacted]", text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
