"""Where function code comes from: inline code, a local .zip (extracted once, by hash), and what
cannot run here (a container image), which is one error line while the other routes run."""

from __future__ import annotations

import os
import textwrap
import zipfile
from pathlib import Path

import requests

from emulator.launcher import run_serve, serve_argv
from emulator.template import load_app
from emulator.template.code import cache_dir

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
Resources:
  InlineFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"statusCode": 200, "body": "inline"}
      Events:
        Get: {Type: Api, Properties: {Path: /inline, Method: get}}
  ZipFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      CodeUri: build/app.zip
      Events:
        Get: {Type: Api, Properties: {Path: /zipped, Method: get}}
  ImageFunction:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      Events:
        Get: {Type: Api, Properties: {Path: /image, Method: get}}
    Metadata: {Dockerfile: Dockerfile, DockerContext: ./image}
"""


def _write_app(directory: Path, body: str = "zipped") -> Path:
    (directory / "build").mkdir(exist_ok=True)
    with zipfile.ZipFile(directory / "build" / "app.zip", "w") as archive:
        archive.writestr(
            "app.py", f"def handler(event, context):\n    return {{'statusCode': 200, 'body': '{body}'}}\n"
        )
    path = directory / "template.yaml"
    path.write_text(textwrap.dedent(TEMPLATE))
    return path


def test_a_zip_is_extracted_once_into_the_cache_under_its_hash(tmp_path: Path) -> None:
    path = _write_app(tmp_path)
    first = load_app(path).functions["ZipFunction"].code_uri
    assert first.parent == cache_dir() / "zip"
    assert (first / "app.py").is_file()
    marker = first / "extracted-once"
    marker.write_text("")
    assert load_app(path).functions["ZipFunction"].code_uri == first
    assert marker.exists()  # not extracted again
    _write_app(tmp_path, body="changed")
    assert load_app(path).functions["ZipFunction"].code_uri != first  # a new zip, a new directory


def test_inline_code_is_index_py(tmp_path: Path) -> None:
    code_dir = load_app(_write_app(tmp_path)).functions["InlineFunction"].code_uri
    assert 'return {"statusCode": 200, "body": "inline"}' in (code_dir / "index.py").read_text()


def test_serve_runs_inline_and_zip_code_and_says_the_image_function_cannot_run(tmp_path: Path) -> None:
    path = _write_app(tmp_path)
    log = tmp_path / "serve.log"
    argv = serve_argv("--port", "0", "--template", str(path), "--no-reload")
    with run_serve(argv, log_path=log, cwd=ROOT, env=dict(os.environ)) as serve:
        assert requests.get(serve.root_url + "/Prod/inline", timeout=30).text == "inline"
        assert requests.get(serve.root_url + "/Prod/zipped", timeout=30).text == "zipped"
        image = requests.get(serve.root_url + "/Prod/image", timeout=30)
        assert (image.status_code, image.json()) == (502, {"message": "Internal server error"})
    errors = [line for line in log.read_text().splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: function ImageFunction: container image functions (PackageType: Image) do not run here "
        "(no Docker); its routes answer 502"
    ]
