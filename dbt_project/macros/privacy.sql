{#- Privacy rules, one macro each, named as in seeds/privacy_rules.csv. -#}

{#- mask_block_address and withhold_unsafe_addresses are Python
    (orchestration/warehouse/block_addresses.py, applied by the int_*_address_generalized
    models): a house number anywhere in a typed text is beyond what one regular expression
    here can say plainly. -#}

{#- A WKT point as the city publishes `location`, longitude first. -#}
{% macro wkt_point(longitude, latitude) -%}
    case
        when {{ longitude }} is not null and {{ latitude }} is not null
            then 'POINT (' || cast(round({{ longitude }}, 8) as varchar) || ' '
                || cast(round({{ latitude }}, 8) as varchar) || ')'
    end
{%- endmacro %}

{#- A text as the privacy rules compare it: upper case, every run of blanks one space (tabs
    and the no-break spaces pasted text carries included, which `\s` alone misses), trimmed.
    A code sent as ' 21j' or a type typed as 'Missing\u00a0Juvenile' must still match. -#}
{% macro privacy_text(column) -%}
    nullif(upper(trim(regexp_replace({{ column }}, '[\s\pZ]+', ' ', 'g'))), '')
{%- endmacro %}

{#- exclude_juvenile_call_types: a code in the reviewed list (the seed and the codes stewards
    classified juvenile, models/rules/juvenile_call_types_reviewed.sql), or a text (either spelling the
    source used, or the canonical one) equal to a listed text or matching a listed
    pattern, all compared as privacy_text. -#}
{% macro is_juvenile_call_type(type_code, type_texts) -%}
    coalesce((
        {{ privacy_text(type_code) }} in (
            select {{ privacy_text('jct.type_code') }} from {{ ref('juvenile_call_types_reviewed') }} as jct
        )
        {% for text in type_texts %}
        or {{ privacy_text(text) }} in (
            select {{ privacy_text('jct.type_text') }}
            from {{ ref('juvenile_call_types_reviewed') }} as jct
        )
        or exists (
            select 1
            from {{ ref('juvenile_text_patterns') }} as jtp
            where regexp_matches({{ privacy_text(text) }}, jtp.pattern)
        )
        {% endfor %}
    ), false)
{%- endmacro %}

{#- A regular expression finding `value` in a text whatever its case and spacing: each word
    of the value escaped, the words joined by any run of blanks. -#}
{% macro private_value_pattern(value) -%}
    array_to_string(
        list_transform(
            string_split_regex(trim(regexp_replace({{ value }}, '[\s\pZ]+', ' ', 'g')), ' '),
            lambda word: regexp_escape(word)
        ),
        '[\s\pZ]+'
    )
{%- endmacro %}

{#- redact_private_values: every private value of the record (a caller's or requester's
    name, phone, email; an incident's officer and subject names; a full address), given as a
    SQL list, removed from a free text staff typed, wherever it was typed, whatever its case
    and spacing. Values shorter than 5 characters are not searched for (they would cut
    ordinary words). What is left is tidied: empty brackets and dangling separators dropped;
    nothing left is null. -#}
{% macro redact_private_values(text, values) -%}
    case
        when {{ text }} is null then null
        {#- The cheap test first: a regular expression built from a row's own values is
            compiled for that row, so only a text that holds one of them (compared in lower
            case with blanks collapsed, as the expression would match it) pays for it. #}
        when len(list_filter(
            {{ values }},
            lambda value: length(trim(value)) >= 5 and contains(
                lower(regexp_replace({{ text }}, '[\s\pZ]+', ' ', 'g')),
                lower(trim(regexp_replace(value, '[\s\pZ]+', ' ', 'g')))
            )
        )) = 0
            then {{ text }}
        else nullif(trim(regexp_replace(regexp_replace(regexp_replace(
            regexp_replace(
                {{ text }},
                '(?i)' || array_to_string(
                    list_transform(
                        list_filter({{ values }}, lambda value: length(trim(value)) >= 5),
                        lambda value: {{ private_value_pattern('value') }}
                    ),
                    '|'
                ),
                ' ',
                'g'
            ),
            '\(\s*\)|\[\s*\]', ' ', 'g'),
            '^[\s\pZ,;:/-]+|[\s\pZ,;:/-]+$', '', 'g'),
            '[\s\pZ]+', ' ', 'g')), '')
    end
{%- endmacro %}
