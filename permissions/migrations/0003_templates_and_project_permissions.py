# Permission templates and guardian's object permissions on projects (data moves in 0004).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('integrations', '0011_value_ranges'),
        ('permissions', '0002_account_moved_to_tenancy'),
        ('tenancy', '0003_advanced_settings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PermissionTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=80)),
                ('scope', models.CharField(choices=[('company', 'Company'), ('project', 'Project')], max_length=10)),
                ('levels', models.JSONField(blank=True, default=dict)),
                ('can_create_project', models.BooleanField(default=False)),
                ('is_default', models.BooleanField(default=False)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['scope', 'name'],
            },
        ),
        migrations.CreateModel(
            name='ProjectUserPermission',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AddField(
            model_name='permissiontemplate',
            name='account',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='permission_templates', to='tenancy.account'),
        ),
        migrations.AddField(
            model_name='permissiontemplate',
            name='group',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='permission_template', to='auth.group'),
        ),
        migrations.AddField(
            model_name='projectuserpermission',
            name='content_object',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='user_permissions', to='integrations.project'),
        ),
        migrations.AddField(
            model_name='projectuserpermission',
            name='permission',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.permission'),
        ),
        migrations.AddField(
            model_name='projectuserpermission',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='permissiontemplate',
            constraint=models.UniqueConstraint(fields=('account', 'scope', 'name'), name='permissiontemplate_unique_name'),
        ),
        migrations.AddConstraint(
            model_name='permissiontemplate',
            constraint=models.UniqueConstraint(condition=models.Q(('is_default', True)), fields=('account',), name='permissiontemplate_one_default'),
        ),
        migrations.AlterUniqueTogether(
            name='projectuserpermission',
            unique_together={('user', 'permission', 'content_object')},
        ),
    ]
