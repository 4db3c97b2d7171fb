"""English formats: the settings' ``DATE_FORMAT``, ``DATETIME_FORMAT`` and ``TIME_FORMAT``
(a locale's own would win over the settings)."""

from django.conf import settings

DATE_FORMAT = settings.DATE_FORMAT
DATETIME_FORMAT = settings.DATETIME_FORMAT
TIME_FORMAT = settings.TIME_FORMAT
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
