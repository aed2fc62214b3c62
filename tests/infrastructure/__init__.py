from aws_cdk.assertions import Match

# LiveDesk's own functions: each is named; CDK's deploy-time helpers (the console's bucket deployment) are not.
OWN_FUNCTION = {"Properties": {"FunctionName": Match.any_value()}}
