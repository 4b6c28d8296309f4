"""Response types with the field names of openai v1."""
from .._models import BaseModel, GenericObject, ListOf


class PromptTokensDetails(BaseModel):
    fields = {"cached_tokens": None, "audio_tokens": None}


class CompletionTokensDetails(BaseModel):
    fields = {"reasoning_tokens": None, "audio_tokens": None, "accepted_prediction_tokens": None,
              "rejected_prediction_tokens": None}


class CompletionUsage(BaseModel):
    fields = {"prompt_tokens": None, "completion_tokens": None, "total_tokens": None,
              "prompt_tokens_details": PromptTokensDetails, "completion_tokens_details": CompletionTokensDetails}


class Function(BaseModel):
    fields = {"name": None, "arguments": None}


class ChatCompletionMessageToolCall(BaseModel):
    fields = {"id": None, "type": None, "function": Function}


class ChatCompletionMessage(BaseModel):
    fields = {"role": None, "content": None, "refusal": None, "tool_calls": ListOf(ChatCompletionMessageToolCall),
              "function_call": None, "audio": None, "annotations": None}


class ParsedChatCompletionMessage(ChatCompletionMessage):
    fields = {**ChatCompletionMessage.fields, "parsed": None}


class Choice(BaseModel):
    fields = {"index": None, "message": ChatCompletionMessage, "finish_reason": None, "logprobs": None}


class ParsedChoice(Choice):
    fields = {**Choice.fields, "message": ParsedChatCompletionMessage}


class ChatCompletion(BaseModel):
    fields = {"id": None, "object": None, "created": None, "model": None, "choices": ListOf(Choice),
              "usage": CompletionUsage, "system_fingerprint": None, "service_tier": None}


class ParsedChatCompletion(ChatCompletion):
    fields = {**ChatCompletion.fields, "choices": ListOf(ParsedChoice)}


class ChoiceDeltaToolCallFunction(BaseModel):
    fields = {"name": None, "arguments": None}


class ChoiceDeltaToolCall(BaseModel):
    fields = {"index": None, "id": None, "type": None, "function": ChoiceDeltaToolCallFunction}


class ChoiceDelta(BaseModel):
    fields = {"role": None, "content": None, "refusal": None, "tool_calls": ListOf(ChoiceDeltaToolCall),
              "function_call": None}


class ChunkChoice(BaseModel):
    fields = {"index": None, "delta": ChoiceDelta, "finish_reason": None, "logprobs": None}


class ChatCompletionChunk(BaseModel):
    fields = {"id": None, "object": None, "created": None, "model": None, "choices": ListOf(ChunkChoice),
              "usage": CompletionUsage, "system_fingerprint": None, "service_tier": None}


class InputTokensDetails(BaseModel):
    fields = {"cached_tokens": None}


class OutputTokensDetails(BaseModel):
    fields = {"reasoning_tokens": None}


class ResponseUsage(BaseModel):
    fields = {"input_tokens": None, "input_tokens_details": InputTokensDetails, "output_tokens": None,
              "output_tokens_details": OutputTokensDetails, "total_tokens": None}


class ResponseError(BaseModel):
    fields = {"code": None, "message": None}


class Response(BaseModel):
    fields = {"id": None, "object": None, "created_at": None, "model": None, "status": None,
              "output": ListOf(GenericObject), "usage": ResponseUsage, "error": ResponseError,
              "instructions": None, "incomplete_details": None}

    @property
    def output_text(self):
        texts = []
        for item in self.output or []:
            for part in getattr(item, "content", None) or []:
                if isinstance(part, dict) and part.get("type") == "output_text":
                    texts.append(part.get("text", ""))
        return "".join(texts)


class ResponseStreamEvent(BaseModel):
    fields = {"type": None, "sequence_number": None, "response": Response, "delta": None, "item_id": None,
              "output_index": None, "content_index": None, "item": GenericObject, "text": None,
              "message": None, "code": None}


class Embedding(BaseModel):
    fields = {"object": None, "index": None, "embedding": None}


class EmbeddingUsage(BaseModel):
    fields = {"prompt_tokens": None, "total_tokens": None}


class CreateEmbeddingResponse(BaseModel):
    fields = {"object": None, "data": ListOf(Embedding), "model": None, "usage": EmbeddingUsage}
