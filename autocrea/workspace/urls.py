"""Staff workspace URLs, one module per slice so that each slice owns its routes."""

from django.urls import path

from autocrea.workspace.urls_activities import urlpatterns as activity_urls
from autocrea.workspace.urls_calendar import urlpatterns as calendar_urls
from autocrea.workspace.urls_caseload import urlpatterns as caseload_urls
from autocrea.workspace.urls_collective import urlpatterns as collective_urls
from autocrea.workspace.urls_documents import urlpatterns as document_urls
from autocrea.workspace.urls_eligibility import urlpatterns as eligibility_urls
from autocrea.workspace.urls_export import urlpatterns as export_urls
from autocrea.workspace.urls_followups import urlpatterns as follow_up_urls
from autocrea.workspace.urls_funnel import urlpatterns as funnel_urls
from autocrea.workspace.urls_merge import urlpatterns as merge_urls
from autocrea.workspace.urls_partner import urlpatterns as partner_urls
from autocrea.workspace.urls_requests import urlpatterns as request_urls
from autocrea.workspace.urls_sessions import urlpatterns as session_urls
from autocrea.workspace.views import home

app_name = "workspace"
urlpatterns = [
    path("", home.home, name="home"),
    *funnel_urls,
    *partner_urls,
    *export_urls,
    *session_urls,
    *caseload_urls,
    *document_urls,
    *follow_up_urls,
    *eligibility_urls,
    *merge_urls,
    *calendar_urls,
    *collective_urls,
    *request_urls,
    *activity_urls,
]
