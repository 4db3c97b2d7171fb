# Account and Membership move here from ``integrations``: the tables stay where they are
# (``db_table``), only Django's idea of which app owns them changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


from tenancy.model_moves import move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("integrations", "0004_erpcall_label_instead_of_request"),
    ]

    state_operations = [
        migrations.CreateModel(
            name='Account',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('slug', models.SlugField(max_length=60, unique=True)),
                ('allow_standard_approvers', models.BooleanField(default=False, help_text="Let users with Standard on the ERP Integrations tool and 'Can Push to Accounting' accept and reject exports. Off: Admin is required, as the permission matrix shows.")),
                ('notify_approvers_on_send', models.BooleanField(default=False, help_text='Besides the daily digest. A corrected re-send after a reject always notifies.', verbose_name='Email approvers when an item is sent')),
                ('direct_export_commitments', models.BooleanField(default=False, help_text='Skip accounting approval.', verbose_name='Direct export of commitments')),
                ('direct_export_change_orders', models.BooleanField(default=False, help_text='Skip approval.', verbose_name='Direct export of commitment change orders')),
                ('direct_export_invoices', models.BooleanField(default=False, help_text='Skip accounting approval.', verbose_name='Direct export of invoices')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'db_table': 'integrations_account',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Membership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('is_active', models.BooleanField(default=True)),
                ('job_title', models.CharField(blank=True, max_length=100)),
                ('can_push_to_accounting', models.BooleanField(default=False, help_text='Makes the user an Accounting Approver (with Standard or Admin on ERP).', verbose_name='Can Push to Accounting')),
                ('subscribe_erp_digest', models.BooleanField(default=False, verbose_name='Subscribe to ERP digest emails')),
                ('can_create_project', models.BooleanField(default=False, verbose_name='Create New Project')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='tenancy.account')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'integrations_membership',
                'constraints': [models.UniqueConstraint(fields=('account', 'user'), name='membership_unique_user')],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(
            move_content_types(("account", "membership"), source="integrations", target="tenancy"),
            migrations.RunPython.noop,
        ),
    ]
