"""The background exporter: batches, retries, refusals, bounds, flush and shutdown."""
import logging
import logging.handlers
import threading
import time
import unittest

from zespan._exporter import BatchExporter
from zespan._transport import IngestTransport, parse_retry_after
from tests.support.fake_ingest_server import FakeIngestServer, IngestReply


def span(n):
    return {"id": "%016x" % n, "traceId": "t%d" % n, "name": "s", "kind": "span",
            "startTime": "2026-01-01T00:00:00.000Z", "endTime": "2026-01-01T00:00:00.001Z"}


class ExporterBehaviour(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ingest = FakeIngestServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.ingest.stop()

    def setUp(self):
        self.ingest.reset()
        # Warnings these scenarios provoke on purpose are kept, not printed over the test report.
        self.log_records = logging.handlers.BufferingHandler(10_000)
        logging.getLogger("zespan").addHandler(self.log_records)
        self.addCleanup(logging.getLogger("zespan").removeHandler, self.log_records)

    def exporter(self, flush_at=10, flush_interval=0.05, max_queue_size=1000, base_url=None, key=None,
                 max_retry_delay=0.1, shutdown_timeout=2.0, max_batch_size=100, max_retries=10):
        transport = IngestTransport((base_url or self.ingest.base_url) + "/api/v1/ingest",
                                    key or self.ingest.api_key, timeout=2.0)
        exporter = BatchExporter(transport, flush_at, flush_interval, max_queue_size, shutdown_timeout,
                                 max_retry_delay, max_batch_size=max_batch_size, max_retries=max_retries)
        self.addCleanup(exporter.shutdown, 0.5)
        return exporter

    def test_requests_carry_at_most_max_batch_size_spans(self):
        exporter = self.exporter(flush_at=1000, flush_interval=5.0, max_batch_size=10)
        for n in range(25):
            exporter.submit(span(n))
        self.assertTrue(exporter.flush(5))
        sizes = [len(batch) for _, batch, _, _ in self.ingest.requests]
        self.assertEqual([10, 10, 5], sizes)
        self.assertEqual(25, exporter.stats.sent)

    def test_flush_at_queued_spans_are_sent_without_waiting_for_the_interval(self):
        exporter = self.exporter(flush_at=5, flush_interval=60.0)
        for n in range(5):
            exporter.submit(span(n))
        deadline = time.monotonic() + 3
        while len(self.ingest.stored_spans()) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(5, len(self.ingest.stored_spans()))

    def test_a_batch_is_dropped_after_max_retries(self):
        exporter = self.exporter(base_url="http://127.0.0.1:9", max_retries=2, max_retry_delay=0.01)
        exporter.submit(span(1))
        self.assertTrue(exporter.flush(5), "the batch is given up on, not retried forever")
        self.assertEqual((2, 1, 0), (exporter.stats.retries, exporter.stats.failed, exporter.stats.sent))

    def test_flush_interval_sends_a_partial_batch_without_flush(self):
        exporter = self.exporter(flush_at=100, flush_interval=0.1)
        exporter.submit(span(1))
        deadline = time.monotonic() + 3
        while not self.ingest.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(1, len(self.ingest.stored_spans()))

    def test_retry_after_is_honoured_and_span_ids_are_kept(self):
        self.ingest.reset(script=[IngestReply(429, {"Retry-After": "1"}), IngestReply(503, {"Retry-After": "0"})])
        exporter = self.exporter()
        exporter.submit(span(7))
        self.assertTrue(exporter.flush(10))
        (t1, b1, s1, _), (t2, b2, s2, _), (t3, b3, s3, _) = self.ingest.requests
        self.assertEqual((429, 503, 200), (s1, s2, s3))
        self.assertGreaterEqual(t2 - t1, 0.95)
        self.assertEqual(b1, b3)                       # same ids: the server dedupes by id
        self.assertEqual(2, exporter.stats.retries)

    def test_network_errors_are_retried_with_backoff_until_the_server_answers(self):
        self.ingest.reset(script=[IngestReply(500), IngestReply(502), IngestReply(500)])
        exporter = self.exporter()
        exporter.submit(span(1))
        self.assertTrue(exporter.flush(10))
        self.assertEqual([500, 502, 500, 200], [s for _, _, s, _ in self.ingest.requests])
        self.assertEqual(1, exporter.stats.sent)

    def test_bad_request_and_unauthorized_are_not_retried(self):
        self.ingest.reset(script=[IngestReply(400, body={"title": "bad"})])
        exporter = self.exporter()
        exporter.submit(span(1))
        self.assertTrue(exporter.flush(5))
        wrong_key = self.exporter(key="zsp_wrong_key_wrong_key_1234")
        wrong_key.submit(span(2))
        self.assertTrue(wrong_key.flush(5))
        self.assertEqual([400, 401], [s for _, _, s, _ in self.ingest.requests])
        self.assertEqual((1, 1), (exporter.stats.rejected, wrong_key.stats.rejected))

    def test_partial_acceptance_drops_only_the_named_items(self):
        def reject_second(batch):
            return {"accepted": len(batch) - 1, "errors": [{"index": 1, "id": batch[1]["id"], "message": "bad"}]}
        self.ingest.reset(script=[IngestReply(207, body=reject_second)])
        exporter = self.exporter()
        for n in range(3):
            exporter.submit(span(n))
        self.assertTrue(exporter.flush(5))
        self.assertEqual(1, len(self.ingest.requests))      # not re-sent
        self.assertEqual((2, 1), (exporter.stats.sent, exporter.stats.rejected))

    def test_payload_too_large_splits_the_batch(self):
        self.ingest.reset(script=[IngestReply(413)])
        exporter = self.exporter()
        for n in range(4):
            exporter.submit(span(n))
        self.assertTrue(exporter.flush(5))
        self.assertEqual([4, 2, 2], [len(b) for _, b, _, _ in self.ingest.requests])
        self.assertEqual(4, len(self.ingest.stored_spans()))

    def test_full_queue_drops_and_counts_without_blocking(self):
        exporter = self.exporter(max_queue_size=5, base_url="http://127.0.0.1:9")   # nothing listens
        started = time.perf_counter()
        accepted = [exporter.submit(span(n)) for n in range(20)]
        self.assertLess(time.perf_counter() - started, 0.5)
        self.assertLessEqual(accepted.count(True), 6)      # the worker may have taken one batch out
        self.assertEqual(accepted.count(False), exporter.stats.dropped_queue_full)
        self.assertGreaterEqual(exporter.stats.dropped_queue_full, 14)

    def test_flush_times_out_instead_of_hanging_when_server_is_down(self):
        exporter = self.exporter(base_url="http://127.0.0.1:9")
        exporter.submit(span(1))
        started = time.monotonic()
        self.assertFalse(exporter.flush(0.3))
        self.assertLess(time.monotonic() - started, 2)

    def test_shutdown_delivers_queued_spans_and_refuses_new_ones(self):
        exporter = self.exporter(flush_at=1000, flush_interval=60)
        for n in range(30):
            exporter.submit(span(n))
        self.assertTrue(exporter.shutdown(5))
        self.assertEqual(30, len(self.ingest.stored_spans()))
        self.assertFalse(exporter.submit(span(99)))

    def test_shutdown_gives_up_at_its_deadline_when_server_is_down(self):
        exporter = self.exporter(base_url="http://127.0.0.1:9")
        exporter.submit(span(1))
        started = time.monotonic()
        self.assertFalse(exporter.shutdown(0.5))
        self.assertLess(time.monotonic() - started, 2.5)

    def test_submit_from_many_threads_loses_nothing(self):
        exporter = self.exporter(flush_at=7)

        def produce(base):
            for n in range(50):
                exporter.submit(span(base + n))
        threads = [threading.Thread(target=produce, args=(k * 1000,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertTrue(exporter.flush(10))
        self.assertEqual(300, len(self.ingest.stored_spans()))


class RetryAfterParsing(unittest.TestCase):
    def test_seconds_and_http_dates_are_understood(self):
        self.assertEqual(3.0, parse_retry_after("3"))
        self.assertIsNone(parse_retry_after("soon"))
        self.assertIsNone(parse_retry_after(None))
        self.assertEqual(0.0, parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"))   # in the past
