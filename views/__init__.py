"""How it is shown: the admin panel, its menu and every view, assembled for one app."""

from __future__ import annotations

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from admin_app.headers import csp_nonce
from admin_app.i18n import use_our_admin_words
from models import (
    Activity,
    ActivityKind,
    ActivitySeries,
    Assistance,
    AuditEntry,
    CareRecord,
    CareRound,
    Child,
    Consent,
    DataRequest,
    DutyRule,
    Guardian,
    Home,
    MoneyEntry,
    Pairing,
    ParentContact,
    ResourceCategory,
    ResourceItem,
    SchoolTerm,
    StockMovement,
    User,
    Volunteer,
    VolunteerOrganisation,
)
from views.accounts import UserView
from views.activities import ActivitySeriesView, ActivityView
from views.assistance import AssistanceView
from views.audit import AuditView
from views.base import AppIndexView
from views.calendar import CalendarView
from views.care import CareRecordView, FamilyCallView, PairingView
from views.dashboard import DashboardView
from views.donors import DonorsView
from views.duties import DutyRuleView
from views.export_requests import ExportRequestView
from views.fields import use_quick_html_params
from views.followup import FollowupView
from views.importing import ImportView
from views.inventory import ResourceItemView, StockMovementView
from views.money import MoneyEntryView
from views.my_children import MyChildrenView
from views.people import (
    ChildView,
    GuardianView,
    ParentContactView,
    VolunteerView,
)
from views.places import ActivityKindView, HomeView, LookupView
from views.privacy import ConsentView, DataRequestView, PrivacyView
from views.reminders import ReminderView
from views.reports import ReportsView
from views.rounds import CareRoundView
from views.school_year import SchoolYearView
from views.scorecard import ScorecardView
from views.terms import SchoolTermView
from views.throttled import ThrottledView

CHILDREN = _l("Children's archives")
CARE = _l("Care")
ACTIVITIES = _l("Activities")
RESOURCES = _l("Resources")
SETTINGS = _l("Settings")
PRIVACY = _l("Personal information")


def init_admin(app: Flask) -> Admin:
    use_quick_html_params()
    use_our_admin_words()
    admin = Admin(
        app,
        name=_l("Children's Home records"),
        index_view=DashboardView(name=_l("Overview"), url="/admin"),
        theme=Bootstrap4Theme(base_template="admin/app_base.html", fluid=True),
        csp_nonce_generator=csp_nonce,
    )
    views = [
        ChildView(Child, _l("Children"), CHILDREN, endpoint="child"),
        GuardianView(Guardian, _l("Guardians"), CHILDREN, endpoint="guardian"),
        ParentContactView(ParentContact, _l("Parents"), CHILDREN, endpoint="parent_contact"),
        AssistanceView(Assistance, _l("Assistance received"), CHILDREN, endpoint="assistance"),
        ImportView(name=_l("Import a roster"), category=CHILDREN, endpoint="import",
                   url="import"),
        SchoolYearView(name=_l("New school year"), category=CHILDREN, endpoint="school_year",
                       url="school-year"),
        VolunteerView(Volunteer, _l("Caring mothers"), CARE, endpoint="volunteer"),
        PairingView(Pairing, _l("Pairings"), CARE, endpoint="pairing"),
        CareRecordView(CareRecord, _l("Care records"), CARE, endpoint="care_record"),
        FamilyCallView(CareRecord, _l("Family phone calls"), CARE, endpoint="family_call"),
        FollowupView(name=_l("Five-ones follow-up"), category=CARE, endpoint="followup",
                     url="followup"),
        ReminderView(name=_l("Overdue duties"), category=CARE, endpoint="reminders",
                     url="reminders"),
        ScorecardView(name=_l("Scorecard"), category=CARE, endpoint="scorecard",
                      url="scorecard"),
        ReportsView(name=_l("Reports upward"), category=CARE, endpoint="reports",
                    url="reports"),
        CalendarView(name=_l("Activity calendar"), category=ACTIVITIES, endpoint="calendar",
                     url="calendar"),
        ActivityView(Activity, _l("Activities"), ACTIVITIES, endpoint="activity"),
        ActivitySeriesView(ActivitySeries, _l("Weekly activities"), ACTIVITIES,
                           endpoint="activity_series"),
        ActivityKindView(ActivityKind, _l("Activity kinds"), ACTIVITIES,
                         endpoint="activity_kind"),
        ResourceItemView(ResourceItem, _l("Resources"), RESOURCES, endpoint="resource_item"),
        StockMovementView(StockMovement, _l("Stock movements"), RESOURCES,
                          endpoint="stock_movement"),
        MoneyEntryView(MoneyEntry, _l("Money ledger"), RESOURCES, endpoint="money_entry"),
        DonorsView(name=_l("Donors"), category=RESOURCES, endpoint="donors", url="donors"),
        CareRoundView(CareRound, _l("Care rounds"), RESOURCES, endpoint="care_round"),
        LookupView(ResourceCategory, _l("Resource categories"), RESOURCES,
                   endpoint="resource_category"),
        HomeView(Home, _l("Children's Homes"), SETTINGS, endpoint="home"),
        LookupView(VolunteerOrganisation, _l("Volunteer organisations"), SETTINGS,
                   endpoint="volunteer_organisation"),
        DutyRuleView(DutyRule, _l("Duties of care"), SETTINGS, endpoint="duty_rule"),
        SchoolTermView(SchoolTerm, _l("School terms"), SETTINGS, endpoint="school_term"),
        UserView(User, _l("Accounts"), SETTINGS, endpoint="user"),
        ThrottledView(name=_l("Sign-in waits"), category=SETTINGS, endpoint="throttled",
                      url="sign-in-waits"),
        AuditView(AuditEntry, _l("Audit trail"), SETTINGS, endpoint="audit"),
        PrivacyView(name=_l("Protection of children's information"), category=PRIVACY,
                    endpoint="privacy", url="privacy"),
        ConsentView(Consent, _l("Legal basis and consent"), PRIVACY, endpoint="consent"),
        ExportRequestView(name=_l("Export approvals"), category=PRIVACY,
                          endpoint="export_request", url="export-requests"),
        DataRequestView(DataRequest, _l("Guardians' requests"), PRIVACY,
                        endpoint="data_request"),
        MyChildrenView(name=_l("My children"), endpoint="my_children", url="my-children"),
    ]
    for view in views:
        admin.add_view(view)
    return admin


__all__ = ["AppIndexView", "init_admin"]
