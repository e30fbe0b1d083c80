"""/observatoire/console/: the analyst's console (see `console_views`)."""

from django.urls import path

from . import console_views as views

urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/enquetes/<slug:slug>/", views.survey_detail, name="console_survey"),
    path("console/enquetes/<slug:slug>/xlsform/", views.xlsform_preview,
         name="console_xlsform_preview"),
    path("console/vagues/<int:pk>/", views.wave_detail, name="console_wave"),
    path("console/vagues/<int:pk>/statut/", views.wave_status, name="console_wave_status"),
    path("console/vagues/<int:pk>/xlsform/", views.wave_xlsform, name="console_wave_xlsform"),
    path("console/vagues/<int:pk>/imports/", views.wave_import, name="console_import"),
    path("console/vagues/<int:pk>/calage/", views.wave_rake, name="console_rake"),
    path("console/vagues/<int:pk>/calage/retirer/", views.wave_unrake, name="console_unrake"),
    path("console/vagues/<int:pk>/invitations/", views.wave_invitations,
         name="console_invitations"),
    path("console/vagues/<int:pk>/invitations.csv", views.wave_invitations_csv,
         name="console_invitations_csv"),
    path("console/vagues/<int:pk>/lien-ouvert/", views.wave_open_link, name="console_open_link"),
    path("console/imports/<int:pk>/", views.batch_detail, name="console_batch"),
    path("console/imports/<int:pk>/fichier/", views.batch_source, name="console_batch_source"),
    path("console/imports/<int:pk>/rejets/", views.batch_rejected, name="console_batch_rejected"),
]
