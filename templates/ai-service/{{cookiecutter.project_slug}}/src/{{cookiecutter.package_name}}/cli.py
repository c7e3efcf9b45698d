"""The console script: ``serve`` runs the API, {% if cookiecutter.async_pipeline %}``worker`` runs jobs only, ``recover`` hands
the jobs of a worker that is gone to the others, {% endif %}``eval`` the evaluation, ``config``
prints the effective settings."""

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="{{ cookiecutter.project_slug }}",
        description="Run the service or its evaluation.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP API (settings from APP_* / .env)")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--log-level", default="info", help="uvicorn log level (default info)")

{%- if cookiecutter.async_pipeline %}

    worker = commands.add_parser(
        "worker", help="run jobs only, with /healthz and /metrics on --port (jobs.py)"
    )
    worker.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    worker.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    worker.add_argument("--log-level", default="info", help="uvicorn log level (default info)")

    recover = commands.add_parser(
        "recover",
        help="hand the unfinished jobs of workers that are gone for good to the running ones",
    )
    recover.add_argument(
        "worker_ids", nargs="+", metavar="WORKER_ID", help="the APP_WORKER_ID of each worker"
    )
    recover.add_argument(
        "--force", action="store_true", help="even if a worker's heartbeat is recent"
    )
{%- endif %}

    token = commands.add_parser("token", help="API tokens (auth.py)")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser(
        "create", help="create a token; it is printed once, on the last line"
    )
    create.add_argument("--name", required=True, help="who uses it (a person or a system)")
    create.add_argument(
        "--role",
        required=True,
        choices=["client", "reviewer", "admin"],
        help="client: tasks; reviewer: reviews and the review page; admin: everything",
    )

    config = commands.add_parser(
        "config", help="print the effective settings and the assessed patterns' parameters"
    )
    config.add_argument("--json", action="store_true", help="as one JSON object")

    database = commands.add_parser("db", help="manage the database schema (Alembic migrations)")
    database_commands = database.add_subparsers(dest="db_command", required=True)
    database_commands.add_parser(
        "upgrade", help="apply the migrations to APP_DATABASE_URL (serve does it at start-up too)"
    )

    evaluate = commands.add_parser(
        "eval", help="run the golden set; exit 1 when a criterion is worse than the baseline"
    )
    evaluate.add_argument("--golden", default="evals/golden.jsonl")
    evaluate.add_argument("--baseline", default="evals/baseline.json")
    evaluate.add_argument("--output", default="evals/results.json")
    evaluate.add_argument(
        "--update-baseline",
        action="store_true",
        help="write this run's values as the new baseline instead of comparing",
    )

    args = parser.parse_args(argv)
    if args.command == "serve":
        import uvicorn

        from .app import create_app
        from .logs import configure
        from .settings import Settings
        from .tracing import TracingUnavailable

        settings = Settings()
        configure(args.log_level, settings.log_format)
        try:
            app = create_app(settings)
        except TracingUnavailable as error:
            print(f"serve: {error}", file=sys.stderr)
            return 2
        # logs.py logs each request with its id, uvicorn's access log would repeat it
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            log_config=None,
            access_log=False,
        )
        return 0
{%- if cookiecutter.async_pipeline %}
    if args.command == "worker":
        import uvicorn

        from .logs import configure
        from .settings import Settings
        from .worker import create_worker_app

        configure(args.log_level, Settings().log_format)
        uvicorn.run(
            create_worker_app(),
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            log_config=None,
        )
        return 0
    if args.command == "recover":
        from .jobs import WorkerLooksAlive
        from .jobs import recover as recover_jobs
        from .settings import Settings

        try:
            handed_over = recover_jobs(Settings(), args.worker_ids, force=args.force)
        except WorkerLooksAlive as error:
            print(f"not recovered: {error}", file=sys.stderr)
            return 1
        print(f"{len(handed_over)} unfinished job(s) handed to the running workers")
        return 0
{%- endif %}
    if args.command == "token":
        from .auth import InvalidTokenRequest, create_token
        from .settings import Settings

        try:
            secret = create_token(Settings(), args.name, args.role)
        except InvalidTokenRequest as error:
            print(f"token create: {error}", file=sys.stderr)
            return 2
        print(f"token for {args.name.strip()!r} (role {args.role}); it is shown only now:")
        print(secret)
        return 0
    if args.command == "config":
        import json

        from pydantic import ValidationError

        from .config import effective
        from .settings import Settings

        try:
            shown = effective(Settings())
        except ValidationError as error:
            print(f"config: invalid settings:\n{error}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(shown, indent=2, ensure_ascii=False))
            return 0
        for name, value in shown["settings"].items():  # as .env lines
            text = "" if value is None else value if isinstance(value, str) else json.dumps(value)
            print(f"APP_{name.upper()}={text}")
        for pattern, params in shown["patterns"].items():
            for param, value in params.items():
                print(f"# {pattern}.{param} = {json.dumps(value)}")
        return 0
    if args.command == "db":
        from .settings import Settings
        from .store import make_engine, upgrade_database

        settings = Settings()
        engine = make_engine(settings)
        try:
            upgrade_database(engine, settings)
        finally:
            engine.dispose()
        print("database schema is up to date")
        return 0
    from .evals import run_cli

    return run_cli(args.golden, args.baseline, args.output, update_baseline=args.update_baseline)
