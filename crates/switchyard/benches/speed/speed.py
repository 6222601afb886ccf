#!/usr/bin/env python3
"""The engine-speed benchmark's generator and measuring loop (started by run.sh).

    speed.py generate DIR BASE_URL
        writes the flows and hurl files the benchmark runs into DIR.
    speed.py measure DIR BASE_URL --switchyard BIN --floor BIN [--hurl BIN] [--rounds N]
        runs every case, round after round, interleaved, and prints a markdown table.

Every figure is a whole process (start-up to exit) timed from here, with output sent to
/dev/null; peak RSS comes from wait4(2). Ratios are taken round by round (the two
processes measured one right after the other) and their median is reported.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

CHAIN = 1_000
LONG_CHAIN = 10_000
FANOUT = 1_000
LOOP_SHORT = 1_000
LOOP_LONG = 100_000


def url(base, i):
    return f"{base}/item/{i}"


def request_block(base, i, x, y):
    return {"type": "send_request", "at": [x, y], "url": url(base, i)}


def chain_flow(base, n, name):
    blocks = {"start": {"type": "start", "at": [0, 0]}}
    wires = [["start.out", "r1.in"]]
    for i in range(1, n + 1):
        blocks[f"r{i}"] = request_block(base, i, (i % 20) * 360, (i // 20) * 140)
        if i < n:
            wires.append([f"r{i}.success", f"r{i + 1}.in"])
    return {"switchyard": 1, "name": name, "blocks": blocks, "wires": wires}


def fanout_flow(base, n):
    blocks = {"start": {"type": "start", "at": [0, 0]}}
    wires = []
    for i in range(1, n + 1):
        blocks[f"r{i}"] = request_block(base, i, 360, i * 140)
        wires.append(["start.out", f"r{i}.in"])
    return {"switchyard": 1, "name": f"fan-out of {n}", "blocks": blocks, "wires": wires}


def loop_flow(base):
    """start → r1, r1.success → r1.in: runs until --max-steps."""
    blocks = {"start": {"type": "start", "at": [0, 0]}, "r1": request_block(base, 1, 360, 0)}
    wires = [["start.out", "r1.in"], ["r1.success", "r1.in"]]
    return {"switchyard": 1, "name": "loop", "blocks": blocks, "wires": wires}


def hurl_file(base, n):
    return "".join(f"GET {url(base, i)}\nHTTP 200\n\n" for i in range(1, n + 1))


def generate(directory, base):
    os.makedirs(directory, exist_ok=True)
    flows = {
        "chain-1000.flow.json": chain_flow(base, CHAIN, "chain of 1000"),
        "chain-10000.flow.json": chain_flow(base, LONG_CHAIN, "chain of 10000"),
        "fanout-1000.flow.json": fanout_flow(base, FANOUT),
        "one.flow.json": chain_flow(base, 1, "one request"),
        "loop.flow.json": loop_flow(base),
    }
    for name, flow in flows.items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as out:
            json.dump(flow, out, indent=2)
    for name, n in {"chain-1000.hurl": CHAIN, "one.hurl": 1}.items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as out:
            out.write(hurl_file(base, n))


def run(argv, env=None, ok_codes=(0,), poll_rss=False):
    """Runs argv to its end; returns (seconds, peak RSS in MiB, RSS samples in MiB, CPU
    seconds: user + system, from wait4; None when polled)."""
    samples = []
    cpu = None
    with open(os.devnull, "wb") as null:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=null, stderr=null, env=env)
        if poll_rss:
            status_path = f"/proc/{process.pid}/status"
            while process.poll() is None:
                try:
                    with open(status_path, encoding="utf-8") as status:
                        for line in status:
                            if line.startswith("VmRSS:"):
                                samples.append(int(line.split()[1]) / 1024)
                except OSError:
                    break
                time.sleep(0.1)
            # poll() reaped it: no rusage left for wait4; the samples stand in.
            elapsed = time.perf_counter() - started
            code, peak = process.returncode, max(samples, default=0.0)
        else:
            _, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            code, peak = process.returncode, usage.ru_maxrss / 1024
            cpu = usage.ru_utime + usage.ru_stime
    if code not in ok_codes:
        sys.exit(f"speed.py: {' '.join(argv)} exited with {code}")
    return elapsed, peak, samples, cpu


def median(values):
    return statistics.median(values)


def ms(seconds):
    return f"{seconds * 1e3:.1f} ms"


def measure(args):
    d = args.dir
    env = dict(os.environ, SWITCHYARD_HOME=os.path.join(d, "home"))
    os.makedirs(env["SWITCHYARD_HOME"], exist_ok=True)
    sy, floor, hurl = args.switchyard, args.floor, args.hurl
    path = lambda name: os.path.join(d, name)  # noqa: E731

    cases = {
        "sy_human": [sy, "run", path("chain-1000.flow.json")],
        "sy_json": [sy, "run", "--format", "json", path("chain-1000.flow.json")],
        "floor_chain": [floor, args.base, str(CHAIN), "chain"],
        "sy_long": [sy, "run", "--max-steps", "20000", path("chain-10000.flow.json")],
        "sy_long_json": [sy, "run", "--format", "json", "--max-steps", "20000", path("chain-10000.flow.json")],
        "floor_long": [floor, args.base, str(LONG_CHAIN), "chain"],
        "sy_fanout": [sy, "run", path("fanout-1000.flow.json")],
        "floor_fanout": [floor, args.base, str(FANOUT), "fanout"],
        "sy_one": [sy, "run", path("one.flow.json")],
        "floor_one": [floor, args.base, "1", "chain"],
    }
    if hurl:
        cases["hurl_chain"] = [hurl, "--test", path("chain-1000.hurl")]
        cases["hurl_one"] = [hurl, "--test", path("one.hurl")]
    # Interleaved: each round runs every case once, in this order.
    order = [
        "sy_human", "hurl_chain", "floor_chain", "sy_json",
        "sy_long", "floor_long", "sy_long_json",
        "sy_fanout", "floor_fanout",
        "sy_one", "hurl_one", "floor_one",
    ]
    order = [name for name in order if name in cases]
    times = {name: [] for name in order}
    rss = {name: [] for name in order}
    cpu = {name: [] for name in order}
    for name in order:  # one warm-up run of each (page cache, connection setup)
        run(cases[name], env)
    for round_index in range(args.rounds):
        for name in order:
            seconds, peak, _, cpu_seconds = run(cases[name], env)
            times[name].append(seconds)
            rss[name].append(peak)
            cpu[name].append(cpu_seconds)
        print(f"round {round_index + 1}/{args.rounds} done", file=sys.stderr)

    def ratio(a, b):
        return median([x / y for x, y in zip(times[a], times[b])])

    # Memory: a wired loop of one request, 1,000 vs 100,000 requests (outcome `limit`).
    loop = path("loop.flow.json")
    short_cmd = [sy, "run", "--max-steps", str(LOOP_SHORT + 1), loop]
    long_cmd = [sy, "run", "--max-steps", str(LOOP_LONG + 1), loop]
    short_peaks, long_peaks, long_times, long_samples = [], [], [], []
    for _ in range(args.memory_rounds):
        short_peaks.append(run(short_cmd, env, ok_codes=(1,))[1])
        seconds, peak, _, _ = run(long_cmd, env, ok_codes=(1,))
        long_peaks.append(peak)
        long_times.append(seconds)
    _, _, long_samples, _ = run(long_cmd, env, ok_codes=(1,), poll_rss=True)

    def goal(met):
        return "**met**" if met else "**not met**"

    rows = []
    f = median(times["floor_chain"])
    for label, name in [("human output", "sy_human"), ("`--format json`", "sy_json")]:
        r = ratio(name, "floor_chain")
        vs_hurl = f"{ratio(name, 'hurl_chain'):.2f}×" if hurl else "n/a"
        rows.append(
            f"| 1,000 chain, {label} | {ms(median(times[name]))} | floor {ms(f)}"
            + (f", hurl {ms(median(times['hurl_chain']))}" if hurl else "")
            + f" | {r:.2f}× floor, {vs_hurl} hurl | ≤ 1.5× floor | {goal(r <= 1.5)} |"
        )
    if hurl:
        rows.append(
            f"| 1,000 chain, hurl | {ms(median(times['hurl_chain']))} | floor {ms(f)} "
            f"| {ratio('hurl_chain', 'floor_chain'):.2f}× floor | (reference) | |"
        )
    lin = ratio("sy_long", "sy_human")
    lin_json = ratio("sy_long_json", "sy_json")
    rows.append(
        f"| 10,000 chain, human output | {ms(median(times['sy_long']))} | 1,000 chain {ms(median(times['sy_human']))}; "
        f"floor 10,000 {ms(median(times['floor_long']))} | {lin:.2f}× the 1,000 chain; "
        f"{ratio('sy_long', 'floor_long'):.2f}× floor | ≤ 10.5× | {goal(lin <= 10.5)} |"
    )
    rows.append(
        f"| 10,000 chain, `--format json` | {ms(median(times['sy_long_json']))} | 1,000 chain {ms(median(times['sy_json']))} "
        f"| {lin_json:.2f}× the 1,000 chain | ≤ 10.5× | {goal(lin_json <= 10.5)} |"
    )
    fan = ratio("sy_fanout", "floor_fanout")
    rows.append(
        f"| fan-out of 1,000 | {ms(median(times['sy_fanout']))} | floor `join_all` {ms(median(times['floor_fanout']))} "
        f"| {fan:.2f}× floor | ≤ 1.5× | {goal(fan <= 1.5)} |"
    )
    if hurl:
        one = ratio("sy_one", "hurl_one")
        rows.append(
            f"| one request | {ms(median(times['sy_one']))} | hurl {ms(median(times['hurl_one']))}, "
            f"floor {ms(median(times['floor_one']))} | {one:.2f}× hurl | ≤ 1× hurl | {goal(one <= 1.0)} |"
        )
    else:
        rows.append(
            f"| one request | {ms(median(times['sy_one']))} | floor {ms(median(times['floor_one']))} "
            f"| {ratio('sy_one', 'floor_one'):.2f}× floor | ≤ 1× hurl | hurl not available |"
        )
    growth = median(long_peaks) - median(short_peaks)
    steady = long_samples[len(long_samples) // 10 :] or long_samples
    rows.append(
        f"| memory, wired loop | peak RSS {median(long_peaks):.1f} MiB after 100,000 requests "
        f"({ms(median(long_times))}) | {median(short_peaks):.1f} MiB after 1,000 | {growth:+.1f} MiB; "
        f"RSS sampled every 0.1 s: {min(steady, default=0):.1f}–{max(steady, default=0):.1f} MiB | within 20 MB | {goal(growth <= 20)} |"
    )

    print()
    print(f"{args.rounds} interleaved rounds, medians; ratios are medians of per-round ratios.")
    print("Whole processes (start-up to exit), output to /dev/null, nginx on loopback.")
    print()
    print("| case | switchyard | compared with | ratio | goal | |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for row in rows:
        print(row)
    # CPU time (user + system) of the same runs: what each program spends itself, apart
    # from the loopback's latency, which is the same for all of them.
    def cpu_ratio(a, b):
        return median([x / y for x, y in zip(cpu[a], cpu[b]) if y > 0])

    print()
    print(f"CPU time (user + system, wait4), same runs; per request the floor waits "
          f"{median(times['floor_chain']) / CHAIN * 1e6:.0f} µs on the wire and spends "
          f"{median(cpu['floor_chain']) / CHAIN * 1e6:.0f} µs of CPU.")
    print()
    print("| case | switchyard CPU | floor CPU | ratio to floor | hurl CPU | ratio to hurl |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    cpu_cases = [
        ("1,000 chain, human output", "sy_human", "floor_chain", "hurl_chain"),
        ("1,000 chain, `--format json`", "sy_json", "floor_chain", "hurl_chain"),
        ("10,000 chain, human output", "sy_long", "floor_long", None),
        ("10,000 chain, `--format json`", "sy_long_json", "floor_long", None),
        ("fan-out of 1,000", "sy_fanout", "floor_fanout", None),
        ("one request", "sy_one", "floor_one", "hurl_one"),
    ]
    for label, name, floor_name, hurl_name in cpu_cases:
        hurl_cells = "| | "
        if hurl and hurl_name:
            hurl_cells = f"| {ms(median(cpu[hurl_name]))} | {cpu_ratio(name, hurl_name):.2f}× |"
        print(
            f"| {label} | {ms(median(cpu[name]))} | {ms(median(cpu[floor_name]))} "
            f"| {cpu_ratio(name, floor_name):.2f}× {hurl_cells}"
        )
    print()
    print("peak RSS (MiB, median): " + ", ".join(f"{name} {median(rss[name]):.1f}" for name in order))
    if not hurl:
        print("hurl was not available: its rows are missing (see run.sh's message above).")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("dir")
    gen.add_argument("base")
    mea = sub.add_parser("measure")
    mea.add_argument("dir")
    mea.add_argument("base")
    mea.add_argument("--switchyard", required=True)
    mea.add_argument("--floor", required=True)
    mea.add_argument("--hurl")
    mea.add_argument("--rounds", type=int, default=11)
    mea.add_argument("--memory-rounds", type=int, default=3)
    args = parser.parse_args()
    if args.command == "generate":
        generate(args.dir, args.base)
    else:
        measure(args)


if __name__ == "__main__":
    main()
