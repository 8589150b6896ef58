"""Public pages (namespace `public`) and the job seeker's pages (namespace `portal`)."""

from django.urls import include, path

from autocrea.portal.views import auth, calendar, documents, interest, mydata, partners, pathway, public, sessions

public_patterns = [
    path("", public.home, name="home"),
    path("how-it-works/", public.how_it_works, name="how_it_works"),
    path("partners/", public.partners, name="partners"),
    path("accessibility/", public.accessibility, name="accessibility"),
    path("privacy/", public.privacy, name="privacy"),
]

portal_patterns = [
    path("sign-in/", auth.login, name="login"),
    path("interest/", interest.start, name="interest_start"),
    *[
        path(f"interest/{q.slug.replace('_', '-')}/", interest.question, {"slug": q.slug}, name=f"interest_{q.slug}")
        for q in interest.QUESTIONS
    ],
    path("interest/check/", interest.check, name="interest_check"),
    path("interest/done/", interest.done, name="interest_done"),
    path("pathway/", pathway.pathway, name="pathway"),
    path("actions/<int:pk>/done/", pathway.action_done, name="action_done"),
    path("partners/", partners.choose, name="partners_choose"),
    path("sessions/", sessions.sessions, name="sessions"),
    path("sessions/<int:pk>/book/", sessions.book, name="session_book"),
    path("bookings/<int:pk>/cancel/", sessions.cancel, name="session_cancel"),
    path("bookings/<int:pk>/calendar.ics", calendar.information_ics, name="booking_ics"),
    path("appointments/<int:pk>/calendar.ics", calendar.coaching_ics, name="appointment_ics"),
    path("documents/", documents.documents, name="documents"),
    path("documents/<int:pk>/attestation.pdf", documents.attestation, name="attestation"),
    path("data/", mydata.my_data, name="my_data"),
    path("data/my-data.json", mydata.my_data_json, name="my_data_json"),
    path("data/my-data.pdf", mydata.my_data_pdf, name="my_data_pdf"),
    path("data/correction/", mydata.correction, name="correction"),
]

urlpatterns = [
    path("programme/", include((public_patterns, "public"))),
    path("my/", include((portal_patterns, "portal"))),
]
