from django.urls import path

from alliances.lib.env import env_bool

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("sante/", views.health, name="health"),
    path("healthz", views.healthz, name="healthz"),
]

# The benchmark's baseline page exists only in the server `alliances bench` starts.
if env_bool("ALLIANCES_BENCH"):
    from . import bench_views

    urlpatterns.append(path("bench/baseline/", bench_views.baseline, name="bench-baseline"))
