from celery import shared_task

from supervision.publication import services


@shared_task(name="supervision.tasks.publication.publish_statistics")
def publish_statistics() -> list[str]:
    """Rebuild the public statistics of this quarter so far and of the last."""
    return services.build_current()
