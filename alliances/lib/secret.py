"""The local secret key: generated once into var/, never committed."""

from pathlib import Path

from django.core.management.utils import get_random_secret_key


def local_secret_key(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = get_random_secret_key()
    # Created with owner-only permissions: the key signs sessions and password resets.
    path.touch(mode=0o600)
    path.write_text(key)
    return key
