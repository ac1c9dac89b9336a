"""The figures of `make bench-load` (issue 13) written to bench/results.md (section "load"),
with a cProfile of the slowest endpoint in bench/profile-<endpoint>.txt."""
from __future__ import annotations

import cProfile
import datetime as dt
import io
import os
import platform
import pstats
import statistics
import subprocess

from bench import load_client as lc
from bench.load_setup import sqlalchemy_url

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARED = ["REST list", "REST list filtered", "REST show", "web list"]
TARGETS = {"REST list": 1.0, "REST list filtered": None, "REST show": 1.0, "web list": 1.0}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds == seconds else "—"


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def write(args, s, rounds, compared, full, throughput2, scaling) -> None:
    lines = [
        f"PostgreSQL, {s.orders:,} installation orders in one company (`flask bench seed --scale {args.scale}`); "
        f"gunicorn with 2 sync workers (then 1) on 127.0.0.1; {args.users} users in a closed loop pausing "
        f"{args.think:.1f} s on average between requests, "
        f"{args.rounds} rounds of {args.seconds:.0f} s alternating project and plain FAB (bench/plain_fab) on the "
        f"endpoints both have; commit {_commit()}, {platform.node()}, {os.cpu_count()} cores.",
        "",
        "| Endpoint | Project p50 | p95 | p99 | Plain FAB p50 | p95 | p99 | p95 ratio (median of rounds) | spread | target |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in COMPARED:
        mine = sum((r[0].latencies[name] for r in rounds), [])
        base = sum((r[1].latencies[name] for r in rounds), [])
        ratios = compared[name]
        target = TARGETS[name]
        lines.append(
            f"| {name} | {_ms(lc.percentile(mine, 50))} | {_ms(lc.percentile(mine, 95))} | "
            f"{_ms(lc.percentile(mine, 99))} | {_ms(lc.percentile(base, 50))} | {_ms(lc.percentile(base, 95))} | "
            f"{_ms(lc.percentile(base, 99))} | **{statistics.median(ratios):.2f}x** | "
            f"{min(ratios):.2f}–{max(ratios):.2f} | {f'≤ {target:.1f}x' if target else '—'} |")
    errors = sum(sum(r[0].errors.values()) + sum(r[1].errors.values()) for r in rounds)
    mine_rps = statistics.median(throughput2)
    base_rps = statistics.median(r[1].total / r[1].seconds for r in rounds)
    lines += [
        "",
        f"Throughput on those endpoints: project {mine_rps:.0f} req/s, plain FAB {base_rps:.0f} req/s; errors: {errors}.",
        "",
        f"The project alone, every endpoint of the load ({args.seconds * 2:.0f} s, {full.total:,} requests, "
        f"{sum(full.errors.values())} errors):",
        "",
        "| Endpoint | requests | p50 | p95 | p99 | errors |",
        "|---|---|---|---|---|---|",
    ]
    for name, samples in full.latencies.items():
        st = lc.summary(samples)
        lines.append(f"| {name} | {st['n']} | {_ms(st['p50'])} | {_ms(st['p95'])} | {_ms(st['p99'])} | "
                     f"{full.errors.get(name, 0)} |")
    board, rest = (lc.percentile(full.latencies[n], 50) for n in ("board", "REST list"))
    two_rps, one_rps = (r.total / r.seconds for r in scaling)
    lines += [
        "",
        f"Board p50 / REST list p50 under load: {board / rest:.2f}x (target ≤ 2x). "
        f"Action p95: {_ms(lc.percentile(full.latencies['action CONTACT_DOCTOR'], 95))} (target < 100 ms).",
        f"Scaling, {args.users} users back to back on the four compared endpoints: 1 worker {one_rps:.0f} req/s, "
        f"2 workers {two_rps:.0f} req/s: {two_rps / one_rps:.2f}x (target ≥ 1.7x; the load client and PostgreSQL "
        "share the same cores).",
    ]
    slowest = max(full.latencies, key=lambda n: lc.percentile(full.latencies[n], 50))
    profile_path = profile(s, slowest)
    if profile_path:
        lines += ["", f"Profile of the slowest endpoint ({slowest}, p50 under load): `{profile_path}`."]
    from bench.__main__ import write_section

    write_section("load", lines)
    print("\n".join(lines))


PROFILED = {
    "board": ("/instalacion/tablero", "bench_go"),
    "order details": (None, "bench_go"),
    "web list": ("/instalacion/ordenes/list/", "bench_go"),
    "operator page": (None, "bench_cert"),
    "REST list": ("/api/v1/installation_order/", "bench_go"),
    "REST list filtered": ("/api/v1/installation_order/?q=(filters:!((col:state,opr:eq,value:ACCEPTED)))", "bench_go"),
    "REST show": (None, "bench_go"),
}


def profile(s, name: str, runs: int = 30) -> str | None:
    """cProfile of `runs` requests of endpoint `name` through the test client, on the bench
    database, cumulative times of the top 40 functions."""
    if name not in PROFILED:
        return None
    from app import create_app

    path, user = PROFILED[name]
    if path is None:
        path = {"order details": f"/instalacion/orden/{s.order_ids[0]}",
                "operator page": f"/certificaciones/operarios/ficha/{s.operator_ids[0]}",
                "REST show": f"/api/v1/installation_order/{s.order_ids[0]}"}[name]
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=sqlalchemy_url(s.project_url))
    client = app.test_client()
    headers = {}
    if path.startswith("/api/"):
        token = client.post("/api/v1/security/login", json={"username": user, "password": s.password,
                                                              "provider": "db"}).get_json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "X-Company-Id": str(s.company_id)}
    else:
        client.post("/login/", data={"username": user, "password": s.password})
    client.get(path, headers=headers)  # warm-up
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(path, headers=headers)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    slug = name.lower().replace(" ", "-")
    filename = f"profile-{slug}.txt"
    with open(os.path.join(HERE, filename), "w", encoding="utf-8") as fh:
        fh.write(f"# cProfile of {runs} requests of {path} ({name}), {dt.datetime.now():%Y-%m-%d %H:%M}\n\n")
        fh.write(out.getvalue())
    return f"bench/{filename}"
