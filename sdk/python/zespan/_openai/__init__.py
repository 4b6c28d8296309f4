"""Instrumentation of the official `openai` package (v1 and later)."""
