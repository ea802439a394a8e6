"""REST admin API (FastAPI) over the model store and the control topic: models, feature sets, status."""

from api.app import create_app

__all__ = ["create_app"]
