"""A tiny HTTP endpoint for the worker: /health (200, or 503 with the reason) and /metrics in Prometheus text."""

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Sample = tuple[str, str, str, float]  # (family, type, labels such as 'quantile="0.5"' or '', value)


def quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile of `values` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def prometheus_text(samples: list[Sample]) -> str:
    lines, typed = [], set()
    for family, kind, labels, value in samples:
        name = f"ijlucht_ingest_{family}"
        if name not in typed:
            lines.append(f"# TYPE {name} {kind}")
            typed.add(name)
        lines.append(f"{name}{{{labels}}} {value}" if labels else f"{name} {value}")
    return "\n".join(lines) + "\n"


def resident_bytes() -> int:
    """This process's resident memory (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def serve(host: str, port: int, problem: Callable[[], str | None], samples: Callable[[], list[Sample]]) -> None:
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
                self._reply(200, prometheus_text(samples()), "text/plain; version=0.0.4")
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
