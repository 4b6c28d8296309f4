"""A small stand-in for openai's pydantic models: typed attributes, model_dump().

Like openai's models built with construct(), fields absent from the wire read as
None and are left out of model_dump(exclude_unset=True); unknown keys are kept.
"""


class ListOf:
    def __init__(self, item):
        self.item = item


class BaseModel:
    fields = {}   # name -> nested BaseModel subclass, ListOf(...), or None for plain values

    def __init__(self, **data):
        object.__setattr__(self, "_fields_set", set(data))
        for name in self.fields:
            object.__setattr__(self, name, None)
        for name, value in data.items():
            object.__setattr__(self, name, _convert(self.fields.get(name), value))

    @classmethod
    def construct(cls, data):
        return cls(**data)

    def model_dump(self, *, mode="python", exclude_unset=False, exclude_none=False):
        names = list(self.fields) + [n for n in self._fields_set if n not in self.fields]
        out = {}
        for name in names:
            if exclude_unset and name not in self._fields_set:
                continue
            value = getattr(self, name)
            if exclude_none and value is None:
                continue
            out[name] = _dump(value, mode, exclude_unset, exclude_none)
        return out

    def to_dict(self):
        return self.model_dump(exclude_unset=True)

    def __eq__(self, other):
        return type(self) is type(other) and self.model_dump() == other.model_dump()

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, self.model_dump(exclude_unset=True))


def _convert(spec, value):
    if value is None or spec is None:
        return value
    if isinstance(spec, ListOf):
        return [_convert(spec.item, v) for v in value] if isinstance(value, list) else value
    if isinstance(value, dict):
        return spec.construct(value)
    return value


def _dump(value, mode, exclude_unset, exclude_none):
    if isinstance(value, BaseModel):
        return value.model_dump(mode=mode, exclude_unset=exclude_unset, exclude_none=exclude_none)
    if isinstance(value, list):
        return [_dump(v, mode, exclude_unset, exclude_none) for v in value]
    return value


class GenericObject(BaseModel):
    """For union-typed items (response output items, tool calls): any keys."""
