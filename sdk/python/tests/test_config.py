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
        self.assertEqual((20, 1.0, 10_000), (settings.flush_at, settings.sample_rate, settings.max_queue_size))

    def test_defaults_are_the_specs(self):
        with mock.patch.dict(os.environ, {"ZESPAN_SAMPLE_RATE": "", "ZESPAN_CAPTURE_CONTENT": ""}):
            s = Settings(api_key="zsp_k_0123456789abcdef")
        self.assertEqual((20, 1.0, 10_000, 100, 10.0, 10, 5.0, 1.0, True),
                         (s.flush_at, s.flush_interval, s.max_queue_size, s.max_batch_size, s.request_timeout,
                          s.max_retries, s.shutdown_timeout, s.sample_rate, s.capture_content))

    def test_max_batch_size_and_max_retries_are_taken_and_checked(self):
        s = Settings(api_key="zsp_k_0123456789abcdef", max_batch_size=7, max_retries=0)
        self.assertEqual((7, 0), (s.max_batch_size, s.max_retries))
        with self.assertLogs("zespan", "WARNING") as logs:
            s = Settings(api_key="zsp_k_0123456789abcdef", max_batch_size=0, max_retries=-1)
        self.assertEqual((100, 10), (s.max_batch_size, s.max_retries))
        self.assertTrue(any("max_batch_size" in line for line in logs.output))
        self.assertTrue(any("max_retries" in line for line in logs.output))

    def test_sample_rate_comes_from_the_environment_unless_given(self):
        with mock.patch.dict(os.environ, {"ZESPAN_SAMPLE_RATE": "0.25"}):
            self.assertEqual(0.25, Settings(api_key="zsp_k_0123456789abcdef").sample_rate)
            self.assertEqual(0.5, Settings(api_key="zsp_k_0123456789abcdef", sample_rate=0.5).sample_rate)
        with mock.patch.dict(os.environ, {"ZESPAN_SAMPLE_RATE": "lots"}):
            with self.assertLogs("zespan", "WARNING"):
                self.assertEqual(1.0, Settings(api_key="zsp_k_0123456789abcdef").sample_rate)

    def test_capture_content_comes_from_the_environment_unless_given(self):
        for raw, expected in (("false", False), ("OFF", False), ("0", False), ("yes", True), ("", True)):
            with mock.patch.dict(os.environ, {"ZESPAN_CAPTURE_CONTENT": raw}):
                self.assertEqual(expected, Settings(api_key="zsp_k_0123456789abcdef").capture_content, raw)
        with mock.patch.dict(os.environ, {"ZESPAN_CAPTURE_CONTENT": "false"}):
            self.assertTrue(Settings(api_key="zsp_k_0123456789abcdef", capture_content=True).capture_content)
