"""The REST API adapter (FastAPI + uvicorn): ``/api/v1`` endpoints over the same engine as the bots."""
