"""The local stack: the synthesized template provisioned on an embedded moto server,
with Lambda invocations dispatched in-process to the real handlers."""
