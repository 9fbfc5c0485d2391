#!/usr/bin/env python3
"""The table tests/run.sh ends with, and its verdict.

  summary.py list <INTROSPECTION.json         "SUITE TEST" per test a build defines
  summary.py add BUILD TESTLOG.json >>ROWS   one row per test meson ran
  summary.py show ROWS SECONDS               the table; exit 1 if anything
                                             failed, or was skipped unasked

A row is tab-separated: build, suite, test, result, start (epoch seconds),
seconds, reason.
result is passed, failed, skipped (not asked: a failure) or asked (skipped
because VIGIL_TEST_SKIP named it).
"""
import json
import sys


def reason_of(output, result):
    """The line a test gave for not running or failing, if it gave one."""
    for line in output.splitlines():
        line = line.strip()
        if "cannot run" in line or line.startswith("SKIP: "):
            return line[:160]
    if result == "TIMEOUT":
        return "timed out"
    return "see its log above" if result != "OK" else ""


def list_tests(introspection):
    """Each test of `meson introspect --tests`, as "SUITE TEST"."""
    for test in json.load(introspection):
        suite = test["suite"][0].split(":", 1)[-1] if test["suite"] else test["name"]
        print(suite, test["name"])


def add(build, testlog):
    results = {"OK": "passed", "SKIP": "skipped", "EXPECTEDFAIL": "passed"}
    with open(testlog, encoding="utf-8") as log:
        for line in log:
            test = json.loads(line)
            name = test["name"].split(":", 1)[-1]  # "vigil:suite / test"
            suite, _, short = name.partition(" / ")
            result = results.get(test["result"], "failed")
            reason = reason_of(test.get("stdout", "") or "", test["result"])
            print("\t".join([build, suite, short, result, "%.1f" % test["starttime"], "%.1f" % test["duration"],
                             reason.replace("\t", " ")]))


def duration(seconds):
    seconds = int(seconds)
    return "%dm%02ds" % (seconds // 60, seconds % 60) if seconds >= 60 else "%ds" % seconds


def wall_time(spans):
    """The length of the union of (begin, end) intervals."""
    total, reached = 0.0, None
    for begin, end in sorted(spans):
        if reached is None or begin > reached:
            total += end - begin
            reached = end
        elif end > reached:
            total += end - reached
            reached = end
    return total


def show(rows_path, total_seconds):
    rows = []
    with open(rows_path, encoding="utf-8") as source:
        for line in source:
            fields = line.rstrip("\n").split("\t")
            if len(fields) == 7:
                rows.append(fields)
    # One line per build and suite, in the order they ran; its time is the
    # wall time during which any of its tests ran (some run side by side).
    groups = {}
    for build, suite, test, result, start, seconds, reason in rows:
        group = groups.setdefault((build, suite), {"passed": 0, "failed": 0, "skipped": 0, "asked": 0, "spans": [], "notes": []})
        group[result] += 1
        group["spans"].append((float(start), float(start) + float(seconds)))
        if result != "passed":
            what = "the build" if test == "-" else test
            group["notes"].append("%s %s: %s" % (what, "skipped, as asked" if result == "asked" else result, reason))
    print()
    print("%-8s %-12s %6s %6s %7s %7s  %s" % ("build", "suite", "passed", "failed", "skipped", "time", "what did not pass"))
    bad = False
    for (build, suite), group in groups.items():
        skipped = group["skipped"] + group["asked"]
        print("%-8s %-12s %6d %6d %7d %7s  %s" % (build, suite, group["passed"], group["failed"], skipped,
                                                 duration(wall_time(group["spans"])), "; ".join(group["notes"])))
        bad = bad or group["failed"] > 0 or group["skipped"] > 0
    print("total: %s; %s" % (duration(total_seconds),
                             "FAILED: something failed, or was skipped without VIGIL_TEST_SKIP naming it" if bad
                             else "everything that was not asked to be skipped ran and passed"))
    return 1 if bad or not rows else 0


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "list":
        list_tests(sys.stdin)
    elif len(sys.argv) == 4 and sys.argv[1] == "add":
        add(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "show":
        sys.exit(show(sys.argv[2], float(sys.argv[3])))
    else:
        sys.exit("usage: summary.py list <INTROSPECTION.json | add BUILD TESTLOG.json | show ROWS SECONDS")
