{#- unpublishable_text_reasons: the quarantine reasons of a validation model's published text
    columns, two per column (too long to be a value; carries control or undecodable
    characters), as comma-separated `case` expressions for its `concat_ws` of reasons.
    One macro rather than a loop copied into each `*_validated` model, so every source holds
    its text to the same rules and the reasons read the same in every audit.

    Each item of `columns` is a column name, or a (column, field) pair when the reason should
    name the source's field rather than the staged column (type_code is the city's `type`). -#}
{% macro unpublishable_text_reasons(columns) -%}
    {%- for item in columns %}
        {%- set column = item if item is string else item[0] %}
        {%- set field = item if item is string else item[1] %}
    case
        when length({{ column }}) > {{ max_public_text_length() }}
            then 'oversized {{ field }}'
    end,
    case
        when {{ has_unprintable_text(column) }}
            then 'control or undecodable characters in {{ field }}'
    end{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
