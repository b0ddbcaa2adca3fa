"""The rows each kind of account may see, model by model, written out by hand: the answer
key for access.visible (the filter every list, look-up, export and page applies), so a rule
that widens — another Home's consents, the trail or the accounts for staff, a caring
mother's reach beyond her children — fails here even where no screen shows that model.

Three Homes: 甲 and 丙 in the township 甲乡, 乙 in 乙镇; each has one record of every kind.
A cell lists the Homes whose rows the account sees; 县 stands for rows of no Home (county
accounts, the trail of their making).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from admin_app import access
from models import (
    Activity,
    ActivityParticipant,
    ActivitySeries,
    Assistance,
    AuditEntry,
    CareRecord,
    CareRound,
    Child,
    Consent,
    DataRequest,
    ExportRequest,
    Guardian,
    Home,
    MoneyEntry,
    Pairing,
    ParentContact,
    ResourceItem,
    RosterUpload,
    RoundGift,
    StockMovement,
    User,
    Volunteer,
)
from models.consent import LegalBasis, RequestKind
from models.enums import AssistanceKind, MoneyKind, Role
from tests.test_access import World, build_home

ACCOUNTS = ("staff", "township_staff", "supervisor", "township_supervisor", "county_staff",
            "county_supervisor", "volunteer", "admin")
HOME_A, TOWNSHIP, ALL = "甲", "甲丙", "甲乙丙"
# One Home's row of each kind: a caring mother of 甲 reaches those of her child.
OWN = (HOME_A, TOWNSHIP, HOME_A, TOWNSHIP, ALL, ALL)
HERS, NOT_HERS = (*OWN, HOME_A, ALL), (*OWN, "", ALL)
#                      staff  township supervisor township_sup county_staff county_sup
#                      volunteer admin
KEY = {
    Home: HERS,
    Child: HERS,
    Guardian: HERS,
    ParentContact: HERS,
    # The help a family receives: for those who keep and report the records, not for a
    # caring mother (views.people.ChildView.sees_assistance).
    Assistance: NOT_HERS,
    Volunteer: HERS,
    Pairing: HERS,
    CareRecord: HERS,
    Activity: HERS,
    ActivitySeries: NOT_HERS,
    ActivityParticipant: NOT_HERS,
    ResourceItem: NOT_HERS,
    StockMovement: NOT_HERS,
    # A Home's money: for those who keep its records, never a caring mother's.
    MoneyEntry: NOT_HERS,
    # 慰问 rounds (one a Home here) and their gifts: for those who keep the records.
    CareRound: NOT_HERS,
    RoundGift: NOT_HERS,
    Consent: NOT_HERS,
    DataRequest: NOT_HERS,
    User: ("", "", "", "", "", "", "", "甲乙丙县"),
    AuditEntry: ("", "", "甲", "甲丙", "", "甲乙丙县", "", "甲乙丙县"),
    # Requests made by staff of 甲, 乙 and 丙 and by the county's staff; the township's and
    # the county's supervisors are designated persons, who see the requests they decide.
    ExportRequest: ("甲", "", "", "甲丙", "县", "甲乙丙县", "", "甲乙丙县"),
    # Rosters waiting to be imported, uploaded by staff of 甲 and 乙, the county's staff and
    # an administrator: each seen by her who uploaded it alone.
    RosterUpload: ("甲", "", "", "", "县", "", "", "县"),
}


def _home_of(record) -> int | None:
    for path in (("home_id",), ("child", "home_id"), ("item", "home_id"),
                 ("activity", "home_id")):
        value = record
        for step in path:
            value = getattr(value, step, None)
        if value is not None:
            return value
    if isinstance(record, CareRound):
        return record.homes[0].id
    return record.id if isinstance(record, Home) else None


@pytest.fixture
def world(make, db) -> World:
    w = World()
    homes = {}
    for tag, key, township in (("甲", "A", "甲乡"), ("乙", "B", "乙镇"), ("丙", "C", "甲乡")):
        home, _volunteer = build_home(make, tag, w, key, township)
        homes[tag] = home
        child = db.session.get(Child, w.ids[("child", key)])
        make.series(home=home, title=f"{tag}兴趣小组")
        make._save(Consent(child=child, basis=LegalBasis.GUARDIAN_CONSENT, given_by="奶奶",
                           relation="奶奶", decided_on=date(2025, 3, 1)))
        make._save(DataRequest(child=child, kind=RequestKind.CORRECTION, requested_by="奶奶",
                               received_on=date(2025, 3, 1)))
        make._save(Assistance(child=child, kind=AssistanceKind.MINIMUM_LIVING))
        make._save(MoneyEntry(home_id=home.id, kind=MoneyKind.DONATION,
                              amount=Decimal("100.00"), occurred_on=date(2026, 11, 1),
                              donor=f"{tag}村委会"))
        care_round = make._save(CareRound(name=f"{tag}春节慰问", starts_on=date(2026, 1, 20),
                                          ends_on=date(2026, 2, 10), for_everyone=True,
                                          homes=[home]))
        make._save(RoundGift(round=care_round, child=child, home_id=home.id,
                             given_on=date(2026, 1, 25)))
    volunteer_a = db.session.scalar(select(Volunteer).where(Volunteer.name == "甲妈妈"))
    w.users = {
        "staff": make.user(Role.STAFF, username="staff", home=homes["甲"]),
        "staff_b": make.user(Role.STAFF, username="staff_b", home=homes["乙"]),
        "township_staff": make.user(Role.STAFF, username="township_staff", township="甲乡"),
        "supervisor": make.user(Role.SUPERVISOR, username="supervisor", home=homes["甲"]),
        "township_supervisor": make.user(Role.SUPERVISOR, username="township_supervisor",
                                         township="甲乡"),
        "county_staff": make.user(Role.STAFF, username="county_staff"),
        "county_supervisor": make.user(Role.SUPERVISOR, username="county_supervisor"),
        "volunteer": make.user(Role.VOLUNTEER, username="volunteer", volunteer=volunteer_a),
        "admin": make.user(Role.ADMIN, username="admin"),
    }
    w.users["township_supervisor"].privacy_officer = True
    w.users["county_supervisor"].privacy_officer = True
    staff_c = make.user(Role.STAFF, username="staff_c", home=homes["丙"])
    for number, (user, home) in enumerate(((w.users["staff"], homes["甲"]),
                                           (w.users["staff_b"], homes["乙"]),
                                           (staff_c, homes["丙"]),
                                           (w.users["county_staff"], None))):
        make._save(ExportRequest(user_id=user.id, home_id=home.id if home else None,
                                 endpoint="child", query="", reason="家访", title="花名册"))
        if user is not staff_c:
            make._save(RosterUpload(id=f"upload-{number}", user_id=user.id,
                                    home_id=home.id if home else None, filename="花名册.xlsx",
                                    content=b"x", mapping={}))
    make._save(RosterUpload(id="upload-admin", user_id=w.users["admin"].id, home_id=None,
                            filename="花名册.xlsx", content=b"x", mapping={}))
    w.ids["tags"] = {home.id: tag for tag, home in homes.items()}
    return w


@pytest.mark.parametrize("account", ACCOUNTS)
def test_each_account_sees_the_rows_the_key_says(db, world, account):
    user, tags = world.users[account], world.ids["tags"]
    column = ACCOUNTS.index(account)
    seen, expected = {}, {}
    for model, cells in KEY.items():
        rows = db.session.scalars(access.scoped(select(model), model, user)).all()
        seen[model.__name__] = "".join(sorted({tags.get(_home_of(r), "县") for r in rows},
                                              key="甲乙丙县".index))
        expected[model.__name__] = cells[column]
    assert seen == expected


def test_every_scoped_model_is_in_the_key():
    assert set(access.KNOWN) - access.SHARED == set(KEY)


#        staff township supervisor township_sup county_staff county_sup volunteer admin
HOLDS = (*OWN, "", ALL)
# sees_home(user, None): the county as a whole, held by county-wide scopes only.
HOLDS_THE_COUNTY = (False, False, False, False, True, True, False, True)


@pytest.mark.parametrize("account", ACCOUNTS)
def test_each_account_holds_the_homes_the_key_says(db, world, account):
    user, tags = world.users[account], world.ids["tags"]
    column = ACCOUNTS.index(account)
    held = "".join(tag for home_id, tag in sorted(tags.items(), key=lambda t: "甲乙丙".index(t[1]))
                   if access.sees_home(user, home_id))
    assert held == HOLDS[column]
    assert access.sees_home(user, None) is HOLDS_THE_COUNTY[column]
    assert access.sees_every_home(user) is HOLDS_THE_COUNTY[column]
