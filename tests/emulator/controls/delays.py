"""State-transition delays of the emulated services (seconds), small by default so
tests run fast, realistic on request so a benchmark sees what AWS makes users wait.

At start:  TRUSTCHAIN_EMULATOR_DELAYS='realistic'
           TRUSTCHAIN_EMULATOR_DELAYS='{"preset": "realistic", "scale": 0.01, "hsm_create": 30}'
At run time:
    GET  /_trustchain/delays    the effective values
    POST /_trustchain/delays    the same JSON object as the variable; keys not given keep
                                their value, a "preset" resets every key first

`scale` multiplies every delay (realistic at scale 0.01 is AWS's timeline 100x faster).
A transition is due when its delay has passed and happens on the next request of any
service. A changed delay applies to transitions that start after the change.
"""

import json
import os
import threading
import time

from controls import aws_request

# What each delay covers.
DESCRIPTIONS = {
    "cluster_create": "CreateCluster: CREATE_IN_PROGRESS -> UNINITIALIZED (ACTIVE when restored from a backup)",
    "cluster_initialize": "InitializeCluster: INITIALIZE_IN_PROGRESS -> INITIALIZED",
    "cluster_modify": "ModifyCluster HsmType migration or rollback, per HSM (at least one): MODIFY_IN_PROGRESS -> previous state",
    "cluster_delete": "DeleteCluster: DELETE_IN_PROGRESS -> DELETED",
    "cluster_deleted_retention": "how long a DELETED cluster stays listed by DescribeClusters",
    "hsm_create": "CreateHsm: CREATE_IN_PROGRESS -> ACTIVE",
    "hsm_delete": "DeleteHsm: DELETE_IN_PROGRESS -> gone (its ENI removed)",
    "backup_create": "a backup: CREATE_IN_PROGRESS -> READY",
    "backup_purge": "DeleteBackup: PENDING_DELETION -> DELETED (restorable until then)",
    "api_call": "latency of every AWS call (not a transition; never scaled)",
    "nat_gateway_create": "CreateNatGateway: pending -> available",
    "nat_gateway_delete": "DeleteNatGateway: deleting -> deleted",
    "nlb_provisioning": "CreateLoadBalancer (network): provisioning -> active",
}

# Delays `scale` leaves alone.
UNSCALED = {"api_call"}

FAST = {
    "cluster_create": 0.2,
    "cluster_initialize": 0.2,
    "cluster_modify": 0.2,
    "cluster_delete": 0.2,
    "cluster_deleted_retention": 1.0,
    "hsm_create": 0.2,
    "hsm_delete": 0.2,
    "backup_create": 0.2,
    # AWS holds a deleted backup 7 days; kept in tests too, so RestoreBackup works.
    "backup_purge": 7 * 86400.0,
    "api_call": 0.0,
    "nat_gateway_create": 0.2,
    "nat_gateway_delete": 0.2,
    "nlb_provisioning": 1.0,
}

# Sources in README.md ("State-transition delays"); estimates are marked there.
REALISTIC = {
    "cluster_create": 322.0,
    "cluster_initialize": 120.0,
    "cluster_modify": 1800.0,
    "cluster_delete": 60.0,
    "cluster_deleted_retention": 3600.0,
    "hsm_create": 600.0,
    "hsm_delete": 180.0,
    "backup_create": 300.0,
    "backup_purge": 7 * 86400.0,
    "api_call": 0.0,
    "nat_gateway_create": 120.0,
    "nat_gateway_delete": 60.0,
    "nlb_provisioning": 180.0,
}

PRESETS = {"fast": FAST, "realistic": REALISTIC}

_lock = threading.Lock()
_state = {"preset": "fast", "scale": 1.0, "values": dict(FAST)}


def _scaled(name: str, value: float, scale: float) -> float:
    return value if name in UNSCALED else value * scale


def get(name: str) -> float:
    with _lock:
        return _scaled(name, _state["values"][name], _state["scale"])


def current() -> dict:
    with _lock:
        scale = _state["scale"]
        return {
            "preset": _state["preset"],
            "scale": scale,
            "delays": {k: _scaled(k, v, scale) for k, v in _state["values"].items()},
            "unscaled": dict(_state["values"]),
            "descriptions": DESCRIPTIONS,
        }


def configure(spec) -> None:
    """Applies a preset name or a JSON object; ValueError says what is wrong."""
    if isinstance(spec, str):
        spec = {"preset": spec}
    if not isinstance(spec, dict):
        raise ValueError("expected a preset name or a JSON object")
    values = None
    preset = spec.get("preset")
    if preset is not None:
        if preset not in PRESETS:
            raise ValueError(f'unknown preset "{preset}": use one of {sorted(PRESETS)}')
        values = dict(PRESETS[preset])
    scale = spec.get("scale")
    if scale is not None and (not isinstance(scale, (int, float)) or scale < 0):
        raise ValueError(f'"scale" must be a number >= 0, got {scale!r}')
    changes = {}
    for key, value in spec.items():
        if key in ("preset", "scale"):
            continue
        if key not in DESCRIPTIONS:
            raise ValueError(f'unknown delay "{key}": known delays are {sorted(DESCRIPTIONS)}')
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f'delay "{key}" must be a number of seconds >= 0, got {value!r}')
        changes[key] = float(value)
    with _lock:
        if values is not None:
            _state["values"] = values
            _state["preset"] = preset
            _state["scale"] = 1.0
        if scale is not None:
            _state["scale"] = float(scale)
        _state["values"].update(changes)


def configure_from_environment() -> None:
    # The older, ELBv2-only variable still sets the NLB's provisioning time.
    nlb = os.environ.get("EMULATOR_NLB_PROVISIONING_SECONDS", "").strip()
    if nlb:
        try:
            configure({"nlb_provisioning": float(nlb)})
        except ValueError as e:
            raise SystemExit(f"EMULATOR_NLB_PROVISIONING_SECONDS: {e}") from None
    raw = os.environ.get("TRUSTCHAIN_EMULATOR_DELAYS", "").strip()
    if not raw:
        return
    spec = json.loads(raw) if raw.startswith("{") else raw
    try:
        configure(spec)
    except ValueError as e:
        raise SystemExit(f"TRUSTCHAIN_EMULATOR_DELAYS: {e}") from None


def middleware(app):
    def wrapped(environ, start_response):
        if environ.get("PATH_INFO", "") != "/_trustchain/delays":
            latency = get("api_call")
            if latency > 0 and aws_request.identify(environ) is not None:
                time.sleep(latency)
            return app(environ, start_response)
        if environ["REQUEST_METHOD"] == "POST":
            try:
                configure(aws_request.read_json(environ))
            except ValueError as e:
                return aws_request.reply(start_response, "400 Bad Request", {"error": str(e)})
        return aws_request.reply(start_response, "200 OK", current())

    return wrapped
