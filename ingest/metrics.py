"""A tiny HTTP endpoint for the worker: /health (200 once subscribed) and /metrics in Prometheus text format."""

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def prometheus_text(counters: dict[str, float]) -> str:
    lines = []
    for name, value in counters.items():
        lines.append(f"# TYPE ijlucht_ingest_{name} {'gauge' if name.endswith('_depth') else 'counter'}")
        lines.append(f"ijlucht_ingest_{name} {value}")
    return "\n".join(lines) + "\n"


def serve(host: str, port: int, healthy: Callable[[], bool], counters: Callable[[], dict[str, float]]) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/health":
                ok = healthy()
                self._reply(200 if ok else 503, "ok\n" if ok else "not subscribed to the broker\n")
            elif self.path == "/metrics":
                self._reply(200, prometheus_text(counters()), "text/plain; version=0.0.4")
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
