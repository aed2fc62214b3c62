"""Supply-chain lookups and actions: orders, stock, parcels, refunds and coupons.

Each is a port with two adapters: a DynamoDB one (``dynamo.py``, the default, seeded with demo data
locally) and an HTTP one (``http.py``) for a real ERP / WMS / TMS / carrier / payment endpoint,
chosen by ``SUPPLY_CHAIN_URL``.
"""
