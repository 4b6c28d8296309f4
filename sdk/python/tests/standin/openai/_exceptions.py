"""The error hierarchy of openai v1 (same names, attributes and messages)."""


class OpenAIError(Exception):
    pass


class APIError(OpenAIError):
    def __init__(self, message, request=None, *, body=None):
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        error = body if isinstance(body, dict) else {}
        self.code = error.get("code")
        self.param = error.get("param")
        self.type = error.get("type")


class APIStatusError(APIError):
    def __init__(self, message, *, response, body):
        super().__init__(message, None, body=body)
        self.response = response
        self.status_code = response.status
        self.request_id = response.headers.get("x-request-id")


class APIConnectionError(APIError):
    def __init__(self, *, message="Connection error.", request=None):
        super().__init__(message, request, body=None)


class APITimeoutError(APIConnectionError):
    def __init__(self, request=None):
        super().__init__(message="Request timed out.", request=request)


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class UnprocessableEntityError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class InternalServerError(APIStatusError):
    pass


_BY_STATUS = {400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError,
              404: NotFoundError, 409: ConflictError, 422: UnprocessableEntityError, 429: RateLimitError}


def status_error(response, body_text: str):
    import json
    try:
        parsed = json.loads(body_text)
        body = parsed.get("error", parsed) if isinstance(parsed, dict) else parsed
    except ValueError:
        parsed, body = body_text, None
    message = "Error code: %d - %s" % (response.status, parsed)
    cls = _BY_STATUS.get(response.status) or (InternalServerError if response.status >= 500 else APIStatusError)
    return cls(message, response=response, body=body)
