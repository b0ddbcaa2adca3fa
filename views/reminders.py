"""逾期提醒: the duties of care left overdue, per caring mother — for a Home's staff those
overdue ESCALATE_TO_HOME_DAYS or more, for supervisors and administrators those overdue
ESCALATE_TO_TOWNSHIP_DAYS or more; a county chooses a township or a Home first (its tens
of thousands of pairings are counted per choice)."""

from __future__ import annotations

from itertools import groupby

from flask import url_for
from flask_admin import expose
from flask_login import current_user

from admin_app import access
from admin_app.reports.reminders import escalated, escalation_days, owing
from models.base import local_today
from views.base import AppView
from views.calendar import chosen_place


class ReminderView(AppView):
    resource = "reminders"

    @expose("/")
    @access.needs(access.READ)
    def index(self):
        today = local_today()
        homes, townships, township, home = chosen_place(current_user)
        days = escalation_days(current_user)
        # One Home, or a township: a county waits for the choice.
        chosen = home is not None or township is not None or len(townships) <= 1
        rows = escalated(owing(current_user, today, home.id if home else None, township),
                         days) if chosen else []
        by_mother = [(name, list(group)) for name, group in groupby(
            sorted(rows, key=lambda r: (r.home, r.volunteer.name, -r.owed.overdue_days)),
            key=lambda r: f"{r.volunteer.name}（{r.home}）")]
        return self.render(
            "admin/reminders.html", today=today, days=days, rows=rows, by_mother=by_mother,
            homes=homes, home=home, townships=townships, township=township, chosen=chosen,
            offered=[h for h in homes if township in (None, h.township)],
            child_url=url_for("child.details_view"))
