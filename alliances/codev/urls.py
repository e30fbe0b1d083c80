app_name = "codev"
urlpatterns: list = []
