"""Tickets: the SLA policy, the status lifecycle and who may act on a ticket."""
