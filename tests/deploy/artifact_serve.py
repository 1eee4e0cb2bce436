"""``python tests/deploy/artifact_serve.py WORKER_PYTHON SERVE_ARGS...``: ``emulator serve`` whose Lambda
workers run on WORKER_PYTHON instead of the emulator's own interpreter.

``ProcessLambdaRuntime`` takes ``python=`` but ``serve`` has no option for it yet (asked for:
``serve --lambda-python PATH``); until then this sets the constructor's default, then runs the
unchanged CLI. Only the interpreter changes: the workers' environment is built by the runtime
as always (no PYTHONPATH or site-packages of the emulator leak into it).
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    worker_python, serve_args = argv[0], argv[1:]
    from emulator.lambda_runtime import runtime

    defaults = runtime.ProcessLambdaRuntime.__init__.__kwdefaults__
    if defaults is None or "python" not in defaults:
        raise SystemExit("ProcessLambdaRuntime lost its python= option")
    defaults["python"] = worker_python
    from emulator.cli import main as emulator_main

    return emulator_main(["serve", *serve_args])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
