"""Where household records live: the store contract, its adapters, and the keeper that loads and saves them."""

from .base import HouseholdStore, StoreUnavailable, VersionConflict

__all__ = ["HouseholdStore", "StoreUnavailable", "VersionConflict"]
