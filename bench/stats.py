"""Small statistics and formatting helpers for the benchmark table."""

import statistics


def summary(xs: list[float]) -> dict:
    """Median and spread of samples; the spread is min-max and the interquartile range."""
    xs = sorted(xs)
    if len(xs) >= 4:
        q1, _, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    else:
        q1, q3 = xs[0], xs[-1]
    return {
        "n": len(xs),
        "median": statistics.median(xs),
        "min": xs[0],
        "max": xs[-1],
        "q1": q1,
        "q3": q3,
    }


def ms(s: dict) -> str:
    """`12.3 ms (IQR 11.0-14.2, 10.1-20.0)` for a summary in seconds."""
    return (
        f"{s['median'] * 1e3:.1f} ms (IQR {s['q1'] * 1e3:.1f}-{s['q3'] * 1e3:.1f}, "
        f"range {s['min'] * 1e3:.1f}-{s['max'] * 1e3:.1f})"
    )


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f} MiB"


def ratio(ours: float, theirs: float) -> str:
    if not theirs:
        return "-"
    return f"{ours / theirs:.2f}x"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table that also reads well printed to a terminal."""
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"

    sep = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([line(header), sep] + [line(r) for r in rows])
