"""Co-development facilitator: rounds, roles, time boxes, shared notes, action plans.

Mounted under parcours/ before the journeys: every route has two segments or more and a
fixed word, so none can be read as a cohort slug.
"""

from django.urls import path

from . import views

app_name = "codev"
urlpatterns = [
    path("seances/<int:pk>/codev/nouveau-tour/", views.round_create, name="round_create"),
    path("codev/tours/<int:pk>/", views.round_detail, name="round"),
    path("codev/tours/<int:pk>/direct/", views.round_live, name="round_live"),
    path("codev/tours/<int:pk>/pilotage/<slug:action>/", views.round_control, name="round_control"),
    path("codev/tours/<int:pk>/notes/", views.note_add, name="note_add"),
    path("codev/tours/<int:pk>/plan-d-action/", views.action_plan, name="action_plan"),
    path("codev/tours/<int:pk>/apprentissages/", views.learning_save, name="learning"),
    path("codev/tours/<int:pk>/durees/", views.timeboxes_update, name="timeboxes"),
    path("codev/mes-plans-d-action/", views.my_action_plans, name="my_plans"),
    path("codev/actions/<int:pk>/fait/", views.action_item_done, name="action_done"),
]
