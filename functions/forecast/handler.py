"""GET /v1/forecast: the next hours' expected volume and staffing (statsmodels: a container image).
An hourly schedule refreshes every brand's forecast, which KPIs and alerts compare volume with."""

from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic_settings import BaseSettings, SettingsConfigDict

from forecast.service import Forecaster
from livedesk.analytics.forecast import Forecast
from livedesk.analytics.store import AnalyticsStore
from livedesk.api import AGENT, create_resolver, current_actor
from livedesk.identity import Role
from livedesk.logs import service_logger
from livedesk.models import utc_now
from livedesk.tickets.sla import SlaPolicy
from livedesk.tracing import service_tracer


class ForecastSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    analytics_table: str
    sla_policy: str | None = None


settings = ForecastSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
app = create_resolver()
forecaster = Forecaster(
    AnalyticsStore(boto3.resource("dynamodb").Table(settings.analytics_table)), SlaPolicy.load(settings.sla_policy), utc_now
)


@app.get("/v1/forecast", summary="Expected messages per hour and the agents each hour needs", tags=["operations"], responses=AGENT)
def get_forecast(hours: Annotated[int, Query(ge=1, le=168)] = 48) -> Forecast:
    return forecaster.next_hours(current_actor(app, Role.SUPERVISOR).brand_id, hours)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "requestContext" in event:
        return app.resolve(event, context)
    refreshed = forecaster.refresh_all()  # the hourly schedule
    metrics.add_metric(name="ForecastsRefreshed", unit=MetricUnit.Count, value=len(refreshed))
    return {"mape": refreshed}
