"""The accounting-acceptance workflow over the API: ``/api/v1/export-requests/``.

:mod:`.serializers` says what a request looks like and what each action accepts, :mod:`.views`
maps the workflow services (and their refusals) onto HTTP, :mod:`.urls` routes them.
"""
