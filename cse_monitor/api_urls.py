"""Routes under /api/: version 1 of the REST API, its OpenAPI schema and docs, the token page."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from budget.api import BudgetLineViewSet
from chains.api import ValueChainViewSet
from cse_monitor import token_views
from cse_monitor.lib.api_errors import not_found
from indicators.api.reads import IndicatorValueViewSet, IndicatorViewSet, ProgrammeViewSet, ResultViewSet
from indicators.api.series import BulkSeriesView
from indicators.api.writes import IndicatorValueEntryView, quarter_action_view
from municipalities.api import BeneficiaryDistrictViewSet, DistrictViewSet
from reports.api import EmclDecisionViewSet, ReportView, ReportYearsView, StatedScoreViewSet


class Router(DefaultRouter):
    include_root_view = False


router = Router()
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("results", ResultViewSet, basename="result")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("values", IndicatorValueViewSet, basename="indicator-value")
router.register("value-chains", ValueChainViewSet, basename="value-chain")
router.register("districts", DistrictViewSet, basename="district")
router.register("beneficiary-districts", BeneficiaryDistrictViewSet, basename="beneficiary-district")
router.register("budget-lines", BudgetLineViewSet, basename="budget-line")
router.register("stated-scores", StatedScoreViewSet, basename="stated-score")
router.register("emcl-decisions", EmclDecisionViewSet, basename="emcl-decision")

v1 = [
    path("auth/token/", token_views.ObtainTokenView.as_view(), name="api-obtain-token"),
    path("series/", BulkSeriesView.as_view(), name="api-series"),
    path("indicators/<str:indicator>/values/<str:period>/", IndicatorValueEntryView.as_view(), name="api-value"),
    *[
        path(
            f"programmes/<str:programme>/quarters/<str:period>/{name}/",
            quarter_action_view(name),
            name=f"quarter-{name}",
        )
        for name in ("submit", "return", "approve", "reopen")
    ],
    path("programmes/<str:programme>/reports/", ReportYearsView.as_view(), name="api-reports"),
    path("programmes/<str:programme>/reports/<int:year>/", ReportView.as_view(), name="api-report"),
    path("", include(router.urls)),
    re_path(r"^[\s\S]*$", not_found),  # any other path under /api/v1/: the JSON 404, not the HTML page
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script from a URL: no inline script under the CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="cse_monitor/swagger_ui.html", title="CSE Monitor API"
        ),
        name="api-docs",
    ),
    path("tokens/", token_views.tokens_page, name="api-tokens"),
    path("tokens/<int:token_id>/revoke/", token_views.revoke_token, name="api-token-revoke"),
    re_path(r"^[\s\S]*$", not_found),
]
