"""The users of ``manage.py loadcheck``: bank officers who upload a return and watch it being
checked, reviewers who work through the review queue, and regulators who browse. Run by the
command (headless, a fixed number of users and seconds, loopback only), which passes what
they need in the environment:

- ``LOADCHECK_PASSWORD``: the demo accounts' password;
- ``LOADCHECK_OFFICERS``: ``email=request id=workbook`` triples, comma-separated: a bank
  officer, an open return request of theirs and a return for it that passes every rule;
- ``LOADCHECK_REVIEWERS``, ``LOADCHECK_REGULATORS``: emails, comma-separated.

- ``LOADCHECK_LEDGER``: a file where each upload writes one line as it is sent (``sent KEY``)
  and one when the portal answers it (``filing KEY ID`` with the filing's id the portal
  redirected to, or ``refused KEY STATUS``); an upload with no second line got no answer.

The command compares the ids the portal returned with the filings in the database.
"""

import itertools
import os
import re
import uuid
from pathlib import Path

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOADCHECK_PASSWORD", "")
OFFICERS = itertools.cycle(
    tuple(pair.split("=")) for pair in os.environ.get("LOADCHECK_OFFICERS", "").split(",") if pair
)
REVIEWERS = itertools.cycle(os.environ.get("LOADCHECK_REVIEWERS", "").split(","))
REGULATORS = itertools.cycle(os.environ.get("LOADCHECK_REGULATORS", "").split(","))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILING = re.compile(r"/returns/filings/(\d+)/")
LEDGER = os.environ.get("LOADCHECK_LEDGER", os.devnull)


def note(*words: object) -> None:
    with open(LEDGER, "a", encoding="utf-8") as ledger:
        ledger.write(" ".join(map(str, words)) + "\n")


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)

    def sign_in(self, email: str) -> None:
        self.client.get("/accounts/login/", name="login page")
        self.client.post(
            "/accounts/login/",
            {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": self._csrf()},
            name="login",
        )

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")


class BankOfficer(PortalUser):
    weight = 2

    def on_start(self) -> None:
        email, request_id, workbook = next(OFFICERS)
        self.request_url = f"/returns/requests/{request_id}/"
        self.content = Path(workbook).read_bytes()
        self.sign_in(email)

    @task
    def upload(self) -> None:
        self.client.get(self.request_url, name="request page")
        content = self.content
        key = uuid.uuid4().hex
        note("sent", key)
        with self.client.post(
            self.request_url,
            data={
                "action": "upload",
                "declared_size": str(len(content)),
                "csrfmiddlewaretoken": self._csrf(),
            },
            files={"file": ("loans.xlsx", content, XLSX)},
            allow_redirects=False,
            name="upload",
            catch_response=True,
        ) as response:
            found = FILING.search(response.headers.get("Location", ""))
            if response.status_code != 302 or found is None:
                if response.status_code:  # 0: no answer (connection lost), nothing to note
                    note("refused", key, response.status_code)
                response.failure(f"upload answered {response.status_code}")
                return
            note("filing", key, found.group(1))
        for _ in range(3):  # watch it being checked, as the page's progress bar does
            self.client.get(f"/returns/filings/{found.group(1)}/progress/", name="progress")


class Reviewer(PortalUser):
    weight = 1

    def on_start(self) -> None:
        self.sign_in(next(REVIEWERS))

    @task
    def review(self) -> None:
        queue = self.client.get("/returns/review/", name="review queue")
        for filing_id in list(dict.fromkeys(FILING.findall(queue.text)))[:3]:
            self.client.get(f"/returns/filings/{filing_id}/", name="filing page")


class Regulator(PortalUser):
    weight = 1

    def on_start(self) -> None:
        self.sign_in(next(REGULATORS))

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(2)
    def requests(self) -> None:
        self.client.get("/returns/", name="return requests")

    @task
    def dashboard(self) -> None:
        self.client.get("/dashboards/", name="dashboards")
