import json
import logging

from backend.core.logging import JsonFormatter, clean_correlation_id, log_context


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("obelisk.test", logging.INFO, __file__, 1, message, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_records_carry_the_context_ids_and_extras() -> None:
    formatter = JsonFormatter()
    with log_context(correlation_id="abc-123", space_id="s1", user_id="u1"):
        line = json.loads(formatter.format(_record("hello", document_id="d1")))
    assert line["message"] == "hello"
    assert line["correlation_id"] == "abc-123"
    assert line["space_id"] == "s1" and line["user_id"] == "u1"
    assert line["document_id"] == "d1"


def test_context_is_reset_after_the_block() -> None:
    formatter = JsonFormatter()
    with log_context(correlation_id="outer", space_id="s1"):
        with log_context(space_id="s2"):
            inner = json.loads(formatter.format(_record("x")))
        outer = json.loads(formatter.format(_record("y")))
    after = json.loads(formatter.format(_record("z")))
    assert inner["space_id"] == "s2" and inner["correlation_id"] == "outer"
    assert outer["space_id"] == "s1"
    assert "space_id" not in after and after["correlation_id"] is None


def test_hostile_correlation_ids_are_replaced() -> None:
    assert clean_correlation_id("req-42") == "req-42"
    trace = "4bf92f3577b34da6a3ce929d0e0e4736:span.1_a"
    assert clean_correlation_id(trace) == trace
    # Stored in audit rows and shown on the audit page: markup, quotes, spaces and long ids are replaced.
    for bad in ("", None, "x" * 65, "line\nbreak", "ünïcode", "<script>alert(1)</script>", "a b", "x'; --"):
        replaced = clean_correlation_id(bad)
        assert replaced != bad and len(replaced) == 32
