from django.urls import path

from multinic_dashboard.dashboards.admin.vifs import views

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
]
