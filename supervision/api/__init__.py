from rest_framework.routers import BaseRouter

from supervision.concepts import modules


def register(router: BaseRouter) -> None:
    """Each part's API viewsets, registered on the portal's router by its ``register``."""
    for part in modules("supervision.api"):
        part.register(router)
