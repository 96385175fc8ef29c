"""Typed access to decoded JSON: a field of the wrong type is a ``wrong-type`` dead letter.

Parsers never trust the shape of JSON; these getters turn "expected a string, got a list"
into the one DecodeError the pipeline understands instead of an AttributeError later on.
"""

from __future__ import annotations

from typing import Any

from streams.models import DecodeError

JsonObj = dict[str, Any]


def wrong(key: str, expected: str, value: object) -> DecodeError:
    return DecodeError("wrong-type", f"field {key!r} must be {expected}, got {type(value).__name__}")


def get_str(obj: JsonObj, key: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise wrong(key, "a string", value)


def get_id(obj: JsonObj, key: str) -> str | None:
    """Identifiers: strings, or integers that some feeds send as numbers."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise wrong(key, "a string", value)


def get_int(obj: JsonObj, key: str) -> int | None:
    """Integers, also as digit strings ("2"); anything else is wrong-type."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and len(text) <= 9:
            return int(text)
        if not text:
            return None
    raise wrong(key, "an integer", value)


def get_list(obj: JsonObj, key: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise wrong(key, "a list", value)


def get_obj(obj: JsonObj, key: str) -> JsonObj | None:
    value = obj.get(key)
    if value is None or isinstance(value, dict):
        return value
    raise wrong(key, "an object", value)


def objects(obj: JsonObj, key: str) -> list[JsonObj]:
    """A list of objects; non-object entries are wrong-type."""
    items = get_list(obj, key)
    for item in items:
        if not isinstance(item, dict):
            raise wrong(f"{key}[]", "an object", item)
    return items


def strings(obj: JsonObj, key: str) -> list[str]:
    """A list of strings (or one string); other entries are wrong-type."""
    value = obj.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise wrong(key, "a list of strings", value)
    for item in value:
        if not isinstance(item, str):
            raise wrong(f"{key}[]", "a string", item)
    return value
