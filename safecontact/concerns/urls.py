app_name = "concerns"
urlpatterns: list[object] = []
