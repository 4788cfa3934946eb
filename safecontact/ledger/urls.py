from django.urls import path

from safecontact.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("verify/", views.verify, name="verify"),
    path("verify/checks/", views.check_start, name="check_start"),
    path("verify/checks/<uuid:code>/", views.check_detail, name="check"),
    path("entries/<uuid:code>/", views.entry_detail, name="detail"),
    path("<str:kind>/<uuid:code>/history/", views.history, name="history"),
    path("<str:kind>/<uuid:code>/history.csv", views.history_csv, name="history_csv"),
]
