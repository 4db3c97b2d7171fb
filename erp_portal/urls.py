from django.contrib import admin
from django.urls import include, path

from erp_portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("erp_portal.api_urls")),
    path("", include("erp.urls")),
    path("", include("approvals.urls")),
    path("", include("syncs.urls")),
    path("", include("integrations.urls")),
]
