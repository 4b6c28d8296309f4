"""Sentinels as in openai v1: NOT_GIVEN means "parameter omitted"."""


class NotGiven:
    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()
