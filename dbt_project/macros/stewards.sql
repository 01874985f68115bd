{#- The stewards' corrections table (orchestration/corrections/table.py writes it; its
    COLUMNS are these). dbt reads it as the source `stewards.corrections`, so every dbt
    invocation creates it empty when it is absent: a fresh warehouse, where no steward has
    decided anything yet, still builds. Append-only: a later decision on the same subject
    supersedes an earlier one (models/rules/corrections_in_effect.sql), none is deleted. -#}
{% macro create_stewards_corrections() -%}
    create schema if not exists stewards;
    create table if not exists stewards.corrections (
        correction_id varchar not null primary key,
        recorded_at timestamptz not null,
        steward varchar not null,
        reason varchar not null,
        kind varchar not null,
        dataset varchar not null,
        subject varchar not null,
        code varchar,
        source_text varchar,
        public_text varchar,
        is_juvenile boolean,
        is_sensitive_location boolean,
        row_id varchar,
        duplicate_of varchar,
        decision varchar
    )
{%- endmacro %}
