"""Demo accounts, one per role, with passwords made up on the spot and shown once."""

from __future__ import annotations

import secrets
import string

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Home, User, Volunteer
from models.enums import Role

# Letters and digits that cannot be mistaken for each other when copied by hand.
_PASSWORD_CHARS = "".join(c for c in string.ascii_letters + string.digits if c not in "lI1O0o")


def create_demo_accounts(
    session: Session, must_change_password: bool
) -> list[tuple[str, str, Role, str | None]]:
    """Create admin, staff, volunteer and supervisor accounts (the county's, and the first
    Home's township's) if there are no accounts yet.

    Returns (username, password, role, township) for each account created; empty if any
    existed.
    """
    if session.scalar(select(User.id).limit(1)) is not None:
        return []
    home = session.scalar(select(Home).order_by(Home.id).limit(1))
    volunteer = session.scalar(
        select(Volunteer).where(Volunteer.home_id == home.id).order_by(Volunteer.id).limit(1)
    ) if home else None
    township = home.township if home and home.township else None
    # The designated persons (儿童个人信息保护负责人) who decide sensitive exports: the
    # county's supervisor for every Home, the township's for the Homes of her township.
    officers = {"supervisor", "township"}
    plan = [
        ("admin", "系统管理员", Role.ADMIN, None, None, None),
        ("staff", "儿童之家工作人员", Role.STAFF, home, None, None),
        ("volunteer", volunteer.name if volunteer else "爱心妈妈", Role.VOLUNTEER, home, None,
         volunteer),
        ("supervisor", "县妇联督导", Role.SUPERVISOR, None, None, None),
    ]
    if township:
        plan.append(("township", f"{township}妇联督导", Role.SUPERVISOR, None, township, None))
    created = []
    for username, display_name, role, user_home, user_township, user_volunteer in plan:
        password = "".join(secrets.choice(_PASSWORD_CHARS) for _ in range(12))
        user = User(username=username, display_name=display_name, role=role,
                    home=user_home, township=user_township, volunteer=user_volunteer,
                    active=True, must_change_password=must_change_password,
                    privacy_officer=username in officers)
        user.set_password(password)
        session.add(user)
        created.append((username, password, role, user_township))
    session.commit()
    return created
