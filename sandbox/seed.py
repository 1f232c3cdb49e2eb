"""A realistic, deterministic Nordic manufacturer for the Paychex simulator.

Workers are generated lazily from (seed, index): `SeedCompany.worker(i)` builds one record on
demand, so 100,000 workers cost nothing until they are read. The simulator keeps only the records
a scripted change touched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from datetime import date, timedelta

from sandbox import names

ID_MOD = 36**12
ID_MULT = 1923952142679964693  # coprime to 36**12, so index -> id is a bijection that looks random
ID_MULT_INV = pow(ID_MULT, -1, ID_MOD)
ID_OFFSET = 1_234_567_890_123_457
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Company status catalogue: reason -> (statusType, workerStatusId). Ids in the style of the spec's.
STATUS_CATALOGUE = {
    "HIRED": ("ACTIVE", "00DWS906IMW2JSH8AQJ9"),
    "RETURN_TO_WORK": ("ACTIVE", "00DWS906IMW2JSH8AQJA"),
    "REHIRED": ("ACTIVE", "00DWS906IMW2JSH8AQJB"),
    "BEGIN_CONTRACT": ("ACTIVE", "00DWS906IMW2JSH8AQJC"),
    "MEDICAL_LEAVE": ("INACTIVE", "00DWS906IMW2JSH8AQJD"),
    "MATERNITY_LEAVE": ("INACTIVE", "00DWS906IMW2JSH8AQJE"),
    "PATERNITY_LEAVE": ("INACTIVE", "00DWS906IMW2JSH8AQJF"),
    "EDUCATION_LEAVE": ("INACTIVE", "00DWS906IMW2JSH8AQJG"),
    "CONTRACT_ON_HOLD": ("INACTIVE", "00DWS906IMW2JSH8AQJH"),
    "RESIGNED": ("TERMINATED", "00DWS906IMW2JSH8AQJI"),
    "RETIRED": ("TERMINATED", "00DWS906IMW2JSH8AQJJ"),
    "TERMINATION": ("TERMINATED", "00DWS906IMW2JSH8AQJK"),
    "DISCHARGED": ("TERMINATED", "00DWS906IMW2JSH8AQJL"),
    "TERMINATE_CONTRACT": ("TERMINATED", "00DWS906IMW2JSH8AQJM"),
    "PENDING_HIRE": ("PENDING", "00DWS906IMW2JSH8AQJN"),
    "PENDING_REHIRE": ("PENDING", "00DWS906IMW2JSH8AQJO"),
}


@dataclasses.dataclass
class Organization:
    organization_id: str
    name: str
    number: str
    kind: str = "office"


@dataclasses.dataclass
class JobTitle:
    job_title_id: str
    title: str
    job_id: str
    code: str = ""
    kind: str = "office"
    weight: int = 1


@dataclasses.dataclass
class Location:
    location_id: str
    name: str
    street: str = ""
    city: str = ""
    postal_code: str = ""
    country_code: str = ""
    subdivision: str = ""
    kind: str = "office"
    labor_assignment_id: str = ""


@dataclasses.dataclass(slots=True)
class StatusEntry:
    status_type: str
    reason: str
    effective_date: date
    order: int = 0
    status_id: str | None = None


@dataclasses.dataclass(slots=True)
class WorkerRecord:
    index: int
    worker_id: str
    employee_id: str
    given_name: str
    family_name: str
    middle_name: str | None
    preferred_name: str | None
    worker_type: str
    employment_type: str
    exemption_type: str
    sex: str
    birth_date: date
    hire_date: date
    ssn: str
    organization_id: str
    job_title_id: str
    location_id: str
    email: str | None
    mobile: str
    supervisor_index: int | None
    statuses: list[StatusEntry]

    def copy(self) -> "WorkerRecord":
        clone = dataclasses.replace(self)
        clone.statuses = [dataclasses.replace(s) for s in self.statuses]
        return clone


def status(reason: str, effective: date, order: int = 0) -> StatusEntry:
    status_type, status_id = STATUS_CATALOGUE.get(reason, (None, None))
    if status_type is None:
        raise ValueError(f"unknown status reason {reason!r}")
    return StatusEntry(status_type, reason, effective, order, status_id)


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randrange(10**n)).zfill(n)


def _base36(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 36)
        out.append(ALPHABET[r])
    return "".join(reversed(out))


class SeedCompany:
    """The company's reference data plus a lazy, deterministic generator of its workers."""

    def __init__(self, seed: int = 1, workers: int = 300, reference: date | None = None) -> None:
        self.seed = seed
        self.count = workers
        self.reference = reference or date.today()
        digest = hashlib.sha256(f"company-{seed}".encode()).digest()
        rng = random.Random(digest)
        self.company_id = "00" + _base36(int.from_bytes(digest[:12], "big"), 18)
        self.display_id = _digits(rng, 8)
        self.fein = "9" + _digits(rng, 8)
        self.legal_name = names.COMPANY_NAME
        self.email_domain = names.EMAIL_DOMAIN
        self._id_prefix = "00" + _base36(int.from_bytes(digest[12:18], "big"), 6)
        self.organizations = self._organizations(rng)
        self.job_titles = self._job_titles(rng)
        self.locations = self._locations(rng)
        self._org_weights = [5 if o.kind == "plant" else 1 for o in self.organizations]
        self._titles_by_kind = {kind: [t for t in self.job_titles if t.kind == kind] for kind in ("plant", "office")}

    # -- reference data ---------------------------------------------------------------------------
    def _organizations(self, rng: random.Random) -> list[Organization]:
        base = 970000000000000 + rng.randrange(10**9)
        return [Organization(str(base + i * 7), name, number, kind)
                for i, (number, name, kind) in enumerate(names.ORGANIZATIONS)]

    def _job_titles(self, rng: random.Random) -> list[JobTitle]:
        base = 970003400000000 + rng.randrange(10**9)
        return [JobTitle(str(base + i * 3), title, str(base + 500000 + i * 3), code, kind, weight)
                for i, (code, title, weight, kind, _) in enumerate(names.JOB_TITLES)]

    def _locations(self, rng: random.Random) -> list[Location]:
        base = 970001600000000 + rng.randrange(10**9)
        return [Location(str(base + i * 11), name, street, city, postal, country, sub, kind, str(base + 90000 + i))
                for i, (name, street, city, postal, country, sub, kind, _) in enumerate(names.LOCATIONS)]

    # -- ids ------------------------------------------------------------------------------------------
    def worker_id(self, index: int) -> str:
        return self._id_prefix + _base36((index * ID_MULT + ID_OFFSET) % ID_MOD, 12)

    def index_of(self, worker_id: str) -> int | None:
        """Invert worker_id(); None for ids this company never issued."""
        if len(worker_id) != 20 or not worker_id.startswith(self._id_prefix):
            return None
        try:
            scrambled = int(worker_id[8:], 36)
        except ValueError:
            return None
        return ((scrambled - ID_OFFSET) * ID_MULT_INV) % ID_MOD

    @staticmethod
    def employee_id(index: int) -> str:
        return str(1001 + index)

    @staticmethod
    def index_of_employee(employee_id: str) -> int | None:
        return int(employee_id) - 1001 if employee_id.isdigit() and int(employee_id) > 1000 else None

    # -- workers ----------------------------------------------------------------------------------
    def worker(self, index: int) -> WorkerRecord:
        """The seeded worker number `index` (0-based), identical on every call."""
        rng = random.Random(self.seed * 1_000_003 + index)
        sex = rng.choice(("MALE", "FEMALE"))
        given = rng.choice(names.MALE_GIVEN if sex == "MALE" else names.FEMALE_GIVEN)
        family = self._family_name(rng)
        org = self._pick_org(rng)
        contractor = rng.random() < 0.05
        hire = self.reference - timedelta(days=rng.randrange(30, 20 * 365))
        record = WorkerRecord(
            index=index, worker_id=self.worker_id(index), employee_id=self.employee_id(index),
            given_name=given, family_name=family,
            middle_name=rng.choice("ABEGHJKLMST") if rng.random() < 0.3 else None,
            preferred_name=given.split(" ")[0].split("-")[0] if rng.random() < 0.2 else None,
            worker_type="CONTRACTOR" if contractor else "EMPLOYEE",
            employment_type="PART_TIME" if rng.random() < 0.12 else "FULL_TIME",
            exemption_type="EXEMPT" if contractor or org.kind == "office" else "NON_EXEMPT",
            sex=sex, birth_date=date(1960, 1, 1) + timedelta(days=rng.randrange(44 * 365)),
            hire_date=hire, ssn="9" + _digits(rng, 8), organization_id=org.organization_id,
            job_title_id=self._pick_title(rng, org.kind).job_title_id,
            location_id=self._pick_location(rng, org.kind).location_id,
            email=None, mobile="9" + _digits(rng, 7),
            supervisor_index=None if index == 0 else (0 if index < 20 else rng.randrange(1, 20)),
            statuses=[],
        )
        if rng.random() >= 0.03:
            record.email = f"{names.ascii_fold(given)}.{names.ascii_fold(family)}@{self.email_domain}"
        record.statuses = self._history(rng, record, contractor)
        return record

    def _family_name(self, rng: random.Random) -> str:
        roll = rng.random()
        if roll < 0.02:
            return rng.choice(names.LONG_FAMILY)
        if roll < 0.08:
            first, second = rng.sample(names.FAMILY, 2)
            return f"{first}-{second}"
        return rng.choice(names.FAMILY)

    def _pick_org(self, rng: random.Random) -> Organization:
        return rng.choices(self.organizations, self._org_weights)[0]

    def _pick_title(self, rng: random.Random, kind: str) -> JobTitle:
        titles = self._titles_by_kind[kind]
        return rng.choices(titles, [t.weight for t in titles])[0]

    def _pick_location(self, rng: random.Random, kind: str) -> Location:
        if kind == "office" and rng.random() < 0.9:
            return self.locations[0]
        return rng.choice(self.locations[1:])

    def _history(self, rng: random.Random, record: WorkerRecord, contractor: bool) -> list[StatusEntry]:
        """Status history, oldest first: ~80% active, ~8% terminated, ~5% on leave, ~3% pending."""
        hire, today = record.hire_date, self.reference
        start = "BEGIN_CONTRACT" if contractor else "HIRED"
        roll = rng.random()
        if roll < 0.03:
            record.hire_date = today + timedelta(days=rng.randrange(5, 60))
            return [status("PENDING_HIRE", today - timedelta(days=rng.randrange(1, 20))),
                    status(start, record.hire_date)]
        history = [status(start, hire)]
        if rng.random() < 0.1 and (today - hire).days > 800:  # an earlier spell, then rehired
            first = hire - timedelta(days=rng.randrange(400, 2000))
            history = [status(start, first), status("RESIGNED", first + timedelta(days=300)),
                       status("REHIRED", hire)]
            record.hire_date = first  # hireDate keeps the original hire; the rehire is in the history
        after = hire + timedelta(days=rng.randrange(1, max(2, (today - hire).days)))
        if roll < 0.11:
            history.append(status("TERMINATE_CONTRACT" if contractor else
                                  rng.choice(("RESIGNED", "RETIRED", "TERMINATION", "DISCHARGED")), after))
        elif roll < 0.16:
            history.append(status("CONTRACT_ON_HOLD" if contractor else rng.choice(
                ("MEDICAL_LEAVE", "MATERNITY_LEAVE", "PATERNITY_LEAVE", "EDUCATION_LEAVE")), after))
        elif roll < 0.17:  # a resignation recorded ahead of its date: current status still ACTIVE
            history.append(status("RESIGNED", today + timedelta(days=rng.randrange(10, 60))))
        return history
