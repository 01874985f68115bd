-- One spelling per category: the seed's canonical values replace the misspelled and re-cased
-- variants the exports carry.
with

deduplicated as (

    select * from {{ ref('int_use_of_force_deduplicated') }}

),

normalized as (

    select
        * replace (
            {% for column in use_of_force_text_columns() %}
                {{ corrected_value(column) }} as {{ column }}{{ "," if not loop.last }}
            {% endfor %}
        )

    from deduplicated

)

select * from normalized
