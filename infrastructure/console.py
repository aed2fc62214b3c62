"""The agent console in AWS: its built files in a private S3 bucket behind CloudFront (origin access
control, HTTPS only, security headers with a strict CSP), published with the stack's names in
config.json. Idle, it costs nothing but storage."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infrastructure.console_policy import CONSOLE_DIST, content_security_policy

HOSTING_FINDINGS = {
    "AwsSolutions-S1": "The bucket holds only the console's public build (no personal data), written by the deployment; "
    "CloudTrail data events audit it where a deployer needs object-level logs.",
    "AwsSolutions-CFR1": "Agents and supervisors work from wherever the brand staffs them; sign-in and the API decide who gets in.",
    "AwsSolutions-CFR2": "A WAF web ACL bills a fixed monthly fee, against the scale-to-zero goal. The distribution serves only the "
    "static build; the API behind it has its own throttles and JWT authorizer. A deployer who wants WAF attaches a web ACL.",
    "AwsSolutions-CFR3": "The access log would list requests for static files that carry no data; the API's access log "
    "records what agents do. A deployer enables standard logging to a bucket of theirs if they want it.",
    "AwsSolutions-CFR4": "The distribution uses CloudFront's default *.cloudfront.net certificate, whose TLS policy cannot be "
    "raised; with a custom domain and an ACM certificate a deployer sets TLSv1.2_2021.",
}


class ConsoleHosting(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, region: str, removal: RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        if not (CONSOLE_DIST / "index.html").is_file():
            raise FileNotFoundError(f"{CONSOLE_DIST} has no build: run `make console` (make synth and make dev run it)")
        self.bucket = s3.Bucket(
            self,
            "Files",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            removal_policy=removal,
        )
        # The API's host is one of the region's execute-api hosts: naming the API itself would make a
        # cycle (the API's CORS names this distribution).
        connect = [f"https://*.execute-api.{region}.amazonaws.com", f"https://cognito-idp.{region}.amazonaws.com"]
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(connect), override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730), include_subdomains=True, override=True
                ),
            ),
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="LiveDesk agent console",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=headers,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                compress=True,
            ),
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        )
        self.origin = f"https://{self.distribution.distribution_domain_name}"
        Validations.of(self).acknowledge(*(Acknowledgment(id=rule, reason=reason) for rule, reason in HOSTING_FINDINGS.items()))

    def publish(self, *, api_url: str, region: str, user_pool_id: str, client_id: str, log_retention: logs.RetentionDays) -> None:
        """Upload the build and its config.json (the API and the user pool the console signs in to)."""
        config = {"apiUrl": api_url, "region": region, "userPoolId": user_pool_id, "clientId": client_id, "liveSessions": []}
        s3deploy.BucketDeployment(
            self,
            "Publish",
            destination_bucket=self.bucket,
            sources=[s3deploy.Source.asset(str(CONSOLE_DIST)), s3deploy.Source.json_data("config.json", config)],
            distribution=self.distribution,
            distribution_paths=["/index.html", "/config.json"],
            memory_limit=256,
            log_group=logs.LogGroup(self, "PublishLogs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY),
        )
        stack = Stack.of(self)
        bucket_arn = stack.resolve(stack.get_logical_id(self.bucket.node.default_child))  # type: ignore[arg-type]
        publishing = (
            "CDK's bucket-deployment function copies the build from the asset bucket into the console bucket and invalidates the cache."
        )
        Validations.of(stack).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                reason=f"{publishing} Its role (CDK's, only used at deploy time) logs with the basic execution policy.",
            ),
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]",
                reason=f"{publishing} It reads the build's asset object from CDK's bootstrap bucket.",
            ),
            Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::<{bucket_arn}.Arn>/*]",
                reason=f"{publishing} It writes and prunes the objects of the console bucket, and only that bucket.",
            ),
        )
