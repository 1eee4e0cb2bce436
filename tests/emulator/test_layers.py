"""Layers: a local ContentUri (directory or .zip) on the worker's sys.path as on Lambda
(``python/lib/python3.X/site-packages`` then ``python``, a later layer's module first), and a
layer ARN that is not local: one warning naming the function and the ARN, the function still runs."""

from __future__ import annotations

import os
import textwrap
import zipfile
from pathlib import Path

import requests

from emulator.lambda_runtime.api import FunctionConfig
from emulator.lambda_runtime.environment import layer_import_paths
from emulator.launcher import run_serve, serve_argv
from emulator.template import load_app

ROOT = Path(__file__).resolve().parents[2]
REMOTE_LAYER = "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7"
TEMPLATE = f"""
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Layers: [!Ref SharedLayer]
Resources:
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layers/shared/
      CompatibleRuntimes: [python3.12]
  ZippedLayer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: layers/zipped.zip
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Layers: [!Ref ZippedLayer, {REMOTE_LAYER}]
      Events:
        Get: {{Type: Api, Properties: {{Path: /hello, Method: get}}}}
"""
REMOTE_WARNING = (
    f"Layers: {REMOTE_LAYER} is not a local layer (not loaded, its modules are missing): HelloFunction"
)
HANDLER = """
import greeting, which, vendored

def handler(event, context):
    return {"statusCode": 200, "body": f"{greeting.TEXT} {which.LAYER} {vendored.VERSION}"}
"""


def _write_app(directory: Path) -> Path:
    shared = directory / "layers" / "shared" / "python"
    shared.mkdir(parents=True)
    (shared / "greeting.py").write_text("TEXT = 'hello from a layer'\n")
    (shared / "which.py").write_text("LAYER = 'shared'\n")
    with zipfile.ZipFile(directory / "layers" / "zipped.zip", "w") as archive:
        archive.writestr("python/which.py", "LAYER = 'zipped'\n")  # the later layer: it wins
        archive.writestr("python/lib/python3.12/site-packages/vendored.py", "VERSION = '1.0'\n")
    (directory / "src").mkdir()
    (directory / "src" / "app.py").write_text(HANDLER)
    path = directory / "template.yaml"
    path.write_text(textwrap.dedent(TEMPLATE))
    return path


def test_layers_are_in_the_functions_order_globals_first(tmp_path: Path) -> None:
    app = load_app(_write_app(tmp_path))
    layers = app.functions["HelloFunction"].layers
    assert layers[0] == (tmp_path / "layers" / "shared").resolve()
    assert (layers[1] / "python" / "which.py").read_text() == "LAYER = 'zipped'\n"
    assert len(layers) == 2
    assert (
        f"Layers: {REMOTE_LAYER} is not a local layer (not loaded, its modules are missing): HelloFunction"
        in (app.notes.warnings())
    )


def test_import_paths_follow_lambdas_opt_python_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    config = FunctionConfig(
        name="f", handler="app.handler", code_dir=tmp_path, runtime="python3.13", layer_dirs=(first, second)
    )
    assert layer_import_paths(config) == [
        str(second / "python/lib/python3.13/site-packages"),
        str(first / "python/lib/python3.13/site-packages"),
        str(second / "python"),
        str(first / "python"),
    ]


def test_serve_imports_modules_from_local_layers_and_warns_about_the_remote_one(tmp_path: Path) -> None:
    path = _write_app(tmp_path)
    log = tmp_path / "serve.log"
    argv = serve_argv("--port", "0", "--template", str(path), "--no-reload")
    with run_serve(argv, log_path=log, cwd=ROOT, env=dict(os.environ)) as serve:
        response = requests.get(serve.root_url + "/Prod/hello", timeout=30)
        assert (response.status_code, response.text) == (200, "hello from a layer zipped 1.0")
    warnings = [line for line in log.read_text().splitlines() if REMOTE_LAYER in line]
    assert warnings == [f"warning: {REMOTE_WARNING}"]
