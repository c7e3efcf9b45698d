"""Optional OpenTelemetry tracing (``APP_OTEL_ENABLED=true``, the ``otel`` extra).

Off by default, and then the OpenTelemetry SDK and exporter are not even imported (recent
FastAPI releases import the OpenTelemetry *API* themselves; without an SDK it records
nothing). On: a server span per HTTP
request (method, route path, status, request id; a ``traceparent`` header from the caller
continues its trace), exported in batches over OTLP/HTTP to
``OTEL_EXPORTER_OTLP_ENDPOINT`` (the SDK's standard variables apply).
"""

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .logs import request_id
from .settings import Settings

INSTALL_HINT = "pip install '{{ cookiecutter.project_slug }}[otel]'"


class TracingUnavailable(RuntimeError):
    """Tracing is switched on but OpenTelemetry is not installed."""


def instrument(app: FastAPI, settings: Settings, exporter: Any = None) -> Any:
    """Trace every request of ``app``; return the tracer provider.

    ``exporter`` replaces the OTLP exporter (a test passes an in-memory one).

    Raises:
        TracingUnavailable: the ``otel`` extra is not installed.
    """
    try:
        from opentelemetry import propagate, trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError as error:
        raise TracingUnavailable(
            f"APP_OTEL_ENABLED=true but OpenTelemetry is not installed ({error}); install "
            f"the otel extra: {INSTALL_HINT}, or set APP_OTEL_ENABLED=false"
        ) from None
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.otel_service_name})
    )
    if exporter is None:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as error:
            raise TracingUnavailable(
                f"APP_OTEL_ENABLED=true but the OTLP exporter is not installed ({error}); "
                f"install the otel extra: {INSTALL_HINT}"
            ) from None
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("{{ cookiecutter.package_name }}")

    class Traced:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await self.app(scope, receive, send)
                return
            headers = {
                name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
            }
            with tracer.start_as_current_span(
                f"{scope['method']} {scope['path']}",
                context=propagate.extract(headers),
                kind=trace.SpanKind.SERVER,
            ) as span:
                span.set_attribute("http.request.method", scope["method"])
                span.set_attribute("url.path", scope["path"])
                current = request_id.get()
                if current is not None:
                    span.set_attribute("request.id", current)

                async def send_traced(message: Message) -> None:
                    if message["type"] == "http.response.start":
                        span.set_attribute("http.response.status_code", message["status"])
                    await send(message)

                await self.app(scope, receive, send_traced)

    app.add_middleware(Traced)
    app.state.tracer_provider = provider
    return provider
