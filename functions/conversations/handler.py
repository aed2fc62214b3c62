"""GET a conversation with its messages in order, a customer's conversations across channels, and the
questions grouped in a live session with the answer broadcast to each group."""

from datetime import timedelta
from typing import Annotated, Any

import boto3
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ConfigDict, Field

from livedesk.api import AGENT, create_resolver, current_actor
from livedesk.audit import AuditLog
from livedesk.clusters.store import LiveClusterRepository
from livedesk.conversations.store import ConversationRepository
from livedesk.logs import service_logger
from livedesk.modelbase import Model
from livedesk.models import IDENTIFIER, Conversation, ConversationView, utc_now
from livedesk.pii import mask
from livedesk.privacy import REVEAL_DESCRIPTION, ViewPolicy
from livedesk.settings import ConversationStoreSettings
from livedesk.tickets.repository import TicketRepository
from livedesk.tracing import service_tracer


class ConversationSettings(ConversationStoreSettings):
    audit_table: str
    tickets_table: str


settings = ConversationSettings()
logger = service_logger()
tracer = service_tracer()
metrics = Metrics()
app = create_resolver()
dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(settings.conversations_table)
conversations = ConversationRepository(table, timedelta(0))
clusters = LiveClusterRepository(table, timedelta(0))
views = ViewPolicy(AuditLog(dynamodb.Table(settings.audit_table), utc_now))
tickets = TicketRepository(dynamodb.Table(settings.tickets_table), history=None)  # heads only


class CustomerConversations(Model):
    customer_id: str
    conversations: list[Conversation]


@app.get("/v1/conversations/<conversation_id>", summary="A conversation and its messages in order", tags=["conversations"], responses=AGENT)
def get_conversation(
    conversation_id: Annotated[str, Path(pattern=IDENTIFIER, max_length=64)],
    reveal: Annotated[bool, Query(description=REVEAL_DESCRIPTION)] = False,
) -> ConversationView:
    actor = current_actor(app)
    found = conversations.get(actor.brand_id, conversation_id)
    if found is None:
        raise NotFoundError(f"conversation {conversation_id} not found")
    conversation, messages = found
    view = ConversationView(**conversation.model_dump(), messages=messages)
    return views.conversation(actor, view, lambda ticket_id: tickets.head(actor.brand_id, ticket_id), reveal)


@app.get(
    "/v1/customers/<customer_id>/conversations", summary="A customer's conversations, newest first", tags=["conversations"], responses=AGENT
)
def list_customer_conversations(
    customer_id: Annotated[str, Path(pattern=IDENTIFIER, max_length=64)], limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> CustomerConversations:
    brand_id = current_actor(app).brand_id
    return CustomerConversations(customer_id=customer_id, conversations=conversations.list_for_customer(brand_id, customer_id, limit))


class QuestionCluster(Model):
    model_config = ConfigDict(from_attributes=True)

    cluster_id: str
    intent: str
    representative: str = Field(description="The first viewer's wording")
    members: int = Field(description="Viewers who asked this question")
    answer: str | None = Field(description="The bot's answer, broadcast once to every member")
    ticket_id: str | None = Field(description="The one ticket a person answers for the whole cluster")


class LiveSessionQuestions(Model):
    live_session_id: str
    clusters: list[QuestionCluster]


@app.get(
    "/v1/live-sessions/<live_session_id>/clusters",
    summary="The questions viewers asked in a live session, grouped, most asked first",
    tags=["conversations"],
    responses=AGENT,
)
def list_live_session_clusters(live_session_id: Annotated[str, Path(pattern=IDENTIFIER, max_length=64)]) -> LiveSessionQuestions:
    found = sorted(clusters.for_session(current_actor(app).brand_id, live_session_id), key=lambda c: -c.members)
    grouped = [QuestionCluster.model_validate(c) for c in found]  # the first viewer's wording, masked like any view
    masked = [c.model_copy(update={"representative": mask(c.representative)}) for c in grouped]
    return LiveSessionQuestions(live_session_id=live_session_id, clusters=masked)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
