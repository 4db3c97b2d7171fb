from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "ERP Integrations"

    def ready(self) -> None:
        from integrations import (
            kinds,  # noqa: F401  (declares the kinds, and their resources)
            receivers,  # noqa: F401  (audits token revocations)
        )
        from integrations.reports import builtin
        from integrations.web import cost_codes, reports

        cost_codes.register()
        builtin.register_all()
        reports.register()
