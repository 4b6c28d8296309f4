"""Turns whatever the app or the OpenAI client hands us into plain JSON values.

OpenAI v1 returns pydantic models; other clients return dicts or plain objects.
This never raises and never consumes iterators (a generator passed as `messages`
must still reach the real call intact).
"""
import math
from typing import Any

_MAX_DEPTH = 12
_MAX_STRING = 200_000


def to_jsonable(value: Any) -> Any:
    return _convert(value, 0)


def _convert(value: Any, depth: int) -> Any:
    try:
        return _convert_unguarded(value, depth)
    except Exception:  # a hostile model_dump or __repr__ must not break the app
        return "<unserializable %s>" % type(value).__name__


def _convert_unguarded(value: Any, depth: int) -> Any:
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return value if len(value) <= _MAX_STRING else value[:_MAX_STRING] + "...[truncated]"
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth >= _MAX_DEPTH:
        return "<max depth>"
    if isinstance(value, dict):
        return {str(k): _convert(v, depth + 1) for k, v in value.items() if not _is_not_given(v)}
    if isinstance(value, (list, tuple)):
        return [_convert(v, depth + 1) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return "<%d bytes>" % len(value)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return _convert(_model_dump(dump), depth + 1)
    if hasattr(value, "__dict__") and not callable(value):
        public = {k: v for k, v in vars(value).items() if not k.startswith("_")}
        return _convert(public, depth + 1)
    return repr(value)


def _model_dump(dump: Any) -> Any:
    # exclude_unset keeps exactly the fields the wire carried (openai builds its
    # models with construct()); warnings=False keeps pydantic from printing
    # serializer warnings into the app's output. Older shims lack the keywords.
    for kwargs in ({"mode": "json", "exclude_unset": True, "warnings": False},
                   {"mode": "json", "exclude_unset": True}, {}):
        try:
            return dump(**kwargs)
        except TypeError:
            continue
    return dump()


def _is_not_given(value: Any) -> bool:
    # openai's NOT_GIVEN / omit sentinels mean "parameter absent".
    return type(value).__name__ in ("NotGiven", "Omit")


def is_absent(value: Any) -> bool:
    return value is None or _is_not_given(value)
