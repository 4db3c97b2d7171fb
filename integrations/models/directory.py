"""Companies in the directory: the vendors (subcontractors, suppliers) the ERP pays."""

from __future__ import annotations

from django.db import models

from integrations.models.base import ErpLinkedModel, origin_constraint


class Company(ErpLinkedModel):
    class VendorType(models.TextChoices):
        SUBCONTRACTOR = "subcontractor", "Subcontractor"
        SUPPLIER = "supplier", "Supplier"
        CONSULTANT = "consultant", "Consultant"
        OWNER = "owner", "Owner / client"

    name = models.CharField(max_length=200)
    abbreviated_name = models.CharField(max_length=30, blank=True)
    vendor_type = models.CharField(
        max_length=20, choices=VendorType.choices, default=VendorType.SUBCONTRACTOR
    )
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state_code = models.CharField("State", max_length=10, blank=True)
    zip = models.CharField("ZIP", max_length=20, blank=True)
    country_code = models.CharField("Country", max_length=2, default="US")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    license_number = models.CharField(max_length=60, blank=True)
    tax_id = models.CharField(
        "Tax id",
        max_length=40,
        blank=True,
        help_text="EIN or other tax number (used to match ERP vendors).",
    )
    is_active = models.BooleanField(default=True)

    locked_fields = ("name",)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        constraints = [origin_constraint("company")]
        indexes = [models.Index(fields=["account", "name"])]

    def __str__(self) -> str:
        return self.name
