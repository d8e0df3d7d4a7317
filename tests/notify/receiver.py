"""A local webhook receiver on 127.0.0.1 for the notification tests."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """Records every POST (headers, body); ``delay`` seconds before answering the first one;
    ``keys`` are the idempotency keys processed once (what a receiver dedups on)."""

    def __init__(self, port: int = 0, delay: float = 0.0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.processed: dict[str, dict[str, Any]] = {}
        self.delay = delay
        self.first_arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                record = {"headers": dict(self.headers), "body": body, "json": json.loads(body)}
                outer.requests.append(record)
                if len(outer.requests) == 1 and outer.delay:
                    outer.first_arrived.set()
                    time.sleep(outer.delay)
                key = self.headers.get("Idempotency-Key", "")
                outer.processed.setdefault(key, record)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[str]:
        return [str(r["json"]["event"]) for r in self.requests]
