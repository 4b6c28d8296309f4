from .chat import AsyncChat, Chat
from .completions import AsyncCompletions, Completions
