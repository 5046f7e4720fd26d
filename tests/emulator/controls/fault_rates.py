"""Fault rates: a share of calls fails the way AWS fails under load, chosen by a
seeded generator so a soak run can be replayed.

    POST /_trustchain/faults  {"seed": 7,
                               "rates": [{"service": "*", "action": "*", "throttle": 0.05,
                                          "error_500": 0.02, "error_503": 0.02, "drop": 0.02,
                                          "slow": 0.05, "not_found_after_create": 0.3,
                                          "stale_after_modify": 0.3},
                                         {"service": "cloudhsm", "action": "InitializeCluster",
                                          "throttle": 0.5}],
                               "slow_seconds": 1.5, "consistency_reads": 2,
                               "consistency_seconds": 5}

A rule names a SigV4 service (or "*") and an action (or "*"); a call takes the most
specific rule (service and action, then action, then service, then "*"/"*"), and
kinds the rule leaves out are 0. What each kind does:

| kind | what the call gets |
| --- | --- |
| throttle | the protocol's throttling error: EC2 `RequestLimitExceeded` (503), ELBv2/STS `Throttling` (400), JSON services `ThrottlingException` (400) |
| error_500 | EC2 `InternalError`, query `InternalFailure`, CloudHSM `CloudHsmInternalFailureException` (500) |
| error_503 | EC2 `Unavailable`, query `ServiceUnavailable`, JSON `ServiceUnavailableException` (503) |
| drop | the connection is closed before the call reaches the service (no answer, nothing done) |
| slow | the answer comes `slow_seconds` late (the call still succeeds) |
| not_found_after_create | the object a create made stays invisible for its next 1..`consistency_reads` reads (at most `consistency_seconds`): calls naming it get the service's NotFound code, listings leave it out (consistency.py) |
| stale_after_modify | the object a call changed is described as it was before, for its next 1..`consistency_reads` reads (at most `consistency_seconds`; consistency.py) |

Decisions are a function of (seed, service, action, n) where n counts that
action's calls, so other actions' traffic does not shift them. `injected` counts
what was done, by kind and by call, and is served by GET /_trustchain/faults.
"""

import random
import threading

KINDS = (
    "throttle",
    "error_500",
    "error_503",
    "drop",
    "slow",
    "not_found_after_create",
    "stale_after_modify",
)
# Kinds that replace the answer, tried in this order (at most one per call).
FAILING = ("drop", "throttle", "error_500", "error_503")

_lock = threading.Lock()
_config: dict = {}
_calls: dict[tuple[str, str], int] = {}
_injected: dict[str, int] = {}
_by_call: dict[str, dict[str, int]] = {}


def _check_rate(where: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{where} must be a rate from 0 to 1, got {value!r}")
    return float(value)


def configure(spec: dict) -> None:
    """Sets the rate profile (replacing any earlier one); ValueError says what is wrong."""
    rules = spec.get("rates")
    if isinstance(rules, dict):
        rules = [dict(rules, service="*", action="*")]
    if not isinstance(rules, list) or not rules:
        raise ValueError('"rates" must be a list of rules such as {"service": "*", "action": "*", "throttle": 0.05}')
    parsed = {}
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            raise ValueError(f"rates[{i}] must be an object")
        service, action = rule.get("service", "*"), rule.get("action", "*")
        if not isinstance(service, str) or not isinstance(action, str) or not service or not action:
            raise ValueError(f'rates[{i}]: "service" and "action" must be names or "*"')
        rates = {}
        for key, value in rule.items():
            if key in ("service", "action"):
                continue
            if key not in KINDS:
                raise ValueError(f'rates[{i}]: unknown fault kind "{key}"; known kinds are {list(KINDS)}')
            rates[key] = _check_rate(f"rates[{i}].{key}", value)
        parsed[(service, action)] = rates
    seed = spec.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f'"seed" must be an integer, got {seed!r}')
    slow = spec.get("slow_seconds", 1.0)
    if isinstance(slow, bool) or not isinstance(slow, (int, float)) or not 0 <= slow <= 60:
        raise ValueError(f'"slow_seconds" must be a number of seconds from 0 to 60, got {slow!r}')
    reads = spec.get("consistency_reads", 2)
    if isinstance(reads, bool) or not isinstance(reads, int) or not 1 <= reads <= 20:
        raise ValueError(f'"consistency_reads" must be a whole number from 1 to 20, got {reads!r}')
    lag = spec.get("consistency_seconds", 5.0)
    if isinstance(lag, bool) or not isinstance(lag, (int, float)) or not 0 < lag <= 600:
        raise ValueError(f'"consistency_seconds" must be a number of seconds from 0 to 600, got {lag!r}')
    with _lock:
        _config.clear()
        _config.update(
            rules=parsed,
            seed=seed,
            slow_seconds=float(slow),
            consistency_reads=reads,
            consistency_seconds=float(lag),
        )
        _calls.clear()


def clear() -> None:
    """No rates, counts from zero."""
    with _lock:
        _config.clear()
        _calls.clear()
        _injected.clear()
        _by_call.clear()


def active() -> bool:
    with _lock:
        return bool(_config)


class Decision:
    """What the rate profile does to one call."""

    def __init__(self, rates: dict, rng: random.Random, config: dict):
        # One draw per kind, always in KINDS order, so a decision never depends on
        # which rates are set.
        draws = {kind: rng.random() for kind in KINDS}
        self.fail = next((k for k in FAILING if draws[k] < rates.get(k, 0.0)), None)
        self.slow = config["slow_seconds"] if draws["slow"] < rates.get("slow", 0.0) else 0.0
        self.hide_created = draws["not_found_after_create"] < rates.get("not_found_after_create", 0.0)
        self.stale_modified = draws["stale_after_modify"] < rates.get("stale_after_modify", 0.0)
        self.reads = 1 + int(rng.random() * config["consistency_reads"])
        self.lag = config["consistency_seconds"]


def decide(service: str, action: str) -> Decision | None:
    """The decision for this call, or None without a rate profile."""
    with _lock:
        if not _config:
            return None
        rules = _config["rules"]
        rates = next(
            (
                rules[k]
                for k in ((service, action), ("*", action), (service, "*"), ("*", "*"))
                if k in rules
            ),
            {},
        )
        n = _calls.get((service, action), 0)
        _calls[(service, action)] = n + 1
        config = dict(_config)
    rng = random.Random(f"{config['seed']}:{service}:{action}:{n}")
    return Decision(rates, rng, config)


def count(kind: str, service: str, action: str) -> None:
    with _lock:
        _injected[kind] = _injected.get(kind, 0) + 1
        per_call = _by_call.setdefault(f"{service} {action}", {})
        per_call[kind] = per_call.get(kind, 0) + 1


def snapshot() -> dict:
    with _lock:
        rules = [
            {"service": s, "action": a, **r} for (s, a), r in sorted(_config.get("rules", {}).items())
        ]
        return {
            "rates": rules,
            "seed": _config.get("seed"),
            "slow_seconds": _config.get("slow_seconds"),
            "consistency_reads": _config.get("consistency_reads"),
            "consistency_seconds": _config.get("consistency_seconds"),
            "injected": {
                "total": sum(_injected.values()),
                "by_kind": {k: _injected.get(k, 0) for k in KINDS},
                "by_call": {c: dict(v) for c, v in sorted(_by_call.items())},
            },
        }


# The codes AWS's own services answer, by protocol (aws_request.EC2/QUERY/JSON).
CODES = {
    "throttle": {"ec2": ("RequestLimitExceeded", 503), "query": ("Throttling", 400), "json": ("ThrottlingException", 400)},
    "error_500": {
        "ec2": ("InternalError", 500),
        "query": ("InternalFailure", 500),
        "json": ("CloudHsmInternalFailureException", 500),
    },
    "error_503": {
        "ec2": ("Unavailable", 503),
        "query": ("ServiceUnavailable", 503),
        "json": ("ServiceUnavailableException", 503),
    },
}

MESSAGES = {
    "throttle": "Rate exceeded (injected by the emulator's fault rates)",
    "error_500": "We encountered an internal error. Please try again. (injected)",
    "error_503": "The service is unavailable. Please try again shortly. (injected)",
}
