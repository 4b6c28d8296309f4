from .responses import AsyncResponses, Responses
