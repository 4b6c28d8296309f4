# As in openai >= 1.6x: a package whose classes live in completions.py, re-exported here.
from .completions import AsyncCompletions, Completions
