"""Text as PostgreSQL can store it."""


def storable(value: str) -> str:
    """Drop NUL characters: PostgreSQL text and JSON cannot hold them, and no keyboard
    types one, so a draft keeps everything a person could have meant."""
    return value.replace("\x00", "")
