"""Pages of every list in the API: ``limit`` and ``offset``, refused when they are not what the
schema says (DRF's own paginator silently ignores ``limit=true`` or a negative offset, so a
client's mistake would come back as a different page than it asked for)."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


def _whole_number(request: Request, name: str, default: int, least: int, most: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not least <= int(raw) <= most:
        message = _("A whole number from %(least)s to %(most)s.") % {"least": least, "most": most}
        raise ValidationError({name: [message]})
    return int(raw)


class StrictLimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = 1000
    max_offset = 10**9  # beyond any table's size; keeps the number an integer everywhere

    def get_limit(self, request: Request) -> int:
        default: int = settings.REST_FRAMEWORK["PAGE_SIZE"]  # type: ignore[assignment]
        return _whole_number(request, self.limit_query_param, default, 1, self.max_limit)

    def get_offset(self, request: Request) -> int:
        return _whole_number(request, self.offset_query_param, 0, 0, self.max_offset)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": self.max_offset},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds[parameter["name"]])
        return parameters
