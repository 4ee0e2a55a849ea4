"""PyTorch must never be pulled in: it would download gigabytes and nothing here needs it."""

import importlib.util


def test_torch_is_not_installed() -> None:
    assert importlib.util.find_spec("torch") is None, "torch is installed: a dependency pulled it in"


def test_docling_converter_imports_without_torch() -> None:
    import docling.document_converter  # noqa: F401  (docling-slim 2.143 imports torch here: stay pinned)

    assert importlib.util.find_spec("torch") is None
