"""Matching's tables: the unreleased app's migrations 0001–0009 squashed (PostgreSQL's partitioning follows in 0002)."""

from decimal import Decimal

import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

import shoudi.matching.models

class Migration(migrations.Migration):

    initial = True

    # the nine migrations of the unreleased app, squashed; a database that has them all counts this one as applied
    replaces = [
        ('matching', '0001_initial'),
        ('matching', '0002_bulk_indexes'),
        ('matching', '0003_fewer_constraints'),
        ('matching', '0004_current_by_links'),
        ('matching', '0005_unlogged_staging'),
        ('matching', '0006_findings_fewer_checks'),
        ('matching', '0007_partitioned_staging'),
        ('matching', '0008_subject_index_with_id'),
        ('matching', '0009_region_settings_constraints'),
    ]

    dependencies = [
        ('assistance', '0002_visit_household_day_kind'),
        ('core', '0001_initial'),
        ('monitoring', '0001_initial'),
        ('regions', '0001_initial'),
        ('registry', '0003_redundant_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DepartmentList',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('department', models.CharField(choices=[('medical_insurance', '医保'), ('civil_affairs', '民政'), ('disabled_federation', '残联'), ('education', '教育'), ('housing', '住建'), ('human_resources', '人社'), ('health', '卫健'), ('emergency', '应急管理'), ('rural_revitalization', '乡村振兴')], max_length=30, verbose_name='部门')),
                ('period', models.CharField(help_text='YYYY-MM', max_length=7, verbose_name='比对期（年月）')),
                ('region_code', models.CharField(blank=True, db_index=True, max_length=12, verbose_name='区划代码')),
                ('file', models.FileField(max_length=300, upload_to=shoudi.matching.models.list_path, verbose_name='文件')),
                ('file_name', models.CharField(max_length=200, verbose_name='文件名')),
                ('header_row', models.PositiveIntegerField(default=1, verbose_name='表头行')),
                ('mapping', models.JSONField(blank=True, default=dict, verbose_name='列对应')),
                ('rows_total', models.PositiveIntegerField(default=0, verbose_name='数据行数')),
                ('rows_loaded', models.PositiveIntegerField(default=0, verbose_name='载入行数')),
                ('rows_rejected', models.PositiveIntegerField(default=0, verbose_name='未载入行数')),
                ('issue_count', models.PositiveIntegerField(default=0, verbose_name='问题数')),
                ('issues', models.JSONField(blank=True, default=list, help_text='前若干条：行号、列、问题', verbose_name='问题行')),
                ('loaded_at', models.DateTimeField(blank=True, null=True, verbose_name='载入时间')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人')),
            ],
            options={
                'verbose_name': '部门名单',
                'verbose_name_plural': '部门名单',
                'ordering': ['-period', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ListRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('row', models.PositiveIntegerField(verbose_name='行号')),
                ('id_number', models.CharField(max_length=18, verbose_name='证件号码')),
                ('name', models.CharField(blank=True, max_length=50, verbose_name='姓名')),
                ('category', models.CharField(blank=True, max_length=20, verbose_name='类别')),
                ('grade', models.CharField(blank=True, max_length=20, verbose_name='等级')),
                ('status', models.CharField(blank=True, max_length=20, verbose_name='状态')),
                ('amount', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='金额')),
                ('event_date', models.DateField(blank=True, null=True, verbose_name='日期')),
                ('code', models.CharField(blank=True, max_length=30, verbose_name='证号')),
                ('detail', models.CharField(blank=True, max_length=100, verbose_name='说明')),
                ('not_in_registry', models.BooleanField(default=False, verbose_name='不在系统中')),
                ('list', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='matching.departmentlist')),
            ],
            options={
                'verbose_name': '名单行',
                'verbose_name_plural': '名单行',
            },
        ),
        migrations.CreateModel(
            name='MatchRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('department', models.CharField(choices=[('medical_insurance', '医保'), ('civil_affairs', '民政'), ('disabled_federation', '残联'), ('education', '教育'), ('housing', '住建'), ('human_resources', '人社'), ('health', '卫健'), ('emergency', '应急管理'), ('rural_revitalization', '乡村振兴')], max_length=30, verbose_name='部门')),
                ('period', models.CharField(max_length=7, verbose_name='比对期')),
                ('region_code', models.CharField(blank=True, db_index=True, max_length=12, verbose_name='区划代码')),
                ('status', models.CharField(choices=[('queued', '排队中'), ('running', '比对中'), ('succeeded', '已完成'), ('failed', '失败'), ('superseded', '已被同期重新比对替代')], db_index=True, default='queued', max_length=12, verbose_name='状态')),
                ('counts', models.JSONField(blank=True, default=dict, verbose_name='各规则命中数')),
                ('summary', models.JSONField(blank=True, default=dict, verbose_name='汇总')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始时间')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='结束时间')),
                ('seconds', models.FloatField(blank=True, null=True, verbose_name='用时（秒）')),
                ('error', models.TextField(blank=True, verbose_name='错误')),
                ('job', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='core.job', verbose_name='后台任务')),
                ('list', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='runs', to='matching.departmentlist', verbose_name='部门名单')),
                ('previous_run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='matching.matchrun', verbose_name='上期比对')),
                ('started_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发起人')),
            ],
            options={
                'verbose_name': '比对批次',
                'verbose_name_plural': '比对批次',
                'ordering': ['-period', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Finding',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('department', models.CharField(choices=[('medical_insurance', '医保'), ('civil_affairs', '民政'), ('disabled_federation', '残联'), ('education', '教育'), ('housing', '住建'), ('human_resources', '人社'), ('health', '卫健'), ('emergency', '应急管理'), ('rural_revitalization', '乡村振兴')], max_length=30, verbose_name='部门')),
                ('period', models.CharField(max_length=7, verbose_name='比对期')),
                ('rule', models.CharField(max_length=40, verbose_name='规则')),
                ('rule_label', models.CharField(max_length=60, verbose_name='问题类型')),
                ('name', models.CharField(max_length=50, verbose_name='姓名')),
                ('id_number', models.CharField(max_length=18, verbose_name='证件号码')),
                ('subject', models.CharField(editable=False, max_length=40, verbose_name='比对对象')),
                ('figures', models.JSONField(blank=True, default=list, verbose_name='比对数据')),
                ('fingerprint', models.CharField(blank=True, editable=False, max_length=500, verbose_name='数据指纹')),
                ('status', models.CharField(choices=[('待核实', '待核实'), ('属实', '属实'), ('不属实', '不属实'), ('已处理', '已处理')], default='待核实', max_length=4, verbose_name='状态')),
                ('due_on', models.DateField(blank=True, null=True, verbose_name='核实期限')),
                ('verified_on', models.DateField(blank=True, null=True, verbose_name='核实日期')),
                ('note', models.TextField(blank=True, verbose_name='核实说明')),
                ('action', models.CharField(blank=True, choices=[('clue', '提出监测线索'), ('registry', '已更正系统信息'), ('measure', '已落实帮扶措施'), ('problem', '已登记保障问题')], max_length=10, verbose_name='处理方式')),
                ('action_note', models.TextField(blank=True, verbose_name='处理说明')),
                ('closed_on', models.DateField(blank=True, null=True, verbose_name='处理日期')),
                ('case', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='monitoring.monitoringcase', verbose_name='监测记录')),
                ('closed_by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='处理人')),
                ('household', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='findings', to='registry.household', verbose_name='农户')),
                ('measure', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='assistance.measure', verbose_name='帮扶措施')),
                ('member', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='findings', to='registry.member', verbose_name='人员')),
                ('previous', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='successors', to='matching.finding', verbose_name='上期同一问题')),
                ('problem', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='assistance.guaranteeproblem', verbose_name='保障问题')),
                ('verified_by', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='核实人')),
                ('village', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region', verbose_name='行政村')),
                ('list_row', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='matching.listrow', verbose_name='名单行')),
                ('run', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='findings', to='matching.matchrun', verbose_name='比对批次')),
            ],
            options={
                'verbose_name': '比对结果',
                'verbose_name_plural': '比对结果',
                'ordering': ['-period', 'village__code', 'rule', 'id'],
            },
        ),
        migrations.CreateModel(
            name='MappingProfile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('department', models.CharField(choices=[('medical_insurance', '医保'), ('civil_affairs', '民政'), ('disabled_federation', '残联'), ('education', '教育'), ('housing', '住建'), ('human_resources', '人社'), ('health', '卫健'), ('emergency', '应急管理'), ('rural_revitalization', '乡村振兴')], max_length=30, verbose_name='部门')),
                ('mapping', models.JSONField(blank=True, default=dict, verbose_name='列对应')),
                ('region', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region', verbose_name='区划')),
            ],
            options={
                'verbose_name': '名单列对应方案',
                'verbose_name_plural': '名单列对应方案',
                'ordering': ['region__code', 'department'],
                'constraints': [models.UniqueConstraint(django.db.models.functions.comparison.Coalesce(models.F('region'), models.Value(0)), models.F('department'), name='matching_profile_unique')],
            },
        ),
        migrations.CreateModel(
            name='MatchingSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('verification_days', models.PositiveSmallIntegerField(default=15, help_text='比对结果下发后，村级核实的期限', verbose_name='核实时限（天）')),
                ('rural_income', models.DecimalField(decimal_places=2, default=Decimal('20000'), max_digits=10, verbose_name='上年农村居民人均可支配收入（元）')),
                ('medical_lifted_percent', models.PositiveSmallIntegerField(default=50, verbose_name='医疗费用预警比例·脱贫人口（%）')),
                ('medical_other_percent', models.PositiveSmallIntegerField(default=100, verbose_name='医疗费用预警比例·其他人员（%）')),
                ('school_age_min', models.PositiveSmallIntegerField(default=6, verbose_name='控辍保学最小年龄（周岁）')),
                ('school_age_max', models.PositiveSmallIntegerField(default=16, verbose_name='控辍保学最大年龄（周岁）')),
                ('region', models.ForeignKey(blank=True, help_text='留空表示各县默认参数', limit_choices_to={'level': 'county'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.region', verbose_name='适用区划')),
            ],
            options={
                'verbose_name': '比对参数',
                'verbose_name_plural': '比对参数',
                'ordering': ['region__code'],
                'abstract': False,
                'constraints': [models.UniqueConstraint(fields=('region',), name='matching_matchingsettings_one_per_region', violation_error_message='该区划已有设置，请修改那一行'), models.UniqueConstraint(django.db.models.functions.comparison.Coalesce(models.F('region'), models.Value(0)), condition=models.Q(('region__isnull', True)), name='matching_matchingsettings_one_default', violation_error_message='已有全县默认设置（适用区划留空的一行），请修改那一行')],
            },
        ),
        migrations.AddIndex(
            model_name='matchrun',
            index=models.Index(fields=['department', 'region_code', 'period'], name='matching_run_dept_period'),
        ),
        migrations.AddIndex(
            model_name='finding',
            index=models.Index(fields=['department', 'rule', 'subject', 'id'], name='matching_finding_subject_id'),
        ),
        migrations.AddIndex(
            model_name='finding',
            index=models.Index(fields=['status', 'due_on'], name='matching_finding_due'),
        ),
        migrations.AddIndex(
            model_name='finding',
            index=models.Index(fields=['run', 'rule'], name='matching_finding_run_rule'),
        ),
        migrations.AddIndex(
            model_name='finding',
            index=models.Index(condition=models.Q(('previous__isnull', False)), fields=['previous'], name='matching_finding_previous'),
        ),
        migrations.AddIndex(
            model_name='finding',
            index=models.Index(condition=models.Q(('case__isnull', False)), fields=['case'], name='matching_finding_case'),
        ),
        migrations.AddIndex(
            model_name='finding',
            index=models.Index(condition=models.Q(('measure__isnull', False)), fields=['measure'], name='matching_finding_measure'),
        ),
        migrations.AddIndex(
            model_name='finding',
            index=models.Index(condition=models.Q(('problem__isnull', False)), fields=['problem'], name='matching_finding_problem'),
        ),
        migrations.AddIndex(
            model_name='finding',
            index=models.Index(condition=models.Q(('verified_by__isnull', False)), fields=['verified_by'], name='matching_finding_verified_by'),
        ),
        migrations.AddIndex(
            model_name='finding',
            index=models.Index(condition=models.Q(('closed_by__isnull', False)), fields=['closed_by'], name='matching_finding_closed_by'),
        ),
    ]
