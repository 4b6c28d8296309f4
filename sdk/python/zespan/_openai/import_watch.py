"""Runs a callback right after `openai` is first imported.

This lets `zespan.patch_openai()` be called before `import openai` (as the product
docs show) without importing openai ourselves: a meta-path finder lends its loader
to the `openai` import only, and steps aside once the module has executed.
"""
import importlib.abc
import logging
import sys
from typing import Callable

logger = logging.getLogger("zespan")


class ImportWatch(importlib.abc.MetaPathFinder):
    def __init__(self, module_name: str, on_loaded: Callable[[], None]) -> None:
        self._module_name = module_name
        self._on_loaded = on_loaded
        self._resolving = False

    def install(self) -> None:
        if self not in sys.meta_path:
            sys.meta_path.insert(0, self)

    def uninstall(self) -> None:
        try:
            sys.meta_path.remove(self)
        except ValueError:
            pass

    def find_spec(self, fullname, path, target=None):
        if fullname != self._module_name or self._resolving:
            return None
        self._resolving = True
        try:
            spec = _find_with_others(self, fullname, path, target)
        finally:
            self._resolving = False
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _NotifyingLoader(spec, spec.loader, self)
        return spec

    def loaded(self) -> None:
        self.uninstall()
        try:
            self._on_loaded()
        except Exception:
            logger.warning("zespan: could not instrument openai", exc_info=True)


def _find_with_others(watch, fullname, path, target):
    for finder in list(sys.meta_path):
        if finder is watch:
            continue
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        spec = find_spec(fullname, path, target)
        if spec is not None:
            return spec
    return None


class _NotifyingLoader(importlib.abc.Loader):
    """Delegates to the real loader; after exec_module, restores it and notifies."""

    def __init__(self, spec, real_loader, watch: ImportWatch) -> None:
        self._spec = spec
        self._real = real_loader
        self._watch = watch

    def create_module(self, spec):
        return self._real.create_module(spec)

    def exec_module(self, module):
        # Put the real loader back first so the module never exposes ours.
        self._spec.loader = self._real
        module.__loader__ = self._real
        self._real.exec_module(module)
        self._watch.loaded()

    def __getattr__(self, name):
        return getattr(self._real, name)
