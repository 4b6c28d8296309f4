"""init() reads the environment, forgives bad values, and never raises."""
import os
import unittest
from unittest import mock

from zespan._config import DEFAULT_BASE_URL, Settings


class Configuration(unittest.TestCase):
    def test_environment_supplies_key_and_base_url(self):
        with mock.patch.dict(os.environ, {"ZESPAN_API_KEY": "zsp_from_env_0123456789",
                                          "ZESPAN_BASE_URL": "http://example.test:1234/"}):
            settings = Settings()
        self.assertEqual("zsp_from_env_0123456789", settings.api_key)
        self.assertEqual("http://example.test:1234/api/v1/ingest", settings.ingest_url)
        self.assertTrue(settings.enabled)

    def test_arguments_win_over_environment(self):
        with mock.patch.dict(os.environ, {"ZESPAN_API_KEY": "zsp_env_key_0123456789"}):
            self.assertEqual("zsp_arg_key_0123456789", Settings(api_key="zsp_arg_key_0123456789").api_key)

    def test_default_base_url_is_the_servers_default_address(self):
        with mock.patch.dict(os.environ, {"ZESPAN_BASE_URL": ""}):
            self.assertEqual(DEFAULT_BASE_URL, Settings(api_key="zsp_k_0123456789abcdef").base_url)
        self.assertEqual("http://localhost:5080", DEFAULT_BASE_URL)

    def test_missing_key_disables_export_with_a_warning(self):
        with mock.patch.dict(os.environ, {"ZESPAN_API_KEY": ""}):
            with self.assertLogs("zespan", "WARNING") as logs:
                settings = Settings()
        self.assertFalse(settings.enabled)
        self.assertIn("ZESPAN_API_KEY", logs.output[0])

    def test_bad_values_fall_back_to_defaults(self):
        with self.assertLogs("zespan", "WARNING"):
            settings = Settings(api_key="zsp_k_0123456789abcdef", flush_at="many", sample_rate=3,
                                max_queue_size=0)
        self.assertEqual((50, 1.0, 10_000), (settings.flush_at, settings.sample_rate, settings.max_queue_size))
