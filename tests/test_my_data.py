"""My data: the person sees, downloads (JSON, PDF) and asks to correct what is held about them; staff answer.

Language-specific words are computed with gettext inside `translation.override(lang)`, so the checks
hold before and after the lead's translations.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import uuid
from typing import Any

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from autocrea.accounts.models import AuditEvent
from autocrea.backbone.steps import Step
from autocrea.coaching.models import Action, CoachingSession, Diagnostic, Goal, SessionAttendance
from autocrea.datarights.corrections import CorrectionError, correction_request_answer
from autocrea.datarights.models import CorrectionRequest, CorrectionStatus
from autocrea.jobseekers.models import LanguageSkill
from autocrea.pathways.models import InformationAttendance, InformationSession
from tests.factories import make_jobseeker, make_trajectory

NISS = "85073003328"  # 85.07.30-033.28, valid (docs/conventions.md)
SECRET_DIAGNOSTIC = "Secret diagnostic note"
SECRET_SESSION = "Secret session note"


def _url(name: str, *args: Any, lang: str = "fr") -> str:
    with translation.override(lang):
        return reverse(name, args=list(args))


def _t(lang: str, message: str) -> str:
    with translation.override(lang):
        return gettext(message)


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def people(cast: dict[str, Any], partners: dict[str, Any]) -> dict[str, Any]:
    """A: Dutch-speaking, with Crédal, in accompaniment, with a plan, sessions and partner notes; B: with microStart."""
    counsellor, coach = cast["demo-counsellor"], cast["demo-coach-credal"]
    person_a = make_jobseeker(
        user=cast["demo-jobseeker"],
        first_name="Zoë",
        last_name="Owndata",
        contact_language="nl",
        national_number=NISS,
        email="zoe@example.be",
        phone="+32470123456",
    )
    LanguageSkill.objects.create(jobseeker=person_a, language="ar", level="native")
    own = make_trajectory(
        step=Step.ACCOMPANIMENT, counsellor=counsellor, coach=coach, partner=partners["credal"], jobseeker=person_a
    )
    Diagnostic.objects.filter(trajectory=own).update(notes=SECRET_DIAGNOSTIC)
    goal = Goal.objects.create(trajectory=own, title="Open a bakery")
    Action.objects.create(goal=goal, title="Visit the bank", owner="jobseeker", due_on=datetime.date(2026, 3, 27))
    session = InformationSession.objects.create(
        starts_at=timezone.now() - datetime.timedelta(days=30), place="Actiris Midi", language="nl", capacity=10
    )
    InformationAttendance.objects.create(trajectory=own, session=session, status="present")
    coaching = CoachingSession.objects.create(
        partner=partners["credal"],
        kind="collective",
        topic="Prospecting workshop",
        starts_at=timezone.now() - datetime.timedelta(days=3),
        notes=SECRET_SESSION,
    )
    SessionAttendance.objects.create(session=coaching, trajectory=own, status="present")
    person_b = make_jobseeker(user=cast["jobseeker-b"], first_name="Canary", last_name="Foreigndata")
    foreign = make_trajectory(
        step=Step.ACCOMPANIMENT,
        counsellor=counsellor,
        coach=cast["demo-coach-microstart"],
        partner=partners["microstart"],
        jobseeker=person_b,
    )
    return {"a": person_a, "b": person_b, "own": own, "foreign": foreign, "users": cast}


def _login(client: Any, people: dict[str, Any], username: str) -> Any:
    client.force_login(people["users"][username])
    return client


def test_my_data_lists_the_persons_own_data_only(client, people):
    _login(client, people, "demo-jobseeker")
    response = client.get(_url("portal:my_data", lang="en"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    body = response.content.decode()
    for expected in (
        "Zoë",
        "Owndata",
        "••.••.••-•••.28",
        "zoe@example.be",
        "Arabic",
        "Crédal",
        "Open a bakery",
        "Visit the bank",
        "Prospecting workshop",
        "Actiris Midi",
        people["own"].reference,
        people["own"].interest_on.strftime("%d/%m/%Y"),
        reverse("public:privacy"),
        reverse("portal:my_data_json"),
        reverse("portal:my_data_pdf"),
        reverse("portal:correction"),
    ):
        assert expected in body, expected
    # Never the full national number, never another person, never the partner's notes.
    assert NISS not in body and "033" not in body
    assert "Foreigndata" not in body
    assert SECRET_DIAGNOSTIC not in body and SECRET_SESSION not in body
    assert 'id="not-shown"' in body


def test_my_data_is_linked_from_my_pathway_and_the_portal_menu(client, people):
    _login(client, people, "demo-jobseeker")
    body = client.get(_url("portal:pathway", lang="en")).content.decode()
    assert 'id="my-data-link"' in body
    assert body.count(f'href="{_url("portal:my_data", lang="en")}"') >= 2


def test_the_json_export_is_complete_parseable_and_audited(client, people):
    _login(client, people, "demo-jobseeker")
    response = client.get(_url("portal:my_data_json", lang="fr"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    raw = response.content.decode()
    assert NISS not in raw and SECRET_DIAGNOSTIC not in raw and SECRET_SESSION not in raw
    assert "Foreigndata" not in raw
    data = json.loads(raw)
    assert data["format"] == "autocrea.my-data" and data["format_version"] == 1
    assert set(data) >= {
        "person",
        "languages_spoken",
        "trajectories",
        "correction_requests",
        "messages_sent",
        "not_included",
        "retention",
    }
    person = data["person"]
    assert person["birth_date"] == "1985-07-30"
    assert person["national_number_masked"] == "••.••.••-•••.28"
    assert person["email"] == "zoe@example.be"
    # Coded values keep their stable code; the label is in the person's contact language (Dutch).
    assert person["gender"]["code"] == "female"
    assert person["gender"]["label"] == _t("nl", "Woman")
    assert data["languages_spoken"] == [
        {
            "language": {"code": "ar", "label": _t("nl", "Arabic")},
            "level": {"code": "native", "label": _t("nl", "Mother tongue")},
        }
    ]
    (trajectory,) = data["trajectories"]
    own = people["own"]
    assert trajectory["reference"] == own.reference
    assert trajectory["current_step"]["code"] == "accompaniment"
    assert trajectory["partner"]["code"] == "credal"
    assert trajectory["dates"]["interest_on"] == own.interest_on.isoformat()
    assert datetime.date.fromisoformat(trajectory["dates"]["accompaniment_on"]) == own.accompaniment_on
    assert [s["to_step"]["code"] for s in trajectory["steps"]] == [
        "interest",
        "information",
        "decision",
        "orientation",
        "diagnostic",
        "accompaniment",
    ]
    datetime.datetime.fromisoformat(trajectory["steps"][0]["recorded_at"])
    session = next(s for s in trajectory["information_sessions"] if s["place"] == "Actiris Midi")
    assert session["attendance"]["code"] == "present" and session["language"] == "nl"
    datetime.datetime.fromisoformat(session["starts_at"])
    assert trajectory["orientations"][0]["status"]["code"] == "accepted"
    assert "notes" not in trajectory["diagnostics"][0]
    assert trajectory["skills_assessments"][0]["finance"] == 1
    assert trajectory["action_plan"] == [
        {
            "goal": "Open a bakery",
            "actions": [
                {
                    "title": "Visit the bank",
                    "owner": {"code": "jobseeker", "label": _t("nl", "The person")},
                    "due_on": "2026-03-27",
                    "status": {"code": "todo", "label": _t("nl", "To do")},
                }
            ],
        }
    ]
    assert trajectory["coaching_sessions"][0]["topic"] == "Prospecting workshop"
    assert "notes" not in trajectory["coaching_sessions"][0]
    notes = next(item for item in data["not_included"] if item["what"] == "coaching_notes")
    assert notes["exists"] is True and notes["held_by"] == "partner"
    assert data["retention"]["years_after_end_of_pathway"] >= 1
    event = AuditEvent.objects.get(action="export:my_data.json")
    assert (event.user_id_ref, event.object_type, event.object_id) == (
        people["users"]["demo-jobseeker"].pk,
        "jobseeker",
        people["a"].pk,
    )


def test_the_pdf_export_is_in_the_persons_contact_language(client, people):
    _login(client, people, "demo-jobseeker")
    # A French screen, a Dutch-speaking person: the PDF follows the person.
    response = client.get(_url("portal:my_data_pdf", lang="fr"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Zoë Owndata" in text
    assert "••.••.••-•••.28" in text and NISS not in text
    assert "Open a bakery" in text and "Visit the bank" in text and "Prospecting workshop" in text
    assert _t("nl", "Date of birth") in text and _t("fr", "Date of birth") not in text
    assert _t("nl", "My data") in text
    assert SECRET_DIAGNOSTIC not in text and SECRET_SESSION not in text and "Foreigndata" not in text
    assert AuditEvent.objects.filter(action="export:my_data.pdf", object_id=people["a"].pk).count() == 1


def test_a_correction_request_goes_from_the_person_to_staff_and_back(client, people):
    users = people["users"]
    _login(client, people, "demo-jobseeker")
    page = client.get(_url("portal:correction", lang="en"))
    assert page.status_code == 200
    token = page.context["form"]["form_token"].value()
    form = {"form_token": token, "what_is_wrong": "My phone number is old", "what_it_should_be": "0470 99 88 77"}
    response = client.post(_url("portal:correction", lang="en"), form)
    assert response.status_code == 302 and response["Location"].endswith("#corrections")
    # The same form sent twice (double click, back and resend): still one request.
    assert client.post(_url("portal:correction", lang="en"), form).status_code == 302
    request = CorrectionRequest.objects.get()
    assert (request.jobseeker, request.status, request.channel) == (people["a"], CorrectionStatus.OPEN, "web")
    assert request.created_by == users["demo-jobseeker"]
    assert AuditEvent.objects.filter(action="create:correction_request", object_id=request.pk).count() == 1
    body = client.get(_url("portal:my_data", lang="en")).content.decode()
    assert "My phone number is old" in body and request.reference in body
    assert _t("en", "Waiting for an answer") in body

    # Staff see it as a task: the counsellor and Crédal (A's partner), not microStart.
    for username, visible in (
        ("demo-counsellor", True),
        ("demo-coach-credal", True),
        ("demo-partner-manager-credal", True),
        ("demo-coach-microstart", False),
    ):
        _login(client, people, username)
        listing = client.get(_url("workspace:requests", lang="en"))
        assert listing.status_code == 200
        assert ("My phone number is old" in listing.content.decode()) is visible, username
        status = client.get(_url("workspace:request_answer", request.pk, lang="en")).status_code
        assert status == (200 if visible else 404), username
    # The programme manager oversees the list without names or texts, and cannot open a request.
    _login(client, people, "demo-programme-manager")
    listing = client.get(_url("workspace:requests", lang="en")).content.decode()
    assert request.reference in listing
    assert "Owndata" not in listing and "My phone number is old" not in listing
    assert client.get(_url("workspace:request_answer", request.pk, lang="en")).status_code == 404

    _login(client, people, "demo-counsellor")
    answer = {"status": "done", "answer": "We changed your phone number."}
    response = client.post(_url("workspace:request_answer", request.pk, lang="en"), answer)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == CorrectionStatus.DONE and request.answered_by == users["demo-counsellor"]
    assert request.answered_at is not None
    # Answered: out of the open list, and a second answer changes nothing.
    assert "My phone number is old" not in client.get(_url("workspace:requests", lang="en")).content.decode()
    client.post(_url("workspace:request_answer", request.pk, lang="en"), {"status": "refused", "answer": "No"})
    request.refresh_from_db()
    assert request.status == CorrectionStatus.DONE and request.answer == "We changed your phone number."

    _login(client, people, "demo-jobseeker")
    body = client.get(_url("portal:my_data", lang="en")).content.decode()
    assert "We changed your phone number." in body and _t("en", "Corrected") in body
    data = json.loads(client.get(_url("portal:my_data_json")).content)
    assert data["correction_requests"][0]["status"]["code"] == "done"
    assert data["correction_requests"][0]["answer"] == "We changed your phone number."


def test_an_empty_correction_request_shows_an_error_summary_and_writes_nothing(client, people):
    _login(client, people, "demo-jobseeker")
    response = client.post(
        _url("portal:correction", lang="en"),
        {"form_token": str(uuid.uuid4()), "what_is_wrong": "  ", "what_it_should_be": ""},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert 'href="#id_what_is_wrong"' in body and 'href="#id_what_it_should_be"' in body
    assert _t("en", "Say what is wrong") in body and _t("en", "Say what it should be") in body
    assert 'id="id_what_is_wrong"' in body and 'aria-invalid="true"' in body
    assert body.count("<title>") == 1 and _t("en", "Error:") in body.split("</title>")[0]
    assert not CorrectionRequest.objects.exists()


def test_an_empty_staff_answer_is_refused_and_the_request_stays_open(client, people):
    request = CorrectionRequest.objects.create(jobseeker=people["a"], what_is_wrong="x", what_it_should_be="y")
    _login(client, people, "demo-counsellor")
    response = client.post(_url("workspace:request_answer", request.pk, lang="en"), {"status": "", "answer": " "})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert _t("en", "Choose whether the data was corrected") in body
    assert _t("en", "Write the answer the person will read") in body
    request.refresh_from_db()
    assert request.status == CorrectionStatus.OPEN and request.answer == ""


def test_staff_record_a_correction_request_on_the_persons_behalf(client, people):
    _login(client, people, "demo-counsellor")
    url = _url("workspace:request_add", people["own"].pk, lang="en")
    page = client.get(url)
    assert page.status_code == 200
    token = page.context["form"]["form_token"].value()
    form = {"form_token": token, "channel": "post", "what_is_wrong": "Wrong commune", "what_it_should_be": "Ixelles"}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    request = CorrectionRequest.objects.get()
    assert request.channel == "post" and request.created_by == people["users"]["demo-counsellor"]
    # An empty one is refused with the field errors.
    response = client.post(url, {"form_token": str(uuid.uuid4()), "channel": "", "what_is_wrong": ""})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert CorrectionRequest.objects.count() == 1
    # The trajectory page lists it; the person sees it on My data.
    trajectory_page = client.get(_url("workspace:trajectory", people["own"].pk, lang="en")).content.decode()
    assert 'id="data-rights"' in trajectory_page and request.reference in trajectory_page
    _login(client, people, "demo-jobseeker")
    assert "Wrong commune" in client.get(_url("portal:my_data", lang="en")).content.decode()
    # Partner staff of another partner cannot record one for this person.
    _login(client, people, "demo-coach-microstart")
    assert client.post(url, {**form, "form_token": str(uuid.uuid4())}).status_code == 404
    assert CorrectionRequest.objects.count() == 1


def test_a_counsellor_downloads_the_persons_data_for_a_request_by_post(client, people):
    _login(client, people, "demo-counsellor")
    url = _url("workspace:data_export", people["own"].pk, lang="fr")
    response = client.get(f"{url}?format=json")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["person"]["last_name"] == "Owndata"
    # In the person's contact language, whatever the counsellor's screen.
    assert data["language"] == "nl"
    pdf = client.get(f"{url}?format=pdf")
    assert pdf.status_code == 200 and _t("nl", "Date of birth") in _pdf_text(pdf.content)
    counsellor = people["users"]["demo-counsellor"]
    assert AuditEvent.objects.filter(user_id_ref=counsellor.pk, action__startswith="export:my_data").count() == 2
    # Partner staff print attestations, not the subject-access export.
    _login(client, people, "demo-coach-credal")
    assert client.get(f"{url}?format=json").status_code == 403


def test_a_person_never_sees_another_persons_requests(client, people):
    CorrectionRequest.objects.create(jobseeker=people["a"], what_is_wrong="Canary-A-request", what_it_should_be="y")
    _login(client, people, "jobseeker-b")
    body = client.get(_url("portal:my_data", lang="en")).content.decode()
    assert "Canary-A-request" not in body and "Owndata" not in body and "Foreigndata" in body
    data = json.loads(client.get(_url("portal:my_data_json")).content)
    assert data["correction_requests"] == [] and data["person"]["last_name"] == "Foreigndata"
    assert client.get(_url("workspace:requests")).status_code == 403


def test_a_staff_answer_is_refused_for_a_request_outside_the_partner(people):
    request = CorrectionRequest.objects.create(jobseeker=people["a"], what_is_wrong="x", what_it_should_be="y")
    from django.http import Http404

    with pytest.raises(Http404):
        correction_request_answer(
            request=request, status="done", answer="ok", by=people["users"]["demo-coach-microstart"]
        )
    with pytest.raises(CorrectionError):
        correction_request_answer(request=request, status="done", answer="ok", by=people["users"]["demo-jobseeker"])
    request.refresh_from_db()
    assert request.status == CorrectionStatus.OPEN


def test_my_data_without_a_file_says_so(client, cast):
    client.force_login(cast["jobseeker-b"])
    response = client.get(_url("portal:my_data", lang="en"))
    assert response.status_code == 200
    assert reverse("portal:my_data_json") not in response.content.decode()
    assert client.get(_url("portal:my_data_json")).status_code == 302


def test_my_data_pages_are_valid_html(client, people, tmp_path):
    """My data (with a request and its answer), the correction form and its error page: Nu Html Checker."""
    import shutil

    from tests.test_html_validity import VNU, _check

    java = shutil.which("java")
    if not (VNU.exists() and java):
        pytest.skip("Nu Html Checker not installed: run `make vnu` (needs npm and java)")
    CorrectionRequest.objects.create(
        jobseeker=people["a"], what_is_wrong="x", what_it_should_be="y", status="done", answer="Done"
    )
    _login(client, people, "demo-jobseeker")
    pages = {}
    for lang in ("fr", "nl", "en"):
        pages[f"{lang}-my-data"] = client.get(_url("portal:my_data", lang=lang)).content.decode()
        pages[f"{lang}-correction"] = client.get(_url("portal:correction", lang=lang)).content.decode()
        pages[f"{lang}-correction-errors"] = client.post(_url("portal:correction", lang=lang), {}).content.decode()
    errors = _check([java, "-jar", str(VNU), "--errors-only", "--format", "json"], pages, tmp_path)
    assert errors == []


def test_the_request_list_takes_a_bounded_number_of_queries(client, people, django_assert_max_num_queries):
    for n in range(20):
        CorrectionRequest.objects.create(jobseeker=people["a"], what_is_wrong=f"Row {n}", what_it_should_be="y")
    _login(client, people, "demo-counsellor")
    with django_assert_max_num_queries(12):
        response = client.get(_url("workspace:requests", lang="en"))
    assert response.content.decode().count('id="request-') == 20
