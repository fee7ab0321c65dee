"""The live bot fixtures of tests/handlers, shared here."""

from tests.handlers.conftest import fake, live

__all__ = ["fake", "live"]
