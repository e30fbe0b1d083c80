from django.urls import path

from . import map_views, matrix_views, network_views, views

app_name = "partnerships"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouvelle/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/supprimer/", views.delete, name="delete"),
    path("<int:pk>/suivi/note/", views.note_add, name="note_add"),
    path("<int:pk>/suivi/indicateur/", views.indicator_add, name="indicator_add"),
    path("reseau/<str:level>/<str:code>/", network_views.network, name="network"),
    path("reseau/<str:level>/<str:code>/donnees.json", network_views.network_data,
         name="network_data"),
    path("carte/<str:level>/<str:code>/", map_views.map_page, name="map"),
    path("carte/<str:level>/<str:code>/donnees.json", map_views.map_data, name="map_data"),
    path("qui-avec-qui/<str:level>/<str:code>/", matrix_views.matrix, name="matrix"),
]
