"""Django registers an app's models when it imports the app's ``models`` module. The
supervision app's models live in its capabilities' folders, so this module imports each of
them for that side effect; nothing else should import models from here."""

from supervision.complaints import models as complaints  # noqa: F401
from supervision.dashboards import models as dashboards  # noqa: F401
from supervision.escalation import models as escalation  # noqa: F401
from supervision.evaluation import models as evaluation  # noqa: F401
from supervision.evaluation import rectification_models as evaluation_rectification  # noqa: F401
from supervision.publication import models as publication  # noqa: F401
from supervision.quality import models as quality  # noqa: F401
from supervision.screening import models as screening  # noqa: F401
from supervision.screening.visits import models as screening_visits  # noqa: F401
