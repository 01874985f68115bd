-- A table, not a view: the mart and the tests on this model read it, and each would
-- otherwise evaluate the privacy rules over the whole window again.
{{ config(materialized='table') }}
-- The privacy rules for use of force: officer and subject identities, dates of birth, the
-- exact address and narratives dropped (drop_officer_and_subject_identity), and cut out of
-- every published category where staff typed them (any officer's or subject's name, date of
-- birth or the address of the same incident); a juvenile subject's exact age generalized
-- (generalize_juvenile_subject_age), whatever format the age came in ("16", "016",
-- "16.0", "16 yrs"). Officers and subjects
-- are numbered within their incident from their private identities, so the public lists keep
-- one value per person without publishing who they are.
with

normalized as (

    select * from {{ ref('int_use_of_force_normalized') }}

),

numbered as (

    select
        *,
        dense_rank() over (
            partition by pib_file_number order by officer_badge_number, officer_name
        ) as officer_number,
        case
            when subject_name is not null or subject_date_of_birth is not null
                then
                    dense_rank() over (
                        partition by pib_file_number
                        order by subject_name, subject_date_of_birth
                    )
        end as subject_number,
        flatten(
            list([officer_name, subject_name, subject_date_of_birth, incident_address])
                over (partition by pib_file_number)
        ) as incident_private_values

    from normalized

),

final as (

    select
        source_row_id,
        partition_date,
        pib_file_number,
        occurred_on,
        officer_number,
        subject_number,
        {% for column in use_of_force_text_columns() if column != 'subject_age' %}
            {{ redact_private_values(column, 'incident_private_values') }} as {{ column }},
        {% endfor %}
        case
            when try_cast(regexp_extract(subject_age, '^[\s\pZ]*([0-9]+)', 1) as integer)
                < {{ var('use_of_force')['juvenile_age_below'] }}
                then 'Juvenile'
            else {{ redact_private_values('subject_age', 'incident_private_values') }}
        end as subject_age

    from numbered

)

select * from final
