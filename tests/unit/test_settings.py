"""Settings from NEWSWIRE_* variables: defaults, parsing, one error listing every problem."""

from pathlib import Path

import pytest

from streams.settings import Settings, SettingsError


def test_defaults_without_environment() -> None:
    s = Settings.from_env({})
    assert s.broker == "127.0.0.1:19092" and s.partitions == 6 and s.input_topic == "wire.raw"


def test_values_are_read_and_typed() -> None:
    s = Settings.from_env({"NEWSWIRE_PARTITIONS": "3", "NEWSWIRE_TOPIC_NAMESPACE": "stage.",
                           "NEWSWIRE_BROKER": "k1:9092,k2:9092"})
    assert s.partitions == 3 and s.ns("news.enriched") == "stage.news.enriched"


def test_every_bad_value_is_reported() -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"NEWSWIRE_PARTITIONS": "many", "NEWSWIRE_WEB_PORT": "http"})
    assert len(err.value.problems) == 2
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"NEWSWIRE_BROKER": "nohost", "NEWSWIRE_COMPRESSION": "brotli",
                           "NEWSWIRE_RULES_PATH": "/no/such/file.toml"})
    assert len(err.value.problems) == 3


def test_password_is_never_shown(tmp_path: object) -> None:
    s = Settings(sasl_password="s3cret")
    assert "s3cret" not in repr(s) and "s3cret" not in str(s)


def test_password_file(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("from-file\n")
    assert Settings.from_env({"NEWSWIRE_SASL_PASSWORD_FILE": str(secret)}).sasl_password == "from-file"
