-- Every source row version of the window, with the reason it breaks the rules of its type,
-- if it does. Rows with a reason are quarantined: kept out of the public data, and counted.
with

staged as (

    select * from {{ ref('stg_calls_for_service') }}
    where {{ in_partition_window('partition_date') }}

),

checked as (

    select
        *,
        concat_ws(
            '; ',
            case when nopd_item is null then 'missing nopd_item' end,
            case
                when nopd_item is not null and not regexp_full_match(nopd_item, '[A-Z][0-9]{7}')
                    then 'malformed nopd_item'
            end,
            case when type_code is null then 'missing type' end,
            case when created_at_reported is null then 'missing timecreate' end,
            case
                when created_at_reported is not null and created_at is null
                    then 'unparsable timecreate'
            end,
            case
                when created_at is not null and cast(created_at as date) != partition_date
                    then 'timecreate outside its partition day'
            end,
            case
                when dispatched_at_reported is not null and dispatched_at is null
                    then 'unparsable timedispatch'
            end,
            case
                when arrived_at_reported is not null and arrived_at is null
                    then 'unparsable timearrive'
            end,
            case
                when closed_at_reported is not null and closed_at is null
                    then 'unparsable timeclosed'
            end,
            {% for column, field in [
                ('dispatched_at', 'timedispatch'),
                ('arrived_at', 'timearrive'),
                ('closed_at', 'timeclosed'),
            ] %}
                case
                    when {{ is_after_export(column, 'source_updated_at') }}
                        then '{{ field }} after the row was exported'
                end,
            {% endfor %}
            -- Arrive before dispatch is real (an officer on scene before a later dispatch
            -- entry, arrival often equal to creation: 48 of the city's 7,476 rows of 2022)
            -- and published. What the CAD cannot produce (none of those rows does) is the
            -- row's problem, quarantined with its reason, never the day's. Orders compare the
            -- instants, not the wall clock: a call created at 01:50 and closed at 01:10 on a
            -- fall-back night was closed in the repeated hour, 20 minutes later.
            case when closed_at_utc < created_at_utc then 'timeclosed before timecreate' end,
            case
                when dispatched_at_utc < created_at_utc then 'timedispatch before timecreate'
            end,
            case when arrived_at_utc < created_at_utc then 'timearrive before timecreate' end,
            case
                when closed_at_utc >= created_at_utc and closed_at_utc < arrived_at_utc
                    then 'timeclosed before timearrive'
            end,
            case
                when latitude_reported is not null and latitude is null
                    then 'unparsable latitude'
            end,
            case
                when longitude_reported is not null and longitude is null
                    then 'unparsable longitude'
            end,
            case
                when {{ is_outside_orleans_parish('latitude', 'longitude') }}
                    then 'coordinates outside Orleans Parish'
            end,
            -- The rest hold a row to what the contract holds the published rows to, so one
            -- broken row is quarantined instead of failing the whole day's publish.
            case
                when priority is not null and not regexp_full_match(priority, '[0-3][A-Z]?')
                    then 'malformed priority'
            end,
            case
                when beat is not null and not regexp_full_match(beat, '[0-8][A-Z][0-9]{2}')
                    then 'malformed beat'
            end,
            case
                when zip is not null and not regexp_full_match(zip, '701[0-9]{2}')
                    then 'malformed zip'
            end,
            case
                when police_district is not null
                    and police_district not in ('0', '1', '2', '3', '4', '5', '6', '7', '8')
                    then 'unknown policedistrict'
            end,
            case
                when selfinitiated_reported is not null
                    and upper(selfinitiated_reported) not in ('Y', 'N')
                    then 'malformed selfinitiated'
            end,
            case
                when disposition_code is not null
                    and disposition_code not in (
                        select dispositions.disposition_code
                        from {{ ref('dispositions') }} as dispositions
                    )
                    then 'unknown disposition'
            end,
            {{ unpublishable_text_reasons([
                ('type_code', 'type'),
                ('type_text_reported', 'typetext'),
                ('initial_type_code', 'initialtype'),
                ('initial_type_text_reported', 'initialtypetext'),
                ('disposition_text_reported', 'dispositiontext'),
                ('address', 'address'),
            ]) }}
        ) as reasons

    from staged

),

final as (

    select
        * exclude (reasons),
        nullif(reasons, '') as quarantine_reason
    from checked

)

select * from final
