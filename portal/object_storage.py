"""Object storage named by one setting, ``PORTAL_STORAGE_URL`` (read by portal/settings.py):
uploads and exports in an S3-compatible bucket, so that web and worker machines share no
disk."""

from urllib.parse import parse_qsl, urlsplit

from django.core.exceptions import ImproperlyConfigured


def object_storage(url: str) -> dict:
    """The default storage for ``PORTAL_STORAGE_URL``: the local disk when it is empty, else
    ``s3://bucket[/prefix]`` with
    ``endpoint_url``, ``region_name``, ``addressing_style`` or ``signature_version`` as query
    parameters, through django-storages' S3 backend (credentials from the usual
    ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY``). A file is never overwritten: two
    uploads of one name are stored under two names, as on disk."""
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parsed = urlsplit(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ImproperlyConfigured(f"PORTAL_STORAGE_URL must be s3://bucket[/prefix], not {url}")
    options = {"bucket_name": parsed.netloc, "file_overwrite": False}
    if parsed.path.strip("/"):
        options["location"] = parsed.path.strip("/")
    for name, value in parse_qsl(parsed.query):
        if name not in ("endpoint_url", "region_name", "addressing_style", "signature_version"):
            raise ImproperlyConfigured(f"PORTAL_STORAGE_URL: unknown option {name}")
        options[name] = value
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
