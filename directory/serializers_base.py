from functools import cache

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db.models import Model
from rest_framework import serializers


class StrictSerializerMixin:
    """Rejects unknown and read-only fields on writes instead of silently ignoring them
    (SPEC §5: no mass assignment of status, verified_at, is_staff, owner ids...)."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {}
            for key in data.keys():
                if key not in writable and key in self.fields:
                    errors[key] = ["This field is read-only."]
                elif key not in writable:
                    allowed = ", ".join(sorted(writable))
                    errors[key] = [f"Unknown field. Allowed fields: {allowed}."]
                elif self._not_text(self.fields[key], data[key]):
                    # DRF would read 0 as "0"; the schema promises a string.
                    errors[key] = ["Not a valid string."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    @staticmethod
    def _not_text(field: serializers.Field, value) -> bool:
        return isinstance(field, serializers.CharField) and not isinstance(value, str | None)


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    pass


class _RuledField:
    """Mixed into a DRF field class by `ruled`. The rules are re-read on every copy: DRF
    builds each serializer's fields anew from their constructor arguments."""

    def __init__(self, *args, rules_from: tuple[type[Model], str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model, name = rules_from
        rules = list(model._meta.get_field(name).validators)
        self.validators = [*self.validators, *rules]
        # For the OpenAPI schema only: the rules above do the checking, DRF nothing twice.
        for rule in rules:
            if isinstance(rule, MaxLengthValidator):
                self.max_length = rule.limit_value
            elif isinstance(rule, MinValueValidator):
                self.min_value = rule.limit_value
            elif isinstance(rule, MaxValueValidator):
                self.max_value = rule.limit_value


@cache
def _ruled_class(field_class: type[serializers.Field]) -> type[serializers.Field]:
    return type(field_class.__name__, (_RuledField, field_class), {})


def ruled(field: serializers.Field, model: type[Model], name: str) -> serializers.Field:
    """`field` parses; the model's field `name` rules. The domain's validators (limits,
    scales, codes: directory.validators) run with their own messages, the same ones a service
    call, a page and the admin give."""
    return _ruled_class(type(field))(*field._args, rules_from=(model, name), **field._kwargs)
