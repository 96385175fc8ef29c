"""Connection options shared by every Kafka client we create (worker, CLI, tests' tools)."""

from __future__ import annotations

import ssl
from typing import Any

from streams.settings import Settings


def client_options(settings: Settings) -> dict[str, Any]:
    """aiokafka keyword arguments for the configured broker and security protocol."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.broker.split(","),
        "security_protocol": settings.security_protocol,
    }
    if settings.security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = ssl.create_default_context(cafile=settings.ssl_cafile or None)
    if settings.security_protocol.startswith("SASL"):
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = settings.sasl_password
    return options
