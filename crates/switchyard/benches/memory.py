#!/usr/bin/env python3
"""Peak memory of `switchyard check` and `switchyard run` on big flows and long loops.

    memory.py BINARY [--blocks 10000,100000] [--steps 1000,1000000]

Writes the flows into a temporary directory: chains of N `evaluate` blocks
(start → e1 → … → eN, three expression texts in turn) and a wired loop
(`count` → `go` → `count`, no requests), then runs each case once under
`/usr/bin/time -f %M` (peak RSS from wait4) and prints a markdown table. The loop is run
without reports and with `--report-junit` and `--report-json`.
"""

import argparse
import json
import os
import subprocess
import tempfile
import time

EXPRESSIONS = ["(. // 0) + 1", "{n: ((.n? // 0) + 1)} | .n", "[., 1] | add"]


def chain(n):
    blocks = {"start": {"type": "start", "at": [0, 0]}}
    wires = [["start.out", "e1.in"]]
    for i in range(1, n + 1):
        blocks[f"e{i}"] = {
            "type": "evaluate",
            "at": [i % 20 * 300, i // 20 * 100],
            "expression": EXPRESSIONS[i % 3],
        }
        if i < n:
            wires.append([f"e{i}.out", f"e{i + 1}.in"])
    return {"switchyard": 1, "name": f"chain of {n}", "blocks": blocks, "wires": wires}


def loop():
    blocks = {
        "start": {"type": "start", "at": [0, 0]},
        "count": {"type": "evaluate", "at": [300, 0], "expression": "(. // 0) + 1"},
        "go": {"type": "if", "at": [600, 0], "condition": ". > 0"},
    }
    wires = [["start.out", "count.in"], ["count.out", "go.in"], ["go.true", "count.in"]]
    return {"switchyard": 1, "name": "loop", "blocks": blocks, "wires": wires}


def measure(binary, args, directory):
    peak = os.path.join(directory, "peak.txt")
    started = time.monotonic()
    completed = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", peak, binary, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1", "SWITCHYARD_HOME": directory},
        check=False,
    )
    seconds = time.monotonic() - started
    with open(peak, encoding="utf-8") as text:
        kib = int(text.read().strip().splitlines()[-1])
    return completed.returncode, kib / 1024, seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--blocks", default="10000,100000")
    parser.add_argument("--steps", default="1000,1000000")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        print("| case | exit | peak RSS | time |")
        print("| --- | ---: | ---: | ---: |")
        for n in [int(n) for n in options.blocks.split(",")]:
            path = os.path.join(directory, f"chain-{n}.flow.json")
            with open(path, "w", encoding="utf-8") as out:
                json.dump(chain(n), out)
            for command in (["check", path], ["run", "--max-steps", str(2 * n), path]):
                code, mib, seconds = measure(options.binary, command, directory)
                print(f"| `{command[0]}` chain of {n:,} evaluate blocks | {code} | {mib:.1f} MiB | {seconds:.1f} s |")
        path = os.path.join(directory, "loop.flow.json")
        with open(path, "w", encoding="utf-8") as out:
            json.dump(loop(), out)
        junit = os.path.join(directory, "report.xml")
        report = os.path.join(directory, "report.json")
        for reports, extra in (("no reports", []), ("JUnit and JSON reports", ["--report-junit", junit, "--report-json", report])):
            for steps in [int(s) for s in options.steps.split(",")]:
                command = ["run", "--max-steps", str(steps), *extra, path]
                code, mib, seconds = measure(options.binary, command, directory)
                print(f"| wired loop, {steps:,} steps, {reports} | {code} | {mib:.1f} MiB | {seconds:.1f} s |")


if __name__ == "__main__":
    main()
