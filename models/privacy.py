"""What every column holds, in one place: public, personal or sensitive information, and why
it is kept (PIPL Art. 6 minimum scope, Art. 28 sensitive information; 儿童个人信息网络保护规定
Art. 11). Every column of every table is listed; a test fails when a column is missing, so a
new column cannot be added without saying what it is and why it is kept.

Sensitive here: resident ID numbers, phones, home addresses, health, psychology and
behaviour notes, notes of talks and follow-ups, and what carries them (the audit trail's
changes, an uploaded roster). All of a child's information is a minor's personal
information; "public" means it says nothing about a person (a Home's opening hours, a
record's number).
"""

from __future__ import annotations

PUBLIC, PERSONAL, SENSITIVE = "public", "personal", "sensitive"
LEVELS = (PUBLIC, PERSONAL, SENSITIVE)

# Bookkeeping every record has.
COMMON = {
    "id": (PUBLIC, "record number"),
    "version": (PUBLIC, "stops two people overwriting each other"),
    "created_at": (PUBLIC, "when the record was made"),
    "updated_at": (PUBLIC, "when the record last changed"),
}

CLASSIFICATION: dict[str, dict[str, tuple[str, str]]] = {
    "home": {
        "name": (PUBLIC, "which Home"), "township": (PUBLIC, "where the Home is"),
        "village": (PUBLIC, "where the Home is"), "address": (PUBLIC, "where the Home is"),
        "phone": (PUBLIC, "the Home's own phone, for families"),
        "opening_hours": (PUBLIC, "when families can come"),
    },
    "child": {
        "home_id": (PERSONAL, "which Home cares for the child"),
        "name": (PERSONAL, "who the child is"),
        "gender": (PERSONAL, "statistics the county reports"),
        "birth_date": (PERSONAL, "age: care ends at 18; under-14 consent rules"),
        "id_number": (SENSITIVE, "tells two children apart; required by the 2016 registration"),
        "id_number_hash": (PERSONAL, "finds a child by the whole ID number (keyed hash)"),
        "ethnicity": (PERSONAL, "required by the 2016 registration form (民族)"),
        "hukou_address": (SENSITIVE, "required by the 2016 registration form (户籍所在地)"),
        "hukou_elsewhere": (PERSONAL, "whether the child lives where her household is registered"),
        "schooling": (PERSONAL, "enrolment and retention the county reports (就学情况)"),
        "school": (PERSONAL, "contact with the school"), "grade": (PERSONAL, "study support"),
        "class_name": (PERSONAL, "contact with the class teacher"),
        "class_teacher": (PERSONAL, "who to call at school"),
        "class_teacher_phone": (SENSITIVE, "calling the class teacher"),
        "address": (SENSITIVE, "home visits"),
        "left_behind_type": (PERSONAL, "statistics and priority of care"),
        "living_arrangement": (PERSONAL, "statistics and priority of care"),
        "boarding": (PERSONAL, "when the child can be reached"),
        "family_situation": (PERSONAL, "priority of care"),
        "guardianship": (PERSONAL, "priority of care; the MCA survey's assessment"),
        "key_target": (PERSONAL, "priority of care"),
        "in_difficulty": (PERSONAL, "priority of care"),
        "health": (SENSITIVE, "care the child needs"),
        "study": (PERSONAL, "study support"),
        "psychology": (SENSITIVE, "care the child needs"),
        "behaviour": (SENSITIVE, "care the child needs"),
        "hobbies": (PERSONAL, "choosing activities"),
        "entered_on": (PERSONAL, "how long in care; retention"),
        "status": (PERSONAL, "in care or not; retention"),
        "left_on": (PERSONAL, "retention period"),
        "leave_reason": (PERSONAL, "statistics"), "leave_note": (PERSONAL, "why care ended"),
        "guardian_id": (PERSONAL, "who the child lives with"),
        "anonymised_on": (PUBLIC, "when the retention period ended"),
        "last_care_on": (PERSONAL, "who has gone longest without care (derived)"),
    },
    "consent": {
        "child_id": (PERSONAL, "whose consent"), "basis": (PERSONAL, "legal basis"),
        "state": (PERSONAL, "given, refused or withdrawn"),
        "given_by": (PERSONAL, "who decided"), "relation": (PERSONAL, "who decided"),
        "decided_on": (PERSONAL, "when"), "scope": (PERSONAL, "what was agreed"),
        "notice_version": (PUBLIC, "which notice was read"),
        "note": (PERSONAL, "what follows from the decision"),
    },
    "export_request": {
        "user_id": (PERSONAL, "who asked"), "home_id": (PUBLIC, "which Home's officer decides"),
        "endpoint": (PUBLIC, "which list"), "query": (PERSONAL, "which rows (search, filters)"),
        "title": (PUBLIC, "the file's title"), "reason": (PERSONAL, "what the export is for"),
        "state": (PUBLIC, "tracking"), "decided_by_id": (PERSONAL, "who approved"),
        "decided_on": (PUBLIC, "when it was decided"),
    },
    "data_request": {
        "child_id": (PERSONAL, "whose information"), "kind": (PERSONAL, "what was asked"),
        "requested_by": (PERSONAL, "who asked"), "relation": (PERSONAL, "who asked"),
        "received_on": (PERSONAL, "when"), "details": (PERSONAL, "what was asked"),
        "state": (PUBLIC, "tracking to done"), "handled_by_id": (PERSONAL, "who handled it"),
        "handled_on": (PERSONAL, "when it was done"), "outcome": (PERSONAL, "what was done"),
    },
    "guardian": {
        "home_id": (PERSONAL, "which Home"), "name": (PERSONAL, "who to talk to"),
        "relation": (PERSONAL, "who to talk to"), "phone": (SENSITIVE, "calling the guardian"),
        "phone_hash": (PERSONAL, "finds the guardian by the whole phone (keyed hash)"),
        "birth_year": (PERSONAL, "whether an elderly guardian needs help"),
        "health": (SENSITIVE, "whether the guardian can care for the child"),
        "occupation": (PERSONAL, "family situation"), "education": (PERSONAL, "family situation"),
        "address": (SENSITIVE, "home visits"),
    },
    "child_move": {
        "child_id": (PERSONAL, "whose move"), "from_home_id": (PERSONAL, "where she came from"),
        "to_home_id": (PERSONAL, "where she went"), "moved_on": (PERSONAL, "when she moved"),
        "recorded_by_id": (PERSONAL, "who recorded the move"),
        "note": (PERSONAL, "why she moved"),
    },
    "parent_contact": {
        "child_id": (PERSONAL, "whose parent"), "relation": (PERSONAL, "father or mother"),
        "name": (PERSONAL, "who to call"), "phone": (SENSITIVE, "calling the parent"),
        "phone_hash": (PERSONAL, "finds the parent by the whole phone (keyed hash)"),
        "work_city": (PERSONAL, "where the parent works"),
        "employer": (PERSONAL, "reaching the parent"),
        "employer_address": (PERSONAL, "reaching the parent"),
        "usual_return": (PERSONAL, "planning family visits"),
        "id_number": (SENSITIVE, "required by the 2016 registration form (附件1)"),
        "health": (SENSITIVE, "whether the parent can act as guardian (the registration)"),
        "able_to_guard": (PERSONAL, "the left-behind type and guardianship (the registration)"),
    },
    "assistance": {
        "child_id": (PERSONAL, "who is helped"),
        "kind": (PERSONAL, "the county's summary of assisted children (附件3)"),
        "monthly_amount": (PERSONAL, "what the family receives each month"),
        "since": (PERSONAL, "since when"), "until": (PERSONAL, "until when"),
        "note": (PERSONAL, "what else staff need to know"),
    },
    "volunteer": {
        "home_id": (PERSONAL, "which Home"), "name": (PERSONAL, "who cares"),
        "gender": (PERSONAL, "statistics"), "phone": (SENSITIVE, "reaching the volunteer"),
        "phone_hash": (PERSONAL, "finds the volunteer by the whole phone (keyed hash)"),
        "organisation_id": (PERSONAL, "statistics"), "kind": (PERSONAL, "statistics"),
        "active": (PERSONAL, "who can be paired"), "joined_on": (PERSONAL, "statistics"),
    },
    "pairing": {
        "volunteer_id": (PERSONAL, "who cares for whom"),
        "child_id": (PERSONAL, "who cares for whom"),
        "started_on": (PERSONAL, "care history"), "ended_on": (PERSONAL, "care history"),
        "end_reason": (PERSONAL, "care history"),
        "is_primary": (PERSONAL, "one main caring mother per child"),
    },
    "care_record": {
        "child_id": (PERSONAL, "whose record"), "volunteer_id": (PERSONAL, "who cared"),
        "recorded_by_id": (PERSONAL, "who wrote it"), "occurred_on": (PERSONAL, "five-ones"),
        "kind": (PERSONAL, "five-ones"), "notes": (SENSITIVE, "what was talked about"),
        "follow_up_needed": (PERSONAL, "follow-up"),
        "follow_up_note": (SENSITIVE, "what needs following up"),
        "follow_up_done_on": (PERSONAL, "follow-up"),
        "parent_id": (PERSONAL, "family phone: with whom"),
        "minutes": (PERSONAL, "family phone: how long"),
        "video": (PERSONAL, "family phone: a video call"),
        "device_id": (PUBLIC, "family phone: on which of the Home's devices"),
    },
    "name_gram": {
        "kind": (PUBLIC, "children's or guardians' names"),
        "gram": (PERSONAL, "finds a name by a fragment (characters of the name)"),
        "record_id": (PERSONAL, "whose name"),
    },
    "kept_figures": {
        "key": (PUBLIC, "which figures"), "computed_at": (PUBLIC, "how old they are"),
        "content": (PERSONAL, "a county's counts and the children longest without care"),
    },
    "care_month": {
        "child_id": (PERSONAL, "duties of care (derived from care records)"),
        "volunteer_id": (PERSONAL, "duties of care (derived from care records)"),
        "month": (PERSONAL, "duties of care (derived from care records)"),
        **{f"{kind}_days": (PERSONAL, "duties of care (derived from care records)")
           for kind in ("talk", "home_visit", "parent_call", "parent_letter", "teacher_contact",
                        "guardian_contact", "festival", "other")},
    },
    "school_term": {name: (PUBLIC, "school terms and holidays") for name in (
        "school_year", "term", "first_day", "last_day")},
    "duty_rule": {name: (PUBLIC, "duties of care") for name in (
        "name", "position", "kinds", "frequency", "fulfilled_by", "stricter_frequency",
        "stricter_for", "active")},
    "activity_kind": {"name": (PUBLIC, "calendar"), "colour": (PUBLIC, "calendar"),
                      "sort_order": (PUBLIC, "calendar")},
    "activity_series": {
        "home_id": (PUBLIC, "calendar"), "title": (PUBLIC, "calendar"),
        "kind_id": (PUBLIC, "calendar"), "weekdays": (PUBLIC, "calendar"),
        "starts_at_time": (PUBLIC, "calendar"), "ends_at_time": (PUBLIC, "calendar"),
        "first_day": (PUBLIC, "calendar"), "last_day": (PUBLIC, "calendar"),
        "place": (PUBLIC, "calendar"), "organiser": (PERSONAL, "who runs it"),
    },
    "activity": {
        "home_id": (PUBLIC, "calendar"), "title": (PUBLIC, "calendar"),
        "kind_id": (PUBLIC, "calendar"), "starts_at": (PUBLIC, "calendar"),
        "ends_at": (PUBLIC, "calendar"), "place": (PUBLIC, "calendar"),
        "organiser": (PERSONAL, "who runs it"), "status": (PUBLIC, "calendar"),
        "summary": (PERSONAL, "what happened; may name children"),
        "series_id": (PUBLIC, "calendar"),
    },
    "activity_participant": {"activity_id": (PERSONAL, "who took part"),
                             "child_id": (PERSONAL, "who took part"),
                             "attended": (PERSONAL, "who took part")},
    "activity_volunteer": {"activity_id": (PERSONAL, "who helped"),
                           "volunteer_id": (PERSONAL, "who helped")},
    "activity_series_child": {"series_id": (PERSONAL, "who takes part"),
                              "child_id": (PERSONAL, "who takes part")},
    "activity_series_volunteer": {"series_id": (PERSONAL, "who helps"),
                                  "volunteer_id": (PERSONAL, "who helps")},
    "resource_category": {"name": (PUBLIC, "inventory"), "sort_order": (PUBLIC, "inventory")},
    "volunteer_organisation": {"name": (PUBLIC, "statistics"),
                               "sort_order": (PUBLIC, "statistics")},
    "resource_item": {
        "home_id": (PUBLIC, "inventory"), "name": (PUBLIC, "inventory"),
        "category_id": (PUBLIC, "inventory"), "unit": (PUBLIC, "inventory"),
        "low_stock_threshold": (PUBLIC, "inventory"), "location": (PUBLIC, "inventory"),
        "on_hand": (PUBLIC, "inventory"),
    },
    "stock_movement": {
        "item_id": (PUBLIC, "inventory"), "occurred_on": (PUBLIC, "inventory"),
        "kind": (PUBLIC, "inventory"), "quantity": (PUBLIC, "inventory"),
        "donor": (PERSONAL, "thanking donors"), "child_id": (PERSONAL, "who received it"),
        "recorded_by_id": (PERSONAL, "who wrote it"), "note": (PERSONAL, "inventory"),
        "remaining": (PUBLIC, "tracing a gift"), "source_id": (PUBLIC, "tracing a gift"),
        "gift_id": (PERSONAL, "who received it in a round"),
    },
    "care_round": {
        "name": (PUBLIC, "which round"), "starts_on": (PUBLIC, "when"),
        "ends_on": (PUBLIC, "when"), "for_everyone": (PUBLIC, "who may receive"),
        "for_in_difficulty": (PUBLIC, "who may receive"),
        "for_key_target": (PUBLIC, "who may receive"),
        "for_living_alone": (PUBLIC, "who may receive"),
        "goods": (PUBLIC, "what each child receives"),
        "money_each": (PUBLIC, "what each child receives"), "note": (PUBLIC, "the round"),
        "closed_on": (PUBLIC, "the round"), "closed_by_id": (PERSONAL, "who closed it"),
    },
    "care_round_home": {"round_id": (PUBLIC, "the round's Homes"),
                        "home_id": (PUBLIC, "the round's Homes")},
    "care_round_child": {"round_id": (PERSONAL, "children picked for the round"),
                         "child_id": (PERSONAL, "children picked for the round")},
    "round_gift": {
        "round_id": (PERSONAL, "who received in a round"),
        "child_id": (PERSONAL, "who received: a child is given once in a round"),
        "home_id": (PERSONAL, "where it was given"), "given_on": (PERSONAL, "when"),
        "recorded_by_id": (PERSONAL, "who wrote it"), "note": (PERSONAL, "the gift"),
    },
    "money_entry": {
        "home_id": (PUBLIC, "the Home's accounts"), "occurred_on": (PUBLIC, "the Home's accounts"),
        "kind": (PUBLIC, "the Home's accounts"), "amount": (PUBLIC, "the Home's accounts"),
        "remaining": (PUBLIC, "the Home's accounts"), "source_id": (PUBLIC, "tracing a gift"),
        "donor": (PERSONAL, "thanking donors"),
        "child_id": (PERSONAL, "who received the money"),
        "stock_movement_id": (PUBLIC, "tracing a gift"),
        "activity_id": (PUBLIC, "tracing a gift"),
        "gift_id": (PERSONAL, "who received it in a round"),
        "recorded_by_id": (PERSONAL, "who wrote it"), "note": (PERSONAL, "the Home's accounts"),
    },
    "user_account": {
        "username": (PERSONAL, "signing in"), "display_name": (PERSONAL, "who did what"),
        "email": (PERSONAL, "the reminders' daily digest (counts and links only)"),
        "password_hash": (SENSITIVE, "signing in (a hash, never the password)"),
        "role": (PERSONAL, "what the account may do"), "home_id": (PERSONAL, "scope"),
        "township": (PERSONAL, "scope"),
        "volunteer_id": (PERSONAL, "scope"), "active": (PERSONAL, "signing in"),
        "must_change_password": (PUBLIC, "signing in"),
        "last_login_at": (PERSONAL, "security review"),
        "privacy_officer": (PERSONAL, "the designated person for children's information"),
        "session_token": (SENSITIVE, "ends every session at sign-out"),
    },
    "audit_entry": {
        "at": (PUBLIC, "audit"), "user_id": (PERSONAL, "who did it"),
        "username": (PERSONAL, "who did it"),
        "address": (PERSONAL, "from where (network address)"), "action": (PUBLIC, "audit"),
        "table_name": (PUBLIC, "audit"), "record_id": (PUBLIC, "audit"),
        "home_id": (PUBLIC, "audit scope"), "record_label": (PERSONAL, "whose record"),
        "changes": (SENSITIVE, "old and new values, which may be sensitive"),
    },
    "roster_upload": {
        "user_id": (PERSONAL, "who uploaded"), "home_id": (PUBLIC, "into which Home"),
        "filename": (PERSONAL, "which file"),
        "content": (SENSITIVE, "the roster as uploaded, kept a day at most"),
        "mapping": (PUBLIC, "how its columns are read"), "uploaded_at": (PUBLIC, "expiry"),
        "result": (PUBLIC, "what the import did"),
        "kind": (PUBLIC, "a roster of children or of pairings"),
    },
}


def classify(table: str, column: str) -> tuple[str, str]:
    """(level, purpose) of a column; KeyError for a column nobody has classified."""
    if column in CLASSIFICATION[table]:
        return CLASSIFICATION[table][column]
    return COMMON[column]


def sensitive(table: str) -> list[str]:
    return [name for name, (level, _) in CLASSIFICATION.get(table, {}).items()
            if level == SENSITIVE]
