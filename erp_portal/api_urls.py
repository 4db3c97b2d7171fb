from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# The API's docs page (Swagger UI, served from the portal): its script is a file of its own (the
# split view), but Swagger UI styles itself inline and draws its icons as data: images, so this
# page alone allows both.
api_docs = csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_docs, name="api-docs"),
    path("v1/", include("integrations.api.urls")),
    path("v1/", include("approvals.api.urls")),
    path("v1/", include("syncs.api.urls")),
]
