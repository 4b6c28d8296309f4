"""The patch targets against the openai layout the stand-in mirrors.

The stand-in keeps openai-python's module layout at `openai._version.__version__`; a target that
exists in that version must exist in the stand-in and be instrumented by patch_openai(). A target
renamed or moved by openai (as beta.chat.completions was in 1.92) then fails here, not in production.
"""
import importlib
import unittest

import openai
import zespan
from zespan._openai.calls import ORIGINAL_ATTRIBUTE
from zespan._openai.targets import TARGETS, parse_version

MIRRORED = parse_version(openai.__version__)


def _method(target):
    module = importlib.import_module(target.module)
    return getattr(getattr(module, target.class_name), target.method)


class PatchTargetsAgainstTheMirroredLayout(unittest.TestCase):
    def tearDown(self):
        zespan.unpatch_openai()

    def test_the_standin_names_the_openai_version_it_mirrors(self):
        self.assertGreaterEqual(MIRRORED, (3, 3), "the stand-in must mirror a current openai-python release")

    def test_every_target_of_the_mirrored_version_exists_in_the_standin(self):
        live = [t for t in TARGETS if t.exists_in(MIRRORED)]
        self.assertGreaterEqual(len(live), 14)
        missing = []
        for target in live:
            try:
                _method(target)
            except (ImportError, AttributeError):
                missing.append(repr(target))
        self.assertEqual([], missing)

    def test_targets_of_retired_layouts_are_absent_from_the_mirror(self):
        retired = [t for t in TARGETS if not t.exists_in(MIRRORED)]
        self.assertEqual({"openai.resources.beta.chat.completions"}, {t.module for t in retired})
        for target in retired:
            with self.assertRaises(ImportError, msg=repr(target)):
                _method(target)

    def test_patch_openai_instruments_every_target_of_the_mirrored_version(self):
        zespan.patch_openai()
        unpatched = [repr(t) for t in TARGETS if t.exists_in(MIRRORED)
                     and not hasattr(_method(t), ORIGINAL_ATTRIBUTE)]
        self.assertEqual([], unpatched)

    def test_version_ranges(self):
        self.assertEqual((3, 3, 1), parse_version("3.3.1"))
        self.assertEqual((1, 99), parse_version("1.99.0-rc1"))
        beta_parse = next(t for t in TARGETS if t.module.endswith("beta.chat.completions"))
        self.assertTrue(beta_parse.exists_in((1, 91, 0)))
        self.assertFalse(beta_parse.exists_in((1, 92, 0)))
