"""Helpers shared by the peer scripts: timing, median, peak RSS, one JSON line on stdout."""
import json
import resource
import statistics
import sys
import time


def samples(body, repeats, warmup=1):
    """Runs body warmup times untimed, then repeats times timed; returns seconds per run."""
    for _ in range(warmup):
        body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return times


def median(values):
    return statistics.median(values) if values else float("nan")


def peak_rss_mb():
    """Peak RSS of this process (getrusage; KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(fields):
    fields = dict(fields)
    fields["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(fields, sort_keys=True), flush=True)


def note(message):
    print(message, file=sys.stderr, flush=True)
