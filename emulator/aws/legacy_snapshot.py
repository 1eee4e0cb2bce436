"""Snapshots of the first format: moto's own objects, pickled (``snapshot-<G>.pickle``).

They are readable only by the moto version that wrote them, which is why snapshots are now the
portable document of :mod:`.portable_state`. A data dir that still holds one is migrated at its
next start: the pickle is loaded (by that same moto version, which this emulator still pins when
the data dir was last used with it), the journal replayed, and a portable snapshot written in its
place. :func:`capture` writes such a snapshot's payload; only the tests still call it, to make one.

moto keeps every service's data in plain Python objects inside per-account, per-region backend
objects. A snapshot pickled each instantiated backend's attributes; a restore instantiates the
same backends fresh (so moto's own wiring stays intact) and puts the attributes back.
"""

from __future__ import annotations

import copyreg
import gc
import importlib
import pickle
import sys
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend

from emulator.errors import UserError

FORMAT = 1

# service -> (module, BackendDict attribute). Modules are imported lazily: moto.ssm.models alone
# pulls in EC2 and costs ~1 s, which would double the endpoint's startup time. A service whose
# module was never imported has no state to capture.
SERVICES: dict[str, tuple[str, str]] = {
    "dynamodb": ("moto.dynamodb.models", "dynamodb_backends"),
    "secretsmanager": ("moto.secretsmanager.models", "secretsmanager_backends"),
    "ssm": ("moto.ssm.models", "ssm_backends"),
    "ses": ("moto.ses.models", "ses_backends"),
    "sesv2": ("moto.sesv2.models", "sesv2_backends"),
}
# Set by BaseBackend.__init__ from its arguments; the fresh instance already has them.
_IDENTITY_ATTRIBUTES = frozenset({"region_name", "account_id", "partition"})


def _backends(service: str, *, load: bool) -> BackendDict[Any] | None:
    module_name, attribute = SERVICES[service]
    module = importlib.import_module(module_name) if load else sys.modules.get(module_name)
    return getattr(module, attribute) if module is not None else None


def _rebuild_limited_size_dict(items: dict[str, Any]) -> Any:
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    # LimitedSizeDict.__setitem__ re-sums the whole item on every key (moto's 400 KB item limit
    # check), which makes unpickling quadratic per item: 10,000 items took 0.5 s. The limit was
    # checked when the item was written; a restore can fill the dict directly.
    restored = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.update(restored, items)
    return restored


def _register_reducers() -> None:
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    copyreg.pickle(LimitedSizeDict, lambda d: (_rebuild_limited_size_dict, (dict(d),)))


class _MergeInto:
    """A defaultdict that pickle cannot rebuild (a lambda factory, or a subclass whose __init__
    takes arguments): saved as plain dicts, merged into the fresh backend's own one on restore."""

    def __init__(self, content: dict[Any, Any]) -> None:
        self.content = content


def _plain(value: defaultdict[Any, Any]) -> dict[Any, Any]:
    return {k: _plain(v) if isinstance(v, defaultdict) else v for k, v in value.items()}


def _merge(target: dict[Any, Any], content: dict[Any, Any]) -> None:
    for key, value in content.items():
        if isinstance(value, dict) and isinstance(target, defaultdict):
            _merge(target[key], value)
        else:
            target[key] = value


def capture() -> dict[str, dict[tuple[str, str], dict[str, Any]]]:
    """Every instantiated backend's attributes, keyed by service and (account, region)."""
    state: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for service in SERVICES:
        backends = _backends(service, load=False)
        if backends is None:
            continue
        if service == "dynamodb":
            _register_reducers()
        per_backend: dict[tuple[str, str], dict[str, Any]] = {}
        for account_id, region, backend in backends.iter_backends():
            attributes: dict[str, Any] = {}
            for name, value in vars(backend).items():
                if name in _IDENTITY_ATTRIBUTES or isinstance(value, BaseBackend):
                    continue  # links to other backends are rebuilt by moto itself
                if isinstance(value, defaultdict) and (
                    type(value) is not defaultdict  # e.g. SSM's ParameterDict: its __init__ takes args
                    or getattr(value.default_factory, "__name__", "") == "<lambda>"
                ):
                    value = _MergeInto(_plain(value))
                attributes[name] = value
            per_backend[(account_id, region)] = attributes
        state[service] = per_backend
    return state


def restore(state: dict[str, dict[tuple[str, str], dict[str, Any]]]) -> None:
    for service, per_backend in state.items():
        backends = _backends(service, load=True)
        assert backends is not None
        for (account_id, region), attributes in per_backend.items():
            backend = backends[account_id][region]
            for name, value in attributes.items():
                if isinstance(value, _MergeInto):
                    _merge(getattr(backend, name), value.content)
                else:
                    setattr(backend, name, value)


def read(path: Path) -> tuple[int, dict[str, Any]]:
    """(generation, payload) of a pickled snapshot; UserError with the way out if unreadable."""
    written_by, pin = "an unknown moto version", "moto==VERSION"
    with path.open("rb") as f:
        gc.disable()  # see EmbeddedEndpointApp.load: the GC would rescan every new object
        try:
            snapshot = pickle.load(f)  # noqa: S301 - our own file in the user's data dir
        except Exception as exc:  # classes moved by a moto upgrade, a damaged file...
            snapshot = {"error": repr(exc)}
        finally:
            gc.enable()
    if isinstance(snapshot, dict) and snapshot.get("moto"):
        written_by, pin = f"moto {snapshot['moto']}", f"moto=={snapshot['moto']}"
    current = version("moto")
    if not isinstance(snapshot, dict) or snapshot.get("format") != FORMAT or snapshot.get("moto") != current:
        raise UserError(
            f"{path} is a snapshot of an older emulator, written by {written_by}, which this one "
            f"(moto {current}) cannot read. To keep its data, start it once with that moto version "
            f"(`.venv/bin/uv pip install {pin}`, then `make up` and Ctrl-C): the snapshot is "
            "migrated to the portable form that any version reads. Or `python -m emulator reset` "
            "to start afresh"
        )
    return int(snapshot["generation"]), snapshot["payload"]


def write(path: Path, generation: int, payload: dict[str, Any]) -> None:
    """A snapshot as the first format wrote it (for the migration tests)."""
    snapshot = {"format": FORMAT, "moto": version("moto"), "generation": generation, "payload": payload}
    with path.open("wb") as f:
        pickle.dump(snapshot, f, protocol=pickle.HIGHEST_PROTOCOL)
