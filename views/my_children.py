"""我的孩子: what a caring mother sees after signing in — her children as cards, with the
days since the last contact and this month's duties of care at each child's pace, and a
care record two clicks away."""

from __future__ import annotations

from flask_admin import expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from admin_app import access
from admin_app.access import scoped
from admin_app.extensions import db
from admin_app.masking import shown, to_call
from admin_app.reports.reminders import owing, this_week
from models import Child
from models.base import local_today
from models.duties import duties, risks_of
from models.followup import care_days, last_contact, marker, needs_everyone
from models.validators import age_on, next_birthday
from views.base import AppView


class MyChildrenView(AppView):
    resource = "my_children"

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        today = local_today()
        children = db.session.scalars(
            scoped(select(Child), Child, current_user)
            .options(joinedload(Child.guardian), selectinload(Child.parents))
            .order_by(Child.name)
        ).all()
        to_call(current_user, children)
        ids = [child.id for child in children]
        rules = duties(db.session)
        found = care_days(db.session, ids, today, rules,
                          everyone=needs_everyone(rules) or not current_user.volunteer_id)
        contacted = last_contact(db.session, ids)
        marks_of = marker(rules, today)
        cards = [{
            "child": child,
            "age": age_on(child.birth_date, today),
            "birthday": next_birthday(child.birth_date, today),
            "days_since_contact": (today - contacted[child.id]).days
            if child.id in contacted else None,
            "ticks": marks_of(found, child.id, current_user.volunteer_id, risks_of(child)),
            "phones": _phones(child),
        } for child in children]
        # What she owes this week and what is overdue, most overdue first.
        to_do = this_week(owing(current_user, today, volunteer_id=current_user.volunteer_id),
                          today) if current_user.volunteer_id else []
        page = self.render("admin/my_children.html", cards=cards, duties=rules, to_do=to_do,
                           today=today)
        db.session.commit()  # the numbers shown, recorded (masking.to_call)
        return page


def _phones(child: Child) -> list[tuple[str, str, str]]:
    """Whom she may call about the child: (who, name, the number as she may see it), each
    number shown in full recorded in the audit trail (see index: to_call)."""
    calls = []
    if child.guardian and child.guardian.phone:
        calls.append((str(child.guardian.relation.label), child.guardian.name,
                      shown(current_user, "phone", child.guardian.phone)))
    for parent in child.parents:
        if parent.phone:
            calls.append((str(parent.relation.label), parent.name,
                          shown(current_user, "phone", parent.phone)))
    if child.class_teacher_phone:
        calls.append((str(_l("Class teacher")), child.class_teacher,
                      shown(current_user, "phone", child.class_teacher_phone)))
    return calls
