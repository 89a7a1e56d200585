from rest_framework import serializers


class StrictSerializerMixin:
    """Rejects unknown and read-only fields on writes instead of silently ignoring them
    (SPEC §5: no mass assignment of status, verified_at, is_staff, owner ids...)."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {}
            for key in data.keys():
                if key in writable:
                    continue
                if key in self.fields:
                    errors[key] = ["This field is read-only."]
                else:
                    allowed = ", ".join(sorted(writable))
                    errors[key] = [f"Unknown field. Allowed fields: {allowed}."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    pass
