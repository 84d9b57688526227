"""The access rules table for ``tests/test_access_matrix.py``: one rule per URL pattern.

A pattern is named ``"namespace:name"`` (or, when it has no name, by its route as Django's
resolver joins it). Each rule says what fills the route's parameters (``obj``, a key of the
scenario's objects, all belonging to clinic A and its first patient), the expected answer to a
GET for each of the seven actors, and, for endpoints that only take a write method, the accepted
answers to that write sent with an empty body.

Expectations: an HTTP status, or ``"login"`` (302 to ``/accounts/login/?next=…``),
``"admin_login"`` (302 to ``/admin/login/?next=…``) or ``"->/prefix"`` (302 to a location that
starts with ``/prefix``). A tuple means any of them. A 500 is never accepted.

A URL that answers differently than it should is written here as it SHOULD be, and the case is
listed in ``bugs`` with the reason: the test marks it ``xfail(strict=True)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal, get_args

Actor = Literal[
    "anonymous",
    "patient",
    "other_patient",
    "clinician",
    "other_clinician",
    "clinic_admin",
    "staff",
]
ACTORS: Final[tuple[Actor, ...]] = get_args(Actor)

Expect = int | str
Expects = Expect | tuple[Expect, ...]
Row = dict[Actor, tuple[Expect, ...]]

LOGIN: Final = "login"
ADMIN_LOGIN: Final = "admin_login"


def row(*values: Expects) -> Row:
    """One expectation per actor, in the order of ``ACTORS`` (anonymous, patient, other patient,
    clinician, other clinic's clinician, clinic admin, staff)."""
    if len(values) != len(ACTORS):
        raise ValueError(f"a row has {len(ACTORS)} values, not {len(values)}")
    return {
        actor: value if isinstance(value, tuple) else (value,)
        for actor, value in zip(ACTORS, values, strict=True)
    }


def same(value: Expects) -> Row:
    return row(value, value, value, value, value, value, value)


@dataclass(frozen=True)
class Rule:
    get: Row
    obj: str | None = None
    """The scenario object whose ids fill the route's parameters."""
    write: Row | None = None
    """For endpoints that take only a write method: the answers to it (empty body)."""
    write_method: Literal["post", "delete"] = "post"
    path: str | None = None
    """A concrete path, for catch-all patterns whose parameters are free text."""
    bugs: dict[Actor, str] = field(default_factory=dict)
    """Actors for which the app does not follow the rule yet (xfail, strict)."""


# --- Profiles --------------------------------------------------------------------------------

# A page for anyone (signed in or not).
PUBLIC = same(200)
# A page for anyone signed in (their own account, sessions, two-factor setup).
SIGNED_IN = row(LOGIN, 200, 200, 200, 200, 200, 200)
# A clinician's page not about one object: any clinic's clinicians.
CLINIC_PAGE = row(LOGIN, 404, 404, 200, 200, 200, 404)
# A clinician's page about an object of clinic A.
CLINIC_OBJECT_PAGE = row(LOGIN, 404, 404, 200, 404, 200, 404)
# A clinician's POST-only action on an object of clinic A: the method is checked after the
# role and before the object, so on GET the other clinic's clinician also gets 405.
CLINIC_OBJECT_ACTION_GET = row(LOGIN, 404, 404, 405, 405, 405, 404)
DONE = (200, 204, 302, 400, 409)  # the action ran, or refused the empty form
CLINIC_OBJECT_ACTION_POST = row(LOGIN, 404, 404, DONE, 404, DONE, 404)
# A clinic admin's page (the team, histories): any other clinician, a patient or staff 404.
CLINIC_ADMIN_PAGE = row(LOGIN, 404, 404, 404, 404, 200, 404)
CLINIC_ADMIN_ACTION_GET = row(LOGIN, 404, 404, 404, 404, 405, 404)
CLINIC_ADMIN_ACTION_POST = row(LOGIN, 404, 404, 404, 404, DONE, 404)
# A photo or video of clinic A's own exercise: its clinicians, the patient whose plan has it,
# and site staff (who manage the library); not the other patient or the other clinic.
EXERCISE_MEDIA = row(LOGIN, 200, 404, 200, 404, 200, 200)
# A patient's own photo or video: that patient and their clinic only.
PATIENT_MEDIA = row(LOGIN, 200, 404, 200, 404, 200, 404)
# A patient's own page (no id in the path: each patient sees their own).
PATIENT_PAGE = row(LOGIN, 200, 200, 404, 404, 404, 404)
# A patient's POST-only action on the first patient's object (a GET: 405 to either patient).
PATIENT_OBJECT_ACTION_GET = row(LOGIN, 405, 405, 404, 404, 404, 404)
PATIENT_OBJECT_ACTION_POST = row(LOGIN, DONE, 404, 404, 404, 404, 404)
# A patient's POST-only action on their own record (the URL names no patient): either patient.
PATIENT_OWN_ACTION_POST = row(LOGIN, DONE, DONE, 404, 404, 404, 404)

# The API: anonymous 401, a wrong role 403, another tenant's object 404.
API_ANY_SIGNED_IN = row(401, 200, 200, 200, 200, 200, 200)
API_CLINICIAN_LIST = row(401, 403, 403, 200, 200, 200, 403)
API_CLINICIAN_OBJECT = row(401, 403, 403, 200, 404, 200, 403)
API_SHARED_LIST = row(401, 200, 200, 200, 200, 200, 403)  # clinicians and patients
API_SHARED_OBJECT = row(401, 200, 404, 200, 404, 200, 403)
API_CLINICIAN_ACTION_GET = row(401, 403, 403, 405, 405, 405, 403)
API_CLINICIAN_ACTION_POST = row(401, 403, 403, DONE, 404, DONE, 403)
# A clinic admin's API read (the clinic's outcomes): other clinicians, patients, staff 403.
API_CLINIC_ADMIN = row(401, 403, 403, 403, 403, 200, 403)

# The admin: staff only; everyone else is sent to the admin's sign-in page.
ADMIN_ONLY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)


def clinic_action(obj: str) -> Rule:
    """A clinician's POST-only action on ``obj``, an object of clinic A."""
    return Rule(CLINIC_OBJECT_ACTION_GET, obj=obj, write=CLINIC_OBJECT_ACTION_POST)


def clinic_admin_action(obj: str | None = None) -> Rule:
    """A clinic admin's POST-only action (on ``obj``, of clinic A)."""
    return Rule(CLINIC_ADMIN_ACTION_GET, obj=obj, write=CLINIC_ADMIN_ACTION_POST)


def patient_action(obj: str) -> Rule:
    """A patient's POST-only action on ``obj``, the first patient's."""
    return Rule(PATIENT_OBJECT_ACTION_GET, obj=obj, write=PATIENT_OBJECT_ACTION_POST)


def api_clinician_action(obj: str) -> Rule:
    """A clinician's POST-only API action on ``obj``, an object of clinic A."""
    return Rule(API_CLINICIAN_ACTION_GET, obj=obj, write=API_CLINICIAN_ACTION_POST)


def admin_only(staff: Expects) -> Row:
    return {**ADMIN_ONLY, "staff": staff if isinstance(staff, tuple) else (staff,)}


# --- The site's own pages --------------------------------------------------------------------

SIGNED_IN_TO_HOME = row(200, "->/", "->/", "->/", "->/", "->/", "->/")

RULES: dict[str, Rule] = {
    # Django's auth pages (un-namespaced).
    "login": Rule(SIGNED_IN_TO_HOME),
    "logout": Rule(same(405), write=same("->/accounts/login/")),
    "password_change": Rule(SIGNED_IN),
    "password_change_done": Rule(SIGNED_IN),
    "password_reset": Rule(PUBLIC),
    "password_reset_done": Rule(PUBLIC),
    "password_reset_confirm": Rule(same("->/accounts/reset/"), obj="password_reset"),
    "password_reset_complete": Rule(PUBLIC),
    # clinic
    "clinic:home": Rule(
        row(LOGIN, "->/me/", "->/me/", "->/clinic/", "->/clinic/", "->/clinic/", 200)
    ),
    "clinic:health": Rule(PUBLIC),
    "clinic:patient_create": Rule(CLINIC_PAGE),
    "clinic:patient_edit": Rule(CLINIC_OBJECT_PAGE, obj="patient"),
    "clinic:patient_discharge": clinic_action("patient"),
    "clinic:patient_archive": clinic_action("patient"),
    "clinic:patient_reactivate": clinic_action("patient"),
    "clinic:patient_invite": clinic_action("invited_patient"),
    # Anyone holding the link may open it.
    "clinic:invitation_accept": Rule(PUBLIC, obj="invitation_token"),
    # Anyone signed in: their own account page.
    "clinic:account": Rule(SIGNED_IN),
    # Anyone signed in: their own browser sessions. An empty POST names none of them (404).
    "clinic:sessions": Rule(SIGNED_IN),
    "clinic:session_end": Rule(
        row(LOGIN, 405, 405, 405, 405, 405, 405), write=row(LOGIN, 404, 404, 404, 404, 404, 404)
    ),
    "clinic:session_end_others": Rule(
        row(LOGIN, 405, 405, 405, 405, 405, 405), write=row(LOGIN, *("->/account/sessions/",) * 6)
    ),
    # rehab: dashboard (require_GET/require_POST come before the role check here)
    "rehab:dashboard": Rule(CLINIC_PAGE),
    "rehab:patient_list": Rule(CLINIC_PAGE),
    "rehab:alerts": Rule(CLINIC_PAGE),
    "rehab:alert_acknowledge": Rule(same(405), obj="alert", write=CLINIC_OBJECT_ACTION_POST),
    # rehab: the plan builder
    "rehab:plan_create": Rule(CLINIC_OBJECT_PAGE, obj="patient"),
    "rehab:plan_builder": Rule(CLINIC_OBJECT_PAGE, obj="plan"),
    "rehab:plan_handout": Rule(CLINIC_OBJECT_PAGE, obj="plan"),
    # The plan's summary (for a draft, read before activating it).
    "rehab:plan_overview": Rule(CLINIC_OBJECT_PAGE, obj="plan"),
    # Confirming a move to a phase whose exercises would start early (the plan and the phase).
    "rehab:plan_phase_confirm": Rule(CLINIC_OBJECT_PAGE, obj="plan_phase"),
    "rehab:library": Rule(CLINIC_PAGE),
    # Clinic A's own exercise: the other clinic must not see it.
    "rehab:library_detail": Rule(CLINIC_OBJECT_PAGE, obj="exercise"),
    **{
        f"rehab:{name}": clinic_action(obj)
        for name, obj in (
            ("plan_rename", "plan"),
            ("plan_activate", "plan"),
            ("plan_advance", "plan"),
            ("plan_back", "plan"),
            ("phase_add", "plan"),
            ("prescription_add", "plan"),
            ("phase_edit", "phase"),
            ("phase_remove", "phase"),
            ("phase_move", "phase"),
            ("prescription_edit", "prescription"),
            ("prescription_remove", "prescription"),
            ("prescription_move", "prescription"),
            ("prescription_move_phase", "prescription"),
        )
    },
    # rehab: a clinic's own exercises, their photos and videos, and their history
    "rehab:exercise_create": Rule(CLINIC_PAGE),
    "rehab:exercise_edit": Rule(CLINIC_OBJECT_PAGE, obj="exercise"),
    "rehab:exercise_history": Rule(CLINIC_ADMIN_PAGE, obj="exercise"),
    # The scenario's exercise is clinic A's: copying needs only to see it (the other clinic
    # cannot); a POST-only action is refused by method before the object is looked up.
    **{
        f"rehab:{name}": clinic_action("exercise")
        for name in (
            "exercise_archive",
            "exercise_restore",
            "exercise_copy",
            "exercise_media_add",
        )
    },
    "rehab:exercise_media_remove": clinic_action("exercise_media"),
    "rehab:media_file": Rule(EXERCISE_MEDIA, obj="exercise_media"),
    "rehab:media_thumbnail": Rule(EXERCISE_MEDIA, obj="exercise_media"),
    # The same URLs with a patient's own photo (rules keyed by a path of their own).
    "rehab:prescription_media_add": clinic_action("prescription"),
    "rehab:prescription_media_remove": clinic_action("prescription_media"),
    # rehab: templates (clinic A's own template; shared ones are the admin's)
    "rehab:template_list": Rule(CLINIC_PAGE),
    "rehab:template_detail": Rule(CLINIC_OBJECT_PAGE, obj="protocol"),
    "rehab:template_history": Rule(CLINIC_ADMIN_PAGE, obj="protocol"),
    "rehab:plan_save_as_template": Rule(CLINIC_OBJECT_PAGE, obj="plan"),
    **{
        f"rehab:{name}": clinic_action(obj)
        for name, obj in (
            ("template_edit", "protocol"),
            ("template_publish", "draft_protocol"),
            ("template_discard", "draft_protocol"),
            ("template_archive", "protocol"),
            ("template_restore", "protocol"),
            ("template_details", "draft_protocol"),
            ("template_phase_add", "draft_protocol"),
            ("template_phase_edit", "draft_phase"),
            ("template_phase_remove", "draft_phase"),
            ("template_item_add", "draft_phase"),
            ("template_item_edit", "draft_item"),
            ("template_item_remove", "draft_item"),
        )
    },
    # clinic: the team (clinic admins only)
    "clinic:team": Rule(CLINIC_ADMIN_PAGE),
    # An empty POST of the settings is refused (400): nothing changes.
    "clinic:clinic_settings": Rule(CLINIC_ADMIN_PAGE),
    "clinic:team_invite": clinic_admin_action(),
    "clinic:team_member": Rule(CLINIC_ADMIN_PAGE, obj="team_member"),
    **{
        f"clinic:{name}": clinic_admin_action("team_member")
        for name in (
            "team_role",
            "team_deactivate",
            "team_reactivate",
            "team_reset_two_factor",
            "team_invite_again",
        )
    },
    # rehab: the clinician's page for one patient, and its messages
    "rehab:patient_detail": Rule(CLINIC_OBJECT_PAGE, obj="patient"),
    "rehab:atrs_request": clinic_action("patient"),
    "rehab:measurement_create": clinic_action("patient"),
    "rehab:clinic_outcomes": Rule(CLINIC_ADMIN_PAGE),
    "rehab:clinic_outcomes_csv": Rule(CLINIC_ADMIN_PAGE),
    # The clinic's risk-factor offsets (a section of its settings); an empty POST is refused.
    "rehab:risk_offsets": Rule(CLINIC_ADMIN_PAGE),
    "rehab:risk_update": clinic_action("patient"),
    # Exit criteria of a plan phase: add, remove, judge (POST only).
    "rehab:criterion_add": clinic_action("phase"),
    "rehab:criterion_remove": clinic_action("criterion"),
    "rehab:criterion_judge": clinic_action("criterion"),
    "rehab:proposal_dismiss": clinic_action("phase"),
    "rehab:patient_messages": Rule(CLINIC_OBJECT_PAGE, obj="patient"),
    # Reviewing and resuming a plan a red flag paused (the page says when none is paused).
    "rehab:plan_resume": Rule(CLINIC_OBJECT_PAGE, obj="patient"),
    # rehab: the patient's own pages
    "rehab:today": Rule(PATIENT_PAGE),
    "rehab:my_plan": Rule(PATIENT_PAGE),
    "rehab:progress": Rule(PATIENT_PAGE),
    "rehab:checkin": Rule(PATIENT_PAGE),
    "rehab:atrs": Rule(PATIENT_PAGE),
    "rehab:my_messages": Rule(PATIENT_PAGE),
    "rehab:log_create": Rule(PATIENT_OBJECT_ACTION_GET, write=PATIENT_OWN_ACTION_POST),
    # The patient's measurements at home: their own record (the URL names no patient).
    "rehab:home_measurement": Rule(PATIENT_OBJECT_ACTION_GET, write=PATIENT_OWN_ACTION_POST),
    "rehab:log_update": patient_action("log"),
    "rehab:log_undo": patient_action("log"),
    # audit: a patient's access history is for the clinic's admins only; the patient's own.
    "audit:patient_history": Rule(CLINIC_ADMIN_PAGE, obj="patient"),
    "audit:my_history": Rule(PATIENT_PAGE),
    # rehab: exporting a whole record (the patient's own; the clinic's admins) and erasing it.
    # The erase POST with an empty body is refused (400): nothing is erased.
    "rehab:my_export": Rule(PATIENT_PAGE),
    "rehab:my_export_json": Rule(PATIENT_PAGE),
    "rehab:patient_export": Rule(CLINIC_ADMIN_PAGE, obj="patient"),
    "rehab:patient_export_json": Rule(CLINIC_ADMIN_PAGE, obj="patient"),
    "rehab:patient_erase": Rule(
        CLINIC_ADMIN_PAGE,
        obj="patient",
        write=row(LOGIN, 404, 404, 404, 404, 400, 404),
    ),
    # Two-factor sign-in: anyone signed in may set it up; with no device, verify sends there.
    "mfa:setup": Rule(SIGNED_IN),
    "mfa:verify": Rule(row(LOGIN, *("->/account/mfa/setup/",) * 6)),
    # With no device yet there are no codes to replace: to setup.
    "mfa:recovery_codes": Rule(row(LOGIN, *("->/account/mfa/setup/",) * 6)),
    # Only those whose role does not require it may turn it off (both clinics require it).
    "mfa:turn_off": Rule(row(LOGIN, "->/account/", "->/account/", 404, 404, 404, 404)),
    # notify: the patient's reminders, a clinician's alert settings, the clinic's (admins).
    "notify:reminders": Rule(PATIENT_PAGE),
    "notify:clinician_settings": Rule(CLINIC_PAGE),
    # A browser's push subscription (JSON, POST only): an empty body is refused (400); site
    # staff who are neither patient nor clinician have no use for one (404).
    "notify:push_subscribe": Rule(same(405), write=row(LOGIN, 400, 400, 400, 400, 400, 404)),
    "notify:push_unsubscribe": Rule(same(405), write=row(LOGIN, 400, 400, 400, 400, 400, 404)),
    # One-click unsubscribe: the signed token is the permission, no sign-in (a GET changes
    # nothing: it asks to confirm).
    "notify:unsubscribe": Rule(PUBLIC, obj="unsubscribe_token"),
    # The site's service worker, at the root: anyone.
    "notify:service_worker": Rule(PUBLIC),
    # The installable app's manifest: anyone (browsers fetch it without credentials).
    "notify:manifest": Rule(PUBLIC),
}

# --- The API (/api/v1/) ----------------------------------------------------------------------

API_RULES: dict[str, Rule] = {
    "api:schema": Rule(API_ANY_SIGNED_IN),
    # A page like the others: anonymous visitors are sent to sign in.
    "api:docs": Rule(SIGNED_IN),
    "api:login": Rule(same(405), write=same(400)),
    "api:logout": Rule(row(401, 405, 405, 405, 405, 405, 405), write=row(401, *(204,) * 6)),
    "api:logoutall": Rule(row(401, 405, 405, 405, 405, 405, 405), write=row(401, *(204,) * 6)),
    "api:devices": Rule(API_ANY_SIGNED_IN),
    # The first patient's device: only they can sign it out; for anyone else it is not there.
    "api:device": Rule(
        row(401, 405, 405, 405, 405, 405, 405),
        obj="token",
        write=row(401, 204, 404, 404, 404, 404, 404),
        write_method="delete",
    ),
    "api:me": Rule(API_ANY_SIGNED_IN),
    "api:me-plan": Rule(row(401, 200, 404, 403, 403, 403, 403)),
    "api:me-today": Rule(row(401, 200, 200, 403, 403, 403, 403)),
    "api:exercise-list": Rule(row(401, 403, 403, 200, 200, 200, 200)),
    "api:exercise-detail": Rule(row(401, 403, 403, 200, 404, 200, 200), obj="exercise"),
    "api:protocol-list": Rule(API_CLINICIAN_LIST),
    "api:protocol-detail": Rule(API_CLINICIAN_OBJECT, obj="protocol"),
    "api:patient-list": Rule(API_CLINICIAN_LIST),
    "api:patient-detail": Rule(API_CLINICIAN_OBJECT, obj="patient"),
    "api:patient-discharge": api_clinician_action("patient"),
    "api:plan-list": Rule(API_CLINICIAN_LIST),
    "api:plan-detail": Rule(API_SHARED_OBJECT, obj="plan"),
    "api:plan-activate": api_clinician_action("plan"),
    "api:plan-advance": api_clinician_action("plan"),
    "api:log-list": Rule(API_SHARED_LIST),
    "api:log-detail": Rule(API_SHARED_OBJECT, obj="log"),
    "api:checkin-list": Rule(API_SHARED_LIST),
    "api:checkin-detail": Rule(API_SHARED_OBJECT, obj="checkin"),
    "api:atrs-list": Rule(API_SHARED_LIST),
    "api:atrs-detail": Rule(API_SHARED_OBJECT, obj="atrs"),
    "api:measurement-list": Rule(API_SHARED_LIST),
    "api:measurement-detail": Rule(API_SHARED_OBJECT, obj="measurement"),
    "api:phase-criteria": Rule(API_CLINICIAN_OBJECT, obj="phase"),
    "api:proposals": Rule(API_CLINICIAN_LIST),
    "api:reference-points": Rule(API_CLINICIAN_LIST),
    "api:outcomes": Rule(API_CLINIC_ADMIN),
    "api:message-list": Rule(API_SHARED_LIST),
    # Patients mark their own thread read; a clinician must name the patient (400 without).
    "api:message-read": Rule(
        row(401, 405, 405, 405, 405, 405, 403), write=row(401, 200, 200, 400, 400, 400, 403)
    ),
    "api:alert-list": Rule(API_CLINICIAN_LIST),
    "api:alert-detail": Rule(API_CLINICIAN_OBJECT, obj="alert"),
    "api:alert-acknowledge": api_clinician_action("alert"),
    # Any other path under /api/v1/: a JSON 404 for everyone.
    "api/v1/": Rule(same(404), path="/api/v1/no-such-endpoint/"),
}

# --- The admin -------------------------------------------------------------------------------

# Every registered model, with the staff's answer to (add, delete) where the admin forbids them.
# A patient's kept records (rehab.admin.base.KeptRecordAdmin: what they reported, their plan, its
# prescriptions, phase changes and exit criteria, ATRS requests) cannot be deleted: 403.
ADMIN_MODELS: dict[str, tuple[Expects, Expects]] = {
    "auth.group": (200, 200),
    "knox.authtoken": (200, 200),
    "clinic.user": (200, 200),
    "clinic.clinic": (200, 200),
    "clinic.clinician": (200, 200),
    "clinic.patient": (200, 200),
    "clinic.invitation": (403, 200),
    "clinic.message": (403, 200),
    "rehab.equipment": (200, 200),
    "rehab.exercise": (200, 200),
    "rehab.protocol": (200, 200),
    "rehab.protocolphase": (200, 200),
    "rehab.plan": (403, 403),  # kept records (rehab.admin.base.KeptRecordAdmin)
    "rehab.prescription": (403, 403),
    "rehab.phasechange": (403, 403),
    "rehab.exerciselog": (403, 403),
    "rehab.checkin": (403, 403),
    "rehab.atrsresponse": (403, 403),
    "rehab.atrsrequest": (403, 403),
    "rehab.measurement": (403, 403),
    "rehab.alert": (403, 403),
    "rehab.protocolcriterion": (200, 200),
    "rehab.plancriterion": (403, 403),
    "rehab.proposaldismissal": (403, 403),
    "rehab.criterionjudgement": (403, 403),
    "rehab.referencepoint": (200, 200),
    "audit.accessevent": (403, 403),
    "notify.notification": (403, 403),
    "django_tasks_database.dbtaskresult": (403, 403),
    "axes.accessattempt": (403, 200),
    "axes.accesslog": (403, 200),
    "axes.accessfailurelog": (403, 200),
}


def _admin_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {
        "admin:index": Rule(ADMIN_ONLY),
        # Signed in without staff rights: the sign-in form again (to switch account).
        "admin:login": Rule(row(200, 200, 200, 200, 200, 200, "->/admin/")),
        # Logging out is a POST; without staff rights a GET is sent to the admin's index.
        "admin:logout": Rule(row(*("->/admin/",) * 6, 405)),
        "admin:password_change": Rule(ADMIN_ONLY),
        "admin:password_change_done": Rule(ADMIN_ONLY),
        "admin:autocomplete": Rule(admin_only(403)),  # no field named: refused even to staff
        "admin:jsi18n": Rule(ADMIN_ONLY),
        # No model has a public URL (get_absolute_url), so even staff get 404.
        "admin:view_on_site": Rule(admin_only(404), obj="view_on_site"),
        "admin:app_list": Rule(ADMIN_ONLY, obj="app_label"),
        "admin/(?P<url>.*)$": Rule(admin_only(404), path="/admin/no-such-page/"),
        "admin:auth_user_password_change": Rule(ADMIN_ONLY, obj="admin:clinic.user"),
    }
    for label, (add, delete) in ADMIN_MODELS.items():
        app, model = label.split(".")
        obj = f"admin:{label}"
        prefix = f"admin:{app}_{model}"
        rules[f"{prefix}_changelist"] = Rule(ADMIN_ONLY)
        rules[f"{prefix}_add"] = Rule(admin_only(add))
        rules[f"{prefix}_history"] = Rule(ADMIN_ONLY, obj=obj)
        rules[f"{prefix}_delete"] = Rule(admin_only(delete), obj=obj)
        rules[f"{prefix}_change"] = Rule(ADMIN_ONLY, obj=obj)
        # The bare object URL redirects to its change page.
        rules[f"admin/{app}/{model}/<path:object_id>/"] = Rule(
            admin_only(f"->/admin/{app}/{model}/"), obj=obj
        )
    return rules


RULES.update(API_RULES)
RULES.update(_admin_rules())


def _otp_admin_rules() -> dict[str, Rule]:
    """django-otp's device admins. The scenario has no devices, so the object URLs name a
    missing one (the admin then sends staff to its index). The secret-showing config and QR
    views are off (``OTP_ADMIN_HIDE_SENSITIVE_DATA``): 403 even to staff."""
    rules: dict[str, Rule] = {}
    for app, model in (("otp_totp", "totpdevice"), ("otp_static", "staticdevice")):
        base = f"/admin/{app}/{model}/"
        prefix = f"admin:{app}_{model}"
        rules[f"{prefix}_changelist"] = Rule(ADMIN_ONLY)
        rules[f"{prefix}_add"] = Rule(ADMIN_ONLY)
        for view in ("history", "delete", "change"):
            rules[f"{prefix}_{view}"] = Rule(admin_only("->/admin/"), path=f"{base}0/{view}/")
        rules[f"admin/{app}/{model}/<path:object_id>/"] = Rule(
            admin_only(f"->{base}"), path=f"{base}0/"
        )
    for view in ("config", "qrcode"):
        rules[f"admin:otp_totp_totpdevice_{view}"] = Rule(
            admin_only(403), path=f"/admin/otp_totp/totpdevice/0/{view}/"
        )
    return rules


RULES.update(_otp_admin_rules())
