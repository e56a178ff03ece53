"""Turn domain errors into responses: login redirects, 401/403 pages, audited access denials."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from mlm_app.errors import CSRFError, Forbidden, NotAuthenticated, PasswordChangeRequired, StepUpRequired
from mlm_app.events import emit
from mlm_app.web.templating import redirect, render


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": "authentication required"}, status_code=401)
    if getattr(request.state, "pending_user", None) is not None:
        return redirect("/mfa")
    from urllib.parse import quote

    return redirect(f"/login?next={quote(_here(request), safe='/')}")


async def forbidden(request: Request, exc: Forbidden) -> Response:
    """Refuse and audit: every access_denied event names the path and, if any, the target account."""
    emit(request, "mlm.audit", "access_denied", outcome="failure",
         fields={"url.path": request.url.path, "mlm.target.id": exc.target_id,
                 "event.reason": str(exc)[:200]})
    if _wants_json(request):
        return JSONResponse({"detail": "forbidden"}, status_code=403)
    return render(request, "error.html", {"title": "Not allowed",
                  "detail": "Your account is not allowed to do this."}, 403)


async def step_up(request: Request, exc: StepUpRequired) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": "step-up authentication required"}, status_code=403)
    from urllib.parse import quote

    target = _here(request) if request.method == "GET" else request.headers.get("referer", "/")
    path = target if target.startswith("/") else "/" + target.split("/", 3)[-1]
    return redirect(f"/account/step-up?next={quote(path, safe='/')}")


async def password_change(request: Request, exc: PasswordChangeRequired) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": "password change required"}, status_code=403)
    return redirect("/account/password")


async def csrf_error(request: Request, exc: CSRFError) -> Response:
    return render(request, "error.html", {"title": "Form expired", "detail": "Reload the page and retry."}, 403)


async def invalid_input(request: Request, exc: RequestValidationError) -> Response:
    """422 naming the bad fields only: FastAPI's default echoes the input (passwords, SSNs, IBANs)."""
    errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))[:200]} for e in exc.errors()[:20]]
    if _wants_json(request):
        return JSONResponse({"detail": errors}, status_code=422)
    fields = ", ".join(str(e["loc"][-1]) for e in errors if e["loc"])[:200]
    return render(request, "error.html", {"title": "Invalid form",
                  "detail": f"Please check these fields: {fields or 'the form'}."}, 422)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, invalid_input)  # type: ignore[arg-type]
    app.add_exception_handler(NotAuthenticated, not_authenticated)  # type: ignore[arg-type]
    app.add_exception_handler(Forbidden, forbidden)  # type: ignore[arg-type]
    app.add_exception_handler(StepUpRequired, step_up)  # type: ignore[arg-type]
    app.add_exception_handler(PasswordChangeRequired, password_change)  # type: ignore[arg-type]
    app.add_exception_handler(CSRFError, csrf_error)  # type: ignore[arg-type]
