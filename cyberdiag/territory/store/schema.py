"""The store's tables: the migrations that create them, in order (append only).

Schema changes go through MIGRATIONS (never edit a shipped step); the version reached is kept in
the `schema_version` table. The first step creates `meta`, which holds the code-name salt.
"""

from __future__ import annotations

# Append only. Each step runs inside the migration transaction.
MIGRATIONS: tuple[str, ...] = (
    # 1: diagnostics and their normalised views
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE campaigns (
        name TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
    );
    CREATE TABLE municipalities (
        insee TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        population INTEGER NOT NULL,
        tier INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE diagnostics (
        id INTEGER PRIMARY KEY,
        campaign TEXT NOT NULL REFERENCES campaigns(name),
        insee TEXT NOT NULL REFERENCES municipalities(insee),
        name TEXT NOT NULL,
        population INTEGER NOT NULL,
        tier INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        source TEXT,
        schema_version TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        overall_score REAL,
        overall_level INTEGER NOT NULL,
        uncapped_level INTEGER NOT NULL,
        target_level INTEGER NOT NULL,
        questions_applicable INTEGER NOT NULL,
        questions_answered INTEGER NOT NULL,
        json TEXT NOT NULL,
        UNIQUE (campaign, insee)
    );
    CREATE TABLE domain_scores (
        diagnostic_id INTEGER NOT NULL REFERENCES diagnostics(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        domain TEXT NOT NULL,
        name_fr TEXT NOT NULL,
        name_en TEXT NOT NULL,
        applicable INTEGER NOT NULL,
        score REAL,
        level INTEGER NOT NULL,
        target_level INTEGER NOT NULL,
        gap INTEGER NOT NULL,
        PRIMARY KEY (diagnostic_id, domain)
    );
    CREATE TABLE findings (
        diagnostic_id INTEGER NOT NULL REFERENCES diagnostics(id) ON DELETE CASCADE,
        ref TEXT NOT NULL,
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        critical INTEGER NOT NULL,
        domain TEXT NOT NULL,
        title_fr TEXT NOT NULL,
        title_en TEXT NOT NULL
    );
    CREATE INDEX findings_by_diag ON findings(diagnostic_id);
    CREATE INDEX findings_by_ref ON findings(ref);
    CREATE TABLE caps (
        diagnostic_id INTEGER NOT NULL REFERENCES diagnostics(id) ON DELETE CASCADE,
        item TEXT NOT NULL,
        ref TEXT NOT NULL,
        source TEXT NOT NULL,
        domain TEXT,
        level INTEGER NOT NULL,
        label_fr TEXT NOT NULL,
        label_en TEXT NOT NULL
    );
    CREATE INDEX caps_by_diag ON caps(diagnostic_id);
    """,
    # 2: municipalities known from municipalities.csv, and territory-wide check runs (check-all).
    # A row in check_runs is the checkpoint: written in the same transaction as the results.
    """
    CREATE TABLE roster (
        insee TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        population INTEGER NOT NULL,
        tier INTEGER NOT NULL,
        domains TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE check_runs (
        campaign TEXT NOT NULL,
        insee TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        nameservers TEXT NOT NULL,
        n_pass INTEGER NOT NULL,
        n_warn INTEGER NOT NULL,
        n_fail INTEGER NOT NULL,
        n_not_tested INTEGER NOT NULL,
        n_other INTEGER NOT NULL,
        results_json TEXT NOT NULL,
        PRIMARY KEY (campaign, insee)
    );
    """,
    # 3: why each cap holds (diagnostic schema 1.1): "gap" (known to be missing or partial) or
    # "unknown" (to confirm). Caps already stored get it from the answers their diagnostic
    # embeds, as cyberdiag.diagnostic.migrate does for a file: a cap set by a question is
    # "unknown" unless that question has an answer of kind "answer" or "not_applicable".
    """
    ALTER TABLE caps ADD COLUMN cause TEXT NOT NULL DEFAULT 'gap';
    UPDATE caps SET cause = 'unknown'
     WHERE source = 'question'
       AND NOT EXISTS (
           SELECT 1 FROM diagnostics d, json_each(d.json, '$.answers') a
            WHERE d.id = caps.diagnostic_id
              AND json_extract(a.value, '$.question_id') = caps.ref
              AND json_extract(a.value, '$.kind') IN ('answer', 'not_applicable')
       );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """The SQL statements of one migration step, in order."""
    return [s.strip() for s in script.split(";") if s.strip()]
