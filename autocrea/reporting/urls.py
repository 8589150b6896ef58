"""Dashboard URLs: the programme's figures and a partner's own figures (exports: ?export=<table>&format=)."""

from django.urls import path

from autocrea.reporting import pdf_views, programme_views, survival_compare, views

app_name = "reporting"
urlpatterns = [
    path("", views.programme, name="programme"),
    path("partner/", views.partner, name="partner"),
    path("survival/", survival_compare.survival_compare, name="survival_compare"),
    path("partner/survival/", survival_compare.partner_survival_compare, name="partner_survival_compare"),
    path("esf/", views.esf_export, name="esf_export"),
    path("report.pdf", pdf_views.report_pdf, name="report_pdf"),
    path("settings/", programme_views.programme_settings, name="programme_settings"),
]
