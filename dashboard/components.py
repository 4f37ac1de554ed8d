"""Small building blocks of the page's layout: a labelled control, inline radio items, a delayed spinner."""

from dash import dcc, html

LOADING_DELAY_MS = 400


def radio(id_: str, options: list, value: str | None) -> dcc.RadioItems:
    return dcc.RadioItems(
        id=id_, options=options, value=value, inline=True, inputClassName="radio-input", labelClassName="radio-option"
    )


def control(label_id: str, widget) -> html.Div:
    return html.Div(
        [html.Label(id=label_id, htmlFor=widget.id, className="control-label"), widget], className="control"
    )


def loading(id_: str, child) -> dcc.Loading:
    """A spinner over `child` while its data load; only after a moment, so a quick refresh does not flicker."""
    return dcc.Loading(
        child, id=id_, type="circle", delay_show=LOADING_DELAY_MS, parent_style={"height": "100%"}, color="#1f4e9c"
    )
