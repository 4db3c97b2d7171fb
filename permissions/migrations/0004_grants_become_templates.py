# Existing grants become templates and adjustments, with no one gaining or losing a right:
# - a project grant becomes a project adjustment (guardian's object permission on the project);
# - members of an account with the same company grants share one company template made of them
#   (a group they join), and those grants are removed. Levels 'None' add nothing and go.
# Privileges stay on the membership. Backwards, templates and adjustments become grants again
# (a project template: every project tool on its project; the default project template: every
# project tool where a member has nothing of their own; 'Create New Project' on a company
# template: the membership's flag), and what the previous version cannot read goes.

from collections import defaultdict

from django.db import migrations

LEVEL_NAMES = {0: "none", 1: "read_only", 2: "standard", 3: "admin"}
LEVEL_VALUES = {name: value for value, name in LEVEL_NAMES.items()}
PROJECT_TOOLS = (
    "directory",
    "project_admin",
    "budget",
    "prime_contracts",
    "commitments",
    "change_orders",
    "invoicing",
    "direct_costs",
    "reports",
)


def _project_permission(apps, cache, codename, name):
    if codename not in cache:
        content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
            app_label="integrations", model="project"
        )
        cache[codename], _ = apps.get_model("auth", "Permission").objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
    return cache[codename]


def forward(apps, schema_editor):
    grant_model = apps.get_model("permissions", "ToolGrant")
    template_model = apps.get_model("permissions", "PermissionTemplate")
    project_permission_model = apps.get_model("permissions", "ProjectUserPermission")
    group_model = apps.get_model("auth", "Group")
    user_groups = apps.get_model("auth", "User").groups.through
    cache = {}
    rows = []
    project_grants = grant_model.objects.filter(project__isnull=False)
    for user_id, project_id, tool, level in project_grants.values_list(
        "user_id", "project_id", "tool", "level"
    ).iterator():
        codename = f"{tool}__{LEVEL_NAMES[level]}"
        permission = _project_permission(apps, cache, codename, f"{tool}: level {level}")
        rows.append(
            project_permission_model(
                user_id=user_id, content_object_id=project_id, permission=permission
            )
        )
    project_permission_model.objects.bulk_create(rows, batch_size=1000)
    project_grants.delete()

    held = defaultdict(dict)  # (account, user) -> {tool: level}
    company = grant_model.objects.filter(project__isnull=True)
    for account_id, user_id, tool, level in company.values_list(
        "account_id", "user_id", "tool", "level"
    ).iterator():
        held[(account_id, user_id)]
        if level > 0:
            held[(account_id, user_id)][tool] = level
    sharing = defaultdict(list)  # (account, levels) -> users
    for (account_id, user_id), levels in held.items():
        if levels:
            sharing[(account_id, tuple(sorted(levels.items())))].append(user_id)
    numbers = defaultdict(int)
    for (account_id, levels), user_ids in sorted(sharing.items()):
        numbers[account_id] += 1
        template = template_model.objects.create(
            account_id=account_id,
            name=f"Template {numbers[account_id]} (from earlier grants)",
            scope="company",
            levels=dict(levels),
        )
        template.group = group_model.objects.create(
            name=f"erp-portal:{account_id}:company-template:{template.pk}"
        )
        template.save(update_fields=["group"])
        user_groups.objects.bulk_create(
            user_groups(user_id=user_id, group_id=template.group_id) for user_id in user_ids
        )
    company.delete()


def backward(apps, schema_editor):
    grant_model = apps.get_model("permissions", "ToolGrant")
    template_model = apps.get_model("permissions", "PermissionTemplate")
    project_permission_model = apps.get_model("permissions", "ProjectUserPermission")
    membership_model = apps.get_model("tenancy", "Membership")
    project_model = apps.get_model("integrations", "Project")
    user_groups = apps.get_model("auth", "User").groups.through
    templates = {template.pk: template for template in template_model.objects.all()}
    # Company templates: a grant per tool (a company adjustment already stored wins).
    grants = []
    for template in templates.values():
        if template.scope != "company" or template.group_id is None:
            continue
        holders = list(
            user_groups.objects.filter(group_id=template.group_id).values_list("user_id", flat=True)
        )
        grants.extend(
            grant_model(account_id=template.account_id, user_id=user_id, tool=tool, level=level)
            for user_id in holders
            for tool, level in template.levels.items()
        )
        if template.can_create_project:
            membership_model.objects.filter(
                account_id=template.account_id, user_id__in=holders
            ).update(can_create_project=True)
    # On projects, most particular first (the first grant of a tool on a project wins, the
    # others are ignored): adjustments, then the project template's level of every project
    # tool, then the default project template's, wherever a member has nothing of their own.
    adjustments, assigned = [], []
    for row in project_permission_model.objects.values(
        "user_id", "content_object_id", "content_object__account_id", "permission__codename"
    ):
        where = dict(
            account_id=row["content_object__account_id"],
            user_id=row["user_id"],
            project_id=row["content_object_id"],
        )
        codename = row["permission__codename"]
        tool, _, level = codename.partition("__")
        number = codename.removeprefix("template_")
        if level in LEVEL_VALUES:
            adjustments.append(grant_model(tool=tool, level=LEVEL_VALUES[level], **where))
        elif codename.startswith("template_") and number.isdigit() and int(number) in templates:
            levels = templates[int(number)].levels
            assigned.extend(
                grant_model(tool=tool, level=int(levels.get(tool, 0)), **where)
                for tool in PROJECT_TOOLS
            )
    defaults = []
    for default in (t for t in templates.values() if t.is_default):
        members = membership_model.objects.filter(account_id=default.account_id)
        projects = project_model.objects.filter(account_id=default.account_id)
        for user_id in members.values_list("user_id", flat=True):
            for project_id in projects.values_list("pk", flat=True):
                defaults.extend(
                    grant_model(
                        account_id=default.account_id,
                        user_id=user_id,
                        project_id=project_id,
                        tool=tool,
                        level=int(default.levels.get(tool, 0)),
                    )
                    for tool in PROJECT_TOOLS
                )
    for rows in (grants, adjustments, assigned, defaults):
        grant_model.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    # What the previous version cannot read goes: forward makes it again from the grants.
    project_permission_model.objects.all().delete()
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="integrations",
        content_type__model="project",
        codename__startswith="template_",
    ).delete()
    group_ids = [t.group_id for t in templates.values() if t.group_id is not None]
    template_model.objects.all().delete()
    apps.get_model("auth", "Group").objects.filter(pk__in=group_ids).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("permissions", "0003_templates_and_project_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
