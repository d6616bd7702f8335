from django.urls import path, re_path

from multinic_api.openstack.image import views

app_name = "image"
urlpatterns = [
    path("", views.VersionsView.as_view(), name="versions"),
    path("v2/images", views.ImagesView.as_view(), name="images"),
    path("v2/images/<str:image_id>", views.ImageDetailView.as_view(), name="image"),
    # Anything else is a JSON 404 too ([\s\S], not ".": a path with an encoded newline as well).
    re_path(r"^[\s\S]*$", views.NoSuchResourceView.as_view(), name="no-such-resource"),
]
