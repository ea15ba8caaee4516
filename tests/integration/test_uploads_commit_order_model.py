"""Model check of commit order and rollback (issue 11), against the real PostGIS database.

A hypothesis state machine plays two or three editors who preview, commit and roll back
overlapping uploads — new zones, changed attributes, new planning-boundary versions,
footprints — in random interleavings (previews are committed in any order, so upload ids and
commit order disagree). A small in-memory model says what each step must do; after every step
the whole database state of the machine's zones (attributes, current and closed boundary
versions, footprints) and the upload statuses are compared with the model.

The model's rule is the one documented in ``api.db.repositories.commit_order``: a later
committed upload blocks the rollback of an earlier one when it changed a row the earlier one
changed, or anything of a zone the earlier one inserted; the refusal names every upload to
roll back first (dependents of dependents too), newest commit first. Each example runs in one
transaction that is rolled back at the end.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from shapely.geometry import box
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.errors import ConflictError
from api.services import uploads as svc
from tests.integration.upload_staging import stage_rows

PREFIX = "HSM-"
CODES = tuple(f"{PREFIX}{i}" for i in range(1, 3))
EDITORS = ("an", "bình", "chi")
NAMES = ("Khu công nghiệp Gốc", "Khu công nghiệp Bản X", "Khu công nghiệp Bản Y")
STATUSES = ("planned", "operating")
DECISIONS = ("12/QĐ-UBND", "34/2020/QĐ-TTg")
SOURCES = ("khảo sát", "ảnh vệ tinh")
DATES = (dt.date(2024, 1, 1), dt.date(2025, 6, 1))
X0, STEP = 105.80, 0.01  # shape k is a small square whose west edge is at X0 + k * STEP
SHAPES = tuple(box(X0 + k * STEP, 21.0, X0 + k * STEP + 0.005, 21.004) for k in range(2))
MACHINE_SETTINGS = settings(
    max_examples=25,
    stateful_step_count=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@dataclass
class Upload:
    id: int
    kind: str
    rows: list[dict]
    status: str = "previewed"
    seq: int | None = None
    # (table, row id, zone id, action, previous values) as the commit journalled them
    changes: list[tuple] = field(default_factory=list)


class Model:
    """The expected state: zones, boundary versions and footprints keyed by model ids."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.seqs = itertools.count(1)
        self.zones: dict[int, dict] = {}
        self.boundaries: dict[int, dict] = {}
        self.footprints: dict[int, dict] = {}
        self.uploads: dict[int, Upload] = {}

    def zone(self, code: str) -> dict | None:
        return next((z for z in self.zones.values() if z["code"] == code), None)

    def commit(self, up: Upload) -> None:
        up.status, up.seq = "committed", next(self.seqs)
        if up.kind == "zones":
            for r in up.rows:
                self._upsert_zone(up, r)
            for r in up.rows:
                self._new_version(up, self.zone(r["code"]), r["shape"], None, by_decision=False)
        for r in up.rows if up.kind != "zones" else ():
            z = self.zone(r["code"])  # a zone rolled back since the preview is skipped
            if z and up.kind == "planned":
                self._new_version(up, z, r["shape"], r["decision"], by_decision=True)
            elif z:
                self._add_footprint(up, z, r)

    def _upsert_zone(self, up: Upload, r: dict) -> None:
        z = self.zone(r["code"])
        if z is None:
            zid = next(self.ids)
            self.zones[zid] = {"code": r["code"], "name": r["name"], "status": r["status"]}
            up.changes.append(("zones", zid, zid, "insert", None))
            return
        zid = self._zone_id(z)
        if (z["name"], z["status"]) != (r["name"], r["status"]):
            up.changes.append(("zones", zid, zid, "update", (z["name"], z["status"])))
            z["name"], z["status"] = r["name"], r["status"]

    def _zone_id(self, z: dict) -> int:
        return next(k for k, v in self.zones.items() if v is z)

    def _new_version(
        self, up: Upload, z: dict, shape: int, decision: str | None, *, by_decision: bool
    ) -> None:
        zid = self._zone_id(z)
        mine = {k: b for k, b in self.boundaries.items() if b["zone"] == zid}
        current = next((k for k, b in mine.items() if not b["closed"]), None)
        if current is not None:
            b = mine[current]
            if b["shape"] == shape and (not by_decision or b["decision"] == decision):
                return
            b["closed"] = True
            up.changes.append(("pb", current, zid, "close", None))
        bid = next(self.ids)
        version = max((b["version"] for b in mine.values()), default=0) + 1
        self.boundaries[bid] = {
            "zone": zid,
            "code": z["code"],
            "version": version,
            "shape": shape,
            "decision": decision,
            "closed": False,
        }
        up.changes.append(("pb", bid, zid, "insert", None))

    def _add_footprint(self, up: Upload, z: dict, r: dict) -> None:
        zid = self._zone_id(z)
        key = (r["source"], r["date"], r["shape"])
        if any(
            f["zone"] == zid and (f["source"], f["date"], f["shape"]) == key
            for f in self.footprints.values()
        ):
            return
        fid = next(self.ids)
        self.footprints[fid] = {
            "zone": zid,
            "code": z["code"],
            "source": r["source"],
            "date": r["date"],
            "shape": r["shape"],
        }
        up.changes.append(("fp", fid, zid, "insert", None))

    def dependents(self, up: Upload) -> list[int]:
        """Committed uploads to roll back before ``up``, newest commit first."""
        found: dict[int, Upload] = {}
        todo = [up]
        while todo:
            earlier = todo.pop()
            for later in self._direct_dependents(earlier):
                if later.id not in found:
                    found[later.id] = later
                    todo.append(later)
        return [u.id for u in sorted(found.values(), key=lambda u: -u.seq)]

    def _direct_dependents(self, up: Upload) -> list[Upload]:
        rows = {(t, r) for t, r, *_ in up.changes}
        added_zones = {r for t, r, _, a, _ in up.changes if (t, a) == ("zones", "insert")}
        return [
            v
            for v in self.uploads.values()
            if v.status == "committed"
            and v.seq > up.seq
            and any((t, r) in rows or z in added_zones for t, r, z, *_ in v.changes)
        ]

    def rollback(self, up: Upload) -> None:
        """Undo only ``up``'s own journalled changes (no cascade: the rule must make it so)."""
        for table, row, _, action, previous in reversed(up.changes):
            if table == "fp":
                del self.footprints[row]
            elif table == "pb" and action == "insert":
                del self.boundaries[row]
            elif table == "pb":
                self.boundaries[row]["closed"] = False
            elif action == "update":
                self.zones[row]["name"], self.zones[row]["status"] = previous
            else:
                del self.zones[row]
        up.status = "rolled_back"

    def state(self) -> dict:
        return {
            "zones": sorted((z["code"], z["name"], z["status"]) for z in self.zones.values()),
            "boundaries": sorted(
                (b["code"], b["version"], b["decision"], not b["closed"], b["shape"])
                for b in self.boundaries.values()
            ),
            "footprints": sorted(
                (f["code"], f["source"], f["date"], f["shape"]) for f in self.footprints.values()
            ),
        }

    def lies(self) -> list[str]:
        """Committed uploads whose changes are not in place, with no later commit to blame."""
        problems = []
        for up in (u for u in self.uploads.values() if u.status == "committed"):
            later = [v for v in self.uploads.values() if v.status == "committed" and v.seq > up.seq]
            touched_later = {(t, r) for v in later for t, r, *_ in v.changes}
            for table, row, _, action, _ in up.changes:
                store = {"zones": self.zones, "pb": self.boundaries, "fp": self.footprints}[table]
                closed_here = action == "close" and self.boundaries.get(row, {}).get("closed")
                if row not in store or (action == "close" and not closed_here):
                    problems.append(f"upload {up.id}: {table} {row} {action} not in place")
                elif (table, row) in touched_later:
                    continue  # a later commit overwrote it: the history names that upload
                elif table == "pb" and action == "insert" and self.boundaries[row]["closed"]:
                    problems.append(f"upload {up.id}: boundary {row} closed by nobody")
                elif table == "zones" and not self._holds(up, self.zones[row]):
                    problems.append(f"upload {up.id}: zone {row} lost its values")
        return problems

    @staticmethod
    def _holds(up: Upload, zone: dict) -> bool:
        sent = next(r for r in up.rows if r["code"] == zone["code"])
        return (zone["name"], zone["status"]) == (sent["name"], sent["status"])


def _db_state(session: Session) -> dict:
    """The machine's zones, their boundary versions and footprints as the model writes them."""
    like = {"p": f"{PREFIX}%"}
    zones = session.execute(
        text("SELECT code, name, status FROM zones WHERE code LIKE :p"), like
    ).all()
    boundaries = session.execute(
        text(
            "SELECT z.code, pb.version, pb.decision_ref, pb.valid_to IS NULL, ST_XMin(pb.geom) "
            "FROM planning_boundaries pb JOIN zones z ON z.id = pb.zone_id "
            "WHERE z.code LIKE :p"
        ),
        like,
    ).all()
    footprints = session.execute(
        text(
            "SELECT z.code, f.source, f.observed_on, ST_XMin(f.geom) FROM actual_footprints f "
            "JOIN zones z ON z.id = f.zone_id WHERE z.code LIKE :p"
        ),
        like,
    ).all()
    return {
        "zones": sorted(tuple(z) for z in zones),
        "boundaries": sorted((*b[:4], _shape(b[4])) for b in boundaries),
        "footprints": sorted((*f[:3], _shape(f[3])) for f in footprints),
    }


def _shape(xmin: float) -> int:
    return round((xmin - X0) / STEP)


def _rows(kind: str) -> st.SearchStrategy[list[dict]]:
    columns = {
        "zones": {"name": st.sampled_from(NAMES), "status": st.sampled_from(STATUSES)},
        "planned": {"decision": st.sampled_from(DECISIONS)},
        "actual": {"source": st.sampled_from(SOURCES), "date": st.sampled_from(DATES)},
    }[kind]
    row = st.fixed_dictionaries(
        {"code": st.sampled_from(CODES), "shape": st.integers(0, len(SHAPES) - 1), **columns}
    )
    return st.lists(row, min_size=1, max_size=2, unique_by=lambda r: r["code"])


def _staged(kind: str, r: dict) -> dict:
    """A model row as the columns of ``upload_features``."""
    out = {"code": r["code"], "geometry": SHAPES[r["shape"]]}
    if kind == "zones":
        out |= {"kind": "KCN", "province_code": "01", "name": r["name"], "status": r["status"]}
    elif kind == "planned":
        out |= {"decision_ref": r["decision"]}
    else:
        out |= {"source": r["source"], "observed_on": r["date"]}
    return out


class CommitOrderMachine(RuleBasedStateMachine):
    engine: Engine

    def __init__(self) -> None:
        super().__init__()
        self.connection = self.engine.connect()
        self.outer = self.connection.begin()
        self.session = Session(bind=self.connection, join_transaction_mode="create_savepoint")
        self.model = Model()

    def teardown(self) -> None:
        self.session.close()
        self.outer.rollback()
        self.connection.close()

    def _attempt(self, action, upload_id: int):  # noqa: ANN001, ANN202
        """Run a service call like a request: in a savepoint that an error rolls back."""
        savepoint = self.session.begin_nested()
        try:
            result = action(self.session, upload_id)
        except ConflictError as exc:
            savepoint.rollback()
            return exc
        savepoint.commit()
        return result

    def _preview(self, kind: str, editor: str, rows: list[dict]) -> None:
        if kind != "zones":  # previews of unknown codes are refused before this point
            rows = [r for r in rows if self.model.zone(r["code"])]
        if rows:
            staged = [_staged(kind, r) for r in rows]
            upload_id = stage_rows(self.session, kind, staged, editor=editor)
            self.model.uploads[upload_id] = Upload(upload_id, kind, rows)

    @rule(editor=st.sampled_from(EDITORS), rows=_rows("zones"))
    def preview_zones(self, editor: str, rows: list[dict]) -> None:
        self._preview("zones", editor, rows)

    @precondition(lambda self: self.model.zones)
    @rule(editor=st.sampled_from(EDITORS), rows=_rows("planned"))
    def preview_boundaries(self, editor: str, rows: list[dict]) -> None:
        self._preview("planned", editor, rows)

    @precondition(lambda self: self.model.zones)
    @rule(editor=st.sampled_from(EDITORS), rows=_rows("actual"))
    def preview_footprints(self, editor: str, rows: list[dict]) -> None:
        self._preview("actual", editor, rows)

    def _ids(self, status: str) -> list[int]:
        return sorted(u.id for u in self.model.uploads.values() if u.status == status)

    @precondition(lambda self: self._ids("previewed"))
    @rule(data=st.data())
    def commit(self, data: st.DataObject) -> None:
        up = self.model.uploads[data.draw(st.sampled_from(self._ids("previewed")))]
        result = self._attempt(svc.commit, up.id)
        assert not isinstance(result, Exception), result
        self.model.commit(up)

    @precondition(lambda self: self._ids("committed"))
    @rule(data=st.data())
    def rollback(self, data: st.DataObject) -> None:
        up = self.model.uploads[data.draw(st.sampled_from(self._ids("committed")))]
        expected = self.model.dependents(up)
        result = self._attempt(svc.rollback, up.id)
        if expected:
            assert isinstance(result, ConflictError), f"rollback of {up.id} was not refused"
            named = [d["upload_id"] for d in getattr(result, "details", None) or []]
            assert named == expected, result
        else:
            assert not isinstance(result, Exception), result
            self.model.rollback(up)

    @invariant()
    def database_matches_model(self) -> None:
        assert _db_state(self.session) == self.model.state()

    @invariant()
    def statuses_and_commit_order_match_model(self) -> None:
        rows = self.session.execute(
            text("SELECT id, status, commit_seq FROM uploads WHERE id = ANY(:ids)"),
            {"ids": list(self.model.uploads)},
        ).all()
        assert {r[0]: r[1] for r in rows} == {u.id: u.status for u in self.model.uploads.values()}
        by_db = [r[0] for r in sorted((r for r in rows if r[2] is not None), key=lambda r: r[2])]
        by_model = [
            u.id
            for u in sorted((u for u in self.model.uploads.values() if u.seq), key=lambda u: u.seq)
        ]
        assert by_db == by_model
        assert self.model.lies() == []


def test_commit_order_state_machine_matches_model(engine: Engine) -> None:
    machine = type("BoundCommitOrderMachine", (CommitOrderMachine,), {"engine": engine})
    run_state_machine_as_test(machine, settings=MACHINE_SETTINGS)
