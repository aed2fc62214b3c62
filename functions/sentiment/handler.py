"""POST /v1/sentiment: polarity, emotion category, intensity and threat for a text."""

from typing import Annotated, Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from livedesk.api import CHANNEL, BrandId, ChannelName, Signature, SignedAt, channel_resolver
from livedesk.logs import service_logger
from livedesk.modelbase import Model
from livedesk.models import EmotionAssessment, Strict
from livedesk.settings import ChannelKeySettings
from livedesk.tracing import service_tracer
from livedesk.understanding.pipeline import packaged_emotion_reader

logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
app = channel_resolver(ChannelKeySettings(), frozenset({"POST /v1/sentiment"}))
emotion_reader = packaged_emotion_reader()  # the intent model is routing's, not needed here


class SentimentRequest(Strict):
    texts: list[Annotated[str, Field(min_length=1, max_length=4000)]] = Field(min_length=1, max_length=100)


class SentimentResponse(Model):
    results: list[EmotionAssessment]


@app.post("/v1/sentiment", summary="Assess the emotion of a batch of customer texts", tags=["understanding"], responses=CHANNEL)
def post_sentiment(
    request: SentimentRequest, brand_id: BrandId, channel: ChannelName, timestamp: SignedAt, signature: Signature
) -> SentimentResponse:
    return SentimentResponse(results=[emotion_reader.emotion(text) for text in request.texts])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
