"""`circumspect lists fetch` against httpx.MockTransport (never the network)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
import pytest

from circumspect import settings
from circumspect.store import fetch
from tests.cli.lists_helpers import SDN_ROWS, Result, run, sdn_bytes

Cli = Callable[..., Result]
Handler = Callable[[httpx.Request], httpx.Response]
Serve = Callable[[Handler], list[httpx.Request]]

SDN_URL = fetch.OFAC_EXPORTS + "SDN.CSV"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setattr(fetch, "BACKOFF", 0.0)

    def invoke(*args: str) -> Result:
        return run(list(args), capsys, monkeypatch)

    return invoke


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Serve:
    """Install a mock transport; returns the list of requests it saw."""

    def install(handler: Handler) -> list[httpx.Request]:
        seen: list[httpx.Request] = []

        def wrapped(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return handler(request)

        monkeypatch.setattr(fetch, "TRANSPORT", httpx.MockTransport(wrapped))
        return seen

    return install


def ofac_site(sdn: bytes, etag: str = '"v1"') -> Handler:
    """OFAC's export endpoint: SDN.CSV with an ETag (304 when it matches); the other three
    files of the set are tiny valid files (one row each)."""
    extra = {
        "ALT.CSV": b'36,1,"aka","AERO-CARIBBEAN",-0- \r\n\x1a',
        "ADD.CSV": b'36,25,-0- ,"Havana","Cuba",-0- \r\n\x1a',
        "SDN_COMMENTS.CSV": b'36,"-0- "\r\n\x1a',
    }

    def handler(request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/", 1)[-1]
        if request.headers.get("If-None-Match") == etag:
            return httpx.Response(304)
        if name == "SDN.CSV":
            return httpx.Response(200, content=sdn, headers={"ETag": etag})
        if name in extra:
            return httpx.Response(200, content=extra[name], headers={"ETag": etag})
        return httpx.Response(404)

    return handler


def _snapshots(cli: Cli) -> list[dict[str, object]]:
    result = cli("lists", "snapshots", "--json")
    assert result.code == 0, result.err
    return list(result.json())


def test_fetch_loads_then_conditional_request_skips(cli: Cli, serve: Serve) -> None:
    seen = serve(ofac_site(sdn_bytes()))
    first = cli("lists", "fetch", "ofac_sdn")
    assert first.code == 0, first.err
    assert "ofac_sdn: 3 entities" in first.out
    assert [r.url.path.rsplit("/", 1)[-1] for r in seen] == [
        "SDN.CSV",
        "ALT.CSV",
        "ADD.CSV",
        "SDN_COMMENTS.CSV",
    ]
    cache = settings.home() / "lists" / "ofac_sdn"
    state = orjson.loads((cache / "state.json").read_bytes())
    assert state["sdn.csv"]["etag"] == '"v1"'
    assert (cache / "sdn.csv").read_bytes() == sdn_bytes()
    snaps = _snapshots(cli)
    assert len(snaps) == 1
    assert snaps[0]["files"] == [
        str(cache / n) for n in ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")
    ]

    seen.clear()
    second = cli("lists", "fetch", "ofac_sdn")
    assert second.code == 0, second.err
    assert "not modified" in second.out
    assert all(r.headers["If-None-Match"] == '"v1"' for r in seen)
    assert len(_snapshots(cli)) == 1
    assert not [p for p in cache.iterdir() if p.name.startswith(".incoming")]


def test_fetch_of_a_changed_list_loads_a_new_snapshot(cli: Cli, serve: Serve) -> None:
    serve(ofac_site(sdn_bytes()))
    assert cli("lists", "fetch", "ofac_sdn").code == 0
    serve(ofac_site(sdn_bytes(SDN_ROWS[:2]), etag='"v2"'))
    result = cli("lists", "fetch", "ofac_sdn", "--accept-shrink")  # 1 of 3 removed
    assert result.code == 0, result.err
    assert "0 added, 1 removed, 0 changed" in result.out
    assert len(_snapshots(cli)) == 2


def test_fetch_that_shrinks_the_list_is_staged(cli: Cli, serve: Serve) -> None:
    serve(ofac_site(sdn_bytes()))
    assert cli("lists", "fetch", "ofac_sdn").code == 0
    serve(ofac_site(sdn_bytes(SDN_ROWS[:1]), etag='"v2"'))
    result = cli("lists", "fetch", "ofac_sdn")
    assert result.code == 3, result.err
    assert "STAGED" in result.err and "2 of the 3 entities" in result.err
    status = cli("lists", "status", "--json").json()
    assert status["sources"]["ofac_sdn"]["entity_count"] == 3
    [staged] = status["staged"]
    assert staged["entity_count"] == 1
    # the download is kept: the next fetch is "not modified" and the staged snapshot waits
    assert cli("lists", "fetch", "ofac_sdn").code == 0
    assert cli("lists", "activate", staged["id"], "--no-rescreen").code == 0
    assert cli("lists", "status", "--json").json()["sources"]["ofac_sdn"]["entity_count"] == 1


def test_offline_fails_clearly_and_changes_nothing(cli: Cli, serve: Serve) -> None:
    serve(ofac_site(sdn_bytes()))
    assert cli("lists", "fetch", "ofac_sdn").code == 0
    cache = settings.home() / "lists" / "ofac_sdn"
    before = {p.name: p.read_bytes() for p in cache.iterdir()}

    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    seen = serve(offline)
    result = cli("lists", "fetch", "ofac_sdn", "--retries", "2")
    assert result.code == 2
    assert len(seen) == 3  # first attempt + 2 retries, then it gives up
    last = result.err.strip().splitlines()[-1]
    assert last.startswith("error: 1 of 1 source(s) failed")
    assert "cannot reach sanctionslistservice.ofac.treas.gov" in last
    assert "offline?" in last
    assert len(_snapshots(cli)) == 1
    assert {p.name: p.read_bytes() for p in cache.iterdir()} == before


def test_retries_server_errors_with_backoff(
    cli: Cli, serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    delays: list[float] = []
    monkeypatch.setattr(fetch, "BACKOFF", 0.5)
    monkeypatch.setattr(fetch, "SLEEP", delays.append)
    site = ofac_site(sdn_bytes())
    failures = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("SDN.CSV") and failures["n"] < 2:
            failures["n"] += 1
            return httpx.Response(503)
        return site(request)

    serve(flaky)
    result = cli("lists", "fetch", "ofac_sdn")
    assert result.code == 0, result.err
    assert delays == [0.5, 1.0]


def test_timeouts_are_retried_then_reported(
    cli: Cli, serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIRCUMSPECT_FETCH_TIMEOUT", "7")
    with fetch.client() as http:
        assert http.timeout.read == 7.0

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    seen = serve(slow)
    result = cli("lists", "fetch", "un_sc", "--retries", "1")
    assert result.code == 2
    assert len(seen) == 2
    assert "timed out 2 times" in result.err


def test_a_download_that_does_not_parse_changes_nothing(cli: Cli, serve: Serve) -> None:
    serve(ofac_site(sdn_bytes()))
    assert cli("lists", "fetch", "ofac_sdn").code == 0
    cache = settings.home() / "lists" / "ofac_sdn"
    state_before = (cache / "state.json").read_bytes()
    serve(ofac_site(b"<html><body>Service unavailable</body></html>", etag='"broken"'))
    result = cli("lists", "fetch", "ofac_sdn")
    assert result.code == 2
    assert "load failed" in result.err and "sdn.csv" in result.err
    assert (cache / "state.json").read_bytes() == state_before
    assert (cache / "sdn.csv").read_bytes() == sdn_bytes()
    assert len(_snapshots(cli)) == 1
    assert not [p for p in cache.iterdir() if p.name.startswith(".incoming")]


def test_http_error_names_url_and_status(cli: Cli, serve: Serve) -> None:
    serve(lambda request: httpx.Response(403))
    result = cli("lists", "fetch", "uk_fcdo")
    assert result.code == 2
    assert (
        "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.csv answered HTTP 403"
        in result.err
    )
    assert _snapshots(cli) == []


def test_mirror_is_used_when_primary_fails(cli: Cli, serve: Serve, tmp_path: Path) -> None:
    dpl = (
        b"Name\tStreet_Address\tCity\tState\tCountry\tPostal_Code\tEffective_Date\t"
        b"Expiration_Date\tStandard_Order\tLast_Update\tAction\tFR_Citation\n"
        b"ACME TRADING LLC\t1 Main St\tMiami\tFL\tUS\t33101\t01/15/2020\t01/15/2030\tY\t"
        b"01/15/2020\tFR NOTICE ADDED\t85 F.R. 2345\n"
    )

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "www.bis.doc.gov":
            return httpx.Response(404)
        return httpx.Response(200, content=dpl)

    seen = serve(handler)
    result = cli("lists", "fetch", "bis_dpl")
    assert [r.url.host for r in seen] == ["www.bis.doc.gov", "media.bis.gov"]
    assert result.code == 0, result.err
    assert "bis_dpl: 1 entities" in result.out


def test_eu_needs_a_token_which_is_never_stored(cli: Cli, serve: Serve) -> None:
    seen = serve(lambda request: httpx.Response(500))
    result = cli("lists", "fetch", "eu_fsf")
    assert result.code == 2
    assert "CIRCUMSPECT_EU_FSF_TOKEN" in result.err
    assert seen == []
    assert "eu_fsf" not in fetch.default_sources()

    result = cli("lists", "fetch", "eu_fsf", "--eu-token", "s3cret", "--retries", "0")
    assert result.code == 2
    assert seen[0].url.params["token"] == "s3cret"
    assert "s3cret" not in result.err and "token=%2A%2A%2A" in result.err


def test_default_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fetch.default_sources() == [
        "ofac_sdn",
        "ofac_cons",
        "un_sc",
        "uk_fcdo",
        "bis_dpl",
        "us_csl",
        "kz_afm",
    ]
    monkeypatch.setenv("CIRCUMSPECT_EU_FSF_TOKEN", "abc")
    assert "eu_fsf" in fetch.default_sources()
    assert "opensanctions" not in fetch.default_sources()


def test_unknown_source(cli: Cli) -> None:
    result = cli("lists", "fetch", "nowhere")
    assert result.code == 2 and "no official download for source 'nowhere'" in result.err


def test_fetch_kz_afm_from_the_official_address_then_the_legacy_mirror(
    cli: Cli, serve: Serve
) -> None:
    from tests.sources.helpers import FIXTURES

    body = (FIXTURES / "kz_afm" / "afm_legacy.xml").read_bytes()

    def site(request: httpx.Request) -> httpx.Response:
        if str(request.url) == fetch.KZ_AFM_URL:
            return httpx.Response(404)  # the primary address moved: the mirror answers
        if request.url.host == "afmrk.gov.kz":
            return httpx.Response(200, content=body, headers={"ETag": '"a1"'})
        return httpx.Response(404)

    seen = serve(site)
    result = cli("lists", "fetch", "kz_afm", "--retries", "0")
    assert result.code == 0, result.err
    assert "kz_afm: 5 entities" in result.out
    assert [str(r.url) for r in seen] == [
        fetch.KZ_AFM_URL,
        "https://afmrk.gov.kz/blacklist/export/active/xml",
    ]
    assert str(seen[0].url).startswith("https://api.websfm.kz/")


def test_fetch_us_csl(cli: Cli, serve: Serve) -> None:
    from tests.support import shared_path

    body = shared_path("fixtures", "lists", "us_csl", "consolidated_2023.csv").read_bytes()
    seen = serve(lambda request: httpx.Response(200, content=body))
    result = cli("lists", "fetch", "us_csl")
    assert result.code == 0, result.err
    assert "us_csl: 13 entities" in result.out
    assert seen[0].url.host == "data.trade.gov"
