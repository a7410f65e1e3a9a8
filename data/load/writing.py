"""Writing a checked databook to the store in the load's one transaction: each row new,
revised (a changed figure: the old one goes to `observation_revisions`) or unchanged, and the
load itself recorded in `loads`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from data.load import peers
from data.load.checking import Checked
from data.load.columns import ROW
from data.load.report import LoadReport, Progress, TableCounts
from data.load.statements import Statements
from data.load.stored_values import (
    as_days,
    as_stored_moment,
    date_text,
    iso_days,
    listed,
    none_if_nan,
    nones,
    plain,
    quote,
    same_numbers,
    same_objects,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection

__all__ = ["Writer"]


class Writer(Statements):
    """Classifies checked rows against the store (new, revised or unchanged) and writes them."""

    def __init__(
        self, connection: Connection, checked: Checked, source_name: str, now: datetime,
        dry_run: bool, tell: Progress,
    ) -> None:
        super().__init__(connection, checked.files, source_name, now, dry_run, tell)
        self.checked = checked

    def run(self) -> LoadReport:
        tables = self.checked.tables
        self._clusters()
        if "indicators" in tables:
            self._indicators(tables["indicators"])
        if "observations" in tables:
            self._observations(tables["observations"])
        if "targets" in tables:
            self._targets(tables["targets"])
        if "benchmarks" in tables:
            self._benchmarks(tables["benchmarks"])
        if "peers" in tables:
            peers.write_peers(self, tables["peers"])
        if "glossary" in tables:
            self._glossary(tables["glossary"])
        if "meetings" in tables:
            self._meetings(tables["meetings"])
        if "roles" in tables:
            self._roles(tables["roles"])
        self._log()
        return self.report

    def _clusters(self) -> None:
        counts = self.report.counts.setdefault("clusters", TableCounts())
        if not self.checked.clusters:
            if "indicators" in self.checked.tables:
                counts.unchanged = self.checked.tables["indicators"]["cluster"].nunique()
            return
        start = self.connection.exec_driver_sql(
            "SELECT COALESCE(MAX(position), -1) FROM clusters"
        ).scalar_one()
        rows = [(name, start + 1 + i) for i, name in enumerate(self.checked.clusters)]
        self.executemany("INSERT INTO clusters (name, position) VALUES (?, ?)", rows)
        counts.new = len(rows)
        if "indicators" in self.checked.tables:
            counts.unchanged = self.checked.tables["indicators"]["cluster"].nunique() - len(rows)

    _INDICATOR_FIELDS = (
        "title", "cluster", "polarity", "unit", "frequency", "year_basis", "ytd", "dot_basis",
        "decimals", "aliases", "definition", "data_notes", "source", "service_area",
        "council_plan", "active", "on_scorecard",
    )

    def _indicators(self, frame: pd.DataFrame) -> None:
        fields = self._INDICATOR_FIELDS
        stored = {
            row[0]: tuple(row[1:])
            for row in self.connection.exec_driver_sql(
                f"SELECT code, {', '.join(fields)}, position FROM indicators"
            )
        }
        position = max((values[-1] for values in stored.values()), default=-1)
        file = self.file("indicators")
        inserts, updates = [], []
        counts = self.report.counts.setdefault("indicators", TableCounts())
        for record in frame.to_dict("records"):
            values = (
                record["title"], record["cluster"], record["polarity"], record["unit"],
                record["frequency"], record["year_basis"], record["ytd"],
                record["dot_basis"] or None,
                int(record["decimals"]) if record["decimals"] else None,
                record["aliases"], record["definition"], record["data_notes"],
                record["source"], record["service_area"], record["council_plan"],
                bool(record["active"]), bool(record["on_scorecard"]),
            )
            code = record["code"]
            if code not in stored:
                position += 1
                inserts.append((code, *values, position, file, self.now_text))
                counts.new += 1
            elif tuple(plain(v) for v in stored[code][:-1]) != tuple(plain(v) for v in values):
                updates.append((*values, file, self.now_text, code))
                counts.revised += 1
            else:
                counts.unchanged += 1
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        self.executemany(
            f"INSERT INTO indicators (code, {names}, position, source_file, loaded_at) "
            f"VALUES (?, {marks}, ?, ?, ?)",
            inserts,
        )
        sets = ", ".join(f"{name} = ?" for name in fields)
        self.executemany(
            f"UPDATE indicators SET {sets}, source_file = ?, revised_at = ? WHERE code = ?",
            updates,
        )

    def _observations(self, frame: pd.DataFrame) -> None:
        counts = self.report.counts.setdefault("observations", TableCounts())
        file = self.file("observations")
        codes = sorted(frame["code"].unique().tolist())
        self.tell("Comparing with the store", 0, 1)
        existing = self.fetch(
            "SELECT id, code, period_end, area, value, numerator, denominator, status, "
            "embargo_until, source_file FROM observations"
            + (
                " WHERE code IN (" + ", ".join(quote(code) for code in codes) + ")"
                if len(codes) <= 1000 else ""
            ),
            ["id", "code", "period_end", "area", "old_value", "old_numerator",
             "old_denominator", "old_status", "old_embargo", "old_source_file"],
        )
        frame = frame.drop(columns=[ROW])
        if len(existing):
            existing["period_day"] = as_days(existing["period_end"])
            existing["old_embargo"] = existing["old_embargo"].map(as_stored_moment)
            for column in ("old_value", "old_numerator", "old_denominator"):
                existing[column] = existing[column].astype(float)
            merged = frame.merge(
                existing.drop(columns=["period_end"]), how="left",
                on=["code", "period_day", "area"], sort=False,
            )
        else:
            merged = frame.assign(id=np.nan)
        is_new = merged["id"].isna().to_numpy()
        old = merged.loc[~is_new]
        if len(old):
            same = (
                same_numbers(old["value"], old["old_value"])
                & same_numbers(old["numerator"], old["old_numerator"])
                & same_numbers(old["denominator"], old["old_denominator"])
                & (old["status"].to_numpy() == old["old_status"].to_numpy())
                & same_objects(old["embargo_until"], old["old_embargo"])
            )
            revised = old.loc[~same]
        else:
            same = np.zeros(0, dtype=bool)
            revised = old
        new = merged.loc[is_new]
        counts.new = len(new)
        counts.revised = len(revised)
        counts.unchanged = int(same.sum())
        self.tell("Comparing with the store", 1, 1)
        if self.dry_run:
            return
        self._insert_observations(new, file)
        if len(revised):
            ids = revised["id"].astype(np.int64).tolist()
            days = iso_days(revised["period_day"].to_numpy())
            history = list(
                zip(
                    ids, revised["code"].tolist(), days.tolist(), revised["area"].tolist(),
                    none_if_nan(revised["old_value"].to_numpy(dtype=float)),
                    none_if_nan(revised["old_numerator"].to_numpy(dtype=float)),
                    none_if_nan(revised["old_denominator"].to_numpy(dtype=float)),
                    revised["old_status"].tolist(), revised["old_source_file"].tolist(),
                    [self.now_text] * len(revised), [file] * len(revised),
                    strict=True,
                )
            )
            self.executemany(
                "INSERT INTO observation_revisions (observation_id, code, period_end, area, "
                "old_value, old_numerator, old_denominator, old_status, old_source_file, "
                "replaced_at, source_file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                history,
                "Keeping revised figures' history",
            )
            changes = list(
                zip(
                    none_if_nan(revised["value"].to_numpy(dtype=float)),
                    none_if_nan(revised["numerator"].to_numpy(dtype=float)),
                    none_if_nan(revised["denominator"].to_numpy(dtype=float)),
                    revised["status"].tolist(), nones(revised["embargo_until"]),
                    [file] * len(revised), [self.now_text] * len(revised), ids,
                    strict=True,
                )
            )
            self.executemany(
                "UPDATE observations SET value = ?, numerator = ?, denominator = ?, status = ?, "
                "embargo_until = ?, source_file = ?, revised_at = ? WHERE id = ?",
                changes,
                "Revising figures",
            )

    _OBSERVATION_COLUMNS = (
        "code", "period_end", "area", "value", "numerator", "denominator", "status",
        "embargo_until", "source_file", "loaded_at",
    )

    def _insert_observations(self, new: pd.DataFrame, file: str) -> None:
        if not len(new):
            return
        columns = self._OBSERVATION_COLUMNS
        if self.postgres:
            self._copy_observations(new, file)
            return
        period = iso_days(new["period_day"].to_numpy())
        rows = list(
            zip(
                listed(new["code"]), period.tolist(), listed(new["area"]),
                none_if_nan(new["value"].to_numpy(dtype=float)),
                none_if_nan(new["numerator"].to_numpy(dtype=float)),
                none_if_nan(new["denominator"].to_numpy(dtype=float)),
                listed(new["status"]), listed(new["embargo_until"]),
                [file] * len(new), [self.now_text] * len(new),
                strict=True,
            )
        )
        self.executemany(
            f"INSERT INTO observations ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            rows,
            "Writing observations",
        )

    def _copy_observations(self, new: pd.DataFrame, file: str) -> None:
        columns = self._OBSERVATION_COLUMNS
        out = pd.DataFrame(
            {
                "code": new["code"].to_numpy(),
                "period_end": iso_days(new["period_day"].to_numpy()),
                "area": new["area"].to_numpy(),
                "value": new["value"].to_numpy(),
                "numerator": new["numerator"].to_numpy(),
                "denominator": new["denominator"].to_numpy(),
                "status": new["status"].to_numpy(),
                "embargo_until": nones(new["embargo_until"]),
                "source_file": file,
                "loaded_at": self.now_text,
            }
        )
        statement = (
            f"COPY observations ({', '.join(columns)}) FROM STDIN "
            "WITH (FORMAT csv, FORCE_NOT_NULL (code, area, status, source_file))"
        )
        self.copy(statement, out, "Writing observations")

    def _targets(self, frame: pd.DataFrame) -> None:
        counts = self.report.counts.setdefault("targets", TableCounts())
        stored = {
            (code, start): (target, amber)
            for code, start, target, amber in self.connection.exec_driver_sql(
                "SELECT code, year_start, target, amber_threshold FROM targets"
            )
        }
        file = self.file("targets")
        inserts, updates = [], []
        for code, start, label, target, amber in frame[
            ["code", "year_start", "year_label", "target", "amber_threshold"]
        ].itertuples(index=False):
            amber_value = None if amber != amber else float(amber)
            key = (code, int(start))
            if key not in stored:
                inserts.append((code, int(start), label, float(target), amber_value, file,
                                self.now_text))
                counts.new += 1
            elif stored[key] != (float(target), amber_value):
                updates.append((float(target), amber_value, file, self.now_text, code, int(start)))
                counts.revised += 1
            else:
                counts.unchanged += 1
        self.executemany(
            "INSERT INTO targets (code, year_start, year_label, target, amber_threshold, "
            "source_file, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        self.executemany(
            "UPDATE targets SET target = ?, amber_threshold = ?, source_file = ?, loaded_at = ? "
            "WHERE code = ? AND year_start = ?",
            updates,
        )

    def _benchmarks(self, frame: pd.DataFrame) -> None:
        counts = self.report.counts.setdefault("benchmarks", TableCounts())
        existing = self.fetch(
            "SELECT code, period_end, comparator, value, embargo_until FROM benchmarks",
            ["code", "period_end", "comparator", "value", "embargo_until"],
        )
        stored = {}
        if len(existing):
            days = as_days(existing["period_end"])
            for code, day, comparator, value, embargo in zip(
                existing["code"], days, existing["comparator"], existing["value"],
                existing["embargo_until"], strict=True,
            ):
                stored[(code, int(day), comparator)] = (float(value), as_stored_moment(embargo))
        file = self.file("benchmarks")
        inserts, updates = [], []
        for code, day, comparator, value, embargo in zip(
            frame["code"], frame["period_day"], frame["comparator"], frame["value"],
            nones(frame["embargo_until"]), strict=True,
        ):
            key = (code, int(day), comparator)
            period = str(np.datetime64(int(day), "D"))
            if key not in stored:
                inserts.append((code, period, comparator, float(value), embargo, file,
                                self.now_text))
                counts.new += 1
            elif stored[key] != (float(value), embargo):
                updates.append((float(value), embargo, file, self.now_text, code, period,
                                comparator))
                counts.revised += 1
            else:
                counts.unchanged += 1
        self.executemany(
            "INSERT INTO benchmarks (code, period_end, comparator, value, embargo_until, "
            "source_file, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        self.executemany(
            "UPDATE benchmarks SET value = ?, embargo_until = ?, source_file = ?, loaded_at = ? "
            "WHERE code = ? AND period_end = ? AND comparator = ?",
            updates,
        )

    def _glossary(self, frame: pd.DataFrame) -> None:
        counts = self.report.counts.setdefault("glossary", TableCounts())
        stored: dict[str, str] = dict(
            self.connection.exec_driver_sql("SELECT term, definition FROM glossary").fetchall()
        )
        file = self.file("glossary")
        inserts, updates = [], []
        for term, definition in frame[["term", "definition"]].itertuples(index=False):
            if term not in stored:
                inserts.append((term, definition, file))
                counts.new += 1
            elif stored[term] != definition:
                updates.append((definition, file, term))
                counts.revised += 1
            else:
                counts.unchanged += 1
        self.executemany(
            "INSERT INTO glossary (term, definition, source_file) VALUES (?, ?, ?)", inserts
        )
        self.executemany(
            "UPDATE glossary SET definition = ?, source_file = ? WHERE term = ?", updates
        )

    def _meetings(self, frame: pd.DataFrame) -> None:
        counts = self.report.counts.setdefault("meetings", TableCounts())
        stored = {
            (committee, date_text(day)): (focus, date_text(deadline))
            for committee, day, focus, deadline in self.connection.exec_driver_sql(
                "SELECT committee, date, focus_clusters, agenda_deadline FROM meetings"
            )
        }
        file = self.file("meetings")
        inserts, updates = [], []
        for committee, day, focus, deadline in frame[
            ["committee", "date", "focus_clusters", "agenda_deadline"]
        ].itertuples(index=False):
            key = (committee, date_text(day))
            values = (focus, date_text(deadline))
            if key not in stored:
                inserts.append((committee, key[1], focus, values[1], file))
                counts.new += 1
            elif stored[key] != values:
                updates.append((focus, values[1], file, committee, key[1]))
                counts.revised += 1
            else:
                counts.unchanged += 1
        self.executemany(
            "INSERT INTO meetings (committee, date, focus_clusters, agenda_deadline, "
            "source_file) VALUES (?, ?, ?, ?, ?)",
            inserts,
        )
        self.executemany(
            "UPDATE meetings SET focus_clusters = ?, agenda_deadline = ?, source_file = ? "
            "WHERE committee = ? AND date = ?",
            updates,
        )

    def _roles(self, frame: pd.DataFrame) -> None:
        counts = self.report.counts.setdefault("roles", TableCounts())
        stored = set(
            self.connection.exec_driver_sql(
                'SELECT "user", role, service_area FROM roles'
            ).fetchall()
        )
        file = self.file("roles")
        inserts = []
        for user, role, area in frame[["user", "role", "service_area"]].itertuples(index=False):
            if (user, role, area) in stored:
                counts.unchanged += 1
            else:
                inserts.append((user, role, area, file))
                counts.new += 1
        self.executemany(
            'INSERT INTO roles ("user", role, service_area, source_file) VALUES (?, ?, ?, ?)',
            inserts,
        )

    def _log(self) -> None:
        summary = self.report.summary()
        self.executemany(
            "INSERT INTO loads (source_name, loaded_at, rows, summary) VALUES (?, ?, ?, ?)",
            [(self.source_name, self.now_text, self.report.rows, summary)],
        )
