{#- Socrata floating timestamps (local time, no zone): 2022-01-01T01:07:00.000. Anything
    else parses to null, and the validation model turns that into a quarantine reason. -#}
{% macro parse_floating_timestamp(column) -%}
    try_strptime(
        nullif(trim({{ column }}), ''),
        ['%Y-%m-%dT%H:%M:%S.%g', '%Y-%m-%dT%H:%M:%S']
    )
{%- endmacro %}

{#- Socrata system timestamps (:updated_at) are UTC with a Z. -#}
{% macro parse_system_timestamp(column) -%}
    try_strptime(
        nullif(trim({{ column }}), ''),
        ['%Y-%m-%dT%H:%M:%S.%gZ', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%g']
    )
{%- endmacro %}

{#- Free text compared the way people read it: case and runs of spaces do not matter. -#}
{% macro normalized_text(column) -%}
    upper(trim(regexp_replace({{ column }}, '\s+', ' ', 'g')))
{%- endmacro %}

{% macro blank_to_null(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{#- A source column the city's exports have spelled more than one way (`type` / `type_`,
    `timearrive` / `timearrival`): the first non-blank value among the spellings the raw
    table has. The raw table keeps every spelling it has seen, so rows of both layouts can
    sit side by side; orchestration/ingest/source_layout.py fails a load that has none of them. -#}
{% macro renamed_source_column(relation, names) -%}
    {%- set spellings = [] -%}
    {%- if execute -%}
        {%- set present = adapter.get_columns_in_relation(relation)
            | map(attribute='name') | map('lower') | list -%}
        {%- for name in names if name in present -%}
            {%- do spellings.append(blank_to_null(adapter.quote(name))) -%}
        {%- endfor -%}
    {%- else -%}
        {%- do spellings.append(blank_to_null(adapter.quote(names[0]))) -%}
    {%- endif -%}
    {%- if spellings | length == 0 -%}
        cast(null as varchar)
    {%- elif spellings | length == 1 -%}
        {{ spellings[0] }}
    {%- else -%}
        coalesce({{ spellings | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{#- Orleans Parish, as a longitude/latitude box: the same bounds the contracts hold published
    points to (a point inside it projects inside the state-plane box of the calls contract),
    so a row whose point is elsewhere is quarantined rather than failing the day's publish.
    0/0 is the geocoder's "not found", not a place: such rows are published without a point. -#}
{% macro is_outside_orleans_parish(latitude, longitude) -%}
    (
        {{ latitude }} is not null and {{ longitude }} is not null
        and not ({{ latitude }} = 0 and {{ longitude }} = 0)
        and not (
            {{ latitude }} between 29.86 and 30.20
            and {{ longitude }} between -90.14 and -89.62
        )
    )
{%- endmacro %}

{#- Text a published column must not carry: control characters (a NUL, an escape sequence,
    a line break inside an address) and U+FFFD, the trace an undecodable byte leaves when an
    export with invalid UTF-8 is read. -#}
{% macro has_unprintable_text(column) -%}
    regexp_matches(coalesce({{ column }}, ''), '[\x00-\x1f\x7f\x{fffd}]')
{%- endmacro %}

{#- Longer than any value the city publishes in that column: a pasted document, not a value. -#}
{% macro max_public_text_length() -%}255{%- endmacro %}

{#- A floating (local) timestamp later than the UTC moment its row version was written at the
    source: a time that had not happened yet when it was exported (a 2099 typo). An hour of
    slack covers clock skew and the hour that repeats when clocks fall back. -#}
{% macro is_after_export(local_timestamp, exported_at_utc) -%}
    (
        {{ local_timestamp }} is not null and {{ exported_at_utc }} is not null
        and timezone('America/Chicago', {{ local_timestamp }})
            > timezone('UTC', {{ exported_at_utc }}) + interval 1 hour
    )
{%- endmacro %}
