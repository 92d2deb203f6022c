"""The API as banks' and offices' own systems use it: through a client generated from the
schema by openapi-python-client (generated here, into a temporary folder, never committed),
against a live server, with a real worker validating the returns.

A bank's system files a return that fails, reads its issues, files a corrected version, and its
approver's system signs; a regulator's system lists the review queue and accepts. The client
raises on any status the schema does not document, and parses every body by the schema.
"""

import importlib
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from portal.models import Role
from tests import factories as f
from tests.reporting.returns import loan_row, open_request

PASSWORD = "generated-client-journey-1"


@pytest.fixture(scope="module")
def portal_client(tmp_path_factory):
    """The generated package ``portal_client``, importable for this module's tests."""
    folder = tmp_path_factory.mktemp("generated")
    (folder / "openapi.json").write_bytes(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True))
    )
    (folder / "config.json").write_text(
        json.dumps({"package_name_override": "portal_client", "post_hooks": []})
    )
    generator = Path(sys.executable).with_name("openapi-python-client")
    arguments = ["--path", "openapi.json", "--config", "config.json", "--meta", "none"]
    subprocess.run(
        [generator, "generate", *arguments, "--output-path", "portal_client"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    _import_unset_where_used(folder / "portal_client" / "api")
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("portal_client")
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] == "portal_client"]:
            del sys.modules[name]


def _import_unset_where_used(api: Path) -> None:
    """openapi-python-client 0.29.1 types an operation whose body has several media types as
    ``... | Unset`` without importing ``Unset`` when no other parameter is optional (here the
    token endpoint's, which takes JSON, form and multipart). Add the import it forgot."""
    for module in api.glob("*/*.py"):
        code = module.read_text()
        if "| Unset" in code and "import Response, UNSET, Unset" not in code:
            code = code.replace(
                "from ...types import Response, UNSET",
                "from ...types import Response, UNSET, Unset",
            )
            module.write_text(code)


def _person(role: str, **place):
    user = f.member(role, **place)
    user.set_password(PASSWORD)
    user.save()
    return user


def _signed_in(pc, live_server, user):
    """A client holding the token the user's system obtains with email and password."""
    from portal_client.api.token import token_create
    from portal_client.models import TokenRequest

    anonymous = pc.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    issued = token_create.sync(
        client=anonymous, body=TokenRequest(username=user.email, password=PASSWORD)
    )
    return pc.AuthenticatedClient(
        base_url=live_server.url,
        token=issued.token,
        prefix="Token",
        raise_on_unexpected_status=True,
    )


def _filed(client, request_id: int, rows: list[dict]):
    from portal_client.api.filings import filings_create
    from portal_client.models import FilingRows, FilingRowsRowsItem

    body = FilingRows(request=request_id, rows=[FilingRowsRowsItem.from_dict(r) for r in rows])
    return filings_create.sync(client=client, body=body, idempotency_key=str(uuid.uuid4()))


def _checked(client, filing_id: int, seconds: float = 90):
    """Wait, as a bank's system does, until the portal has checked the return."""
    from portal_client.api.filings import filings_retrieve

    deadline = time.monotonic() + seconds
    while True:
        filing = filings_retrieve.sync(filing_id, client=client)
        if filing.status.value not in {"received", "validating"}:
            return filing
        assert time.monotonic() < deadline, f"filing {filing_id} still {filing.status.value}"
        time.sleep(0.5)


@pytest.mark.worker
def test_a_banks_system_files_corrects_and_signs_and_an_office_accepts(
    portal_client, celery_worker, live_server, matrix
):
    from portal_client.api.filings import (
        filings_accept_create,
        filings_issues_list,
        filings_list,
        filings_sign_create,
    )
    from portal_client.api.return_requests import return_requests_list
    from portal_client.models import Decision, FilingsListStatus, Sign, SignConfirmations

    pc = portal_client
    preparer = _person(Role.PREPARER, institution=matrix.bank_a)
    approver = _person(Role.APPROVER, institution=matrix.bank_a)
    reviewer = _person(Role.REVIEWER, office=matrix.p1)
    request = open_request(matrix.bank_a, period="2025Q1")
    bank = _signed_in(pc, live_server, preparer)

    listed = return_requests_list.sync(client=bank, period="2025Q1", spec_code="SME-LOANS")
    assert request.pk in [r.id for r in listed.results]

    flawed = _filed(bank, request.pk, [loan_row(sme_npl=-1, borrowers="many")])
    rejected = _checked(bank, flawed.id)
    assert rejected.status.value == "rejected"
    issues = filings_issues_list.sync(rejected.id, client=bank)
    assert issues.count == len(issues.results) and issues.count > 0
    assert {"V002", "V003"} <= {hit.code for hit in issues.results}

    corrected = _checked(bank, _filed(bank, request.pk, [loan_row(issued_rate=0.04)]).id)
    assert corrected.status.value == "needs_confirmation" and corrected.version == 2
    warning = filings_issues_list.sync(corrected.id, client=bank).results
    assert "SL-Q201" in {hit.code for hit in warning}

    confirmations = SignConfirmations.from_dict({"SL-Q201": "our system exports fractions"})
    signed = filings_sign_create.sync(
        corrected.id,
        client=_signed_in(pc, live_server, approver),
        body=Sign(confirmations=confirmations),
        idempotency_key=str(uuid.uuid4()),
    )
    assert signed.status.value == "submitted" and signed.receipt_number

    office = _signed_in(pc, live_server, reviewer)
    queue = filings_list.sync(client=office, status=FilingsListStatus.SUBMITTED, limit=1000)
    assert signed.id in [filing.id for filing in queue.results]
    accepted = filings_accept_create.sync(
        signed.id, client=office, body=Decision(comment=""), idempotency_key=str(uuid.uuid4())
    )
    assert accepted.status.value == "accepted" and accepted.is_current
