"""Runs a command N times and reports the median wall time and the peak RSS (one JSON line).

    python timecmd.py [--repeats N] [--warmup N] [--before 'shell cmd'] [--json-stdout] -- CMD ARGS…

Peak RSS comes from `/usr/bin/time -v` ("Maximum resident set size") when it is installed,
otherwise from the child's rusage (os.wait4), which is the number time -v prints. `--before`
runs untimed before every run (e.g. removing an output); `--json-stdout` parses the command's
last stdout line as JSON and includes it (for benchmarks that measure themselves).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

from common import median

GNU_TIME = "/usr/bin/time"


def run_once(command, capture):
    """(seconds, peak RSS MB, CPU seconds (user + system), stdout) of one run; raises on a non-zero exit."""
    stdout = subprocess.PIPE if capture else subprocess.DEVNULL
    if os.path.exists(GNU_TIME):
        with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
            start = time.perf_counter()
            proc = subprocess.run([GNU_TIME, "-v", "-o", report.name] + command, stdout=stdout, text=True)
            elapsed = time.perf_counter() - start
            text = report.read()
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        rss = int(match.group(1)) / 1024 if match else float("nan")
        cpu_parts = re.findall(r"(?:User|System) time \(seconds\): ([0-9.]+)", text)
        cpu = sum(float(m) for m in cpu_parts) if cpu_parts else float("nan")
        code, out = proc.returncode, proc.stdout
    else:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=stdout, text=True)
        out = proc.stdout.read() if capture else None
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        code, rss = os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024
        cpu = usage.ru_utime + usage.ru_stime
    if code != 0:
        raise SystemExit(f"timecmd: {' '.join(command)} exited with {code}")
    return elapsed, rss, cpu, out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=0)
    parser.add_argument("--before", default=None)
    parser.add_argument("--json-stdout", action="store_true")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")
    times, peaks, cpus, last = [], [], [], None
    load_start = os.getloadavg()[0]
    for i in range(args.warmup + args.repeats):
        if args.before:
            subprocess.run(args.before, shell=True, check=True)
        elapsed, rss, cpu, out = run_once(command, args.json_stdout)
        if i >= args.warmup:
            times.append(elapsed)
            peaks.append(rss)
            cpus.append(round(cpu, 3))
        if args.json_stdout:
            lines = [l for l in (out or "").splitlines() if l.strip()]
            last = json.loads(lines[-1]) if lines else None
    result = {"command": command, "times_s": times, "median_s": median(times), "peak_rss_mb": max(peaks),
              "cpu_s": cpus, "median_cpu_s": median(cpus),
              "rss_source": "/usr/bin/time -v" if os.path.exists(GNU_TIME) else "wait4 rusage",
              "loadavg_1min": [round(load_start, 2), round(os.getloadavg()[0], 2)],
              "finished": time.strftime("%Y-%m-%d %H:%M:%S")}
    if last is not None:
        result["self"] = last
    print(json.dumps(result, sort_keys=True), flush=True)


if __name__ == "__main__":
    sys.exit(main())
