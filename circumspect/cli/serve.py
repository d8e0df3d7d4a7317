"""`circumspect serve`: run the API and web pages with uvicorn.

With ``--workers N`` (N > 1) on Linux, N processes each run their own uvicorn server on a
socket bound with ``SO_REUSEPORT`` (and ``TCP_NODELAY``) to the same address; the kernel
spreads connections among them. uvicorn's own multi-worker mode hands workers a pre-bound
socket without TCP_NODELAY, which added about 45 ms to every keep-alive request here (see
docs/benchmarks/service.md). The parent forwards SIGINT/SIGTERM and waits for the workers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys

import typer


def _socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit TCP_NODELAY; without it a response written in two parts
    # waits for the client's delayed ACK (~40 ms per keep-alive request).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _run_worker(host: str, port: int, log_level: str) -> None:
    import uvicorn

    sock = _socket(host, port, reuse_port=True)
    config = uvicorn.Config(
        "circumspect.server:app_factory",
        factory=True,
        log_level=log_level,
        access_log=False,
        timeout_keep_alive=30,
        loop="uvloop",
        http="httptools",
    )
    uvicorn.Server(config).run(sockets=[sock])


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes."),
    db: str | None = typer.Option(None, "--db", help="Database URL (default CIRCUMSPECT_DB)."),
    log_level: str = typer.Option("warning", "--log-level"),
    dispatch: bool = typer.Option(
        True,
        "--dispatch/--no-dispatch",
        help="Deliver webhook notifications from this process (see `circumspect webhooks`).",
    ),
    fetch_every: str | None = typer.Option(
        None,
        "--fetch-every",
        help="Fetch the official lists this often (e.g. 4h, 30m), load what changed, "
        "re-screen and notify; one leader among all serve processes on this database.",
    ),
    yente_compat: bool = typer.Option(
        False,
        "--yente-compat",
        help="Also serve the yente-compatible API (/match, /search, /entities, /catalog, "
        "/algorithms, /healthz) with the same API keys (docs/service.md).",
    ),
) -> None:
    """Serve the HTTP API (/v1, /openapi.json, /health) and the web pages (/ui)."""
    import uvicorn

    from circumspect.cases.service import CaseService
    from circumspect.settings import db_url

    url = db_url(db)
    os.environ["CIRCUMSPECT_DB"] = url  # workers inherit the database
    if yente_compat:
        os.environ["CIRCUMSPECT_YENTE_COMPAT"] = "1"
    os.environ["CIRCUMSPECT_DISPATCH"] = "1" if dispatch else "0"
    if fetch_every:
        from circumspect.services.schedule import parse_every

        os.environ["CIRCUMSPECT_FETCH_EVERY"] = str(parse_every(fetch_every))
    CaseService(url).close()  # migrate once before the workers start
    from circumspect.web.session import secret_key

    secret_key()  # create the session secret once, before workers race for it
    typer.echo(
        f"circumspect serving on http://{host}:{port} with {workers} worker(s) "
        f"(db {url.split('@')[-1]})",
        err=True,
    )
    if workers == 1 or not hasattr(socket, "SO_REUSEPORT") or sys.platform != "linux":
        uvicorn.run(
            "circumspect.server:app_factory",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            access_log=False,
            loop="uvloop",
            http="httptools",
        )
        return
    # Fail early (and clearly) when the address is taken.
    _socket(host, port, reuse_port=True).close()
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child process
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                _run_worker(host, port, log_level)
            finally:
                os._exit(0)
        children.append(pid)

    def _forward(signum: int, _frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM if signum == signal.SIGINT else signum)

    signal.signal(signal.SIGTERM, _forward)
    signal.signal(signal.SIGINT, _forward)
    status = 0
    for child in children:
        while True:
            try:
                _, code = os.waitpid(child, 0)
                status = status or os.waitstatus_to_exitcode(code)
                break
            except ChildProcessError:
                break
            except InterruptedError:  # pragma: no cover
                continue
    if status not in (0, -signal.SIGTERM):
        raise SystemExit(1)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
