"""Server-rendered pages (Jinja2) under ``/ui``: sign-in, screening, case queue and case
page with the decision form, list versions and diffs, audit log.

The pages are one module-level router (``router``) whose endpoints take the
:class:`Web` state (``web: WebDep``: the runtime, templates, session signer, navigation);
``install(app, rt)``, called by the composition root ``circumspect.server.create_app``, puts
that state on the app and mounts the router, its static files and error handlers.

Sessions are signed cookies (itsdangerous) holding the user id, a hash of the user's key
(so rotating or disabling a key ends its sessions) and a CSRF token that every form posts
back. Pages work without JavaScript; ``static/app.js`` only swaps result fragments in place.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import tempfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from circumspect import settings
from circumspect.cases.service import ROLE_RANK, UserInfo, hash_key
from circumspect.errors import AuthError, CircumspectError, NotFoundError, scrub
from circumspect.flows import report
from circumspect.flows.store import FlowStore, db_path
from circumspect.model.screening import QUERY_SCHEMATA
from circumspect.routes import default_network, plan_routes
from circumspect.routes.render import write_map_png
from circumspect.services.declarations import score_upload
from circumspect.services.runtime import Runtime
from circumspect.services.screening import PartyQuery, screen_parties
from circumspect.web.session import CSRF_COOKIE, MAX_AGE, SESSION_COOKIE, Signer, new_token, same
from circumspect.web.session import secret_key as load_secret

HERE = Path(__file__).resolve().parent
BASE = "/ui"
NAV: list[tuple[str, str]] = [
    ("/", "Overview"),
    ("/screen", "Screen"),
    ("/cases", "Cases"),
    ("/declarations", "Declarations"),
    ("/lists", "Lists"),
    ("/ownership", "Ownership"),
    ("/route", "Routes"),
    ("/flows", "Flows"),
    ("/audit", "Audit"),
]


class _WebError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


class Web:
    """What the pages share: the runtime, the templates, the session signer, the menu."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.nav = list(NAV)
        self.signer = Signer(load_secret(rt.config.secret_key))

    def session_of(self, request: Request) -> tuple[UserInfo, str] | None:
        data = self.signer.load_session(request.cookies.get(SESSION_COOKIE))
        if not data:
            return None
        try:
            user = self.rt.cases.session_user(int(data["uid"]), str(data["kh"]))
        except (KeyError, TypeError, ValueError):
            return None
        return None if user is None else (user, str(data["csrf"]))

    def need(self, request: Request, role: str = "viewer") -> tuple[UserInfo, str]:
        found = self.session_of(request)
        if found is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise _Redirect(f"{BASE}/login?next={quote(target)}")
        if ROLE_RANK[found[0].role] < ROLE_RANK[role]:
            raise _WebError(403, f"This needs the {role} role; you are {found[0].role}.")
        return found

    def render(self, request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        found = self.session_of(request)
        context = {
            "base": BASE,
            "nav": self.nav,
            "user": found[0] if found else None,
            "csrf": found[1] if found else "",
            "section": ctx.pop("section", ""),
            "error": None,
            "notice": None,
        } | ctx
        response = self.templates.TemplateResponse(request, name, context, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    def check_csrf(self, request: Request, token: str) -> None:
        found = self.session_of(request)
        if found is None or not same(found[1], token):
            raise _WebError(403, "The form expired or did not come from this site (CSRF check).")


def get_web(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


WebDep = Annotated[Web, Depends(get_web)]

router = APIRouter(prefix=BASE, include_in_schema=False)
root_router = APIRouter(include_in_schema=False)


def install(app: FastAPI, rt: Runtime) -> None:
    """Mount the pages on ``app`` (called once by ``circumspect.server.create_app``)."""
    web = Web(rt)
    app.state.web = web
    app.state.web_render = web.render
    app.mount(f"{BASE}/static", StaticFiles(directory=str(HERE / "static")), name="ui-static")

    @app.exception_handler(_Redirect)
    async def _redirect(_request: Request, exc: _Redirect) -> Response:
        return RedirectResponse(exc.url, status_code=303)

    @app.exception_handler(_WebError)
    async def _web_error(request: Request, exc: _WebError) -> Response:
        return web.render(
            request, "error.html", status=exc.status, status_code=exc.status, message=exc.message
        )

    app.include_router(router)
    app.include_router(root_router)


# -- sign in / out -------------------------------------------------------------------------
@router.get("/login")
def login_form(request: Request, web: WebDep, next: str = BASE + "/") -> Response:
    token = new_token()
    response = web.render(request, "login.html", csrf=token, next=_safe_next(next))
    response.set_cookie(
        CSRF_COOKIE,
        web.signer.dump_csrf(token),
        max_age=MAX_AGE,
        httponly=True,
        samesite="strict",
        path=BASE,
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/login")
def login(
    request: Request,
    web: WebDep,
    key: str = Form("", max_length=300),
    csrf: str = Form("", max_length=200),
    next: str = Form(BASE + "/", max_length=2000),
) -> Response:
    rt = web.rt
    expected = web.signer.load_csrf(request.cookies.get(CSRF_COOKIE))
    if not same(expected, csrf):
        return web.render(
            request,
            "login.html",
            status=403,
            csrf=csrf,
            next=_safe_next(next),
            error="The sign-in form expired; please try again.",
        )
    client = request.client.host if request.client else "unknown"
    named = rt.cases.user_by_key_prefix(key.strip())
    limited = [f"addr:{client}"] + ([f"user:{named}"] if named else [])
    wait = rt.login_limiter.blocked(limited)
    if wait:
        # Not audited: the failures that reached the limit were, and no more can be.
        throttled = web.render(
            request,
            "login.html",
            status=429,
            csrf=csrf,
            next=_safe_next(next),
            error=f"Too many failed sign-ins; try again in {int(wait) + 1} s.",
        )
        throttled.headers["Retry-After"] = str(int(wait) + 1)
        return throttled
    try:
        user = rt.cases.authenticate(key.strip())
    except AuthError:
        rt.login_limiter.fail(limited)
        rt.cases.audit("web", "web.login_failed", "session", {"client": client, "user": named})
        return web.render(
            request,
            "login.html",
            status=401,
            csrf=csrf,
            next=_safe_next(next),
            error="That API key is not valid.",
        )
    rt.cases.audit(user.name, "web.login", "session", {"client": client})
    token = secrets.token_urlsafe(24)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        web.signer.dump_session({"uid": user.id, "kh": hash_key(key.strip()), "csrf": token}),
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        path="/",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(CSRF_COOKIE, path=BASE)
    return response


@router.post("/logout")
def logout(request: Request, web: WebDep, csrf: str = Form("", max_length=200)) -> Response:
    web.check_csrf(request, csrf)
    response = RedirectResponse(f"{BASE}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- pages ---------------------------------------------------------------------------------
@router.get("/")
def home(request: Request, web: WebDep) -> Response:
    web.need(request)
    return web.render(
        request,
        "home.html",
        section="/",
        counts=web.rt.cases.count_cases(),
        verify=web.rt.cases.verify_audit(),
        lists=_active(web.rt),
    )


@router.get("/screen")
def screen_form(request: Request, web: WebDep) -> Response:
    web.need(request)
    return web.render(
        request,
        "screen.html",
        section="/screen",
        schemata=QUERY_SCHEMATA,
        form=_blank_form(),
        result=None,
    )


@router.post("/screen")
def screen(
    request: Request,
    web: WebDep,
    csrf: str = Form("", max_length=200),
    name: str = Form("", max_length=500),
    party_type: str = Form("LegalEntity", alias="schema", max_length=40),
    country: str = Form("", max_length=80),
    birth_date: str = Form("", max_length=10),
    identifier: str = Form("", max_length=100),
) -> Response:
    user, _ = web.need(request)
    web.check_csrf(request, csrf)
    schema = party_type
    form = {
        "name": name,
        "schema": schema,
        "country": country,
        "birth_date": birth_date,
        "identifier": identifier,
    }
    ctx: dict[str, Any] = {"section": "/screen", "schemata": QUERY_SCHEMATA, "form": form}
    if not name.strip() or any(ord(ch) < 32 for ch in name):
        return web.render(
            request,
            "screen.html",
            status=422,
            error="Enter a name to screen.",
            result=None,
            **ctx,
        )
    if schema not in QUERY_SCHEMATA:
        return web.render(
            request, "screen.html", status=422, error="Unknown type.", result=None, **ctx
        )
    party = PartyQuery(
        name=name.strip(),
        schema=schema.strip() or "LegalEntity",
        country=country.strip() or None,
        birth_date=birth_date.strip() or None,
        identifier=identifier.strip() or None,
    )
    out = screen_parties(web.rt, user.name, [party])
    return web.render(
        request,
        "screen.html",
        result=out.results[0],
        snapshots=out.snapshots,
        threshold=out.threshold,
        **ctx,
    )


@router.get("/cases")
def cases(request: Request, web: WebDep, status: str = "", kind: str = "", q: str = "") -> Response:
    web.need(request)
    filters = {
        "status": status if status in ("open", "escalated", "closed") else "",
        "kind": kind if kind in ("party", "declaration", "payment") else "",
        "q": q[:200].replace("\x00", ""),
    }
    items, total = web.rt.cases.list_cases(
        status=filters["status"] or None,
        kind=filters["kind"] or None,
        search=filters["q"] or None,
        limit=200,
    )
    return web.render(
        request,
        "cases.html",
        section="/cases",
        items=[item.to_dict() for item in items],
        total=total,
        filters=filters,
    )


@router.get("/cases/{case_id}")
def case(request: Request, web: WebDep, case_id: int) -> Response:
    user, _ = web.need(request)
    return _case_page(web, request, user, case_id)


def _case_page(
    web: Web, request: Request, user: UserInfo, case_id: int, status: int = 200, **extra: Any
) -> Response:
    try:
        data = web.rt.cases.get_case(case_id).to_dict() if 0 < case_id < 2**31 else None
    except NotFoundError:
        data = None
    if data is None:
        return web.render(
            request, "error.html", status=404, status_code=404, message=f"No case #{case_id}."
        )
    audit = [r.to_dict() for r in web.rt.cases.audit_records(obj=f"case:{case_id}", limit=100)]
    return web.render(
        request,
        "case.html",
        status=status,
        section="/cases",
        case=data,
        audit=audit,
        can_decide=user.can("analyst"),
        **extra,
    )


@router.post("/cases/{case_id}/decision")
def decide(
    request: Request,
    web: WebDep,
    case_id: int,
    csrf: str = Form("", max_length=200),
    decision: str = Form("", max_length=40),
    reason: str = Form("", max_length=5000),
) -> Response:
    user, _ = web.need(request, "analyst")
    web.check_csrf(request, csrf)
    try:
        web.rt.cases.decide(case_id, decision, reason, user.name)
    except CircumspectError as exc:
        return _case_page(web, request, user, case_id, status=422, error=exc.message)
    return _case_page(web, request, user, case_id, notice=f"Decision recorded: {decision}.")


@router.get("/lists")
def lists(request: Request, web: WebDep) -> Response:
    web.need(request)
    return web.render(request, "lists.html", section="/lists", lists=_active(web.rt))


@router.get("/lists/{source}")
def list_page(request: Request, web: WebDep, source: str, to: str = "") -> Response:
    web.need(request)
    store = web.rt.store()
    snaps = store.snapshots(source)
    if not snaps:
        return web.render(
            request,
            "error.html",
            status=404,
            status_code=404,
            message=f"No snapshots of {source}.",
        )
    ids = [x.id for x in snaps]
    target = to if to in ids else ids[0]
    older = ids[ids.index(target) + 1] if ids.index(target) + 1 < len(ids) else None
    diff = store.diff(source, older, target)
    return web.render(
        request,
        "list.html",
        section="/lists",
        source=source,
        snapshots=[_snap(x) for x in snaps],
        diff=diff,
    )


@router.get("/entities/{entity_id}")
def entity_page(request: Request, web: WebDep, entity_id: str) -> Response:
    """A listed entity: what the list says, its names and properties, and its history
    across list snapshots (``GET /v1/entities/{id}`` as a page)."""
    from circumspect.errors import NotFoundError
    from circumspect.services.entities import entity_view

    web.need(request)
    try:
        view = entity_view(web.rt.store(), entity_id[:300])
    except NotFoundError:
        return web.render(
            request,
            "error.html",
            status=404,
            status_code=404,
            message=f"No listed entity {entity_id[:300]!r}.",
        )
    props = sorted(
        (prop, [str(v) for v in values])
        for prop, values in view.entity.proxy.properties.items()
        if prop not in ("notes",)
    )
    return web.render(request, "entity.html", section="/lists", view=view, props=props)


@router.get("/ownership")
def ownership(request: Request, web: WebDep, party: str = "") -> Response:
    """The ownership graph around a party, drawn as SVG (docs/ownership.md)."""
    from markupsafe import Markup

    from circumspect.ownership.svg import render as render_svg

    web.need(request)
    party = party.strip()[:300]
    graphs: list[dict[str, Any]] = []
    if party:
        view = web.rt.ownership_view()
        for node in view.resolve(party):
            data = view.explain_data(node)
            data["svg"] = Markup(render_svg(data))  # every text escaped by the renderer
            graphs.append(data)
    status = 404 if party and not graphs else 200
    return web.render(
        request, "ownership.html", status=status, section="/ownership", party=party, graphs=graphs
    )


@router.get("/declarations")
def declarations_form(request: Request, web: WebDep) -> Response:
    web.need(request)
    return web.render(request, "declarations.html", section="/declarations", result=None)


@router.post("/declarations")
async def declarations(request: Request, web: WebDep) -> Response:
    user, _ = web.need(request)
    form = await request.form()
    web.check_csrf(request, str(form.get("csrf") or ""))
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return web.render(
            request,
            "declarations.html",
            status=422,
            result=None,
            section="/declarations",
            error="Choose a declarations file.",
        )
    data = await upload.read()
    name = Path(upload.filename).name
    try:
        result = await anyio.to_thread.run_sync(score_upload, web.rt, user.name, name, data, True)
    except CircumspectError as exc:
        return web.render(
            request,
            "declarations.html",
            status=exc.status if exc.status < 500 else 422,
            result=None,
            section="/declarations",
            error=str(scrub(str(exc))),
        )
    rows = result.rows
    if form.get("show") != "all":
        rows = [r for r in rows if r.get("decision") in ("block", "review")]
    rows = sorted(rows, key=lambda r: -float(r.get("risk_score") or 0))[:1000]
    case_of = {c.declaration_id: c.case_id for c in result.cases}
    return web.render(
        request,
        "declarations.html",
        section="/declarations",
        result=result,
        rows=rows,
        case_of=case_of,
    )


@router.get("/route")
def route(
    request: Request,
    web: WebDep,
    origin: str = "",
    destination: str = "",
    avoid: str = "RU,BY",
    optimize: str = "cost",
) -> Response:
    web.need(request)
    form = {
        "origin": origin[:100],
        "destination": destination[:100],
        "avoid": avoid[:200],
        "optimize": optimize if optimize in ("cost", "time", "distance") else "cost",
    }
    if not origin or not destination:
        return web.render(request, "route.html", section="/route", form=form, plan=None)
    try:
        plan, png = _plan_route(form)
    except CircumspectError as exc:
        return web.render(
            request,
            "route.html",
            status=422,
            section="/route",
            form=form,
            plan=None,
            error=str(exc),
        )
    return web.render(request, "route.html", section="/route", form=form, plan=plan, map_png=png)


@router.get("/flows")
def flows(request: Request, web: WebDep) -> Response:
    web.need(request)
    charts, notes, path = _flow_charts()
    return web.render(
        request, "flows.html", section="/flows", charts=charts, notes=notes, path=path
    )


@router.get("/audit")
def audit(request: Request, web: WebDep) -> Response:
    web.need(request)
    return web.render(
        request,
        "audit.html",
        section="/audit",
        verify=web.rt.cases.verify_audit(),
        audit=[r.to_dict() for r in web.rt.cases.audit_records(limit=200)],
    )


@root_router.get("/")
def root() -> Response:
    return RedirectResponse(f"{BASE}/", status_code=303)


def _plan_route(form: dict[str, str]) -> tuple[dict[str, Any], str]:
    plan = plan_routes(
        form["origin"],
        form["destination"],
        avoid=form["avoid"] or None,
        optimize=form["optimize"],
        k=3,
    )
    with tempfile.TemporaryDirectory(prefix="cs-route-") as tmp:
        path = Path(tmp) / "map.png"
        title = f"{form['origin']} → {form['destination']}"
        write_map_png(path, [(title, plan.routes, plan.avoid)], default_network(), title)
        png = base64.b64encode(path.read_bytes()).decode("ascii")
    return plan.to_dict(), png


def _flow_charts() -> tuple[list[dict[str, str]], list[str], str]:
    """Charts of the flows report over the default flow store, built once per store version
    into ``$CIRCUMSPECT_HOME/cache``."""
    path = db_path()
    if not path.exists():
        return [], [], str(path)
    stamp = f"{path.stat().st_mtime_ns}-{path.stat().st_size}"
    out = settings.home() / "cache" / f"flows-report-{stamp}"
    with FlowStore(path, read_only=True) as store:
        built = report.build(store, out)
    charts = []
    for chart in built.charts:
        if chart.png and (out / chart.png).exists():
            charts.append(
                {
                    "title": chart.title,
                    "definition": chart.definition,
                    "sources": chart.sources,
                    "png": base64.b64encode((out / chart.png).read_bytes()).decode(),
                }
            )
    return charts, list(built.notes), str(path)


def _safe_next(value: str) -> str:
    if value.startswith(BASE + "/") and "//" not in value and "\\" not in value:
        return value
    return BASE + "/"


def _blank_form() -> dict[str, str]:
    return {"name": "", "schema": "LegalEntity", "country": "", "birth_date": "", "identifier": ""}


def _snap(x: Any) -> dict[str, Any]:
    data = dataclasses.asdict(x)
    data["loaded_at"] = x.loaded_at.isoformat(timespec="seconds")
    return data


def _active(rt: Runtime) -> list[dict[str, Any]]:
    try:
        snaps = rt.store().active_snapshots()
    except CircumspectError:
        return []
    return [_snap(x) for x in sorted(snaps.values(), key=lambda s: s.source)]
