"""`make bench-load` (issue 13): the project against plain Flask-AppBuilder under the same load.

Both apps run under gunicorn (sync workers) on 127.0.0.1 over PostgreSQL: the project on
`bench_project` (filled by `flask bench seed`), the baseline (bench/plain_fab) on `bench_plain`
with a copy of the same order rows. Rounds alternate project and baseline over the endpoints
both have; each endpoint's ratio is the median of the per-round p95 ratios. Then the project
alone over its own endpoints (board, details, actions, operator page, inspection POST), and
with 1 worker against 2 for the scaling figure. Figures go to bench/results.md ("load")."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time

from bench import load_client as lc
from bench.load_setup import PLAIN_PASSWORD, Setup, prepare, sqlalchemy_url

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PROJECT_PORT, PLAIN_PORT = 8101, 8102
COMPARED = ["REST list", "REST list filtered", "REST show", "web list"]


class Server:
    """gunicorn serving `target` with `workers` sync workers until stopped."""

    def __init__(self, target: str, port: int, workers: int, env: dict):
        self.port = port
        log = open(os.path.join(HERE, f"gunicorn-{port}.log"), "w")
        self.proc = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", str(workers), "-b",
             f"127.0.0.1:{port}", "--timeout", "120", target],
            cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(240):
            try:
                if lc.request(port, "GET", "/login/", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"gunicorn on :{port} did not start (bench/gunicorn-{port}.log)")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


def project_calls(s: Setup, tokens: dict, cookie: str, only_compared: bool) -> list[lc.Call]:
    api = {"Authorization": f"Bearer {tokens['bench_go']}", "X-Company-Id": str(s.company_id)}
    gc = {"Authorization": f"Bearer {tokens['bench_gc']}", "X-Company-Id": str(s.company_id)}
    cert = {"Authorization": f"Bearer {tokens['bench_cert']}", "X-Company-Id": str(s.company_id)}
    web = {"Cookie": cookie}
    rnd = random.Random(5)
    filtered = "/api/v1/installation_order/?q=(filters:!((col:state,opr:eq,value:ACCEPTED)))"
    calls = [
        lc.Call("REST list", lambda n, i: ("GET", "/api/v1/installation_order/", None), api),
        lc.Call("REST list filtered", lambda n, i: ("GET", filtered, None), api),
        lc.Call("REST show", lambda n, i: ("GET", f"/api/v1/installation_order/{rnd.choice(s.order_ids)}", None), api),
        lc.Call("web list", lambda n, i: ("GET", "/instalacion/ordenes/list/", None), web),
    ]
    if only_compared:
        return calls
    today = dt.date.today().isoformat()
    return calls + [
        lc.Call("order details", lambda n, i: ("GET", f"/instalacion/orden/{rnd.choice(s.order_ids)}", None), web),
        lc.Call("board", lambda n, i: ("GET", "/instalacion/tablero", None), web),
        lc.Call("action CONTACT_DOCTOR", lambda n, i: (
            "POST", f"/api/v1/installation_order/{s.accepted_ids[n % len(s.accepted_ids)]}/actions/CONTACT_DOCTOR",
            {"channel": "PHONE", "note": "Llamada de seguimiento."}), gc),
        lc.Call("operator page", lambda n, i: (
            "GET", f"/certificaciones/operarios/ficha/{rnd.choice(s.operator_ids)}", None),
            {"Cookie": tokens["cert_cookie"]}),
        lc.Call("inspection POST", lambda n, i: ("POST", "/api/v1/inspection/", {
            "assignment": s.assignments[(n * 7 + i) % len(s.assignments)][0],
            "audit_type": s.assignments[(n * 7 + i) % len(s.assignments)][1],
            "auditor": s.auditor_id, "date": today, "pieces": 1, "result": "OK"}), cert, (201,)),
    ]


def plain_calls(s: Setup, token: str, cookie: str) -> list[lc.Call]:
    api = {"Authorization": f"Bearer {token}"}
    rnd = random.Random(5)
    filtered = "/api/v1/installation_order/?q=(filters:!((col:state,opr:eq,value:ACCEPTED)))"
    return [
        lc.Call("REST list", lambda n, i: ("GET", "/api/v1/installation_order/", None), api),
        lc.Call("REST list filtered", lambda n, i: ("GET", filtered, None), api),
        lc.Call("REST show", lambda n, i: ("GET", f"/api/v1/installation_order/{rnd.choice(s.order_ids)}", None), api),
        lc.Call("web list", lambda n, i: ("GET", "/ordenes/list/", None), {"Cookie": cookie}),
    ]


def project_tokens(s: Setup) -> dict:
    tokens = {u: lc.jwt(PROJECT_PORT, u, s.password) for u in ("bench_go", "bench_gc", "bench_cert")}
    tokens["cert_cookie"] = lc.web_session(PROJECT_PORT, "bench_cert", s.password)
    return tokens


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.2, help="flask bench seed --scale (1 = 100.000 orders)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of one round")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean pause of a user between requests, in seconds (0 = back to back)")
    parser.add_argument("--reuse", action="store_true", help="keep the databases of the last run")
    args = parser.parse_args(argv)
    s = prepare(args.scale, reuse=args.reuse)
    project_env = {"APP_CONFIG": "production", "DATABASE_URL": sqlalchemy_url(s.project_url), "SECRET_KEY": "b" * 48,
                   "SAFE_REDIRECT_HOSTS": "127.0.0.1"}
    plain_env = {"PLAIN_DATABASE_URL": sqlalchemy_url(s.plain_url), "SECRET_KEY": "p" * 48}
    project = Server("run:app", PROJECT_PORT, 2, project_env)
    plain = Server("bench.plain_fab.app:create_plain_app()", PLAIN_PORT, 2, plain_env)
    compared, throughput2 = {name: [] for name in COMPARED}, []
    rounds = []
    try:
        for r in range(args.rounds):
            tokens = project_tokens(s)  # refreshed each round (FAB's tokens expire)
            cookie = lc.web_session(PROJECT_PORT, "bench_go", s.password)
            mine = lc.run(PROJECT_PORT, project_calls(s, tokens, cookie, True), users=args.users, seconds=args.seconds, think=args.think)
            plain_token = lc.jwt(PLAIN_PORT, "admin", PLAIN_PASSWORD)
            plain_cookie = lc.web_session(PLAIN_PORT, "admin", PLAIN_PASSWORD)
            base = lc.run(PLAIN_PORT, plain_calls(s, plain_token, plain_cookie), users=args.users, seconds=args.seconds, think=args.think)
            rounds.append((mine, base))
            throughput2.append(mine.total / mine.seconds)
            for name in COMPARED:
                compared[name].append(lc.percentile(mine.latencies[name], 95) / lc.percentile(base.latencies[name], 95))
            print(f"round {r + 1}: " + ", ".join(f"{n} {compared[n][-1]:.2f}x" for n in COMPARED), flush=True)
        tokens = project_tokens(s)
        cookie = lc.web_session(PROJECT_PORT, "bench_go", s.password)
        full = lc.run(PROJECT_PORT, project_calls(s, tokens, cookie, False), users=args.users, seconds=args.seconds * 2, think=args.think)
        # scaling: back to back (saturating), 2 workers here, 1 below
        saturated2 = lc.run(PROJECT_PORT, project_calls(s, tokens, cookie, True), users=args.users, seconds=args.seconds)
    finally:
        project.stop()
        plain.stop()
    single = Server("run:app", PROJECT_PORT, 1, project_env)
    try:
        tokens = project_tokens(s)
        cookie = lc.web_session(PROJECT_PORT, "bench_go", s.password)
        one = lc.run(PROJECT_PORT, project_calls(s, tokens, cookie, True), users=args.users, seconds=args.seconds)
    finally:
        single.stop()
    from bench.load_report import write

    write(args, s, rounds, compared, full, throughput2, (saturated2, one))


if __name__ == "__main__":
    main()
