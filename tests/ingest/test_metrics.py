"""The worker's /health and /metrics endpoints, read over HTTP from a running worker."""

import json
import time

import httpx
import paho.mqtt.client as mqtt

from ijlucht import contract
from ingest import metrics
from tests.conftest import WorkerHandle, free_port, wait_for


def test_quantile_is_nearest_rank():
    assert metrics.quantile([], 0.5) == 0.0
    assert metrics.quantile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert metrics.quantile(list(range(1, 101)), 0.99) == 99


def test_prometheus_text_types_each_family_once():
    text = metrics.prometheus_text(
        [("lag_seconds", "summary", 'quantile="0.5"', 0.1), ("lag_seconds", "summary", 'quantile="0.99"', 0.2)]
    )
    assert text.count("# TYPE ijlucht_ingest_lag_seconds summary") == 1
    assert 'ijlucht_ingest_lag_seconds{quantile="0.99"} 0.2' in text


def test_histogram_buckets_are_cumulative_and_hold_values_up_to_their_bound():
    h = metrics.BucketHistogram("commit_lag_seconds", "lag", (0.5, 1.0, 5.0))
    h.observe_many([0.2, 0.5, 0.7, 4.0, 99.0])
    text = metrics.prometheus_text([], [h])
    assert "# TYPE ijlucht_ingest_commit_lag_seconds histogram" in text
    assert 'ijlucht_ingest_commit_lag_seconds_bucket{le="0.5"} 2.0' in text  # 0.5 itself is in le="0.5"
    assert 'ijlucht_ingest_commit_lag_seconds_bucket{le="1.0"} 3.0' in text
    assert 'ijlucht_ingest_commit_lag_seconds_bucket{le="5.0"} 4.0' in text
    assert 'ijlucht_ingest_commit_lag_seconds_bucket{le="+Inf"} 5.0' in text
    assert "ijlucht_ingest_commit_lag_seconds_count 5.0" in text
    assert "ijlucht_ingest_commit_lag_seconds_sum 104.4" in text


def test_worker_reports_counts_lag_and_batches(settings, make_kit, without_session_worker, monkeypatch):
    port = free_port()
    monkeypatch.setenv("IJLUCHT_INGEST_METRICS_PORT", str(port))
    handle = WorkerHandle(ingest_client_id=f"ijlucht-ingest-metrics-{port}")
    handle.start()
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
        kit, pw = make_kit("metrics")
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=kit)
        c.username_pw_set(kit, pw)
        c.connect(settings.mqtt_host, settings.mqtt_port)
        c.loop_start()
        now = int(time.time())
        for i in range(20):
            msg = {"v": 1, "seq": i, "fw": "t", "readings": [{"ts": now - i, "pm25": 2.0}]}
            c.publish(contract.topic(kit, contract.READINGS), json.dumps(msg), qos=1).wait_for_publish(10)
        c.publish(contract.topic(kit, contract.READINGS), b"junk", qos=1).wait_for_publish(10)

        def scraped():
            text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            values = dict(line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))
            return values if float(values["ijlucht_ingest_stored_total"]) >= 20 else None

        values = wait_for(scraped, what="metrics showing the stored readings")
        assert float(values["ijlucht_ingest_rejected_total"]) >= 1
        assert 0 < float(values['ijlucht_ingest_lag_seconds{quantile="0.5"}']) < 60
        assert float(values['ijlucht_ingest_batch_messages{quantile="0.99"}']) >= 1
        # The histograms count the same readings and batches, so several workers' buckets add up.
        assert float(values['ijlucht_ingest_commit_lag_seconds_bucket{le="+Inf"}']) >= 20
        assert float(values['ijlucht_ingest_commit_lag_seconds_bucket{le="60.0"}']) >= 20
        assert float(values["ijlucht_ingest_batch_size_messages_count"]) >= 1
        assert float(values["ijlucht_ingest_resident_memory_bytes"]) > 10_000_000
        c.disconnect()
        c.loop_stop()
    finally:
        handle.stop()
