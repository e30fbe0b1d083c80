"""Contributions and their review: propose, edit, follow, review, versions."""

from django.urls import path

from . import contribution_views as views

urlpatterns = [
    path("proposer/", views.propose, name="propose"),
    path("apercu/", views.preview, name="preview"),
    path("organisations/", views.organisation_search, name="organisation_search"),
    path("mes-contributions/", views.my_contributions, name="my_contributions"),
    path("relecture/", views.review_queue, name="review_queue"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/relecture/", views.review, name="review"),
    path("<int:pk>/soumettre/", views.submit, name="submit"),
    path("<int:pk>/relecture/commencer/", views.review_start, name="review_start"),
    path("<int:pk>/commenter/", views.comment, name="comment"),
    path("<int:pk>/modifications/", views.request_changes, name="request_changes"),
    path("<int:pk>/publier/", views.publish, name="publish"),
    path("<int:pk>/refuser/", views.refuse, name="refuse"),
    path("<int:pk>/depublier/", views.unpublish, name="unpublish"),
    path("<int:pk>/supprimer/", views.delete, name="delete"),
    path("<int:pk>/versions/", views.versions, name="versions"),
    path("<int:pk>/versions/<int:number>/", views.version, name="version"),
]
