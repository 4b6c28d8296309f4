"""zespan test suite. The stand-in `openai` package must win over any installed one."""
import os
import sys

STANDIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "standin")
if STANDIN not in sys.path:
    sys.path.insert(0, STANDIN)
