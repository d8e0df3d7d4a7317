"""End to end in headless Chromium (Debian's package, driven by Playwright): sign in, screen
a name, decide the case, see the audit entry. Screenshots of the main pages go to
``tmp_path`` (and to ``$CIRCUMSPECT_SCREENSHOTS`` when set, e.g. docs/screenshots)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.helpers import Api, make_api

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    path = os.environ.get("CIRCUMSPECT_CHROMIUM") or shutil.which("chromium") or ""
    if not path or not Path(path).exists():
        pytest.skip(
            "Chromium not installed (apt-get install chromium, or set "
            "CIRCUMSPECT_CHROMIUM; scripts/services.sh does this)"
        )
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, Api]]:
    import uvicorn

    api = make_api(tmp_path)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(api.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", api
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_sign_in_screen_decide_audit(live: tuple[str, Api], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    base, api = live
    shots = [tmp_path / "shots"]
    if os.environ.get("CIRCUMSPECT_SCREENSHOTS"):
        shots.append(Path(os.environ["CIRCUMSPECT_SCREENSHOTS"]))
    for folder in shots:
        folder.mkdir(parents=True, exist_ok=True)

    def snap(page: object, name: str) -> None:
        for folder in shots:
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base}/ui/cases")
        assert "/ui/login" in page.url
        snap(page, "01-sign-in")
        page.fill("#key", api.keys["analyst"])
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/ui/cases")
        page.click("text=Screen")
        page.fill("#name", "Иван Петров")
        page.select_option("#schema", "Person")
        page.click("form[data-swap] button[type=submit]")
        page.wait_for_selector("table.candidates")
        assert "Ivan Petrov" in page.inner_text("#results")
        assert "equals the query" in page.inner_text("#results")
        snap(page, "02-screen-results")
        page.click("#results a[href^='/ui/cases/']")
        page.wait_for_selector("#reason")
        snap(page, "03-case-page")
        page.select_option("#decision", "false_positive")
        page.fill("#reason", "Другое лицо: дата рождения 1990 (different birth date)")
        page.click("text=Record decision")
        page.wait_for_selector("text=Decision recorded")
        audit_text = page.inner_text("table.audit")
        assert "case.decide" in audit_text and "user-analyst" in audit_text
        page.click("header >> text=Cases")
        page.wait_for_selector("table")
        snap(page, "04-case-queue")
        page.click("header >> text=Audit")
        page.wait_for_selector("text=chain verified")
        assert "case.decide" in page.inner_text("table.audit")
        snap(page, "05-audit")
        page.click("header >> text=Overview")
        page.wait_for_selector("text=Active list versions")
        snap(page, "06-overview")
        browser.close()
    case = api.app.state.runtime.cases.list_cases()[0][0]
    assert case.status == "closed" and case.decision == "false_positive"
    assert all((shots[0] / f"{n}.png").stat().st_size > 5000 for n in ("01-sign-in", "05-audit"))
