__title__ = "openai"
# The stand-in mirrors the module layout of this openai-python release (tag v3.3.1): every class and
# method zespan patches sits where it sits there. tests/test_patch_targets.py checks it.
__version__ = "3.3.1"
