"""Server-rendered pages (Jinja2) under ``/ui``: sign-in, screening, case queue and case
page with the decision form, list versions and diffs, audit log.

Sessions are signed cookies (itsdangerous) holding the user id, a hash of the user's key
(so rotating or disabling a key ends its sessions) and a CSRF token that every form posts
back. Pages work without JavaScript; ``static/app.js`` only swaps result fragments in place.
"""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from circumspect.api.runtime import Runtime
from circumspect.cases.service import ROLE_RANK, UserInfo, hash_key
from circumspect.errors import AuthError, CircumspectError, NotFoundError
from circumspect.model.screening import QUERY_SCHEMATA
from circumspect.web.session import CSRF_COOKIE, MAX_AGE, SESSION_COOKIE, Signer, new_token, same
from circumspect.web.session import secret_key as load_secret

HERE = Path(__file__).resolve().parent
BASE = "/ui"
NAV: list[tuple[str, str]] = [
    ("/", "Overview"),
    ("/screen", "Screen"),
    ("/cases", "Cases"),
    ("/lists", "Lists"),
    ("/audit", "Audit"),
]


class _WebError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def mount(app: FastAPI, rt: Runtime) -> None:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    nav = list(NAV)
    if rt.declarations_enabled:
        nav.insert(3, ("/declarations", "Declarations"))
    if rt.routes_enabled:
        nav.insert(-1, ("/route", "Routes"))
    if rt.flows_enabled:
        nav.insert(-1, ("/flows", "Flows"))
    signer = Signer(load_secret(rt.config.secret_key))
    router = APIRouter(prefix=BASE, include_in_schema=False)
    app.mount(f"{BASE}/static", StaticFiles(directory=str(HERE / "static")), name="ui-static")

    def session_of(request: Request) -> tuple[UserInfo, str] | None:
        data = signer.load_session(request.cookies.get(SESSION_COOKIE))
        if not data:
            return None
        try:
            user = rt.cases.session_user(int(data["uid"]), str(data["kh"]))
        except (KeyError, TypeError, ValueError):
            return None
        return None if user is None else (user, str(data["csrf"]))

    def need(request: Request, role: str = "viewer") -> tuple[UserInfo, str]:
        found = session_of(request)
        if found is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise _Redirect(f"{BASE}/login?next={quote(target)}")
        if ROLE_RANK[found[0].role] < ROLE_RANK[role]:
            raise _WebError(403, f"This needs the {role} role; you are {found[0].role}.")
        return found

    def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        found = session_of(request)
        context = {
            "base": BASE,
            "nav": nav,
            "user": found[0] if found else None,
            "csrf": found[1] if found else "",
            "section": ctx.pop("section", ""),
            "error": None,
            "notice": None,
        } | ctx
        response = templates.TemplateResponse(request, name, context, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    def check_csrf(request: Request, token: str) -> None:
        found = session_of(request)
        if found is None or not same(found[1], token):
            raise _WebError(403, "The form expired or did not come from this site (CSRF check).")

    @app.exception_handler(_Redirect)
    async def _redirect(_request: Request, exc: _Redirect) -> Response:
        return RedirectResponse(exc.url, status_code=303)

    @app.exception_handler(_WebError)
    async def _web_error(request: Request, exc: _WebError) -> Response:
        return render(
            request, "error.html", status=exc.status, status_code=exc.status, message=exc.message
        )

    # -- sign in / out ---------------------------------------------------------------------
    @router.get("/login")
    def login_form(request: Request, next: str = BASE + "/") -> Response:
        token = new_token()
        response = render(request, "login.html", csrf=token, next=_safe_next(next))
        response.set_cookie(
            CSRF_COOKIE,
            signer.dump_csrf(token),
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
        key: str = Form("", max_length=300),
        csrf: str = Form("", max_length=200),
        next: str = Form(BASE + "/", max_length=2000),
    ) -> Response:
        expected = signer.load_csrf(request.cookies.get(CSRF_COOKIE))
        if not same(expected, csrf):
            return render(
                request,
                "login.html",
                status=403,
                csrf=csrf,
                next=_safe_next(next),
                error="The sign-in form expired; please try again.",
            )
        try:
            user = rt.cases.authenticate(key.strip())
        except AuthError:
            rt.cases.audit("web", "web.login_failed", "session", {})
            return render(
                request,
                "login.html",
                status=401,
                csrf=csrf,
                next=_safe_next(next),
                error="That API key is not valid.",
            )
        rt.cases.audit(user.name, "web.login", "session", {})
        token = secrets.token_urlsafe(24)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            signer.dump_session({"uid": user.id, "kh": hash_key(key.strip()), "csrf": token}),
            max_age=MAX_AGE,
            httponly=True,
            samesite="lax",
            path="/",
            secure=request.url.scheme == "https",
        )
        response.delete_cookie(CSRF_COOKIE, path=BASE)
        return response

    @router.post("/logout")
    def logout(request: Request, csrf: str = Form("", max_length=200)) -> Response:
        check_csrf(request, csrf)
        response = RedirectResponse(f"{BASE}/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # -- pages -----------------------------------------------------------------------------
    @router.get("/")
    def home(request: Request) -> Response:
        need(request)
        return render(
            request,
            "home.html",
            section="/",
            counts=rt.cases.count_cases(),
            verify=rt.cases.verify_audit(),
            lists=_active(rt),
        )

    @router.get("/screen")
    def screen_form(request: Request) -> Response:
        need(request)
        return render(
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
        csrf: str = Form("", max_length=200),
        name: str = Form("", max_length=500),
        party_type: str = Form("LegalEntity", alias="schema", max_length=40),
        country: str = Form("", max_length=80),
        birth_date: str = Form("", max_length=10),
        identifier: str = Form("", max_length=100),
    ) -> Response:
        user, _ = need(request)
        check_csrf(request, csrf)
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
            return render(
                request,
                "screen.html",
                status=422,
                error="Enter a name to screen.",
                result=None,
                **ctx,
            )
        if schema not in QUERY_SCHEMATA:
            return render(
                request, "screen.html", status=422, error="Unknown type.", result=None, **ctx
            )
        party = {k: v.strip() for k, v in form.items() if v and v.strip()}
        out = rt.screen_parties(user.name, [party])
        return render(
            request,
            "screen.html",
            result=out["results"][0],
            snapshots=out["snapshots"],
            threshold=out["threshold"],
            **ctx,
        )

    @router.get("/cases")
    def cases(request: Request, status: str = "", kind: str = "", q: str = "") -> Response:
        need(request)
        filters = {
            "status": status if status in ("open", "escalated", "closed") else "",
            "kind": kind if kind in ("party", "declaration", "payment") else "",
            "q": q[:200].replace("\x00", ""),
        }
        items, total = rt.cases.list_cases(
            status=filters["status"] or None,
            kind=filters["kind"] or None,
            search=filters["q"] or None,
            limit=200,
        )
        return render(
            request, "cases.html", section="/cases", items=items, total=total, filters=filters
        )

    @router.get("/cases/{case_id}")
    def case(request: Request, case_id: int) -> Response:
        user, _ = need(request)
        return _case_page(request, user, case_id)

    def _case_page(
        request: Request, user: UserInfo, case_id: int, status: int = 200, **extra: Any
    ) -> Response:
        try:
            data = rt.cases.get_case(case_id) if 0 < case_id < 2**31 else None
        except NotFoundError:
            data = None
        if data is None:
            return render(
                request, "error.html", status=404, status_code=404, message=f"No case #{case_id}."
            )
        audit = rt.cases.audit_records(obj=f"case:{case_id}", limit=100)
        return render(
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
        case_id: int,
        csrf: str = Form("", max_length=200),
        decision: str = Form("", max_length=40),
        reason: str = Form("", max_length=5000),
    ) -> Response:
        user, _ = need(request, "analyst")
        check_csrf(request, csrf)
        try:
            rt.cases.decide(case_id, decision, reason, user.name)
        except CircumspectError as exc:
            return _case_page(request, user, case_id, status=422, error=exc.message)
        return _case_page(request, user, case_id, notice=f"Decision recorded: {decision}.")

    @router.get("/lists")
    def lists(request: Request) -> Response:
        need(request)
        return render(request, "lists.html", section="/lists", lists=_active(rt))

    @router.get("/lists/{source}")
    def list_page(request: Request, source: str, to: str = "") -> Response:
        need(request)
        store = rt.store()
        snaps = store.snapshots(source)
        if not snaps:
            return render(
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
        return render(
            request,
            "list.html",
            section="/lists",
            source=source,
            snapshots=[_snap(x) for x in snaps],
            diff=diff,
        )

    if rt.declarations_enabled:

        @router.get("/declarations")
        def declarations_form(request: Request) -> Response:
            need(request)
            return render(request, "declarations.html", section="/declarations", result=None)

        @router.post("/declarations")
        async def declarations(request: Request) -> Response:
            from circumspect.api.extras import score_upload

            user, _ = need(request)
            form = await request.form()
            check_csrf(request, str(form.get("csrf") or ""))
            upload = form.get("file")
            if upload is None or isinstance(upload, str) or not upload.filename:
                return render(
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
                result = await anyio.to_thread.run_sync(
                    score_upload, rt, user.name, name, data, True
                )
            except CircumspectError as exc:
                return render(
                    request,
                    "declarations.html",
                    status=422,
                    result=None,
                    section="/declarations",
                    error=str(exc),
                )
            rows = result["rows"]
            if form.get("show") != "all":
                rows = [r for r in rows if r.get("decision") in ("block", "review")]
            rows = sorted(rows, key=lambda r: -float(r.get("risk_score") or 0))[:1000]
            case_of = {c["declaration_id"]: c["case_id"] for c in result["cases"]}
            return render(
                request,
                "declarations.html",
                section="/declarations",
                result=result,
                rows=rows,
                case_of=case_of,
            )

    if rt.routes_enabled:

        @router.get("/route")
        def route(
            request: Request,
            origin: str = "",
            destination: str = "",
            avoid: str = "RU,BY",
            optimize: str = "cost",
        ) -> Response:
            need(request)
            form = {
                "origin": origin[:100],
                "destination": destination[:100],
                "avoid": avoid[:200],
                "optimize": optimize if optimize in ("cost", "time", "distance") else "cost",
            }
            if not origin or not destination:
                return render(request, "route.html", section="/route", form=form, plan=None)
            try:
                plan, png = _plan_route(form)
            except CircumspectError as exc:
                return render(
                    request,
                    "route.html",
                    status=422,
                    section="/route",
                    form=form,
                    plan=None,
                    error=str(exc),
                )
            return render(
                request, "route.html", section="/route", form=form, plan=plan, map_png=png
            )

    if rt.flows_enabled:

        @router.get("/flows")
        def flows(request: Request) -> Response:
            need(request)
            charts, notes, path = _flow_charts()
            return render(
                request, "flows.html", section="/flows", charts=charts, notes=notes, path=path
            )

    @router.get("/audit")
    def audit(request: Request) -> Response:
        need(request)
        return render(
            request,
            "audit.html",
            section="/audit",
            verify=rt.cases.verify_audit(),
            audit=rt.cases.audit_records(limit=200),
        )

    app.include_router(router)

    @app.get("/", include_in_schema=False)
    def root() -> Response:
        return RedirectResponse(f"{BASE}/", status_code=303)

    app.state.web_render = render


def _plan_route(form: dict[str, str]) -> tuple[dict[str, Any], str]:
    import base64
    import tempfile

    from circumspect.routes import default_network, plan_routes
    from circumspect.routes.render import write_map_png

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
    import base64

    from circumspect import settings
    from circumspect.flows import report
    from circumspect.flows.store import FlowStore, db_path

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
