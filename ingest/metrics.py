"""A tiny HTTP endpoint for the worker: /health (200, or 503 with the reason) and /metrics in Prometheus text.

The text is written by prometheus_client from the worker's samples. Lag and batch size come twice: as summaries
over the recent window (one worker's view, what the log line and the benchmark read) and as cumulative histograms,
whose buckets add up across workers in a share group (`sum by (le)`). Alerting rules on these names:
deploy/server/prometheus/ijlucht-rules.yml.
"""

import re
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import HistogramMetricFamily, Metric

Sample = tuple[str, str, str, float]  # (family, type, labels such as 'quantile="0.5"' or '', value)


def quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile of `values` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


class BucketHistogram:
    """Cumulative counts of observations per upper bound, cheap enough for every stored reading (a bisect and an
    increment; prometheus_client's Histogram takes a lock per observation)."""

    def __init__(self, name: str, doc: str, bounds: tuple[float, ...]) -> None:
        self.name, self.doc, self.bounds = name, doc, bounds
        self.counts = [0] * (len(bounds) + 1)  # the last one: above every bound (+Inf)
        self.total = 0.0

    def observe_many(self, values: Iterable[float]) -> None:
        counts, bounds = self.counts, self.bounds
        for v in values:
            counts[bisect_left(bounds, v)] += 1  # bucket `le` holds values <= its bound
            self.total += v

    def family(self) -> HistogramMetricFamily:
        buckets, running = [], 0
        for bound, n in zip((*map(str, self.bounds), "+Inf"), self.counts, strict=True):
            running += n
            buckets.append((bound, running))
        return HistogramMetricFamily(f"ijlucht_ingest_{self.name}", self.doc, buckets=buckets, sum_value=self.total)


# Reading time -> commit: a live kit's readings arrive within seconds; minutes mean a backlog.
LAG_BOUNDS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0)
BATCH_BOUNDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)

_LABEL = re.compile(r'(\w+)="([^"]*)"')


class _Samples:
    """A prometheus_client collector over the worker's samples, read at each scrape."""

    def __init__(self, samples: list[Sample], histograms: Iterable[BucketHistogram] = ()) -> None:
        self.samples = samples
        self.histograms = list(histograms)

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Metric] = {}
        for family, kind, labels, value in self.samples:
            name = f"ijlucht_ingest_{family}"
            base = name.removesuffix("_total") if kind == "counter" else name
            if base not in families:
                families[base] = Metric(base, f"ingest worker: {family.replace('_', ' ')}", kind)
            families[base].add_sample(name, dict(_LABEL.findall(labels)), float(value))
        yield from families.values()
        for h in self.histograms:
            yield h.family()


def prometheus_text(samples: list[Sample], histograms: Iterable[BucketHistogram] = ()) -> str:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Samples(samples, histograms))  # type: ignore[arg-type]
    return generate_latest(registry).decode()


def resident_bytes() -> int:
    """This process's resident memory (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def serve(
    host: str,
    port: int,
    problem: Callable[[], str | None],
    samples: Callable[[], list[Sample]],
    histograms: Iterable[BucketHistogram] = (),
) -> None:
    """Serve in a daemon thread; `problem` says why the worker is unhealthy, or None when it is healthy."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/health":
                why = problem()
                if why:
                    self._reply(503, why + "\n")
                else:
                    self._reply(200, "ok\n")
            elif self.path == "/metrics":
                self._reply(200, prometheus_text(samples(), histograms), "text/plain; version=0.0.4")
            else:
                self._reply(404, "try /health or /metrics\n")

        def _reply(self, code: int, body: str, ctype: str = "text/plain") -> None:
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # quiet: one log line per interval is ours
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="ingest-metrics", daemon=True).start()
