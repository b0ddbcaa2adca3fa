"""The afternoon the township writes its monthly records: caring mothers open their children
and add care records, staff search and open children and record stock movements,
supervisors look at the calendar, the follow-up page, the scorecard and the overview and
export the month. Each simulated
user signs in once, as a real account (made by bench/load.py), on one of the app instances
in LOAD_HOSTS; no request leaves 127.0.0.1."""

from __future__ import annotations

import itertools
import os
import random
import re
import time

from locust import HttpUser, between, events, task

from models.base import local_today

PASSWORD = os.environ.get("LOAD_PASSWORD", "load password 1")
HOSTS = os.environ.get("LOAD_HOSTS", "http://127.0.0.1:8101").split(",")
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                  r'name="csrf_token" value="([^"]+)"')
_numbers = {role: itertools.count(1) for role in ("volunteer", "staff", "supervisor")}
_hosts = itertools.cycle(HOSTS)
# Every request's time with the role of the user who made it, one line each (role, request,
# milliseconds, failed, when it ended): bench/load.py counts percentiles per page kind and
# per role from these, which locust's own tables (per request name) cannot give.
SAMPLES = os.environ.get("LOAD_SAMPLES")
_samples = open(SAMPLES, "w", buffering=1) if SAMPLES else None


@events.request.add_listener
def _sample(request_type, name, response_time, response_length, exception=None,
            context=None, **_kw) -> None:
    if _samples is not None:
        _samples.write(f"{(context or {}).get('role', '')}\t{name}\t{response_time:.1f}\t"
                       f"{1 if exception else 0}\t{time.time():.3f}\n")


def csrf(html: str) -> str:
    match = CSRF.search(html)
    return (match.group(1) or match.group(2)) if match else ""


class Signed(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 3)

    def context(self) -> dict:
        return {"role": self.role}

    def on_start(self) -> None:
        self.base = next(_hosts)
        self.username = f"load_{self.role}_{next(_numbers[self.role])}"
        page = self.client.get(f"{self.base}/login", name="/login")
        self.client.post(f"{self.base}/login", name="/login [POST]", data={
            "username": self.username, "password": PASSWORD, "csrf_token": csrf(page.text)})

    def get(self, path: str, name: str | None = None):
        return self.client.get(self.base + path, name=name or path.split("?")[0])

    def saved(self, path: str, name: str, data: dict) -> None:
        """POST a form; only a redirect means it was saved (a form shown again did not)."""
        with self.client.post(self.base + path, name=f"{name} [POST]", data=data,
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"not saved ({response.status_code})")


class CaringMother(Signed):
    role = "volunteer"
    weight = 5

    @task(3)
    def my_children(self) -> None:
        page = self.get("/admin/my-children/")
        self.children = re.findall(r"child_id=(\d+)", page.text) or getattr(self, "children", [])

    @task(2)
    def add_care_record(self) -> None:
        children = getattr(self, "children", None)
        if not children:
            return self.my_children()
        child = random.choice(children)
        form = self.get(f"/admin/care_record/new/?child_id={child}", "/admin/care_record/new/")
        self.saved(f"/admin/care_record/new/?child_id={child}", "/admin/care_record/new/", {
            "csrf_token": csrf(form.text), "child": child,
            "occurred_on": local_today().isoformat(), "kind": "TALK",
            "notes": "放学后谈心，孩子说这周考试进步了"})


class Staff(Signed):
    role = "staff"
    weight = 3

    @task(3)
    def children_list(self) -> None:
        page = self.get("/admin/child/")
        self.ids = re.findall(r"details/\?id=(\d+)", page.text) or getattr(self, "ids", [])

    @task(2)
    def search(self) -> None:
        self.get("/admin/child/?search=" + random.choice("王李张刘陈杨"), "/admin/child/?search")

    @task(2)
    def archive_card(self) -> None:
        ids = getattr(self, "ids", None)
        if ids:
            self.get(f"/admin/child/details/?id={random.choice(ids)}", "/admin/child/details/")

    @task(1)
    def stock_movement(self) -> None:
        if not getattr(self, "items", None):
            page = self.get("/admin/resource_item/")
            self.items = re.findall(r"details/\?id=(\d+)", page.text)
        if not self.items:
            return
        form = self.get("/admin/stock_movement/new/")
        self.saved("/admin/stock_movement/new/", "/admin/stock_movement/new/", {
            "csrf_token": csrf(form.text), "item": random.choice(self.items),
            "occurred_on": local_today().isoformat(), "kind": "DONATION", "quantity": "1",
            "donor": "县妇联"})


class Supervisor(Signed):
    role = "supervisor"
    weight = 2

    @task(3)
    def calendar(self) -> None:
        self.get("/admin/calendar/")

    @task(2)
    def followup(self) -> None:
        self.get("/admin/followup/")

    @task(1)
    def scorecard(self) -> None:
        self.get("/admin/scorecard/")

    @task(1)
    def overview(self) -> None:
        self.get("/admin/")

    @task(1)
    def export_month(self) -> None:
        self.get(f"/admin/calendar/export.xlsx?month={local_today():%Y-%m}",
                 "/admin/calendar/export.xlsx")
