"""Imported diagnostics in the store: written whole with their normalised tables, read back.

The full diagnostic.json is kept (the record), plus normalised tables (municipality, domain
scores, findings, caps) so that every aggregate reads plain rows.
"""

from __future__ import annotations

import json

from cyberdiag.models import Diagnostic, LevelInfo, Text
from cyberdiag.territory.store.base import StoreBase
from cyberdiag.territory.store.rows import (
    CapRow,
    DiagnosticSummary,
    DomainScoreRow,
    FindingRow,
    MuniRow,
    StoredDiagnostic,
)

_SUMMARY = "insee, name, population, tier, created_at, overall_score, overall_level"


class DiagnosticTables(StoreBase):
    """The tables diagnostics, municipalities, domain_scores, findings and caps."""

    # -- writing (inside the import's one transaction) ---------------------------------------

    def stored_diagnostic(self, campaign: str, insee: str) -> StoredDiagnostic | None:
        """The diagnostic kept for `insee` in `campaign`, if any."""
        row = self.conn.execute(
            "SELECT id, created_at, source FROM diagnostics WHERE campaign=? AND insee=?",
            (campaign, insee),
        ).fetchone()
        return None if row is None else StoredDiagnostic(int(row[0]), str(row[1]), row[2])

    def delete_diagnostic(self, diagnostic_id: int) -> None:
        """Remove a diagnostic and (cascade) its scores, findings and caps."""
        self.conn.execute("DELETE FROM diagnostics WHERE id=?", (diagnostic_id,))

    def insert_diagnostic(
        self, campaign: str, source: str, d: Diagnostic, imported_at: str
    ) -> None:
        """Write one diagnostic, its municipality and its normalised rows."""
        c = self.conn
        p = d.profile
        c.execute(
            """INSERT INTO municipalities (insee, name, population, tier, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(insee) DO UPDATE SET name=excluded.name,
                 population=excluded.population, tier=excluded.tier,
                 updated_at=excluded.updated_at""",
            (p.insee, p.name, p.population, d.tier, imported_at),
        )
        applicable = sum(1 for a in d.answers if a.applicable)
        answered = sum(1 for a in d.answers if a.applicable and a.option is not None)
        o = d.overall
        cur = c.execute(
            """INSERT INTO diagnostics (campaign, insee, name, population, tier, created_at,
                 imported_at, source, schema_version, tool_version, overall_score, overall_level,
                 uncapped_level, target_level, questions_applicable, questions_answered, json)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                campaign,
                p.insee,
                p.name,
                p.population,
                d.tier,
                d.created_at.isoformat(),
                imported_at,
                source,
                d.schema_version,
                d.tool_version,
                o.score,
                o.level,
                o.uncapped_level,
                o.target_level,
                applicable,
                answered,
                d.model_dump_json(),
            ),
        )
        assert cur.lastrowid is not None  # set by every INSERT
        self._insert_details(cur.lastrowid, d)

    def _insert_details(self, did: int, d: Diagnostic) -> None:
        """The normalised rows of diagnostic `did`: domain scores, findings, caps."""
        c = self.conn
        c.executemany(
            "INSERT INTO domain_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    did,
                    i,
                    s.id,
                    s.name.fr,
                    s.name.en,
                    int(s.applicable),
                    s.score,
                    s.level,
                    s.target_level,
                    s.gap,
                )
                for i, s in enumerate(d.domains)
            ],
        )
        c.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    did,
                    f.ref,
                    f.source,
                    f.kind,
                    f.severity,
                    int(f.critical),
                    f.domain,
                    f.title.fr,
                    f.title.en,
                )
                for f in d.findings
            ],
        )
        domain_of = {a.question_id: a.domain for a in d.answers}
        domain_of.update({f.ref: f.domain for f in d.findings})
        c.executemany(
            """INSERT INTO caps (diagnostic_id, item, ref, source, domain, level, label_fr,
                 label_en, cause) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    did,
                    cap.item,
                    cap.ref,
                    cap.source,
                    domain_of.get(cap.ref),
                    cap.level,
                    cap.label.fr,
                    cap.label.en,
                    cap.cause,
                )
                for cap in d.overall.capped_by
            ],
        )

    # -- reading -----------------------------------------------------------------------------

    def diagnostic_count(self, campaign: str) -> int:
        """How many municipalities answered in `campaign`."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM diagnostics WHERE campaign=?", (campaign,)
        ).fetchone()
        return int(row[0])

    def campaign_diagnostics(self, campaign: str) -> list[DiagnosticSummary]:
        """Who answered in `campaign`, by municipality name."""
        return [
            DiagnosticSummary(str(r[0]), str(r[1]), int(r[2]), int(r[3]), str(r[4]), r[5], r[6])
            for r in self.conn.execute(
                f"SELECT {_SUMMARY} FROM diagnostics WHERE campaign=? ORDER BY name", (campaign,)
            )
        ]

    def campaign_rows(self, campaign: str) -> list[MuniRow]:
        """Every diagnostic of `campaign`, with its domain scores, caps and findings, by INSEE."""
        c = self.conn
        rows: dict[int, MuniRow] = {}
        for r in c.execute(
            """SELECT id, insee, name, population, tier, created_at, overall_score, overall_level,
                      uncapped_level, target_level, questions_applicable, questions_answered
               FROM diagnostics WHERE campaign=?""",
            (campaign,),
        ):
            rows[int(r[0])] = MuniRow(*r[1:])
        for did, dom, score, level in c.execute(
            """SELECT s.diagnostic_id, s.domain, s.score, s.level FROM domain_scores s
               JOIN diagnostics d ON d.id = s.diagnostic_id
               WHERE d.campaign=? AND s.applicable=1""",
            (campaign,),
        ):
            rows[did].scores[dom] = score
            rows[did].levels[dom] = level
        for did, item, ref, dom, level, fr, en, cause in c.execute(
            """SELECT c.diagnostic_id, c.item, c.ref, c.domain, c.level, c.label_fr, c.label_en,
                      c.cause
               FROM caps c JOIN diagnostics d ON d.id = c.diagnostic_id WHERE d.campaign=?""",
            (campaign,),
        ):
            rows[did].caps.append(CapRow(item, ref, dom, level, Text(fr=fr, en=en), cause))
        for did, ref, kind, sev, crit, dom, fr, en in c.execute(
            """SELECT f.diagnostic_id, f.ref, f.kind, f.severity, f.critical, f.domain,
                      f.title_fr, f.title_en
               FROM findings f JOIN diagnostics d ON d.id = f.diagnostic_id WHERE d.campaign=?""",
            (campaign,),
        ):
            title = Text(fr=fr, en=en)
            rows[did].findings.append(FindingRow(ref, kind, sev, bool(crit), dom, title))
        return sorted(rows.values(), key=lambda m: m.insee)

    def campaign_domains(self, campaign: str) -> list[tuple[str, Text]]:
        """Domains seen in the campaign, in the grid's order, with their names."""
        out = self.conn.execute(
            """SELECT s.domain, MIN(s.position), MAX(s.name_fr), MAX(s.name_en)
               FROM domain_scores s JOIN diagnostics d ON d.id = s.diagnostic_id
               WHERE d.campaign=? GROUP BY s.domain ORDER BY MIN(s.position), s.domain""",
            (campaign,),
        ).fetchall()
        return [(str(r[0]), Text(fr=r[2], en=r[3])) for r in out]

    def campaign_levels(self, campaign: str) -> list[LevelInfo]:
        """The grid's levels, as recorded by the campaign's latest diagnostic."""
        row = self.conn.execute(
            """SELECT json_extract(json, '$.levels') FROM diagnostics WHERE campaign=?
               ORDER BY created_at DESC LIMIT 1""",
            (campaign,),
        ).fetchone()
        if row is None or row[0] is None:
            return []
        return [LevelInfo.model_validate(x) for x in json.loads(row[0])]

    def domain_score_rows(self, campaign: str) -> list[DomainScoreRow]:
        """Every applicable domain score of `campaign`, by INSEE code then grid order."""
        out = []
        for r in self.conn.execute(
            f"""SELECT {", ".join("d." + k for k in _SUMMARY.split(", "))},
                       s.domain, s.name_fr, s.name_en, s.score, s.level, s.target_level, s.gap
                FROM domain_scores s JOIN diagnostics d ON d.id = s.diagnostic_id
                WHERE d.campaign=? AND s.applicable=1 ORDER BY d.insee, s.position""",
            (campaign,),
        ):
            muni = DiagnosticSummary(*r[:7])
            out.append(DomainScoreRow(muni, r[7], Text(fr=r[8], en=r[9]), *r[10:]))
        return out

    def tier_domain_scores(self, campaign: str, tier: int) -> list[tuple[str, float]]:
        """(domain, score) of every scored, applicable domain of the tier's municipalities."""
        rows = self.conn.execute(
            """SELECT s.domain, s.score FROM domain_scores s
               JOIN diagnostics d ON d.id = s.diagnostic_id
               WHERE d.campaign=? AND d.tier=? AND s.applicable=1 AND s.score IS NOT NULL""",
            (campaign, tier),
        ).fetchall()
        return [(str(dom), float(score)) for dom, score in rows]

    def campaign_versions(self, campaign: str) -> set[tuple[str, str, str, str]]:
        """(questionnaire id, its version, grid id, its version) of the campaign's diagnostics:
        one campaign compares diagnostics made against the same questionnaire and grid."""
        rows = self.conn.execute(
            """SELECT DISTINCT json_extract(json, '$.questionnaire.id'),
                      json_extract(json, '$.questionnaire.version'),
                      json_extract(json, '$.grid.id'), json_extract(json, '$.grid.version')
               FROM diagnostics WHERE campaign=?""",
            (campaign,),
        ).fetchall()
        return {(str(a), str(b), str(c), str(d)) for a, b, c, d in rows}
