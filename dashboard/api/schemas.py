"""Request and response bodies of the REST API (they make the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field


class AlertList(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = None


class IncidentList(BaseModel):
    items: list[dict[str, Any]]
    total: int
    page: int
    pages: int


class IncidentOut(BaseModel):
    incident: dict[str, Any]
    alerts: list[dict[str, Any]] = []
    timeline: list[dict[str, Any]] = []
    responses: list[dict[str, Any]] = []
    mtta: str = "-"
    mttr: str = "-"


class IncidentPatch(BaseModel):
    """Fields to change; each one is applied and audited like the same change in the web UI."""

    model_config = {"extra": "forbid"}
    status: Literal["acknowledged", "investigating", "contained", "resolved", "false_positive"] | None = None
    assignee: str | None = Field(default=None, max_length=64)
    severity: Literal["low", "medium", "high", "critical"] | None = None
    comment: str | None = Field(default=None, max_length=4000)


# Stores keep 64-bit integers; a larger number in a filter is compared as a float instead of
# overflowing the database driver.
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


class EventSearch(BaseModel):
    model_config = {"extra": "forbid"}
    q: str = Field(default="", max_length=2000, description="field:value filters and free text")
    filters: dict[str, list[str | Int64 | float | bool]] = Field(default_factory=dict)
    start: str | None = Field(default=None, max_length=40)
    end: str | None = Field(default=None, max_length=40)
    size: int = Field(default=50, ge=1, le=1000)
    cursor: str | None = Field(default=None, max_length=200)


class EventPage(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = None
    total: int
