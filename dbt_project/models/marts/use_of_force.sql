{{
    config(
        pre_hook="{{ delete_partition_window('cast(date_occurred as date)') }}",
    )
}}
-- Public use-of-force incidents: one row per PIB file number, in the city's current layout.
-- Incident-level values appear once (distinct values joined where the source disagrees);
-- officer, force and subject values are lists joined with " | ", one entry per officer, per
-- officer and force type, and per subject, in the same order across columns.
with

rows_of_incidents as (

    select * from {{ ref('int_use_of_force_privacy_filtered') }}

),

incidents as (

    select
        pib_file_number,
        min(occurred_on) as occurred_on,
        {% for column in use_of_force_incident_columns() %}
            string_agg(distinct {{ column }}, ' | ' order by {{ column }}) as {{ column }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from rows_of_incidents
    group by pib_file_number

),

officers as (

    select
        pib_file_number,
        {% for column in use_of_force_officer_columns() %}
            {{ joined_list(column, 'officer_number') }} as {{ column }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from (
        select distinct
            pib_file_number,
            officer_number,
            {{ use_of_force_officer_columns() | join(', ') }}
        from rows_of_incidents
    )
    group by pib_file_number

),

forces as (

    select
        pib_file_number,
        {% for column in use_of_force_force_columns() %}
            {{ joined_list(column, 'officer_number, use_of_force_type') }} as {{ column }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from (
        select distinct
            pib_file_number,
            officer_number,
            {{ use_of_force_force_columns() | join(', ') }}
        from rows_of_incidents
    )
    group by pib_file_number

),

subjects as (

    select
        pib_file_number,
        {% for column in use_of_force_subject_columns() %}
            {{ joined_list(column, 'subject_number') }} as {{ column }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from (
        select distinct
            pib_file_number,
            subject_number,
            {{ use_of_force_subject_columns() | join(', ') }}
        from rows_of_incidents
        where subject_number is not null
    )
    group by pib_file_number

),

final as (

    select
        incidents.pib_file_number,
        cast(incidents.occurred_on as timestamp) as date_occurred,
        incidents.originating_bureau,
        incidents.division_level,
        incidents.division,
        incidents.unit,
        incidents.working_status,
        incidents.shift,
        incidents.investigation_status,
        incidents.disposition,
        incidents.service_type,
        incidents.light_condition,
        incidents.weather_condition,
        forces.use_of_force_type,
        forces.use_of_force_level,
        subjects.subject_influencing_factors,
        forces.use_of_force_effective,
        officers.officer_race_ethnicity,
        officers.officer_gender,
        officers.officer_age,
        officers.officer_years_of_service,
        forces.distance_between,
        subjects.subject_gender,
        subjects.subject_ethnicity,
        subjects.subject_age,
        subjects.subject_build,
        subjects.subject_height,
        subjects.subject_injured,
        subjects.subject_hospitalized,
        subjects.subject_arrested,
        subjects.subject_arrest_charges,
        incidents.use_of_force_reason,
        officers.officer_injured

    from incidents
    left join officers on incidents.pib_file_number = officers.pib_file_number
    left join forces on incidents.pib_file_number = forces.pib_file_number
    left join subjects on incidents.pib_file_number = subjects.pib_file_number

)

select * from final
{{ stored_in_day_order('cast(date_occurred as date)') }}
