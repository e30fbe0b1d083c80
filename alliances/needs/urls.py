from django.urls import path

from . import views

app_name = "needs"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouveau/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/contact/<int:organisation_id>/", views.contact_create, name="contact_create"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/repondre/", views.contact_answer, name="contact_answer"),
]
