import pytest

from integrations.models import Commitment
from permissions.access import can, restrict
from permissions.levels import Level, Tool
from permissions.policy import Action
from tests.factories import CommitmentFactory, ProjectFactory, grant, member


@pytest.mark.django_db
def test_project_grant_replaces_company_level(account):
    p1, p2 = ProjectFactory(account=account), ProjectFactory(account=account)
    c1, c2 = (
        CommitmentFactory(account=account, project=p1),
        CommitmentFactory(account=account, project=p2),
    )
    user = member(account, levels={Tool.COMMITMENTS: Level.READ_ONLY})
    grant(user, account, Tool.COMMITMENTS, Level.NONE, project=p2)
    assert list(restrict(Commitment.objects.all(), user, account)) == [c1]
    assert can(user, Action.VIEW_RECORDS, account, obj=c1)
    assert not can(user, Action.VIEW_RECORDS, account, obj=c2)
