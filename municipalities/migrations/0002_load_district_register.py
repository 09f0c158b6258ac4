from django.db import migrations


def load(apps, schema_editor):
    from municipalities.register import read_register

    District = apps.get_model("municipalities", "District")
    District.objects.bulk_create(
        [
            District(
                ubigeo=row.ubigeo,
                ubigeo_reniec=row.ubigeo_reniec,
                ubigeo_sunat=row.ubigeo_sunat,
                department=row.department,
                province=row.province,
                name=row.name,
            )
            for row in read_register()
        ],
        batch_size=500,
    )


def unload(apps, schema_editor):
    apps.get_model("municipalities", "District").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("municipalities", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
