"""patch_openai / unpatch_openai: swap instrumented methods in and out of openai's classes.

Patching happens on the classes, so every client (created before or after) is covered.
"""
import importlib
import logging
import sys
import threading
from typing import List, Tuple

from .calls import ORIGINAL_ATTRIBUTE, wrap_async, wrap_sync
from .import_watch import ImportWatch
from .targets import TARGETS

logger = logging.getLogger("zespan")

_lock = threading.RLock()
_applied: List[Tuple[type, str, object, bool]] = []   # (class, method, original, was_own_attribute)
_watch = None
_wanted = False


def patch_openai() -> bool:
    """Instruments openai now if it is imported, else as soon as it is. Idempotent.

    Returns True when instrumentation is in place (or will be on import).
    """
    global _wanted, _watch
    with _lock:
        _wanted = True
        if "openai" in sys.modules:
            _patch_loaded_openai()
            return True
        if _watch is None:
            _watch = ImportWatch("openai", _patch_loaded_openai)
            _watch.install()
        return True


def unpatch_openai() -> None:
    """Restores every original method and stops waiting for an import."""
    global _wanted, _watch
    with _lock:
        _wanted = False
        if _watch is not None:
            _watch.uninstall()
            _watch = None
        while _applied:
            cls, method, original, was_own = _applied.pop()
            if was_own:
                setattr(cls, method, original)
            else:
                delattr(cls, method)


def is_patched() -> bool:
    return bool(_applied)


def _patch_loaded_openai() -> None:
    global _watch
    with _lock:
        _watch = None
        if not _wanted:
            return
        for target in TARGETS:
            cls = _find_class(target.module, target.class_name)
            if cls is None:
                continue
            original = getattr(cls, target.method, None)
            if original is None or hasattr(original, ORIGINAL_ATTRIBUTE):
                continue   # absent in this version, or already instrumented
            wrap = wrap_async if target.is_async else wrap_sync
            was_own = target.method in cls.__dict__
            setattr(cls, target.method, wrap(original, target.operation))
            _applied.append((cls, target.method, original if was_own else None, was_own))
            logger.debug("zespan: instrumented %s.%s.%s", target.module, target.class_name, target.method)


def _find_class(module_name: str, class_name: str):
    try:
        module = importlib.import_module(module_name)
    except Exception:
        return None   # not in this openai version
    cls = getattr(module, class_name, None)
    return cls if isinstance(cls, type) else None
