"""Pure figure builders of the science views (issues 16 and 17): the API's JSON in, a plotly figure or Dash
components out. They draw what the API computed and derive nothing themselves."""
