"""The command line: demo data, and accounts with the password from standard input."""

from __future__ import annotations

from sqlalchemy import func, select

from models import CareRecord, Child, Guardian, Home, Pairing, ParentContact, User, Volunteer
from models.enums import LivingArrangement, Role


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_fills_every_record_and_prints_accounts(app, db):
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--homes", "2",
                                                "--children", "40", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert count(db, Home) == 2 and count(db, Child) == 40
    for model in (Guardian, ParentContact, Volunteer, Pairing, CareRecord):
        assert count(db, model) > 0, model
    roles = {user.role for user in db.session.scalars(select(User))}
    assert roles == set(Role)
    # A township's supervisor besides the county's: the first Home's township.
    township = db.session.scalar(select(User).where(User.username == "township"))
    first = db.session.scalar(select(Home).order_by(Home.id).limit(1))
    assert township.role is Role.SUPERVISOR and township.home_id is None
    assert township.township == first.township != ""
    # Outside demo mode the printed passwords must be changed at the first sign-in.
    assert all(user.must_change_password for user in db.session.scalars(select(User)))
    for role in Role:
        assert role.value in result.output
    # Under headers, in Chinese, the two supervisors told apart, and how to reset a password.
    lines = result.output.splitlines()
    assert any(line.split()[:3] == ["角色", "用户名", "密码"] for line in lines)
    assert any(line.split()[:2] == ["县督导", "supervisor"] for line in lines)
    assert any(line.split()[:2] == ["乡镇督导", "township"] for line in lines)
    assert any(line.split()[:2] == ["爱心妈妈", "volunteer"] for line in lines)
    assert "users set-password" in result.output
    # Guardians are mostly grandparents, and siblings share one.
    grandparents = db.session.scalar(select(func.count()).select_from(Child).where(
        Child.living_arrangement == LivingArrangement.GRANDPARENTS))
    assert grandparents >= 40 * 0.4
    # Volunteers care for 2-3 children each.
    per_volunteer = db.session.execute(
        select(func.count()).select_from(Pairing).group_by(Pairing.volunteer_id)).scalars().all()
    assert set(per_volunteer) <= {1, 2, 3}


def test_seed_demo_is_deterministic(app, db):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed", "demo", "--children", "30", "--seed", "11", "--no-accounts"])
    first = db.session.scalars(select(Child.name).order_by(Child.id)).all()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    runner.invoke(args=["seed", "demo", "--children", "30", "--seed", "11", "--no-accounts"])
    second = db.session.scalars(select(Child.name).order_by(Child.id)).all()
    assert first == second and len(first) == 30


def test_seed_demo_refuses_a_database_with_data_unless_if_empty(app, db, make):
    make.home()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["seed", "demo", "--no-accounts"])
    assert refused.exit_code != 0
    skipped = runner.invoke(args=["seed", "demo", "--if-empty", "--no-accounts"])
    assert skipped.exit_code == 0
    assert count(db, Home) == 1


def test_users_create_reads_the_password_from_stdin(app, db, make):
    home = make.home(name="城关镇新联村留守儿童之家")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--username", "liu", "--role", "staff",
                                 "--home", "城关镇新联村留守儿童之家"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "liu"))
    assert user.role is Role.STAFF and user.home_id == home.id
    assert user.check_password("a long enough password")


def test_users_create_scopes_an_account_to_a_township(app, db, make):
    make.home(name="城关镇新联村之家", township="城关镇")
    runner = app.test_cli_runner()
    made = runner.invoke(args=["users", "create", "--username", "zhou", "--role", "supervisor",
                               "--township", "城关镇"], input="a long enough password\n")
    assert made.exit_code == 0, made.output
    user = db.session.scalar(select(User).where(User.username == "zhou"))
    assert user.township == "城关镇" and user.home_id is None
    listed = runner.invoke(args=["users", "list"])
    assert "township 城关镇" in listed.output
    # Refused with the form's own messages (the default language).
    for args, message in ((["--role", "staff", "--township", "不存在镇"], "还没有儿童之家"),
                          (["--role", "admin", "--township", "城关镇"], "只有工作人员和督导"),
                          (["--role", "staff", "--township", "城关镇", "--home",
                            "城关镇新联村之家"], "不能同时")):
        refused = runner.invoke(args=["users", "create", "--username", "other", *args],
                                input="a long enough password\n")
        assert refused.exit_code != 0 and message in refused.output, refused.output
    assert count(db, User) == 1


def test_users_create_checks_its_input(app, db, make):
    volunteer = make.volunteer()
    runner = app.test_cli_runner()
    short = runner.invoke(args=["users", "create", "--username", "a", "--role", "admin"],
                          input="short\n")
    assert short.exit_code != 0 and "at least 10" in short.output
    no_home = runner.invoke(args=["users", "create", "--username", "b", "--role", "staff",
                                  "--home", "不存在之家"], input="a long enough password\n")
    assert no_home.exit_code != 0
    bad_role = runner.invoke(args=["users", "create", "--username", "c", "--role", "boss"],
                             input="a long enough password\n")
    assert bad_role.exit_code != 0
    no_volunteer = runner.invoke(args=["users", "create", "--username", "d",
                                       "--role", "volunteer"], input="a long enough password\n")
    assert no_volunteer.exit_code != 0
    linked = runner.invoke(args=["users", "create", "--username", "e", "--role", "volunteer",
                                 "--volunteer-id", str(volunteer.id)],
                           input="a long enough password\n")
    assert linked.exit_code == 0, linked.output
    assert count(db, User) == 1


def test_accounts_are_reset_disabled_and_listed_from_the_command_line(app, db, make):
    user = make.user(Role.STAFF, username="zhao")
    runner = app.test_cli_runner()
    reset = runner.invoke(args=["users", "set-password", "--username", "zhao"],
                          input="another long password\n")
    assert reset.exit_code == 0, reset.output
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.check_password("another long password") and user.must_change_password
    assert runner.invoke(args=["users", "disable", "--username", "zhao"]).exit_code == 0
    db.session.expire_all()
    assert not db.session.get(User, user.id).active
    listing = runner.invoke(args=["users", "list"])
    assert "zhao" in listing.output and "disabled" in listing.output
    assert runner.invoke(args=["users", "enable", "--username", "zhao"]).exit_code == 0
    assert runner.invoke(args=["users", "disable", "--username", "nobody"]).exit_code != 0


def test_seed_lookups_fills_the_lookup_tables_once(app, db):
    from models import ActivityKind, ResourceCategory, VolunteerOrganisation
    from seed import vocabulary as words

    runner = app.test_cli_runner()
    for _ in range(2):  # the second time adds nothing
        result = runner.invoke(args=["seed", "lookups"])
        assert result.exit_code == 0, result.output
    assert [count(db, model) for model in (ActivityKind, ResourceCategory,
                                           VolunteerOrganisation)] == [
        len(words.ACTIVITY_KINDS), len(words.RESOURCE_CATEGORIES),
        len(words.VOLUNTEER_ORGANISATIONS)]


def test_the_demos_bulk_inserts_keep_the_summaries(app, db):
    """The seed writes with bulk inserts the session hooks never see: it keeps the care
    summary and the index of names itself."""
    from tests.test_care_summary import agrees
    from tests.test_name_index import from_names, kept

    result = app.test_cli_runner().invoke(args=["seed", "demo", "--homes", "2", "--children",
                                                "30", "--no-accounts"])
    assert result.exit_code == 0, result.output
    assert agrees()
    assert kept() == from_names() and kept()
