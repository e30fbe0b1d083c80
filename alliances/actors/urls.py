from django.urls import path

from . import views

app_name = "actors"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouveau/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
]
from . import duplicate_views  # noqa: E402  (appended: possible duplicates)

urlpatterns += [
    path("doublons/", duplicate_views.duplicates, name="duplicates"),
    path("doublons/<int:pk>/", duplicate_views.duplicate_decide, name="duplicate_decide"),
]
