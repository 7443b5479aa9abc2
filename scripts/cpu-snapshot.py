#!/usr/bin/env python3
"""CPU time by process group, for benchmarks on a busy machine.

    cpu-snapshot.py save FILE          record every process's CPU time so far
    cpu-snapshot.py diff FILE N        print the CPU spent since FILE, per group, in
                                       microseconds per item (N items were done meanwhile)

CPU time spent per comment does not depend much on what else the machine runs, unlike
comments per second, so it compares two versions of the write path even while other work
shares the cores. Groups: PostgreSQL's client backends and its background processes
(walwriter, checkpointer, autovacuum, ...), each thread name of consult, and wrk.
PostgreSQL children that ended meanwhile are counted through the postmaster's reaped time.
"""
import json
import os
import sys

TICK = os.sysconf("SC_CLK_TCK")


def stat(path):
    with open(path) as f:
        raw = f.read()
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[11..15] are utime, stime, cutime, cstime (stat fields 14..17)
    return comm, [int(x) for x in fields[11:15]]


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def snapshot():
    groups = {}

    def add(group, ticks):
        groups[group] = groups.get(group, 0) + ticks

    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            comm, (ut, st, cut, cst) = stat(f"/proc/{pid}/stat")
        except (OSError, ValueError):
            continue
        if comm == "postgres":
            line = cmdline(pid)
            if line.startswith("postgres: "):
                kind = line.split()[1]
                if kind in ("walwriter", "checkpointer", "background", "autovacuum", "logical", "stats"):
                    add(f"postgres {kind}", ut + st)
                else:
                    add("postgres backends", ut + st)
            else:  # the postmaster: its own time and that of its reaped children
                add("postgres (ended children)", cut + cst)
                add("postgres postmaster", ut + st)
        elif comm.startswith("consult") or comm == "wrk":
            if comm == "wrk":
                add("wrk", ut + st)
                continue
            try:
                tasks = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tasks:
                try:
                    tcomm, (tut, tst, _, _) = stat(f"/proc/{pid}/task/{tid}/stat")
                except (OSError, ValueError):
                    continue
                name = tcomm.rstrip("0123456789-_ ") or tcomm
                add(f"consult {name}", tut + tst)
    return groups


def main():
    if sys.argv[1] == "save":
        with open(sys.argv[2], "w") as f:
            json.dump(snapshot(), f)
        return
    with open(sys.argv[2]) as f:
        before = json.load(f)
    items = max(int(sys.argv[3]), 1)
    after = snapshot()
    rows = []
    for group in set(before) | set(after):
        spent = after.get(group, 0) - before.get(group, 0)
        if spent > 0:
            rows.append((spent, group))
    rows.sort(reverse=True)
    total = sum(s for s, _ in rows)
    print(f"   CPU per comment ({items} comments): {total / TICK * 1e6 / items:.0f} us in all")
    for spent, group in rows:
        print(f"     {spent / TICK * 1e6 / items:8.1f} us  {group}")


main()
