"""ORM models (SQLAlchemy 2 + GeoAlchemy2). The schema itself comes from the migrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

STORAGE_SRID = 4326


def _multipolygon(nullable: bool = False) -> Any:
    return mapped_column(
        Geometry("MULTIPOLYGON", srid=STORAGE_SRID, spatial_index=False), nullable=nullable
    )


class Base(DeclarativeBase):
    pass


class Province(Base):
    __tablename__ = "provinces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    admin_version: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(Text)
    name_vi: Mapped[str] = mapped_column(Text)
    name_vi_full: Mapped[str | None] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    unit_type: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    area_km2: Mapped[float | None] = mapped_column(Double)
    parent_code_2025: Mapped[str | None] = mapped_column(Text)
    merged_from: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    geom: Mapped[Any] = _multipolygon()
    geom_simplified: Mapped[Any] = _multipolygon(nullable=True)


class Upload(Base):
    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(Text, server_default="previewed")
    uploaded_by: Mapped[str | None] = mapped_column(Text)
    source_crs: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    warnings: Mapped[list] = mapped_column(JSONB, server_default="[]")
    errors: Mapped[list] = mapped_column(JSONB, server_default="[]")
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    committed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    rolled_back_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Zone(Base):
    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    code: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    province_code: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default="planned")
    established_on: Mapped[dt.date | None] = mapped_column(Date)
    expanded_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_ref: Mapped[str | None] = mapped_column(Text)
    planned_area_ha: Mapped[float | None] = mapped_column(Double)
    industrial_land_ha: Mapped[float | None] = mapped_column(Double)
    leased_land_ha: Mapped[float | None] = mapped_column(Double)
    is_mountainous: Mapped[bool] = mapped_column(Boolean, server_default="false")
    is_craft_village: Mapped[bool] = mapped_column(Boolean, server_default="false")
    is_synthetic: Mapped[bool] = mapped_column(Boolean, server_default="false")
    investor: Mapped[str | None] = mapped_column(Text)
    workers: Mapped[int | None] = mapped_column(Integer)
    wastewater_status: Mapped[str | None] = mapped_column(Text)
    wastewater_capacity_m3_day: Mapped[float | None] = mapped_column(Double)
    has_worker_housing: Mapped[bool | None] = mapped_column(Boolean)
    location: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=STORAGE_SRID, spatial_index=False), nullable=True
    )
    attrs: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class PlanningBoundary(Base):
    __tablename__ = "planning_boundaries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    decision_ref: Mapped[str | None] = mapped_column(Text)
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    geom: Mapped[Any] = _multipolygon()
    area_ha: Mapped[float] = mapped_column(Double, Computed("ST_Area(geom::geography) / 10000.0"))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ActualFootprint(Base):
    __tablename__ = "actual_footprints"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(Text)
    observed_on: Mapped[dt.date] = mapped_column(Date)
    geom: Mapped[Any] = _multipolygon()
    area_ha: Mapped[float] = mapped_column(Double, Computed("ST_Area(geom::geography) / 10000.0"))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class AnalysisRun(Base):
    __tablename__ = "analysis_runs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(Text, server_default="running")
    admin_version: Mapped[str] = mapped_column(Text)
    province_code: Mapped[str | None] = mapped_column(Text)
    thresholds: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    inputs_fingerprint: Mapped[str | None] = mapped_column(Text)
    zone_count: Mapped[int | None] = mapped_column(Integer)
    duration_s: Mapped[float | None] = mapped_column(Double)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Flag(Base):
    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_runs.id", ondelete="CASCADE"))
    zone_code: Mapped[str | None] = mapped_column(Text)
    province_code: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Double)
    threshold: Mapped[float | None] = mapped_column(Double)
    unit: Mapped[str | None] = mapped_column(Text)
    message_vi: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSONB, server_default="{}")
