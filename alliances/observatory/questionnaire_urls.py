"""/observatoire/: the questionnaire pages (see questionnaire_views).

An invitation's pages hang under its token, an open-link response's under its resume key:
`answer_invitation…` and `answer_resume…` are the same views.
"""

from django.urls import path

from . import questionnaire_views as views


def _flow(prefix: str, via: str) -> list:
    extra = {"via": via}
    name = f"answer_{via}"
    return [
        path(f"{prefix}/<str:key>/", views.welcome, extra, name=name),
        path(f"{prefix}/<str:key>/etape/<int:step>/", views.page, extra, name=f"{name}_page"),
        path(f"{prefix}/<str:key>/relecture/", views.review, extra, name=f"{name}_review"),
        path(f"{prefix}/<str:key>/enregistre/", views.saved, extra, name=f"{name}_saved"),
        path(f"{prefix}/<str:key>/merci/", views.thanks, extra, name=f"{name}_thanks"),
    ]


urlpatterns = [
    *_flow("repondre", views.INVITATION),
    *_flow("reprendre", views.RESUME),
    path("enquete/<str:key>/", views.open_link, name="answer_open"),
]
