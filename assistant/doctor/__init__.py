"""`clausewise doctor` and the app's Help → System report…: versions, models and their checksums,
memory, the data folder, the desktop's X11 libraries and every index's consistency, each a check
that is ok or a problem with one line on what to do. Nothing here changes what it looks at."""

from assistant.doctor.checkup import CHECKS, Environment, checkup, environment, known_indexes
from assistant.doctor.indexes import NamedIndex, stores_reusing
from assistant.doctor.report import Check, Report, Status

__all__ = ["CHECKS", "Check", "Environment", "NamedIndex", "Report", "Status", "checkup", "environment",
           "known_indexes", "stores_reusing"]
