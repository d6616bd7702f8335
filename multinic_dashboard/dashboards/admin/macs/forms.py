from django.utils.translation import gettext_lazy as _
from horizon import forms

from multinic_api.exceptions import InvalidInput
from multinic_api.services import macs


class MacSearchForm(forms.Form):
    """A GET form: ``?mac=`` in any notation; the MAC service says what is wrong with it."""

    mac = forms.CharField(
        label=_("MAC Address"), max_length=64,
        help_text=_("Any notation: fa:16:3e:12:34:56, FA-16-3E-12-34-56, fa16.3e12.3456"),
        widget=forms.TextInput(attrs={"placeholder": "fa:16:3e:12:34:56", "autofocus": True}))

    def clean_mac(self) -> str:
        try:
            return macs.normalize_mac(self.cleaned_data["mac"])
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from None
