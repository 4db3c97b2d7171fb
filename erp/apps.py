from django.apps import AppConfig


class ErpConfig(AppConfig):
    name = "erp"
    verbose_name = "ERP connection"

    def ready(self) -> None:
        from erp import checks  # noqa: F401  (registers the deploy checks)
