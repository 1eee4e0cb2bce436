"""Use cases of the auth API; they talk to AWS only through ``auth_service.repositories``."""
