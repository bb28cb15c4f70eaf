"""Decoding a request's JSON without trusting it.

Python's ``json`` accepts more than JSON and more than the rest of the stack can take:
``NaN`` and ``Infinity``, ``1e400`` (infinity again), integers of thousands of digits,
``"\\ud800"`` (a lone UTF-16 surrogate, which no UTF-8 encoder, the Neo4j driver's
included, can write), and nesting deep enough to exhaust the recursion limit. Each is
refused here with :class:`BadJsonError`, naming what is wrong and where.

Example:
    >>> loads(b'{"query": "{ __typename }"}')
    {'query': '{ __typename }'}
    >>> loads(b'{"variables": {"s": "\\\\ud800"}}')
    Traceback (most recent call last):
    BadJsonError: variables.s holds a lone UTF-16 surrogate (U+D800) at character 0; ...
"""

from __future__ import annotations

import json
import math
from typing import Any

#: Deepest nesting of arrays and objects accepted (GraphQL inputs need a handful).
MAX_DEPTH = 32
#: Longest integer accepted, in digits (a GraphQL Int has at most 10).
MAX_DIGITS = 100


class BadJsonError(ValueError):
    """The body (or the ``variables`` parameter) is not JSON the API can take."""


def _constant(name: str) -> Any:
    raise BadJsonError(f"{name} is not a JSON value; send a number or null")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJsonError(f"the number {text[:40]} is too large for a float")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise BadJsonError(f"an integer of {len(text)} digits; at most {MAX_DIGITS} are accepted")
    return int(text)


def loads(raw: bytes | str, what: str = "the request body") -> Any:
    """``raw`` decoded as UTF-8 JSON (a leading byte order mark is allowed), checked
    for depth and text that is not Unicode."""
    if isinstance(raw, bytes):
        data = raw
        try:
            raw = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            bad = data[error.start : error.start + 1].hex()
            raise BadJsonError(
                f"{what} is not valid UTF-8 (byte 0x{bad} at offset {error.start}); send UTF-8 text"
            ) from None
    try:
        value = json.loads(raw, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except RecursionError:
        raise BadJsonError(
            f"{what} is nested too deeply; at most {MAX_DEPTH} levels are accepted"
        ) from None
    except BadJsonError as error:
        raise BadJsonError(f"{what} is not acceptable JSON: {error}") from None
    except ValueError as error:
        raise BadJsonError(f"{what} is not JSON: {error}") from None
    check(value, what)
    return value


def check(value: Any, what: str = "the request") -> None:
    """Refuse nesting past :data:`MAX_DEPTH` and strings (or keys) with lone surrogates.

    The walk uses its own stack, so it cannot itself run out of recursion.
    """
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            _text(item, path or what)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                where = f" at {path}" if path else ""
                raise BadJsonError(
                    f"{what} is nested more than {MAX_DEPTH} levels deep{where}; "
                    f"at most {MAX_DEPTH} are accepted"
                )
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str):
                    _text(key, f"a key in {path or what}")
                name = f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]"
                stack.append((child, name.lstrip("."), depth + 1))


def _text(text: str, where: str) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        raise BadJsonError(
            f"{where} holds a lone UTF-16 surrogate (U+{code:04X}) at character "
            f"{error.start}; send valid Unicode (surrogates only in pairs)"
        ) from None
