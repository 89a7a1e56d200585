from django.db import migrations

# Issue 12: the words patients use, each added to the one condition it clinically means
# (README "Conditions and the words patients use"). Phrasings with no fitting condition
# ("shin splints", "runner's knee", "golfer's elbow") are deliberately left out: a wrong
# match is worse than a 400 that suggests the closest conditions.
SYNONYMS = {
    "back-pain": ["sore back", "backache", "back ache", "bad back", "back strain"],
    "neck-pain": ["sore neck", "neck ache", "crick in the neck", "text neck"],
    "headache": ["headaches", "migraines", "tension headaches", "head ache"],
    "shoulder-pain": [
        "sore shoulder",
        "shoulder ache",
        "adhesive capsulitis",
        "rotator cuff",
        "shoulder impingement",
    ],
    "tennis-elbow": ["lateral epicondylalgia", "elbow tendinopathy"],
    "sciatica": ["sciatic nerve pain", "sciatic pain", "pain down the leg"],
    "fibromyalgia": ["fibro", "fibromyalgia syndrome"],
    "myofascial-pain": ["muscle knots", "muscle knot", "tight muscles"],
    "arthritis": ["wear and tear arthritis", "degenerative joint disease"],
    "muscle-spasm": ["muscle spasm", "muscle cramp", "charley horse", "cramps"],
    "nerve-impingement": ["trapped nerve", "compressed nerve"],
    "joint-dysfunction": ["stiff joints", "stiff joint"],
}


def add(apps, schema_editor):
    Condition = apps.get_model("directory", "Condition")
    for condition in Condition.objects.filter(slug__in=SYNONYMS):
        known = {term.casefold() for term in condition.synonyms}
        new = [term for term in SYNONYMS[condition.slug] if term.casefold() not in known]
        if new:
            condition.synonyms = [*condition.synonyms, *new]
            condition.save(update_fields=["synonyms"])


def remove(apps, schema_editor):
    Condition = apps.get_model("directory", "Condition")
    for condition in Condition.objects.filter(slug__in=SYNONYMS):
        added = set(SYNONYMS[condition.slug])
        condition.synonyms = [term for term in condition.synonyms if term not in added]
        condition.save(update_fields=["synonyms"])


class Migration(migrations.Migration):
    dependencies = [("directory", "0009_email_outbox")]
    operations = [migrations.RunPython(add, remove)]
