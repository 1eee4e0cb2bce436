"""The embedded AWS endpoint's process: ``python -m emulator.aws.server`` (also ``python -m emulator aws``).

Runs as a child of the shim so that moto gets a core (and a GIL) of its own and a crash stays
contained. Startup order: load the data dir (snapshot + journal replay), bind, write the state
file, print the endpoint and then ``Ready on URL`` (the line parents wait for), serve. SIGTERM,
SIGINT or (with ``--exit-with-parent``) end of stdin stop it: it finishes a last snapshot so the
next start has no journal to replay.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from emulator import log
from emulator.aws.layout import READY_PREFIX, add_endpoint_arguments, state_file


def serve(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    from emulator.aws.persistence import Persistence
    from emulator.errors import UserError

    # The data dir's lock first: a second endpoint on the same dir fails before paying for moto.
    persistence = (
        Persistence(args.data_dir, compact_every=args.compact_every) if args.data_dir is not None else None
    )
    # Imported here so that `python -m emulator --help` does not pay for moto (~1 s).
    from emulator.aws.endpoint import EmbeddedEndpointApp
    from emulator.aws.http_handler import EndpointRequestHandler
    from emulator.aws.ttl import TtlSweeper

    app = EmbeddedEndpointApp(persistence=persistence)
    # A parent that bound the socket itself (EmbeddedAws) passes it: connections made meanwhile
    # wait in its backlog until serve_forever below accepts them, after the data is loaded.
    listen_fd: int | None = getattr(args, "listen_fd", None)
    try:  # bound (and listening) before the data is loaded: a port conflict fails fast
        server: BaseWSGIServer = make_server(
            args.host, args.port, app, threaded=True, request_handler=EndpointRequestHandler, fd=listen_fd
        )
        if listen_fd is not None:
            os.close(listen_fd)  # werkzeug serves a duplicate of it
    except OSError as exc:
        raise UserError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    replayed = 0
    if persistence is not None:
        snapshot, records = persistence.load()
        replayed = app.load(snapshot, records)
        persistence.open()
        if persistence.needs_migration:  # a pickled snapshot: replace it with a portable one now
            with app.lock:
                persistence.compact_now(app.capture)
            logging.getLogger(log.AWS).info(
                "migrated the data dir's snapshot to the portable form (readable by any moto version)"
            )
    sweeper = TtlSweeper(app, args.ttl_sweep_interval, clock_offset_s=args.clock_offset)
    app.sweep_ttl = sweeper.sweep
    app.ttl_sweeper = sweeper
    # A wildcard bind is reachable on loopback; "0.0.0.0" itself is not an address to connect to.
    connect_host = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    url = f"http://{connect_host}:{server.port}"
    state_path = state_file(args.data_dir) if args.data_dir is not None else None
    if state_path is not None:
        state_path.write_text(json.dumps({"url": url, "pid": os.getpid()}))

    stopping = threading.Event()

    def stop(*_: Any) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()  # not from serve_forever's thread

    signal.signal(signal.SIGTERM, stop)
    if args.exit_with_parent:
        # Ctrl-C reaches the whole process group: the parent (serve) decides when this child
        # stops, after the requests in flight, which may still need it, have finished.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        threading.Thread(target=_stop_at_stdin_eof, args=(stop,), daemon=True).start()
    else:
        signal.signal(signal.SIGINT, stop)
    sweeper.start()
    threading.Thread(target=_warm_up, args=(app, args.region), daemon=True).start()

    where = f"data in {args.data_dir}" if args.data_dir is not None else "in memory"
    print(f"AWS endpoint (DynamoDB, Secrets Manager, SSM, SES): {url}  ({where})", flush=True)
    replay_note = f", replayed {replayed} journaled writes" if replayed else ""
    logging.getLogger(log.AWS).info(
        "AWS endpoint started in %.2f s%s", time.perf_counter() - started, replay_note
    )
    print(f"{READY_PREFIX}{url}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        sweeper.stop()
        server.server_close()
        if persistence is not None:
            with app.lock:
                persistence.compact_now(app.capture)
                persistence.close()
        if state_path is not None:
            state_path.unlink(missing_ok=True)
    return 0


def _stop_at_stdin_eof(stop: Any) -> None:
    # The parent holds our stdin open for its whole life: EOF means it exited, even by kill -9.
    # os.read, not sys.stdin: a daemon thread blocked in a buffered read aborts interpreter exit.
    while os.read(0, 4096):
        pass
    stop()


def _warm_up(app: Any, region: str) -> None:
    """Build moto's apps for the services functions use most now, not on the first request (~0.4 s)."""
    from emulator.aws.requests import AwsRequest

    for service, target in (
        ("dynamodb", "DynamoDB_20120810.ListTables"),
        ("secretsmanager", "secretsmanager.ListSecrets"),
    ):
        headers = {
            "Authorization": f"AWS4-HMAC-SHA256 Credential=warmup/20260101/{region}/{service}/aws4_request",
            "X-Amz-Target": target,
        }
        app.warm_up(AwsRequest.build(method="POST", path="/", query="", headers=headers, body=b"{}"))


def main(argv: Sequence[str] | None = None) -> int:
    from emulator.errors import UserError

    parser = argparse.ArgumentParser(prog="python -m emulator.aws.server", description=__doc__)
    add_endpoint_arguments(parser)
    log.add_logging_arguments(parser)
    parser.add_argument("--listen-fd", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    log.configure_from(args)
    try:
        return serve(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is on disk by now; skip tearing down moto's thousands of objects and modules
    # (~1 s), which would only delay whoever waits for this process to stop.
    os._exit(code)
