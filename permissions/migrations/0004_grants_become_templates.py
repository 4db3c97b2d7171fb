# Existing grants become templates and adjustments, with no one gaining or losing a right:
# - a project grant becomes a project adjustment (guardian's object permission on the project);
# - members of an account with the same company grants share one company template made of them
#   (a group they join), and those grants are removed. Levels 'None' add nothing and go.
# Privileges stay on the membership. Backwards, templates and adjustments become grants again.

from collections import defaultdict

from django.db import migrations

LEVEL_NAMES = {0: "none", 1: "read_only", 2: "standard", 3: "admin"}
LEVEL_VALUES = {name: value for value, name in LEVEL_NAMES.items()}


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
    user_groups = apps.get_model("auth", "User").groups.through
    grants = []
    for template in template_model.objects.filter(scope="company", group__isnull=False):
        holders = user_groups.objects.filter(group_id=template.group_id)
        for user_id in holders.values_list("user_id", flat=True):
            grants.extend(
                grant_model(account_id=template.account_id, user_id=user_id, tool=tool, level=level)
                for tool, level in template.levels.items()
            )
    for row in project_permission_model.objects.values(
        "user_id", "content_object_id", "content_object__account_id", "permission__codename"
    ):
        tool, _, level = row["permission__codename"].partition("__")
        if level in LEVEL_VALUES:
            grants.append(
                grant_model(
                    account_id=row["content_object__account_id"],
                    user_id=row["user_id"],
                    project_id=row["content_object_id"],
                    tool=tool,
                    level=LEVEL_VALUES[level],
                )
            )
    grant_model.objects.bulk_create(grants, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("permissions", "0003_templates_and_project_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
