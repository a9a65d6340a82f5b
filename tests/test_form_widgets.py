"""The forms' faster attribute writer gives exactly WTForms' own output."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from wtforms import widgets
from wtforms.widgets import core as widgets_core

from catalog.forms.base import WTFORMS_HTML_PARAMS, html_params


@pytest.mark.parametrize("attributes", [
    {"name": "title", "id": "title", "class_": "wide short"},
    {"checked": True, "readonly": False, "value": "He said \"no\" <b> & 'yes'"},
    {"data_lookup": "/archive/lookup/agents?q=a&b", "aria_describedby": "x-help", "aria-invalid": "true"},
    {"value": Markup("<i>kept</i>"), "label": "ا ی ك"},
    {"value": 3, "step": 0.5, "maxlength": None},
    {},
])
def test_same_output_as_wtforms(attributes):
    ours, theirs = html_params(**attributes), WTFORMS_HTML_PARAMS(**attributes)
    assert ours == theirs and isinstance(ours, Markup)


def test_the_widgets_and_labels_use_it():
    assert widgets_core.html_params is html_params
    assert widgets.html_params is html_params
