"""Form fields of the pages that parse and leave the verdict to the domain."""

from django import forms


class OfferedChoiceField(forms.TypedChoiceField):
    """Offers the usual choices (a select or radio buttons), but a posted value outside them
    is not refused here: the service's own rule judges it, in the words the API uses."""

    def valid_value(self, value) -> bool:
        return True


class OfferedMultipleChoiceField(forms.MultipleChoiceField):
    """Checkboxes or a multiple select of the usual choices; a posted value outside them is
    the service's rule to judge, as with OfferedChoiceField."""

    def valid_value(self, value) -> bool:
        return True
