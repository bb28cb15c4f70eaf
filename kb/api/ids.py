"""Global IDs: ``base64("Type:key")``, e.g. ``U3RhdGU6VVQ=`` for the State ``UT``.

Example:
    >>> encode_id("State", "UT")
    'U3RhdGU6VVQ='
    >>> decode_id("U3RhdGU6VVQ=")
    ('State', 'UT')
"""

from __future__ import annotations

import base64
import binascii

from kb.api.errors import BadInputError
from kb.graph.reads import LABELS


def encode_id(label: str, key: str) -> str:
    """The global ID of the node of ``label`` with natural key ``key``."""
    return base64.b64encode(f"{label}:{key}".encode()).decode("ascii")


def decode_id(global_id: str, field: str | None = None) -> tuple[str, str]:
    """``(label, key)`` of a global ID; BAD_USER_INPUT when it is not one of ours."""
    try:
        text = base64.b64decode(global_id.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadInputError(
            f"{global_id!r} is not a global ID (base64 of 'Type:key')", field
        ) from None
    label, sep, key = text.partition(":")
    if not sep or not key or label not in LABELS:
        raise BadInputError(
            f"{global_id!r} is not a global ID of a node; expected base64 of 'Type:key' with "
            f"Type one of {', '.join(LABELS)}",
            field,
        )
    return label, key


def decode_id_of(global_id: str, expected: str, field: str | None = None) -> str:
    """The key of a global ID that must name a node of label ``expected``."""
    label, key = decode_id(global_id, field)
    if label != expected:
        raise BadInputError(
            f"{global_id!r} is the ID of a {label}; expected the ID of a {expected}", field
        )
    return key
