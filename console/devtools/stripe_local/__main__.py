"""`python -m console.devtools.stripe_local --port N [--store PATH] [--host H]`: runs the
server until SIGTERM or SIGINT; prints one line, `stripe-local listening on http://HOST:PORT`,
once ready."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import socket
import sys
from pathlib import Path

from aiohttp import web

from .app import build_app

DEFAULT_PORT = 12111
DEFAULT_HOST = "127.0.0.1"


async def serve(app: web.Application, host: str, port: int) -> None:
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family)
    await web.SockSite(runner, sock).start()
    shown_host = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"stripe-local listening on http://{shown_host}:{sock.getsockname()[1]}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    state = app["store"]
    saver = asyncio.create_task(state.autosave()) if state.path else None
    try:
        await stop.wait()
    finally:
        if saver is not None:
            saver.cancel()
        await runner.cleanup()
        if state.path is not None:
            state.save()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m console.devtools.stripe_local",
        description="Local Stripe-compatible server for the demo and the tests.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument(
        "--store", type=Path, help="pickle file to load at start and save to; default: memory"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(serve(build_app(args.store), args.host, args.port))


if __name__ == "__main__":
    main()
