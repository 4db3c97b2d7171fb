"""Set up the books of a new Tryton database for the ERP Portal: run by ``server.py`` with the
*Tryton* virtualenv's Python (it needs trytond and proteus, which the portal does not install)::

    <tryton venv>/bin/python bootstrap_books.py DATABASE CONFIG_FILE

It makes what a construction general contractor's accountant would have set up before
connecting the portal (see README.md):

* the company (USD; posted customer invoices may be cancelled) with the "Universal Chart of
  Accounts", calendar fiscal years for last
  year, this year and next year (12 periods each, invoice sequences), a "Direct" payment term;
* ``2.2.9 Retainage Payable`` (a liability that supplier invoices may book, per party) and
  ``1.2.9 Retainage Receivable`` (per party);
* the analytic roots ``Jobs`` (JOBS) and ``Cost Codes`` (COST_CODES);
* a "Subcontract work" service product (expense 5.1.3) for purchase lines;
* a "Cash" invoice payment method (journal CASH, account 1.1.1) to pay invoices with.

The template database this builds is cached keyed by a hash of this file: edit it and the
next test run rebuilds the template.
"""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal


def main(database: str, config_file: str) -> None:
    from proteus import Model, config

    config.set_trytond(database=database, config_file=config_file)

    from trytond.modules.account.tests.tools import create_chart, create_fiscalyear
    from trytond.modules.account_invoice.tests.tools import (
        create_payment_term,
        set_fiscalyear_invoice_sequences,
    )
    from trytond.modules.company.tests.tools import create_company, get_company

    party_model = Model.get("party.party")
    account_model = Model.get("account.account")
    type_model = Model.get("account.account.type")

    us = party_model(name="Acme Construction LLC", code="ACME")
    us.save()
    create_company(party=us, currency="USD")
    company = get_company()
    company.cancel_invoice_out = True  # posted customer invoices may be cancelled
    company.save()
    create_chart(company)

    this_year = datetime.date.today().year
    for year in (this_year - 1, this_year, this_year + 1):
        span = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        fiscal_year = set_fiscalyear_invoice_sequences(create_fiscalyear(company, today=span))
        fiscal_year.click("create_period")
    create_payment_term().save()

    # Retainage: a liability a supplier invoice may book ("debt"), one balance per party, kept
    # apart from Trade Payables (what is due now); and its mirror for owners.
    # (under 2.2.0: an account's type must be its parent's, and 2.1.0 is "Accounts payable")
    liabilities = account_model.find([("code", "=", "2.2.0")])[0]
    payable_type = account_model.find([("code", "=", "2.1.1")])[0].type
    retainage_payable_type = type_model(
        name="Retainage Payable",
        company=company,
        parent=payable_type.parent,
        statement="balance",
        assets=False,
        debt=True,
        sequence=(payable_type.sequence or 0) + 1,
    )
    retainage_payable_type.save()
    account_model(
        name="Retainage Payable",
        company=company,
        code="2.2.9",
        parent=liabilities,
        type=retainage_payable_type,
        party_required=True,
        reconcile=True,
    ).save()
    receivables = account_model.find([("code", "=", "1.2.0")])[0]
    receivable_type = account_model.find([("code", "=", "1.2.1")])[0].type
    account_model(
        name="Retainage Receivable",
        company=company,
        code="1.2.9",
        parent=receivables,
        type=receivable_type,
        party_required=True,
        reconcile=True,
    ).save()

    analytic = Model.get("analytic_account.account")
    for name, code in (("Jobs", "JOBS"), ("Cost Codes", "COST_CODES")):
        analytic(type="root", name=name, code=code).save()

    expense = account_model.find([("code", "=", "5.1.3")])[0]
    category = Model.get("product.category")(
        name="Subcontract", accounting=True, account_expense=expense
    )
    category.save()
    unit = Model.get("product.uom").find([("name", "=", "Unit")])[0]
    Model.get("product.template")(
        name="Subcontract work",
        code="SUBCONTRACT",
        type="service",
        default_uom=unit,
        list_price=Decimal(0),
        account_category=category,
        purchasable=True,
        purchase_uom=unit,
    ).save()

    journal = Model.get("account.journal").find([("code", "=", "CASH")])[0]
    cash = account_model.find([("code", "=", "1.1.1")])[0]
    Model.get("account.invoice.payment.method")(
        name="Cash", journal=journal, debit_account=cash, credit_account=cash
    ).save()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
