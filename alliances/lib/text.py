"""Text normalisation for accent- and case-insensitive matching on any database."""

import unicodedata


def fold(text: str) -> str:
    """'Coopération Œuvre' → 'cooperation oeuvre': no accents, lower case, single spaces."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
