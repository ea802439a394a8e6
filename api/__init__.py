"""REST admin API (FastAPI) over the model store and the control topic (issue: model store and API)."""
