"""Placeholder until the digitalwires parser lands."""

from __future__ import annotations

from streams.formats.fields import JsonObj
from streams.models import DecodeError, WireItem


def parse(obj: JsonObj) -> WireItem:
    raise DecodeError("unknown-format", "digitalwires is not supported yet")
