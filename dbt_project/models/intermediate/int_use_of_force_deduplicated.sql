-- The latest version of each incident's rows, without exact duplicates. An incident is
-- re-exported as a set of rows when its investigation moves on; the set written last wins,
-- and a row repeated verbatim within it counts once.
with

validated as (

    select * from {{ ref('int_use_of_force_validated') }}
    where quarantine_reason is null

),

versioned as (

    select
        *,
        source_updated_at = max(source_updated_at) over (partition by pib_file_number)
            as is_latest_version

    from validated

),

ranked as (

    select
        *,
        row_number() over (
            partition by
                pib_file_number,
                occurred_on,
                {% for column in use_of_force_text_columns() %}
                    {{ column }},
                {% endfor %}
                officer_name,
                officer_badge_number,
                subject_name,
                subject_date_of_birth,
                incident_address,
                narrative
            order by source_row_id
        ) as copy_number

    from versioned
    where is_latest_version

),

final as (

    select * exclude (copy_number, is_latest_version)
    from ranked
    where copy_number = 1

)

select * from final
