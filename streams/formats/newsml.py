"""Placeholder until the NewsML-G2 parser lands."""

from __future__ import annotations

from streams.models import DecodeError, WireItem


def check(raw: bytes) -> None:
    raise DecodeError("unknown-format", "XML is not supported yet")


def parse(raw: bytes) -> list[WireItem]:
    raise DecodeError("unknown-format", "XML is not supported yet")
