from django.utils.translation import gettext_lazy as _
from horizon import forms


class MacSearchForm(forms.Form):
    """A GET form: ``?mac=`` in any notation; the API says what is wrong with it."""

    mac = forms.CharField(
        label=_("MAC Address"), max_length=64,
        help_text=_("Any notation: fa:16:3e:12:34:56, FA-16-3E-12-34-56, fa16.3e12.3456"),
        widget=forms.TextInput(attrs={"placeholder": "fa:16:3e:12:34:56", "autofocus": True}))

    def clean_mac(self) -> str:
        mac = self.cleaned_data["mac"].strip()
        if "/" in mac:  # it goes into the API's path; no notation has one anyway
            raise forms.ValidationError(
                _("'%(mac)s' is not a MAC address; use six octets such as fa:16:3e:12:34:56")
                % {"mac": mac})
        return mac
