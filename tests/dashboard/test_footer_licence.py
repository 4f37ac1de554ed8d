"""The dashboard's footer states the data licence (ijlucht.licence), in both languages."""

import pytest
from dash import Dash

from dashboard.callbacks import language
from ijlucht.licence import DATA_LICENCE


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_footer_names_the_data_licence(lang):
    app = Dash(__name__)
    language.register(app)
    (entry,) = [v for k, v in app.callback_map.items() if "footer.children" in k]
    outputs = [f"{o.component_id}.{o.component_property}" for o in entry["output"]]
    values = entry["callback"].__wrapped__(lang, "eaqi-2024")
    footer = values[outputs.index("footer.children")]
    assert DATA_LICENCE.id in footer and DATA_LICENCE.url in footer
