"""``worker``: a process that only runs jobs (``jobs.py``), for the many-machine setup.

It serves ``/healthz`` (its database{% if cookiecutter.response_cache %}, cache{% endif %} and jobs database) and ``/metrics`` (the jobs
it ran: latency, outcomes, provider retries) on its own port, for the orchestrator and
Prometheus.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from . import USE_CASE, jobs
from .services import check_health, open_services
from .settings import Settings


def create_worker_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = await open_services(settings)
        try:
            await jobs.start(settings, app.state.services, "worker")
        except BaseException:
            await app.state.services.close()
            raise
        try:
            yield
        finally:
            await jobs.stop()
            await app.state.services.close()

    app = FastAPI(title=f"{USE_CASE['project_name']} worker", lifespan=lifespan)

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        services = request.app.state.services
        probes = {"database": services.store.ping, "jobs": jobs.ping}
{%- if cookiecutter.response_cache %}
        probes["cache"] = services.cache.ping
{%- endif %}
        healthy, checks = await check_health(probes)
        return JSONResponse(
            status_code=200 if healthy else 503,
            content={
                "status": "ok" if healthy else "unavailable",
                "worker_id": jobs.worker_id(settings, "worker"),
                "checks": checks,
            },
        )

    @app.get("/metrics")
    async def metrics(request: Request) -> Response:
        services = request.app.state.services
        await jobs.refresh_gauges(services.metrics)
        return Response(
            services.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
        )

    return app
