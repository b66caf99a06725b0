"""The locust user of bench/bench_load.py: signed in with the session cookie the benchmark made,
it requests one path (LOAD_PATH) over and over; bench_load.py runs one headless locust per
endpoint and compares each throughput with /healthz's in the same run."""

from __future__ import annotations

import os

from locust import FastHttpUser, constant, task


class Visitor(FastHttpUser):
    wait_time = constant(0)
    path = os.environ["LOAD_PATH"]
    session = os.environ.get("LOAD_SESSION", "")

    @task
    def visit(self) -> None:
        headers = {"Cookie": f"sessionid={self.session}"} if self.session else {}
        with self.client.get(self.path, headers=headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
