from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("profil/modifier/", views.profile_edit, name="profile_edit"),
    path("mes-donnees/", views.data_export, name="data_export"),
    path("supprimer/", views.account_delete, name="delete"),
]
