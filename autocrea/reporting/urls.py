"""Dashboard URLs: the programme's figures and a partner's own figures (exports: ?export=<table>&format=)."""

from django.urls import path

from autocrea.reporting import pdf_views, views

app_name = "reporting"
urlpatterns = [
    path("", views.programme, name="programme"),
    path("partner/", views.partner, name="partner"),
    path("esf/", views.esf_export, name="esf_export"),
    path("report.pdf", pdf_views.report_pdf, name="report_pdf"),
]
