"""The API docs (Swagger UI) under the site's Content-Security-Policy.

drf-spectacular's split view serves the page and its start-up script as two responses
(`/api/docs/` and `/api/docs/?script=`), so the page needs no inline script; the template
below drops the page's inline <style> for a static file. What is left to allow is what
Swagger UI does once loaded: it fetches the schema (connect-src) from this site.
"""

from csp.constants import SELF
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


api_docs = csp_update({"connect-src": [SELF]})(ApiDocsView.as_view(url_name="schema"))
