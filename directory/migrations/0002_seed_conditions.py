from django.db import migrations

# SPEC §1: slug, name, synonyms a user may type.
CONDITIONS = [
    ("back-pain", "Back pain", ["low back pain", "lumbago", "lower back pain"]),
    ("neck-pain", "Neck pain", ["stiff neck", "whiplash"]),
    ("headache", "Headaches and migraines", ["migraine", "tension headache", "cervicogenic headache"]),
    ("shoulder-pain", "Shoulder pain", ["frozen shoulder", "rotator cuff pain"]),
    ("tennis-elbow", "Tennis elbow", ["lateral epicondylitis", "lateral elbow pain"]),
    ("sciatica", "Sciatica", ["lumbar radiculopathy"]),
    ("fibromyalgia", "Fibromyalgia", []),
    ("myofascial-pain", "Myofascial pain syndrome", ["trigger points", "myofascial pain"]),
    ("arthritis", "Arthritis", ["osteoarthritis", "joint arthritis"]),
    ("muscle-spasm", "Muscle spasms", ["muscle cramps", "spasm"]),
    ("nerve-impingement", "Nerve impingement", ["pinched nerve", "nerve entrapment"]),
    ("joint-dysfunction", "Joint dysfunction", ["joint stiffness"]),
]


def seed(apps, schema_editor):
    Condition = apps.get_model("directory", "Condition")
    for slug, name, synonyms in CONDITIONS:
        Condition.objects.update_or_create(slug=slug, defaults={"name": name, "synonyms": synonyms})


def unseed(apps, schema_editor):
    apps.get_model("directory", "Condition").objects.filter(
        slug__in=[slug for slug, _, _ in CONDITIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
