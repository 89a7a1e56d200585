from django.db import models


class Condition(models.Model):
    """One entry of the condition taxonomy (SPEC §1), seeded by a data migration."""

    slug = models.SlugField(unique=True, max_length=40)
    name = models.CharField(max_length=80)
    synonyms = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
