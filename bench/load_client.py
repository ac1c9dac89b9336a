"""A small closed-loop HTTP load client for `make bench-load` (issue 13): N threads, each sending
its next request as soon as the previous one answered, over fresh connections (gunicorn's sync
workers close each one), for a fixed time. Latencies are kept per endpoint."""
from __future__ import annotations

import http.client
import json
import random
import re
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie


@dataclass
class Call:
    """One kind of request; `make(thread_no, i)` gives (method, path, body or None)."""

    name: str
    make: object
    headers: dict = field(default_factory=dict)
    ok: tuple = (200,)


@dataclass
class Result:
    latencies: dict = field(default_factory=dict)  # name -> [seconds]
    errors: dict = field(default_factory=dict)  # name -> count
    seconds: float = 0.0

    def add(self, name, elapsed, ok):
        self.latencies.setdefault(name, []).append(elapsed)
        if not ok:
            self.errors[name] = self.errors.get(name, 0) + 1

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def request(port: int, method: str, path: str, *, body=None, headers=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    data = None
    headers = dict(headers or {})
    if body is not None:
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            data = body.encode() if isinstance(body, str) else body
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        return response.status, dict(response.getheaders()), payload
    finally:
        conn.close()


def jwt(port: int, username: str, password: str) -> str:
    status, _h, payload = request(port, "POST", "/api/v1/security/login",
                                  body={"username": username, "password": password, "provider": "db"})
    if status != 200:
        raise RuntimeError(f"login {username} on :{port}: {status} {payload[:200]!r}")
    return json.loads(payload)["access_token"]


def web_session(port: int, username: str, password: str) -> str:
    """Log in through the login form (with its CSRF token); the Cookie header to send."""
    status, headers, page = request(port, "GET", "/login/")
    jar = SimpleCookie(headers.get("Set-Cookie", ""))
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', page)
    form = {"username": username, "password": password}
    if token:
        form["csrf_token"] = token.group(1).decode()
    status, headers, _ = request(
        port, "POST", "/login/", body=urllib.parse.urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Cookie": "; ".join(f"{k}={m.value}" for k, m in jar.items())})
    if status != 302:
        raise RuntimeError(f"web login {username} on :{port}: {status}")
    jar.load(headers.get("Set-Cookie", ""))
    return "; ".join(f"{k}={m.value}" for k, m in jar.items())


def run(port: int, calls: list[Call], *, users: int, seconds: float, think: float = 0.0) -> Result:
    """`users` threads cycle through `calls` (each thread starting at a different one) for
    `seconds`, each pausing a random 0.5-1.5 x `think` seconds between its requests (a person
    reading the page; 0 = back to back)."""
    result, lock = Result(), threading.Lock()
    deadline = time.perf_counter() + seconds

    def user(no: int):
        i, pause = no, random.Random(no)
        while time.perf_counter() < deadline:
            call = calls[i % len(calls)]
            method, path, body = call.make(no, i)
            started = time.perf_counter()
            try:
                status, _h, _p = request(port, method, path, body=body, headers=call.headers)
                ok = status in call.ok
            except OSError:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                result.add(call.name, elapsed, ok)
            i += 1
            if think:
                time.sleep(think * pause.uniform(0.5, 1.5))

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - started
    return result


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(samples: list[float]) -> dict:
    return {"n": len(samples), "p50": percentile(samples, 50), "p95": percentile(samples, 95),
            "p99": percentile(samples, 99), "mean": statistics.fmean(samples) if samples else float("nan")}
