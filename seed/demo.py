"""Realistic, deterministic demo data, written with bulk inserts so a county takes minutes.

The proportions follow DOMAIN.md (Pingjiang county): about two thirds of the children live
with grandparents, a tenth each with other relatives and with a proxy guardian, a few
alone; about a quarter board at school; most are paired with a caring mother who has 2–3
children and writes a year of care records.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import (
    ActivityKind,
    Assistance,
    CareRecord,
    Child,
    Guardian,
    Home,
    Pairing,
    ParentContact,
    ResourceCategory,
    Volunteer,
    VolunteerOrganisation,
    care_summary,
    name_index,
)
from models.base import local_today
from models.enums import (
    AssistanceKind,
    CareKind,
    FamilySituation,
    Gender,
    GuardianRelation,
    Guardianship,
    LeftBehindType,
    LivingArrangement,
    ParentRelation,
    Schooling,
    VolunteerKind,
)
from seed import vocabulary as words
from seed.calendar import add_months
from seed.giving import GivingMixin
from seed.home_life import HomeLifeMixin
from seed.lookups import ensure_lookups

BATCH = 5000
COUNTY_CODE = "430626"  # Pingjiang county, Hunan
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

ARRANGEMENTS = (
    (LivingArrangement.GRANDPARENTS, 0.64),
    (LivingArrangement.RELATIVES, 0.11),
    (LivingArrangement.PROXY_GUARDIAN, 0.10),
    (LivingArrangement.ALONE, 0.02),
    (LivingArrangement.ONE_PARENT, 0.13),
)
GUARDIAN_BY_ARRANGEMENT = {
    LivingArrangement.GRANDPARENTS: (
        GuardianRelation.GRANDMOTHER, GuardianRelation.GRANDFATHER,
        GuardianRelation.MATERNAL_GRANDMOTHER, GuardianRelation.MATERNAL_GRANDFATHER,
    ),
    LivingArrangement.RELATIVES: (GuardianRelation.RELATIVE,),
    LivingArrangement.PROXY_GUARDIAN: (GuardianRelation.PROXY,),
    LivingArrangement.ONE_PARENT: (GuardianRelation.MOTHER, GuardianRelation.FATHER),
}


@dataclass
class Counts:
    homes: int = 0
    children: int = 0
    guardians: int = 0
    parents: int = 0
    volunteers: int = 0
    pairings: int = 0
    care_records: int = 0
    activities: int = 0
    items: int = 0
    movements: int = 0
    extra: dict = field(default_factory=dict)


def id_number(area: str, born: date, sequence: int, male: bool) -> str:
    """A resident ID number with a valid GB 11643 check character."""
    if sequence >= 500:
        raise ValueError("more than 500 children of one sex born on one day")
    seq = sequence * 2 + (1 if male else 0)
    body = f"{area}{born:%Y%m%d}{seq:03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


class DemoBuilder(HomeLifeMixin, GivingMixin):
    def __init__(self, session: Session, seed: int, today: date) -> None:
        self.session = session
        self.seed = seed
        self.rng = random.Random(seed)
        # The MCA registration's details (民族, 户籍, 就学, 监护情况, 救助) drawn from a stream
        # of their own, so the rest of a seeded county stays as it was before they came.
        self.registration = random.Random(seed + 1)
        self.today = today
        self.counts = Counts()
        # The next ID sequence number per (birth date, sex), so numbers never repeat.
        self.id_sequence: dict[tuple[date, bool], int] = {}

    # -- small helpers ------------------------------------------------------------------
    def pick(self, seq: Sequence):
        return seq[self.rng.randrange(len(seq))]

    def person_name(self, male: bool, surname: str | None = None) -> str:
        chars = words.GIVEN_BOY if male else words.GIVEN_GIRL
        given = "".join(self.pick(chars) for _ in range(self.rng.choice((1, 2, 2))))
        if self.rng.random() < 0.002:
            given = self.pick(words.RARE_GIVEN) + given[:1]
        return (surname or self.pick(words.SURNAMES)) + given

    def next_id_number(self, born: date, male: bool) -> str:
        sequence = self.id_sequence.get((born, male), 0)
        self.id_sequence[(born, male)] = sequence + 1
        return id_number(COUNTY_CODE, born, sequence, male)

    def mobile(self) -> str:
        return f"1{self.pick('3578')}{self.rng.randrange(10**9):09d}"

    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange(max((end - start).days, 0) + 1))

    def insert_returning_ids(self, model, rows: list[dict]) -> list[int]:
        ids: list[int] = []
        for chunk in _chunks(rows, BATCH):
            ids.extend(self.session.scalars(
                insert(model).returning(model.id, sort_by_parameter_order=True), chunk
            ))
        return ids

    def insert_rows(self, table, rows: list[dict]) -> None:
        for chunk in _chunks(rows, BATCH):
            self.session.execute(insert(table), chunk)

    # -- lookups --------------------------------------------------------------------------
    def lookups(self) -> dict[str, dict[str, int]]:
        ensure_lookups(self.session)
        return {
            "kinds": dict(self.session.execute(select(ActivityKind.name, ActivityKind.id)).all()),
            "categories": dict(
                self.session.execute(select(ResourceCategory.name, ResourceCategory.id)).all()
            ),
            "organisations": list(self.session.scalars(select(VolunteerOrganisation.id))),
        }

    # -- the whole county ---------------------------------------------------------------
    def build(self, homes: int, children: int) -> Counts:
        lookups = self.lookups()
        home_ids, townships = self.build_homes(homes)
        per_home = _spread(children, len(home_ids))
        for home_id, township, n_children in zip(home_ids, townships, per_home, strict=True):
            self.build_home(home_id, township, n_children, lookups)
        if home_ids:
            self.make_money_and_rounds(home_ids)
        return self.counts

    def build_homes(self, n: int) -> tuple[list[int], list[str]]:
        rows = []
        for i in range(n):
            township = words.TOWNSHIPS[i % len(words.TOWNSHIPS)]
            village = words.VILLAGES[(i // len(words.TOWNSHIPS)) % len(words.VILLAGES)]
            suffix = "" if i < len(words.TOWNSHIPS) * len(words.VILLAGES) else f"{i}"
            rows.append({
                "name": f"{township}{village}{suffix}留守儿童之家",
                "township": township,
                "village": village,
                "address": f"平江县{township}{village}村部",
                "phone": f"0730-{self.rng.randrange(10**7):07d}",
                "opening_hours": self.pick(("周二、周四下午", "每周六全天", "周一至周五放学后")),
            })
        self.counts.homes += n
        return self.insert_returning_ids(Home, rows), [row["township"] for row in rows]

    def build_home(self, home_id: int, township: str, n_children: int, lookups: dict) -> None:
        # Schools are named after the township: 城关镇 -> 城关中心小学.
        schools = [f"{township[:2]}{kind}" for kind in words.SCHOOL_KINDS[:3]]
        children, guardian_rows, parents_of = self.make_children(home_id, n_children, schools)
        guardian_ids = self.insert_returning_ids(Guardian, guardian_rows)
        for row in children:
            index = row.pop("_guardian")
            row["guardian_id"] = guardian_ids[index] if index is not None else None
        child_ids = self.insert_returning_ids(Child, children)
        connection = self.session.connection()
        name_index.add(connection, "guardian",
                       zip(guardian_ids, (g["name"] for g in guardian_rows), strict=True))
        name_index.add(connection, "child",
                       zip(child_ids, (c["name"] for c in children), strict=True))
        parent_rows = [
            {**parent, "child_id": child_ids[i]}
            for i, parents in enumerate(parents_of) for parent in parents
        ]
        self.insert_rows(ParentContact, parent_rows)
        self.insert_rows(Assistance, self.make_assistance(children, child_ids))
        self.counts.children += len(child_ids)
        self.counts.guardians += len(guardian_ids)
        self.counts.parents += len(parent_rows)

        volunteer_ids, pairs = self.make_pairings(home_id, child_ids, lookups)
        self.make_care_records(pairs, [row["guardian_id"] for row in children])
        care_summary.rebuild(self.session.connection(), child_ids)
        self.make_activities(home_id, child_ids, volunteer_ids, lookups)
        self.make_inventory(home_id, child_ids, lookups)

    def make_children(self, home_id: int, n: int, schools: list[str]):
        children: list[dict] = []
        guardians: list[dict] = []
        parents_of: list[list[dict]] = []
        arrangements, weights = zip(*ARRANGEMENTS, strict=True)
        sibling_guardian: int | None = None
        for _ in range(n):
            male = self.rng.random() < 0.52
            born = self.day_between(self.today - timedelta(days=365 * 15),
                                    self.today - timedelta(days=365 * 6))
            age = (self.today - born).days // 365
            arrangement = self.rng.choices(arrangements, weights)[0]
            both_away = arrangement != LivingArrangement.ONE_PARENT
            # About one child in eight is a younger sibling sharing the previous guardian.
            sibling = sibling_guardian is not None and self.rng.random() < 0.12
            if not sibling:
                family_name = self.pick(words.SURNAMES)
            if sibling:
                guardian_index = sibling_guardian
                arrangement = children[-1]["living_arrangement"]
            elif arrangement == LivingArrangement.ALONE:
                guardian_index = None
            else:
                relation = self.pick(GUARDIAN_BY_ARRANGEMENT[arrangement])
                guardian_male = relation in (GuardianRelation.GRANDFATHER,
                                             GuardianRelation.MATERNAL_GRANDFATHER,
                                             GuardianRelation.FATHER)
                elderly = arrangement == LivingArrangement.GRANDPARENTS
                guardians.append({
                    "home_id": home_id,
                    # Paternal grandparents and fathers carry the family name.
                    "name": self.person_name(
                        guardian_male,
                        family_name if relation in (GuardianRelation.GRANDFATHER,
                                                    GuardianRelation.FATHER) else None),
                    "relation": relation,
                    "phone": self.mobile() if self.rng.random() < 0.9 else None,
                    "birth_year": self.today.year - (self.rng.randrange(58, 80) if elderly
                                                     else self.rng.randrange(30, 55)),
                    "health": self.pick(words.HEALTH_GUARDIAN),
                    "occupation": self.pick(words.OCCUPATIONS),
                    "education": self.pick(words.EDUCATION),
                    "address": f"{self.pick(words.VILLAGES)}{self.rng.randrange(1, 12)}组",
                })
                guardian_index = len(guardians) - 1
            sibling_guardian = guardian_index
            grade_index = min(max(age - 6, 0), len(words.GRADES) - 1)
            name = self.person_name(male, family_name)
            children.append({
                "home_id": home_id,
                "name": name,
                "gender": Gender.MALE if male else Gender.FEMALE,
                "birth_date": born,
                "id_number": self.next_id_number(born, male) if self.rng.random() < 0.85
                else None,
                "school": schools[0] if grade_index < 6 else schools[2],
                "grade": words.GRADES[grade_index],
                "class_name": f"{self.rng.randrange(1, 4)}班",
                "class_teacher": self.person_name(self.rng.random() < 0.3),
                "class_teacher_phone": self.mobile(),
                "address": f"{self.pick(words.VILLAGES)}{self.rng.randrange(1, 12)}组",
                "left_behind_type": (LeftBehindType.BOTH_PARENTS if both_away
                                     else LeftBehindType.ONE_PARENT),
                "living_arrangement": arrangement,
                "boarding": self.rng.random() < 0.26,
                "family_situation": self.rng.choices(
                    list(FamilySituation), (0.86, 0.07, 0.06, 0.01))[0],
                "key_target": self.rng.random() < 0.08,
                "in_difficulty": self.rng.random() < 0.05,
                "health": self.pick(("健康", "健康", "健康", "体质较弱", "有哮喘")),
                "study": self.pick(words.STUDY),
                "psychology": self.pick(words.PSYCHOLOGY),
                "behaviour": "",
                "hobbies": self.pick(words.HOBBIES),
                "entered_on": self.day_between(max(born + timedelta(days=365 * 6),
                                                   self.today - timedelta(days=365 * 3)),
                                               self.today - timedelta(days=30)),
                "_guardian": guardian_index,
            })
            parents_of.append(self.make_parents(both_away, family_name))
            self.add_registration(children[-1], parents_of[-1], age)
        return children, guardians, parents_of

    def add_registration(self, child: dict, parents: list[dict], age: int) -> None:
        """What the MCA registration form asks of a child and her parents away."""
        r = self.registration
        # Archived when the child entered care, as in a county that has kept its records
        # here since: the consolidation rate reads a pupil's schooling back to then.
        child["created_at"] = datetime.combine(child["entered_on"], time(9, 0), tzinfo=UTC)
        village = child["address"].rstrip("0123456789组")
        child["ethnicity"] = r.choices(("汉族", "苗族", "土家族", "侗族", "瑶族"),
                                       (0.86, 0.05, 0.04, 0.03, 0.02))[0]
        child["hukou_address"] = f"{words.HUKOU_COUNTY}{village}"
        child["hukou_elsewhere"] = r.random() < 0.08
        child["schooling"] = None if r.random() < 0.03 else r.choices(
            (Schooling.IN_SCHOOL, Schooling.SUSPENDED, Schooling.DROPPED_OUT),
            (0.98, 0.01, 0.01))[0] if age >= 6 else Schooling.KINDERGARTEN
        if child["living_arrangement"] == LivingArrangement.ALONE:
            child["guardianship"] = Guardianship.NOBODY
        else:
            child["guardianship"] = r.choices(
                (Guardianship.GOOD, Guardianship.FAIR, Guardianship.POOR,
                 Guardianship.PROXY_UNABLE, None), (0.46, 0.34, 0.04, 0.04, 0.12))[0]
        for parent in parents:
            parent["health"] = r.choice(("良好", "良好", "良好", "一般"))
            parent["able_to_guard"] = True if r.random() < 0.7 else None

    def make_assistance(self, children: list[dict], child_ids: list[int]) -> list[dict]:
        """The help some families receive: 低保 for one in ten, 孤儿基本生活费 for orphans,
        临时救助 now and then, some of it ended."""
        r, rows = self.registration, []
        for child, child_id in zip(children, child_ids, strict=True):
            kinds = []
            if r.random() < 0.1:
                kinds.append(AssistanceKind.MINIMUM_LIVING)
            if child["family_situation"] == FamilySituation.ORPHAN:
                kinds.append(AssistanceKind.ORPHAN)
            if r.random() < 0.03:
                kinds.append(AssistanceKind.TEMPORARY)
            for kind in kinds:
                since = self.today - timedelta(days=r.randrange(60, 900))
                ended = kind is AssistanceKind.TEMPORARY and r.random() < 0.5
                rows.append({"child_id": child_id, "kind": kind, "since": since,
                             "until": since + timedelta(days=90) if ended else None,
                             "monthly_amount": None, "note": ""})
        return rows

    def make_parents(self, both_away: bool, family_name: str) -> list[dict]:
        relations = [ParentRelation.FATHER, ParentRelation.MOTHER]
        if not both_away:
            relations = [self.pick(relations)]
        rows = []
        for relation in relations:
            city = self.pick(words.CITIES)
            rows.append({
                "relation": relation,
                "name": self.person_name(
                    relation == ParentRelation.FATHER,
                    family_name if relation == ParentRelation.FATHER else None),
                "phone": self.mobile(),
                "work_city": city,
                "employer": f"{city}{self.pick(words.EMPLOYERS)}",
                "employer_address": f"{city}市{self.pick(words.DISTRICTS)}",
                "usual_return": self.pick(words.RETURNS),
            })
        return rows

    def make_pairings(self, home_id: int, child_ids: list[int], lookups: dict):
        rng = self.rng
        paired = [c for c in child_ids if rng.random() < 0.85]
        volunteers = []
        groups: list[list[int]] = []
        while paired:
            size = rng.choice((2, 3, 3))
            groups.append(paired[:size])
            paired = paired[size:]
            kind = rng.choices(list(VolunteerKind), (40, 10, 20, 8, 6, 8, 4, 3, 1))[0]
            volunteers.append({
                "home_id": home_id,
                "name": self.person_name(
                    kind != VolunteerKind.CARING_MOTHER and rng.random() < 0.2),
                "gender": Gender.FEMALE if kind == VolunteerKind.CARING_MOTHER or rng.random() < 0.7
                else Gender.MALE,
                "phone": self.mobile(),
                "organisation_id": self.pick(lookups["organisations"]),
                "kind": kind,
                "active": True,
                "joined_on": self.day_between(self.today - timedelta(days=900),
                                              self.today - timedelta(days=400)),
            })
        volunteer_ids = self.insert_returning_ids(Volunteer, volunteers)
        pairing_rows, pairs = [], []
        for volunteer_id, group in zip(volunteer_ids, groups, strict=True):
            for child_id in group:
                started = self.day_between(self.today - timedelta(days=380),
                                           self.today - timedelta(days=330))
                pairing_rows.append({"volunteer_id": volunteer_id, "child_id": child_id,
                                     "started_on": started, "ended_on": None,
                                     "end_reason": ""})
                pairs.append((volunteer_id, child_id, started))
        self.insert_rows(Pairing, pairing_rows)
        self.counts.volunteers += len(volunteer_ids)
        self.counts.pairings += len(pairing_rows)
        return volunteer_ids, pairs

    def make_care_records(self, pairs, guardian_ids) -> None:
        rng, rows = self.rng, []
        month_start = self.today.replace(day=1)
        for volunteer_id, child_id, started in pairs:
            for months_back in range(12):
                first = add_months(month_start, -months_back)
                last = min(add_months(first, 1) - timedelta(days=1), self.today)
                if last < started:
                    break
                first = max(first, started)
                # Most months see a talk; the other duties are kept less faithfully.
                plan = [(CareKind.TALK, 0.9), (CareKind.PARENT_CALL, 0.6),
                        (CareKind.TEACHER_CONTACT, 0.35), (CareKind.GUARDIAN_CONTACT, 0.35),
                        (CareKind.HOME_VISIT, 0.1)]
                if months_back in (4, 10):
                    plan.append((CareKind.FESTIVAL, 0.5))
                for kind, chance in plan:
                    if rng.random() < chance:
                        notes = words.NOTES.get(kind.value, ("",))
                        rows.append({
                            "child_id": child_id, "volunteer_id": volunteer_id,
                            "occurred_on": self.day_between(first, last), "kind": kind,
                            "notes": self.pick(notes),
                            "follow_up_needed": rng.random() < 0.03,
                            "follow_up_note": "",
                        })
        self.insert_rows(CareRecord, rows)
        self.counts.care_records += len(rows)


def build_demo(session: Session, homes: int, children: int, seed: int,
               today: date | None = None) -> Counts:
    counts = DemoBuilder(session, seed, today or local_today()).build(homes, children)
    session.commit()
    return counts


def _chunks(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _spread(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]



