{#- Privacy rules, one macro each, named as in seeds/privacy_rules.csv. -#}

{#- A leading house number: digits, optionally one letter or a hyphenated suffix (3021,
    3021A, 3021-25), then a space. Ordinal street names (2nd St, 8th St) are not house numbers. -#}
{% macro house_number_pattern() -%}
    '^\s*[0-9]+([A-Za-z]|-[A-Za-z0-9]+)?\s'
{%- endmacro %}

{#- mask_block_address: a house number becomes its hundred-block in the city's published
    form (3021 Oliver White Ave -> 030XX Oliver White Ave). Intersections (A St & B St)
    and places without a house number (I-10 W, 2nd St) keep their name. -#}
{% macro mask_block_address(address) -%}
    case
        when {{ address }} is null then null
        when regexp_matches({{ address }}, {{ house_number_pattern() }})
            then lpad(
                cast(cast(regexp_extract({{ address }}, '^\s*([0-9]+)', 1) as hugeint) // 100
                    as varchar),
                3,
                '0'
            ) || 'XX ' || trim(regexp_replace(
                regexp_replace({{ address }}, {{ house_number_pattern() }}, ''), '\s+', ' ', 'g'
            ))
        else trim(regexp_replace({{ address }}, '\s+', ' ', 'g'))
    end
{%- endmacro %}

{#- A WKT point as the city publishes `location`, longitude first. -#}
{% macro wkt_point(longitude, latitude) -%}
    case
        when {{ longitude }} is not null and {{ latitude }} is not null
            then 'POINT (' || cast(round({{ longitude }}, 8) as varchar) || ' '
                || cast(round({{ latitude }}, 8) as varchar) || ')'
    end
{%- endmacro %}

{#- exclude_juvenile_call_types: a code in the seed list, or a text (either spelling the
    source used, or the canonical one) equal to a listed text or matching a listed
    pattern. -#}
{% macro is_juvenile_call_type(type_code, type_texts) -%}
    (
        {{ type_code }} in (select jct.type_code from {{ ref('juvenile_call_types') }} as jct)
        {% for text in type_texts %}
        or {{ normalized_text(text) }} in (
            select {{ normalized_text('jct.type_text') }}
            from {{ ref('juvenile_call_types') }} as jct
        )
        or exists (
            select 1
            from {{ ref('juvenile_text_patterns') }} as jtp
            where regexp_matches({{ normalized_text(text) }}, jtp.pattern)
        )
        {% endfor %}
    )
{%- endmacro %}
