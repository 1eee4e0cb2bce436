"""Promotion to AWS: build the Lambda artifact, deploy/destroy the SAM stack, lint the template.

``python -m deploy --help`` lists the commands; ``make package|deploy|destroy|smoke|cfn-lint``
(make/deploy.mk) wraps them. Nothing here imports ``emulator/`` or ``backend/``: the artifact
and the stack are built from files (template.yaml, backend/, uv.lock) only.
"""
