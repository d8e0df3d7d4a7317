"""Download the official lists (``circumspect lists fetch``).

Each source has one or more files at official URLs (a mirror may follow the primary URL).
Downloads use httpx with the timeout ``CIRCUMSPECT_FETCH_TIMEOUT``, retry connection errors,
timeouts, HTTP 429 and 5xx with exponential backoff, and send conditional requests
(``If-None-Match`` / ``If-Modified-Since``) from the ``ETag`` / ``Last-Modified`` kept in
``$CIRCUMSPECT_HOME/lists/<source>/state.json`` beside the last good copy of each file.

New bytes go to a staging folder first. :func:`commit` moves them into the cache and writes
the state only after the caller has parsed and stored them, so a failed download or a file
that does not parse changes nothing (``discard`` removes the staging folder).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from circumspect import __version__, settings
from circumspect.errors import ConfigError, FetchError
from circumspect.fsutil import atomic_path

OFAC_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
EU_FSF_URL = (
    "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"
    "?token={token}"
)
#: The AFM's export of the list of persons and organisations linked to the financing of
#: terrorism and extremism (category 1, entries in force); the legacy afmrk.gov.kz export
#: follows as a mirror. See docs/lists.md.
KZ_AFM_URL = (
    "https://api.websfm.kz/v1/sanctions/sanction-terrorist-old/xml_category_1/?status=acting"
)

#: Retries after the first attempt, and the first backoff delay in seconds (doubling).
RETRIES = 3
BACKOFF = 1.0
#: Replaced by tests (``httpx.MockTransport``); None means the real network.
TRANSPORT: httpx.BaseTransport | None = None
SLEEP: Callable[[float], None] = time.sleep

_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True, slots=True)
class Download:
    """One file of a publication: local name and URLs (primary first, then mirrors)."""

    name: str
    urls: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Publication:
    source: str
    title: str
    page: str
    downloads: tuple[Download, ...]
    #: fetched by ``lists fetch`` without arguments
    default: bool = True


def _ofac(names: dict[str, str]) -> tuple[Download, ...]:
    return tuple(Download(local, (OFAC_EXPORTS + remote,)) for remote, local in names.items())


PUBLICATIONS: dict[str, Publication] = {
    "ofac_sdn": Publication(
        "ofac_sdn",
        "OFAC Specially Designated Nationals (SDN) list, CSV set",
        "https://ofac.treasury.gov/sanctions-list-service",
        _ofac(
            {
                "SDN.CSV": "sdn.csv",
                "ALT.CSV": "alt.csv",
                "ADD.CSV": "add.csv",
                "SDN_COMMENTS.CSV": "sdn_comments.csv",
            }
        ),
    ),
    "ofac_cons": Publication(
        "ofac_cons",
        "OFAC consolidated non-SDN lists, CSV set",
        "https://ofac.treasury.gov/sanctions-list-service",
        _ofac(
            {
                "CONS_PRIM.CSV": "cons_prim.csv",
                "CONS_ALT.CSV": "cons_alt.csv",
                "CONS_ADD.CSV": "cons_add.csv",
                "CONS_COMMENTS.CSV": "cons_comments.csv",
            }
        ),
    ),
    "un_sc": Publication(
        "un_sc",
        "UN Security Council consolidated list, XML",
        "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
        (
            Download(
                "consolidated.xml",
                ("https://scsanctions.un.org/resources/xml/en/consolidated.xml",),
            ),
        ),
    ),
    "eu_fsf": Publication(
        "eu_fsf",
        "EU Financial Sanctions Files, full list XML 1.1 (needs CIRCUMSPECT_EU_FSF_TOKEN)",
        "https://webgate.ec.europa.eu/fsd/fsf",
        (Download("eu_fsf.xml", (EU_FSF_URL,)),),
    ),
    "uk_fcdo": Publication(
        "uk_fcdo",
        "UK Sanctions List (FCDO), CSV",
        "https://www.gov.uk/government/publications/the-uk-sanctions-list",
        (
            Download(
                "UK-Sanctions-List.csv",
                ("https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.csv",),
            ),
        ),
    ),
    "bis_dpl": Publication(
        "bis_dpl",
        "BIS Denied Persons List, tab-separated",
        "https://www.bis.gov/licensing/guidance-on-end-users-and-end-uses/lists-parties-concern",
        (
            Download(
                "dpl.txt",
                ("https://www.bis.doc.gov/dpl/dpl.txt", "https://media.bis.gov/dpl/dpl.txt"),
            ),
        ),
    ),
    "us_csl": Publication(
        "us_csl",
        "US Consolidated Screening List (trade.gov), CSV",
        "https://www.trade.gov/consolidated-screening-list",
        (
            Download(
                "consolidated.csv",
                (
                    "https://data.trade.gov/downloadable_consolidated_screening_list/v1/"
                    "consolidated.csv",
                ),
            ),
        ),
    ),
    "kz_afm": Publication(
        "kz_afm",
        "Kazakhstan AFM list of persons and organisations linked to the financing of "
        "terrorism and extremism, XML",
        "https://www.gov.kz/memleket/entities/afm",
        (
            Download(
                "afm_list.xml",
                (
                    KZ_AFM_URL,
                    "https://afmrk.gov.kz/blacklist/export/active/xml",
                ),
            ),
        ),
    ),
    "opensanctions": Publication(
        "opensanctions",
        "OpenSanctions consolidated sanctions, FtM JSON lines (large; CC BY-NC 4.0)",
        "https://www.opensanctions.org/datasets/sanctions/",
        (
            Download(
                "entities.ftm.json",
                ("https://data.opensanctions.org/datasets/latest/sanctions/entities.ftm.json",),
            ),
        ),
        default=False,
    ),
}


def default_sources() -> list[str]:
    """Sources fetched when none are named: all defaults, EU only when a token is set."""
    out = [p.source for p in PUBLICATIONS.values() if p.default]
    if not eu_token():
        out.remove("eu_fsf")
    return out


def eu_token(override: str | None = None) -> str:
    return (override or settings.get("CIRCUMSPECT_EU_FSF_TOKEN")).strip()


@dataclass
class Fetched:
    """The files of one source after a fetch, staged until :func:`commit`."""

    source: str
    cache_dir: Path
    staging: Path
    #: local file name -> path to parse (staged if new, cached if not modified)
    paths: dict[str, Path] = field(default_factory=dict)
    #: local file name -> new state (etag, last_modified, url, sha256, fetched_at)
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)

    @property
    def modified(self) -> bool:
        return bool(self.changed)

    def final_paths(self) -> list[Path]:
        return [self.cache_dir / name for name in self.paths]


def cache_dir(source: str) -> Path:
    return settings.home() / "lists" / source


def _read_state(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / "state.json"
    if not path.exists():
        return {}
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError:
        return {}  # a damaged state only costs one unconditional download
    return data if isinstance(data, dict) else {}


def client(timeout: float | None = None) -> httpx.Client:
    seconds = float(settings.get("CIRCUMSPECT_FETCH_TIMEOUT")) if timeout is None else timeout
    return httpx.Client(
        timeout=httpx.Timeout(seconds),
        follow_redirects=True,
        transport=TRANSPORT,
        headers={"User-Agent": f"circumspect/{__version__} (sanctions list fetch)"},
    )


def fetch(
    source: str, http: httpx.Client, *, token: str | None = None, retries: int | None = None
) -> Fetched:
    """Download the files of ``source`` into a staging folder (nothing else changes)."""
    publication = PUBLICATIONS.get(source)
    if publication is None:
        raise ConfigError(
            f"no official download for source {source!r}; known: {', '.join(PUBLICATIONS)}"
        )
    folder = cache_dir(source)
    folder.mkdir(parents=True, exist_ok=True)
    old_state = _read_state(folder)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=folder))
    result = Fetched(source=source, cache_dir=folder, staging=staging)
    try:
        for download in publication.downloads:
            urls = download.urls
            if source == "eu_fsf":
                value = eu_token(token)
                if not value:
                    raise ConfigError(
                        "the EU Financial Sanctions Files need a token: set "
                        "CIRCUMSPECT_EU_FSF_TOKEN or pass --eu-token (see docs/lists.md)"
                    )
                urls = tuple(u.format(token=value) for u in urls)
            _fetch_one(
                http,
                download.name,
                urls,
                folder,
                old_state.get(download.name, {}),
                result,
                RETRIES if retries is None else retries,
            )
    except BaseException:
        discard(result)
        raise
    return result


def _fetch_one(
    http: httpx.Client,
    name: str,
    urls: tuple[str, ...],
    folder: Path,
    previous: dict[str, Any],
    result: Fetched,
    retries: int,
) -> None:
    cached = folder / name
    headers: dict[str, str] = {}
    if cached.exists():
        if previous.get("etag"):
            headers["If-None-Match"] = str(previous["etag"])
        if previous.get("last_modified"):
            headers["If-Modified-Since"] = str(previous["last_modified"])
    errors: list[str] = []
    for url in urls:
        try:
            response = _get(http, url, headers, result.staging / name, retries)
        except FetchError as exc:
            errors.append(exc.message)
            continue
        if response.status_code == 304:
            result.paths[name] = cached
            result.state[name] = dict(previous)
            return
        staged = result.staging / name
        digest = hashlib.sha256(staged.read_bytes()).hexdigest()
        result.paths[name] = staged
        result.state[name] = {
            "url": _redact(url),
            "etag": response.headers.get("ETag"),
            "last_modified": response.headers.get("Last-Modified"),
            "sha256": digest,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if digest != previous.get("sha256") or not cached.exists():
            result.changed.append(name)
        return
    raise FetchError("; ".join(errors), record=name)


def _get(
    http: httpx.Client, url: str, headers: dict[str, str], target: Path, retries: int
) -> httpx.Response:
    """GET ``url`` into ``target`` with retries; the response (body already saved)."""
    shown = _redact(url)
    attempt = 0
    while True:
        try:
            with http.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status == 304:
                    return response
                if status == 200:
                    size = 0
                    with target.open("wb") as fh:
                        for chunk in response.iter_bytes():
                            fh.write(chunk)
                            size += len(chunk)
                    if size == 0:
                        raise FetchError(f"{shown} answered with an empty file")
                    return response
                if status not in _RETRY_STATUS or attempt >= retries:
                    raise FetchError(
                        f"{shown} answered HTTP {status} {response.reason_phrase}".rstrip()
                        + (f" after {attempt + 1} attempts" if attempt else "")
                    )
        except httpx.TimeoutException:
            if attempt >= retries:
                raise FetchError(
                    f"{shown} timed out {attempt + 1} times (timeout: CIRCUMSPECT_FETCH_TIMEOUT)"
                ) from None
        except httpx.TransportError as exc:
            if attempt >= retries:
                raise FetchError(
                    f"cannot reach {httpx.URL(url).host} after {attempt + 1} attempts "
                    f"({type(exc).__name__}: {exc}); offline?"
                ) from None
        SLEEP(BACKOFF * (2**attempt))
        attempt += 1


def _redact(url: str) -> str:
    parsed = httpx.URL(url)
    if "token" in parsed.params:
        return str(parsed.copy_set_param("token", "***"))
    return url


def commit(fetched: Fetched) -> list[Path]:
    """Move staged files into the cache and record their state; returns the cached paths."""
    for name, path in fetched.paths.items():
        if path.parent == fetched.staging:
            os.replace(path, fetched.cache_dir / name)
    state = _read_state(fetched.cache_dir)
    state.update(fetched.state)
    with atomic_path(fetched.cache_dir / "state.json") as tmp:
        tmp.write_bytes(orjson.dumps(state, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    discard(fetched)
    return fetched.final_paths()


def discard(fetched: Fetched) -> None:
    """Remove the staging folder (the cache is untouched)."""
    shutil.rmtree(fetched.staging, ignore_errors=True)
