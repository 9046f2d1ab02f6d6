"""The store's old address, for tests/e2e/test_delivery_failures.py until it imports
leadbot.services.delivery_store (the store is the services' storage: delivery imports it, not the reverse).
Delete this module then."""

from leadbot.services.delivery_store import DeliveryStore

__all__ = ["DeliveryStore"]
