"""JSON-schema structured output for the models that implement it themselves (local and fake).

Both ask for `response_format={"type": "json_schema", ...}`; llama.cpp turns the schema into a grammar, so
the local model can only produce text that parses and validates, even at 135M parameters.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.runnables import Runnable, RunnableLambda
from langchain_core.utils.function_calling import convert_to_json_schema
from pydantic import BaseModel


def json_schema_of(schema: Any) -> tuple[str, dict[str, Any]]:
    """A name and a JSON schema for a pydantic class, TypedDict, OpenAI tool dict or JSON schema dict."""
    if isinstance(schema, dict) and ("properties" in schema or "type" in schema) and "function" not in schema:
        resolved = dict(schema)
    else:
        resolved = convert_to_json_schema(schema)
    name = str(resolved.get("title") or "output").replace(" ", "_")
    return name, resolved


def response_format_for(schema: Any) -> dict[str, Any]:
    """The OpenAI-style `response_format` that constrains a reply to `schema`."""
    name, resolved = json_schema_of(schema)
    return {"type": "json_schema", "json_schema": {"name": name, "schema": resolved, "strict": True}}


def structured_runnable(model: BaseChatModel, schema: Any, *, include_raw: bool = False) -> Runnable[Any, Any]:
    """`model` bound to answer under `schema`, parsed into the pydantic class (or a dict)."""
    bound = model.bind(response_format=response_format_for(schema))
    is_model = isinstance(schema, type) and issubclass(schema, BaseModel)
    parser: Runnable[Any, Any] = PydanticOutputParser(pydantic_object=schema) if is_model else JsonOutputParser()
    if not include_raw:
        return bound | parser

    def _parse(raw: BaseMessage) -> dict[str, Any]:
        try:
            return {"raw": raw, "parsed": parser.invoke(raw), "parsing_error": None}
        except Exception as exc:
            return {"raw": raw, "parsed": None, "parsing_error": exc}

    return bound | RunnableLambda(_parse)


def example_for(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """The smallest value that satisfies a JSON schema (the fake model's answer when none is scripted)."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return example_for(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return example_for(schema[key][0], defs)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: example_for(properties[name], defs) for name in schema.get("required", list(properties))}
    if kind == "array":
        return [example_for(schema["items"], defs)] * int(schema.get("minItems", 0)) if "items" in schema else []
    return {"string": "", "integer": 0, "number": 0, "boolean": False, "null": None}.get(kind, "")


def parse_json_object(text: str) -> Any:
    """Parse a model's JSON reply, tolerating code fences around it."""
    cleaned = text.strip()
    if cleaned.startswith("```"):
        cleaned = cleaned.strip("`")
        cleaned = cleaned[cleaned.find("\n") + 1 :] if "\n" in cleaned else cleaned
    return json.loads(cleaned)


__all__ = ["example_for", "json_schema_of", "parse_json_object", "response_format_for", "structured_runnable"]
