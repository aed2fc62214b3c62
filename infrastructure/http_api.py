"""The channel- and agent-facing HTTP API (API Gateway v2), versioned under /v1."""

from __future__ import annotations

from collections.abc import Mapping

import jsii
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from constructs import Construct

from infrastructure.naming import Naming

ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","routeKey":"$context.routeKey",'
    '"status":"$context.status","latency":"$context.responseLatency","integrationError":"$context.integrationErrorMessage"}'
)


@jsii.implements(apigwv2.IAccessLogSettings)
class AccessLogs:
    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._log_group = log_group

    @property
    def destination(self) -> apigwv2.IAccessLogDestination:
        return apigwv2.LogGroupLogDestination(self._log_group)

    @property
    def format(self) -> apigw.AccessLogFormat:
        return apigw.AccessLogFormat.custom(ACCESS_LOG_FORMAT)


class HttpApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        naming: Naming,
        channel_routes: dict[str, lambda_.IFunction],
        agent_routes: dict[str, lambda_.IFunction],
        authorizer: apigwv2.IHttpRouteAuthorizer,
        removal: RemovalPolicy,
        log_retention: logs.RetentionDays,
        throttle: apigwv2.ThrottleSettings,
        route_throttles: Mapping[str, apigwv2.ThrottleSettings],
        cors_origins: list[str],
    ) -> None:
        """``cors_origins``: the agent console's origins, which call the agent routes from the browser."""
        super().__init__(scope, construct_id)
        self.api = apigwv2.HttpApi(
            self,
            "Api",
            api_name=naming("api"),
            create_default_stage=False,
            cors_preflight=apigwv2.CorsPreflightOptions(
                allow_origins=cors_origins,
                allow_methods=[
                    apigwv2.CorsHttpMethod.GET,
                    apigwv2.CorsHttpMethod.POST,
                    apigwv2.CorsHttpMethod.PUT,
                    apigwv2.CorsHttpMethod.DELETE,
                ],
                allow_headers=["authorization", "content-type"],
                max_age=Duration.hours(1),
            ),
        )
        access_logs = logs.LogGroup(
            self, "AccessLogs", log_group_name=f"/aws/apigateway/{naming('api')}", retention=log_retention, removal_policy=removal
        )
        self.stage = apigwv2.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            auto_deploy=True,
            throttle=throttle,
            access_log_settings=AccessLogs(access_logs),
        )
        integrations: dict[str, HttpLambdaIntegration] = {}
        # Channels name their brand (the trust issue signs them); agents present a Cognito ID token.
        for routes, route_authorizer in ((channel_routes, None), (agent_routes, authorizer)):
            for route_key, function in routes.items():
                method, path = route_key.split(" ", 1)
                node_id = function.node.id
                if node_id not in integrations:
                    integrations[node_id] = HttpLambdaIntegration(f"{node_id}Integration", function)
                for route in self.api.add_routes(
                    path=path, methods=[apigwv2.HttpMethod(method)], integration=integrations[node_id], authorizer=route_authorizer
                ):
                    self.stage.node.add_dependency(route)  # route settings name existing routes
        # Per-route limits below the stage's: a flood on one route cannot starve the others.
        stage = self.stage.node.default_child
        assert isinstance(stage, apigwv2.CfnStage)
        stage.route_settings = {
            route_key: {"ThrottlingRateLimit": limit.rate_limit, "ThrottlingBurstLimit": limit.burst_limit}
            for route_key, limit in route_throttles.items()
        }
