"""The console script: ``serve`` runs the API, ``eval`` the evaluation."""

import argparse
import logging


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

        logging.basicConfig(level=args.log_level.upper())
        uvicorn.run(create_app(), host=args.host, port=args.port, log_level=args.log_level)
        return 0
    from .evals import run_cli

    return run_cli(args.golden, args.baseline, args.output, update_baseline=args.update_baseline)
